"""Lecture permissions: 讲师 and 区管理员 see registrations and record attendance (the views
scope a lecturer to their own lectures); school admins and HR read attendance."""

from django.db import migrations

from people.roles import DISTRICT_ADMIN, HR, LECTURER, SCHOOL_ADMIN, grant_role_permissions


def _perms(model, actions):
    return [("courses", f"{action}_{model}") for action in actions]


LECTURE_PERMISSIONS = {
    LECTURER: [
        *_perms("lectureregistration", ("view",)),
        *_perms("attendance", ("view", "add")),
        *_perms("lecturefeedback", ("view",)),
    ],
    SCHOOL_ADMIN: [*_perms("attendance", ("view",))],
    HR: [*_perms("attendance", ("view",))],
    DISTRICT_ADMIN: [
        *_perms("lectureregistration", ("view", "change")),
        *_perms("attendance", ("view", "add")),
        *_perms("lecturefeedback", ("view",)),
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, LECTURE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("courses", "0004_lectures")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
