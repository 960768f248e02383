"""Qualification standard permissions: district admins edit the standards (an edit of one in
use saves a new version; nobody deletes one); school admins and HR may read them."""

from django.db import migrations

from people.roles import DISTRICT_ADMIN, HR, SCHOOL_ADMIN, grant_role_permissions

STANDARD_PERMISSIONS = {
    SCHOOL_ADMIN: [("certification", "view_qualificationstandard")],
    HR: [("certification", "view_qualificationstandard")],
    DISTRICT_ADMIN: [
        ("certification", "view_qualificationstandard"),
        ("certification", "add_qualificationstandard"),
        ("certification", "change_qualificationstandard"),
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, STANDARD_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("certification", "0009_standard_requirements_inline")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
