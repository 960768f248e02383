"""The 案例库 admin menu and the problem-category snippet: district admins (and superusers)
list, add, edit and delete categories; every other role is refused, by URL and in the menu;
the category permissions are not offered in the group editor, where they would do nothing."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import RequestFactory
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import admin_menu

from casebank.models import ProblemCategory
from casebank.wagtail_hooks import DistrictAdminPermissionPolicy
from people import roles
from tests.people.admin_helpers import assert_denied, login

pytestmark = pytest.mark.django_db

INDEX = "wagtailsnippets_casebank_problemcategory:list"
ADD = "wagtailsnippets_casebank_problemcategory:add"
EDIT = "wagtailsnippets_casebank_problemcategory:edit"
DELETE = "wagtailsnippets_casebank_problemcategory:delete"


def test_district_admin_lists_the_eleven_categories_in_order(district_admin):
    response = login(district_admin).get(reverse(INDEX))
    assert response.status_code == 200
    names = [category.name for category in response.context["object_list"]]
    assert names[:3] == ["学业压力", "情绪心理", "亲子关系"]
    assert len(names) == 11


def test_district_admin_adds_edits_and_deletes_a_category(district_admin):
    client = login(district_admin)
    response = client.post(
        reverse(ADD),
        {"name": "学习困难", "slug": "learning-difficulty", "description": "", "sort_order": 200},
    )
    assert response.status_code == 302
    category = ProblemCategory.objects.get(slug="learning-difficulty")
    response = client.post(
        reverse(EDIT, args=[category.pk]),
        {
            "name": "学习困难与支持",
            "slug": "learning-difficulty",
            "description": "说明",
            "sort_order": 5,
        },
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name == "学习困难与支持" and category.sort_order == 5
    response = client.post(reverse(DELETE, args=[category.pk]))
    assert response.status_code == 302
    assert not ProblemCategory.objects.filter(slug="learning-difficulty").exists()


def test_a_duplicate_name_is_refused_with_a_message(district_admin):
    response = login(district_admin).post(
        reverse(ADD), {"name": "情绪心理", "slug": "emotions-2", "description": "", "sort_order": 1}
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert ProblemCategory.objects.filter(name="情绪心理").count() == 1


def test_a_superuser_may_manage_categories(make_user):
    admin = make_user(None, None, staff_no="ROOT1", is_superuser=True, is_staff=True)
    assert login(admin).get(reverse(ADD)).status_code == 200


@pytest.mark.parametrize(
    "role", [roles.LECTURER, roles.REVIEWER, roles.SCHOOL_ADMIN, roles.HR, roles.TEACHER]
)
def test_other_roles_are_refused(make_user, school_a, role):
    user = make_user(role, school_a, staff_no=f"X-{role}")
    client = login(user)
    category = ProblemCategory.objects.get(slug="emotions")
    for url in (reverse(INDEX), reverse(ADD), reverse(EDIT, args=[category.pk])):
        response = client.get(url)
        if role == roles.TEACHER:  # no admin access at all: the login page
            assert response.status_code == 302
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        else:
            assert_denied(response)
    response = client.post(reverse(DELETE, args=[category.pk]))
    assert response.status_code == 302
    assert ProblemCategory.objects.filter(slug="emotions").exists()


def menu_names(user) -> dict[str, list[str]]:
    """The admin menu the user gets: top-level item name -> its submenu item names."""
    request = RequestFactory().get("/admin/")
    request.user = user
    items = admin_menu.menu_items_for_request(request)
    return {
        item.name: [sub.name for sub in item.menu.menu_items_for_request(request)]
        if hasattr(item, "menu")
        else []
        for item in items
    }


def test_menu_group_shows_for_district_admins_only(district_admin, make_user, school_a):
    menu = menu_names(district_admin)
    assert "problem-categories" in menu["casebank"]
    for role in (roles.LECTURER, roles.REVIEWER, roles.SCHOOL_ADMIN, roles.HR):
        user = make_user(role, school_a, staff_no=f"M-{role}")
        assert "problem-categories" not in menu_names(user).get("casebank", [])


def test_policy_lists_active_district_admins_and_superusers(district_admin, make_user, school_a):
    policy = DistrictAdminPermissionPolicy(ProblemCategory)
    root = make_user(None, None, staff_no="ROOT2", is_superuser=True)
    inactive = make_user(roles.DISTRICT_ADMIN, None, staff_no="DA-OLD", is_active=False)
    lecturer = make_user(roles.LECTURER, school_a, staff_no="L-POL")
    users = set(policy.users_with_any_permission(["change"]))
    assert users == {district_admin, root}
    assert not policy.user_has_permission(inactive, "change")
    assert not policy.user_has_permission(lecturer, "change")


def test_category_permissions_are_not_offered_in_the_group_editor():
    registered = [
        permission for fn in hooks.get_hooks("register_permissions") for permission in fn()
    ]
    assert not any(
        permission.content_type.app_label == "casebank"
        and permission.content_type.model == "problemcategory"
        for permission in registered
    )
