"""Reads about people and the one place that decides who may see and manage whom."""

from django.db.models import QuerySet

from . import roles
from .models import RosterImport, School, User


def user_role_names(user) -> frozenset[str]:
    """The role (group) names of a user, cached on the instance for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_names_cache", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names_cache = cached
    return cached


def user_has_role(user, role: str) -> bool:
    return role in user_role_names(user)


def user_is_district_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or user_has_role(user, roles.DISTRICT_ADMIN)


def user_is_hr(user) -> bool:
    return user_has_role(user, roles.HR)


def user_is_school_admin(user) -> bool:
    return user_has_role(user, roles.SCHOOL_ADMIN) and getattr(user, "school_id", None) is not None


def users_visible_to(user) -> QuerySet[User]:
    """Users the given person may list and view in the admin."""
    users = User.objects.select_related("school")
    if user_is_district_admin(user) or user_is_hr(user):
        return users
    if user_is_school_admin(user):
        return users.filter(school_id=user.school_id)
    return users.none()


def users_editable_by(user) -> QuerySet[User]:
    """Users the given person may change: district admins everyone, school admins their own
    school's staff except superusers and district-level roles."""
    users = User.objects.select_related("school")
    if user.is_superuser:
        return users
    if user_is_district_admin(user):
        return users.filter(is_superuser=False)
    if user_is_school_admin(user):
        return (
            users.filter(school_id=user.school_id, is_superuser=False)
            .exclude(groups__name__in=[roles.DISTRICT_ADMIN, roles.HR])
            .distinct()
        )
    return users.none()


def roles_assignable_by(user) -> list[str]:
    """Role names a person may grant or revoke through the user form."""
    if user_is_district_admin(user):
        return list(roles.ROLES)
    if user_is_school_admin(user):
        return [roles.TEACHER, roles.SCHOOL_ADMIN]
    return []


def schools_visible_to(user) -> QuerySet[School]:
    schools = School.objects.all()
    if user_is_district_admin(user) or user_is_hr(user):
        return schools
    if getattr(user, "school_id", None):
        return schools.filter(pk=user.school_id)
    return schools.none()


def roster_imports_visible_to(user) -> QuerySet[RosterImport]:
    """Imports a person may open: district admins all, school admins their school's only."""
    imports = RosterImport.objects.select_related("uploaded_by", "applied_by", "school_scope")
    if not user.has_perm("people.view_rosterimport"):
        return imports.none()
    if user_is_district_admin(user):
        return imports
    if user_is_school_admin(user):
        return imports.filter(school_scope_id=user.school_id)
    return imports.none()
