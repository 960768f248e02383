"""District admins and 讲师 may edit the 讲师团 profiles (district admins also delete)."""

from django.db import migrations

from people.roles import DISTRICT_ADMIN, LECTURER, grant_role_permissions

LECTURER_PROFILE_PERMISSIONS = {
    LECTURER: [
        ("people", "view_lecturerprofile"),
        ("people", "add_lecturerprofile"),
        ("people", "change_lecturerprofile"),
    ],
    DISTRICT_ADMIN: [
        ("people", "view_lecturerprofile"),
        ("people", "add_lecturerprofile"),
        ("people", "change_lecturerprofile"),
        ("people", "delete_lecturerprofile"),
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, LECTURER_PROFILE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("people", "0004_lecturerprofile")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
