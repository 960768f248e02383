"""Course permissions of the roles: 讲师 build courses and upload H5P packages (their
JavaScript runs as site code, so only 讲师 and 区管理员 may); school admins assign and
approve enrolments of their own school (scoped in the views); 区管理员 everything."""

from django.db import migrations

from people.roles import DISTRICT_ADMIN, HR, LECTURER, REVIEWER, SCHOOL_ADMIN, grant_role_permissions


def _crud(model, actions=("add", "change", "delete", "view")):
    return [("courses", f"{action}_{model}") for action in actions]


COURSE_PERMISSIONS = {
    LECTURER: [
        *_crud("h5ppackage", ("add", "change", "view")),
        *_crud("topiccategory", ("view",)),
        *_crud("enrollment", ("view",)),
        *_crud("lessonprogress", ("view", "change")),
    ],
    REVIEWER: [*_crud("h5ppackage", ("view",)), *_crud("topiccategory", ("view",))],
    SCHOOL_ADMIN: [*_crud("enrollment", ("add", "change", "view"))],
    HR: [*_crud("enrollment", ("view",))],
    DISTRICT_ADMIN: [
        *_crud("h5ppackage"),
        *_crud("topiccategory"),
        *_crud("enrollment"),
        *_crud("lessonprogress", ("view", "change")),
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, COURSE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial"), ("people", "0005_lecturer_role_permissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
