"""people.selectors against the database: who may see, manage and grant what."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from people import roles, selectors
from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def roles_groups(*names) -> list[Group]:
    return list(Group.objects.filter(name__in=names))


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("ROOT", "root@example.com", "x-Password-9", full_name="根")


def test_role_names_are_read_once_per_user_instance(teacher_a, django_assert_num_queries):
    teacher_a.groups.add(*roles_groups(roles.LECTURER))
    user = User.objects.get(pk=teacher_a.pk)
    with django_assert_num_queries(1):
        assert selectors.user_role_names(user) == {roles.TEACHER, roles.LECTURER}
        assert selectors.user_has_role(user, roles.LECTURER)
        assert not selectors.user_is_district_admin(user)


def test_anonymous_user_has_no_roles_and_sees_nothing(teacher_a, school_a):
    anonymous = AnonymousUser()
    assert selectors.user_role_names(anonymous) == frozenset()
    assert not selectors.users_visible_to(anonymous).exists()
    assert not selectors.schools_visible_to(anonymous).exists()
    assert selectors.roles_assignable_by(anonymous) == []


def test_role_predicates(school_admin_a, hr_user, district_admin, teacher_a, superuser):
    assert selectors.user_is_school_admin(school_admin_a)
    assert not selectors.user_is_school_admin(teacher_a)
    assert selectors.user_is_hr(hr_user)
    assert selectors.user_is_district_admin(district_admin)
    assert selectors.user_is_district_admin(superuser)
    assert not selectors.user_is_district_admin(hr_user)


def test_a_school_admin_without_a_school_is_not_a_school_admin():
    orphan = UserFactory(school=None, roles=[roles.SCHOOL_ADMIN])
    assert not selectors.user_is_school_admin(orphan)
    assert not selectors.users_visible_to(orphan).exists()
    assert not selectors.users_editable_by(orphan).exists()
    assert selectors.roles_assignable_by(orphan) == []


def test_users_visible_to_each_role(
    school_admin_a, teacher_a, teacher_b, hr_user, district_admin, superuser
):
    everyone = set(User.objects.values_list("pk", flat=True))
    assert ids(selectors.users_visible_to(school_admin_a)) == {school_admin_a.pk, teacher_a.pk}
    assert ids(selectors.users_visible_to(hr_user)) == everyone
    assert ids(selectors.users_visible_to(district_admin)) == everyone
    assert ids(selectors.users_visible_to(superuser)) == everyone
    assert ids(selectors.users_visible_to(teacher_a)) == set()


def test_users_editable_by_school_admin_excludes_district_level_and_superusers(
    school_admin_a, teacher_a, teacher_b, make_user, school_a
):
    lecturer = make_user(roles.LECTURER, school_a, staff_no="L01")
    district_colleague = make_user(roles.DISTRICT_ADMIN, school_a, staff_no="D01")
    hr_colleague = make_user(roles.HR, school_a, staff_no="H01")
    root_here = UserFactory(school=school_a, staff_no="R01", is_superuser=True)
    two_roles = make_user(roles.TEACHER, school_a, staff_no="T02")
    two_roles.groups.add(*roles_groups(roles.SCHOOL_ADMIN))

    editable = ids(selectors.users_editable_by(school_admin_a))
    assert editable == {school_admin_a.pk, teacher_a.pk, lecturer.pk, two_roles.pk}
    assert not editable & {district_colleague.pk, hr_colleague.pk, root_here.pk, teacher_b.pk}
    # distinct(): a user in several groups is listed once.
    assert selectors.users_editable_by(school_admin_a).filter(pk=two_roles.pk).count() == 1


def test_users_editable_by_district_admin_and_superuser(district_admin, superuser, teacher_b):
    assert teacher_b.pk in ids(selectors.users_editable_by(district_admin))
    assert superuser.pk not in ids(selectors.users_editable_by(district_admin))
    assert superuser.pk in ids(selectors.users_editable_by(superuser))


def test_hr_and_teachers_edit_nobody(hr_user, teacher_a):
    assert not selectors.users_editable_by(hr_user).exists()
    assert not selectors.users_editable_by(teacher_a).exists()


def test_roles_assignable_by(school_admin_a, district_admin, hr_user, teacher_a, superuser):
    assert selectors.roles_assignable_by(school_admin_a) == [roles.TEACHER, roles.SCHOOL_ADMIN]
    assert selectors.roles_assignable_by(district_admin) == roles.ROLES
    assert selectors.roles_assignable_by(superuser) == roles.ROLES
    assert selectors.roles_assignable_by(hr_user) == []
    assert selectors.roles_assignable_by(teacher_a) == []


def test_schools_visible_to(school_admin_a, school_a, school_b, hr_user, district_admin):
    assert ids(selectors.schools_visible_to(school_admin_a)) == {school_a.pk}
    assert {school_a.pk, school_b.pk} <= ids(selectors.schools_visible_to(hr_user))
    assert {school_a.pk, school_b.pk} <= ids(selectors.schools_visible_to(district_admin))


def test_visible_users_query_does_not_grow_with_rows(
    school_admin_a, make_user, school_a, django_assert_num_queries
):
    for number in range(20):
        make_user(roles.TEACHER, school_a, staff_no=f"Q{number:02d}")
    selectors.user_role_names(school_admin_a)  # cached on the instance
    with django_assert_num_queries(1):
        names = [user.school.name for user in selectors.users_visible_to(school_admin_a)]
    assert len(names) == 21
