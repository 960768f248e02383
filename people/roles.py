"""Roles are auth groups; this module names them and the model permissions each one holds.

Page-tree permissions (who may edit which pages) are granted by the cms migrations, since
the page tree belongs to cms. Later apps add their own model permissions to these roles
in their migrations by calling `grant_role_permissions`.
"""

from django.utils.translation import gettext_lazy as _

TEACHER = "教师"
LECTURER = "讲师"
REVIEWER = "审核员"
SCHOOL_ADMIN = "学校管理员"
HR = "人事"
DISTRICT_ADMIN = "区管理员"

ROLES = [TEACHER, LECTURER, REVIEWER, SCHOOL_ADMIN, HR, DISTRICT_ADMIN]

ROLE_DESCRIPTIONS = {
    TEACHER: _("Takes courses, attends lectures, reads cases and handbooks."),
    LECTURER: _("Publishes lectures, courses, lessons, H5P packages and cases."),
    REVIEWER: _("Approves or rejects submitted cases and courses."),
    SCHOOL_ADMIN: _("Manages the teachers of one school."),
    HR: _("Reads district-wide credit and qualification reports."),
    DISTRICT_ADMIN: _("Administers the whole platform."),
}

# Roles that may log in to the Wagtail admin at all.
ADMIN_ROLES = {LECTURER, REVIEWER, SCHOOL_ADMIN, HR, DISTRICT_ADMIN}

# (app_label, codename) per role, for the apps that exist in this migration's era.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    TEACHER: [],
    LECTURER: [
        ("wagtailadmin", "access_admin"),
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
    ],
    REVIEWER: [
        ("wagtailadmin", "access_admin"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "choose_document"),
    ],
    SCHOOL_ADMIN: [
        ("wagtailadmin", "access_admin"),
        ("people", "view_user"),
        ("people", "add_user"),
        ("people", "change_user"),
        ("people", "view_school"),
        ("people", "add_rosterimport"),
        ("people", "view_rosterimport"),
    ],
    HR: [
        ("wagtailadmin", "access_admin"),
        ("people", "view_user"),
        ("people", "view_school"),
    ],
    DISTRICT_ADMIN: [
        ("wagtailadmin", "access_admin"),
        ("people", "view_user"),
        ("people", "add_user"),
        ("people", "change_user"),
        ("people", "delete_user"),
        ("people", "view_school"),
        ("people", "add_school"),
        ("people", "change_school"),
        ("people", "delete_school"),
        ("people", "add_rosterimport"),
        ("people", "view_rosterimport"),
        ("auth", "view_group"),
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "delete_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "delete_document"),
        ("wagtaildocs", "choose_document"),
        ("wagtailcore", "add_collection"),
        ("wagtailcore", "change_collection"),
        ("wagtailcore", "view_workflow"),
        ("wagtailcore", "add_workflow"),
        ("wagtailcore", "change_workflow"),
        ("wagtailcore", "add_task"),
        ("wagtailcore", "change_task"),
        ("wagtailredirects", "add_redirect"),
        ("wagtailredirects", "change_redirect"),
        ("wagtailredirects", "delete_redirect"),
    ],
}


def ensure_permissions_exist(apps) -> None:
    """Create the Permission rows now: post_migrate has not run yet inside a migration."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant_role_permissions(apps, role_permissions: dict[str, list[tuple[str, str]]]) -> None:
    """Create each role group and add the named permissions; idempotent."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ensure_permissions_exist(apps)
    for role, perms in role_permissions.items():
        group, _created = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)
