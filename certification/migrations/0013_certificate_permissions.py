"""Certificate permissions: everyone with a reason to check one may view certificates in the
admin (school admins their school's, enforced by the views); only district admins revoke
them and run bulk generation; HR and district admins export reports."""

from django.db import migrations

from people.roles import DISTRICT_ADMIN, HR, SCHOOL_ADMIN, grant_role_permissions

CERTIFICATE_PERMISSIONS = {
    SCHOOL_ADMIN: [("certification", "view_certificate")],
    HR: [
        ("certification", "view_certificate"),
        ("certification", "view_reportexport"),
        ("certification", "add_reportexport"),
    ],
    DISTRICT_ADMIN: [
        ("certification", "view_certificate"),
        ("certification", "revoke_certificate"),
        ("certification", "view_certificatebatch"),
        ("certification", "add_certificatebatch"),
        ("certification", "view_reportexport"),
        ("certification", "add_reportexport"),
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, CERTIFICATE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("certification", "0012_certificates")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
