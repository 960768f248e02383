"""The staff admin (Wagtail's user screens, ours): scoping by URL, forms, bulk actions, menu."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.admin.menu import admin_menu, settings_menu

from people import roles
from people.models import User
from tests.factories import UserFactory
from tests.people.admin_helpers import assert_denied, listed_ids, login

pytestmark = pytest.mark.django_db


def role(name) -> Group:
    return Group.objects.get(name=name)


def role_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def edit_data(user, **overrides) -> dict:
    """The edit form's POST data for a user as they are, with overrides."""
    data = {
        "staff_no": user.staff_no,
        "full_name": user.full_name,
        "email": user.email,
        "school": user.school_id or "",
        "stage": user.stage,
        "subjects": user.subjects,
        "title": user.title,
        "phone": user.phone,
        "hired_on": "",
        "is_active": "on" if user.is_active else "",
        "groups": [g.pk for g in user.groups.all()],
        "password1": "",
        "password2": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- index ----------------------------------------------------------------------------


def test_school_admin_index_lists_only_own_school(school_admin_a, teacher_a, teacher_b):
    response = login(school_admin_a).get("/admin/users/")
    assert response.status_code == 200
    assert listed_ids(response) == {school_admin_a.pk, teacher_a.pk}
    html = response.content.decode()
    assert teacher_b.staff_no not in html
    assert teacher_b.full_name not in html


def test_school_admin_cannot_reach_other_school_by_filter_search_or_export(
    school_admin_a, teacher_a, teacher_b, school_b
):
    client = login(school_admin_a)
    by_filter = client.get("/admin/users/", {"school": school_b.pk})
    assert teacher_b.pk not in listed_ids(by_filter)
    # The school filter offers only the schools the admin can see.
    choices = by_filter.context["filters"].form.fields["school"].queryset
    assert list(choices.values_list("pk", flat=True)) == [school_admin_a.school_id]

    by_search = client.get("/admin/users/results/", {"q": teacher_b.staff_no})
    assert by_search.status_code == 200
    assert listed_ids(by_search) == set()

    export = client.get("/admin/users/", {"export": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert teacher_a.staff_no in body
    assert teacher_b.staff_no not in body


def test_index_shows_the_staff_columns(district_admin, teacher_a):
    teacher_a.groups.add(role(roles.LECTURER))
    response = login(district_admin).get("/admin/users/")
    columns = [column.name for column in response.context["table"].columns.values()]
    assert columns == [
        "bulk_actions",
        "full_name",
        "staff_no",
        "school",
        "stage",
        "title",
        "roles",
        "is_active",
    ]
    html = response.content.decode()
    assert teacher_a.full_name in html
    assert teacher_a.school.name in html
    assert "教师、讲师" in html  # role names as stored


def test_index_search_by_staff_no_and_name(district_admin, teacher_a, teacher_b):
    client = login(district_admin)
    assert listed_ids(client.get("/admin/users/results/", {"q": "TB01"})) == {teacher_b.pk}
    assert listed_ids(client.get("/admin/users/results/", {"q": "张老"})) == {teacher_a.pk}


def test_index_filters_by_school_stage_and_title(district_admin, make_user, school_a, school_b):
    junior_first = make_user(roles.TEACHER, school_b, staff_no="F1", stage="junior", title="first")
    make_user(roles.TEACHER, school_b, staff_no="F2", stage="junior", title="second")
    make_user(roles.TEACHER, school_a, staff_no="F3", stage="primary", title="first")
    client = login(district_admin)
    response = client.get("/admin/users/", {"school": school_b.pk, "title": "first"})
    assert listed_ids(response) == {junior_first.pk}
    response = client.get("/admin/users/", {"stage": "junior", "title": "first"})
    assert listed_ids(response) == {junior_first.pk}


def test_hr_lists_everyone_read_only(hr_user, teacher_a, teacher_b, school_admin_a):
    response = login(hr_user).get("/admin/users/")
    assert response.status_code == 200
    assert {teacher_a.pk, teacher_b.pk, school_admin_a.pk} <= listed_ids(response)
    html = response.content.decode()
    assert f"/admin/users/edit/{teacher_b.pk}/" not in html
    assert f"/admin/users/inspect/{teacher_b.pk}/" in html
    assert "/admin/users/new/" not in html


def test_index_query_count_does_not_grow_with_users(
    school_admin_a, make_user, school_a, django_assert_max_num_queries
):
    client = login(school_admin_a)
    client.get("/admin/users/")  # warm per-process caches (content types, site)

    with CaptureQueriesContext(connection) as one_user:
        assert client.get("/admin/users/").status_code == 200
    for number in range(49):
        user = make_user(roles.TEACHER, school_a, staff_no=f"N{number:03d}")
        user.groups.add(role(roles.LECTURER))
    with django_assert_max_num_queries(len(one_user)) as fifty_users:
        response = client.get("/admin/users/")
    assert len(response.context["object_list"]) == 50
    assert len(fifty_users) == len(one_user)
    # 16: the admin menu's Settings item (cms SiteSettings) checks site permissions once.
    with django_assert_max_num_queries(16):
        client.get("/admin/users/")


# --- one user by URL ------------------------------------------------------------------

OBJECT_URLS = [
    "/admin/users/edit/{pk}/",
    "/admin/users/inspect/{pk}/",
    "/admin/users/history/{pk}/",
    "/admin/users/history-results/{pk}/",
    "/admin/users/usage/{pk}/",
    "/admin/users/delete/{pk}/",
]


@pytest.mark.parametrize("url", OBJECT_URLS)
def test_school_admin_gets_404_for_other_school_user(url, school_admin_a, teacher_b):
    response = login(school_admin_a).get(url.format(pk=teacher_b.pk))
    assert response.status_code == 404
    assert teacher_b.full_name not in response.content.decode()


def test_copy_view_is_disabled(district_admin, teacher_a):
    assert login(district_admin).get(f"/admin/users/copy/{teacher_a.pk}/").status_code == 404


@pytest.mark.parametrize("url", OBJECT_URLS[:4])
def test_school_admin_opens_own_school_user(url, school_admin_a, teacher_a):
    response = login(school_admin_a).get(url.format(pk=teacher_a.pk))
    assert response.status_code == 200


def test_school_admin_post_edit_of_other_school_user_is_404(school_admin_a, teacher_b):
    response = login(school_admin_a).post(
        f"/admin/users/edit/{teacher_b.pk}/", edit_data(teacher_b, full_name="改名")
    )
    assert response.status_code == 404
    teacher_b.refresh_from_db()
    assert teacher_b.full_name == "王老师"


def test_school_admin_post_delete_of_other_school_user_is_404(school_admin_a, teacher_b):
    response = login(school_admin_a).post(f"/admin/users/delete/{teacher_b.pk}/")
    assert response.status_code == 404
    assert User.objects.filter(pk=teacher_b.pk).exists()


def test_school_admin_cannot_delete_even_own_school_user(school_admin_a, teacher_a):
    # Deleting staff is a district decision (school admins hold no delete_user).
    assert_denied(login(school_admin_a).post(f"/admin/users/delete/{teacher_a.pk}/"))
    assert User.objects.filter(pk=teacher_a.pk).exists()


@pytest.mark.parametrize("district_role", [roles.DISTRICT_ADMIN, roles.HR])
def test_school_admin_cannot_edit_district_level_user_of_own_school(
    district_role, school_admin_a, make_user, school_a
):
    colleague = make_user(district_role, school_a, staff_no="DL01", full_name="区级同事")
    client = login(school_admin_a)
    assert_denied(client.get(f"/admin/users/edit/{colleague.pk}/"))
    assert_denied(
        client.post(f"/admin/users/edit/{colleague.pk}/", edit_data(colleague, full_name="x"))
    )
    colleague.refresh_from_db()
    assert colleague.full_name == "区级同事"
    # Still readable: they work at the school.
    assert client.get(f"/admin/users/inspect/{colleague.pk}/").status_code == 200


# --- create -------------------------------------------------------------------------


def create_data(in_school, **overrides) -> dict:
    data = {
        "staff_no": "NEW001",
        "full_name": "新老师",
        "email": "new@example.com",
        "school": in_school.pk,
        "stage": "primary",
        "subjects": "语文",
        "title": "second",
        "phone": "",
        "hired_on": "",
        "groups": [role(roles.TEACHER).pk],
    }
    data.update(overrides)
    return data


def test_school_admin_creates_teacher_in_own_school_with_unusable_password(
    school_admin_a, school_a
):
    client = login(school_admin_a)
    page = client.get("/admin/users/new/")
    html = page.content.decode()
    for field in ("staff_no", "full_name", "school", "stage", "title", "phone", "groups"):
        assert f'name="{field}"' in html
    assert 'name="is_superuser"' not in html
    assert 'name="password1"' not in html
    form = page.context["form"]
    assert "password1" not in form.fields
    assert "is_superuser" not in form.fields
    assert list(form.fields["school"].queryset) == [school_a]

    response = client.post("/admin/users/new/", create_data(school_a, phone="139-1234-5678"))
    assert response.status_code == 302
    user = User.objects.get(staff_no="NEW001")
    assert user.school == school_a
    assert user.phone == "13912345678"
    assert not user.has_usable_password()
    assert role_names(user) == {roles.TEACHER}


def test_school_admin_cannot_create_user_in_other_school(school_admin_a, school_b):
    response = login(school_admin_a).post("/admin/users/new/", create_data(school_b))
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["school"][0].code == "invalid_choice"
    assert not User.objects.filter(staff_no="NEW001").exists()


def test_school_admin_cannot_create_user_without_school(school_admin_a, school_a):
    response = login(school_admin_a).post("/admin/users/new/", create_data(school_a, school=""))
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert not User.objects.filter(staff_no="NEW001").exists()


@pytest.mark.parametrize(
    "district_role", [roles.DISTRICT_ADMIN, roles.HR, roles.LECTURER, roles.REVIEWER]
)
def test_school_admin_cannot_create_user_with_district_role(
    district_role, school_admin_a, school_a
):
    data = create_data(school_a, groups=[role(district_role).pk], is_superuser="on")
    response = login(school_admin_a).post("/admin/users/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["groups"][0].code == "invalid_choice"
    assert not User.objects.filter(staff_no="NEW001").exists()


def test_school_admin_without_school_cannot_create_anyone(school_a):
    orphan_admin = UserFactory(staff_no="SA99", school=None, roles=[roles.SCHOOL_ADMIN])
    client = login(orphan_admin)
    assert list(client.get("/admin/users/").context["object_list"]) == []
    response = client.post("/admin/users/new/", create_data(school_a, groups=[]))
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert not User.objects.filter(staff_no="NEW001").exists()


def test_create_rejects_duplicate_and_malformed_staff_no(district_admin, teacher_a, school_a):
    client = login(district_admin)
    duplicate = client.post("/admin/users/new/", create_data(school_a, staff_no="TA01"))
    assert "staff_no" in duplicate.context["form"].errors
    malformed = client.post("/admin/users/new/", create_data(school_a, staff_no="工号 1"))
    assert malformed.context["form"].errors.as_data()["staff_no"][0].code == "invalid_staff_no"


# --- edit -----------------------------------------------------------------------------


def test_school_admin_edit_form_limits_school_roles_and_superuser(school_admin_a, teacher_a):
    page = login(school_admin_a).get(f"/admin/users/edit/{teacher_a.pk}/")
    html = page.content.decode()
    for field in ("staff_no", "full_name", "school", "stage", "title", "is_active", "groups"):
        assert f'name="{field}"' in html
    assert 'name="first_name"' not in html
    assert 'name="is_superuser"' not in html
    form = page.context["form"]
    assert "first_name" not in form.fields
    assert "last_name" not in form.fields
    assert "is_superuser" not in form.fields
    assert list(form.fields["school"].queryset) == [teacher_a.school]
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == {
        roles.TEACHER,
        roles.SCHOOL_ADMIN,
    }


def test_school_admin_edits_own_teacher(school_admin_a, teacher_a):
    response = login(school_admin_a).post(
        f"/admin/users/edit/{teacher_a.pk}/",
        edit_data(teacher_a, full_name="张新名", subjects="数学", is_head_teacher="on"),
    )
    assert response.status_code == 302
    teacher_a.refresh_from_db()
    assert teacher_a.full_name == "张新名"
    assert teacher_a.is_head_teacher


def test_edit_keeps_roles_the_editor_cannot_grant(school_admin_a, teacher_a):
    teacher_a.groups.add(role(roles.LECTURER))
    response = login(school_admin_a).post(
        f"/admin/users/edit/{teacher_a.pk}/",
        edit_data(teacher_a, groups=[role(roles.TEACHER).pk, role(roles.SCHOOL_ADMIN).pk]),
    )
    assert response.status_code == 302
    assert role_names(teacher_a) == {roles.TEACHER, roles.LECTURER, roles.SCHOOL_ADMIN}

    # Unticking every grantable role still leaves the lecturer role alone.
    login(school_admin_a).post(
        f"/admin/users/edit/{teacher_a.pk}/", edit_data(teacher_a, groups=[])
    )
    assert role_names(teacher_a) == {roles.LECTURER}


@pytest.mark.parametrize(
    "district_role", [roles.DISTRICT_ADMIN, roles.HR, roles.LECTURER, roles.REVIEWER]
)
def test_school_admin_cannot_grant_district_roles_by_edit(district_role, school_admin_a, teacher_a):
    data = edit_data(teacher_a, groups=[role(roles.TEACHER).pk, role(district_role).pk])
    response = login(school_admin_a).post(f"/admin/users/edit/{teacher_a.pk}/", data)
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["groups"][0].code == "invalid_choice"
    assert role_names(teacher_a) == {roles.TEACHER}


def test_school_admin_cannot_make_a_superuser(school_admin_a, teacher_a):
    response = login(school_admin_a).post(
        f"/admin/users/edit/{teacher_a.pk}/", edit_data(teacher_a, is_superuser="on")
    )
    assert response.status_code == 302
    teacher_a.refresh_from_db()
    assert not teacher_a.is_superuser


def test_school_admin_cannot_move_a_user_to_another_school(school_admin_a, teacher_a, school_b):
    response = login(school_admin_a).post(
        f"/admin/users/edit/{teacher_a.pk}/", edit_data(teacher_a, school=school_b.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["school"][0].code == "invalid_choice"
    teacher_a.refresh_from_db()
    assert teacher_a.school_id == school_admin_a.school_id


def test_district_admin_edits_anyone_and_grants_any_role(district_admin, teacher_b, school_a):
    data = edit_data(
        teacher_b, school=school_a.pk, groups=[role(roles.TEACHER).pk, role(roles.LECTURER).pk]
    )
    response = login(district_admin).post(f"/admin/users/edit/{teacher_b.pk}/", data)
    assert response.status_code == 302
    teacher_b.refresh_from_db()
    assert teacher_b.school == school_a
    assert role_names(teacher_b) == {roles.TEACHER, roles.LECTURER}


def test_district_admin_cannot_grant_superuser_or_edit_a_superuser(district_admin, teacher_a):
    client = login(district_admin)
    assert (
        "is_superuser"
        not in client.get(f"/admin/users/edit/{teacher_a.pk}/").context["form"].fields
    )
    client.post(f"/admin/users/edit/{teacher_a.pk}/", edit_data(teacher_a, is_superuser="on"))
    teacher_a.refresh_from_db()
    assert not teacher_a.is_superuser

    root = User.objects.create_superuser("ROOT", "root@example.com", "x-Password-9", full_name="根")
    assert_denied(client.get(f"/admin/users/edit/{root.pk}/"))
    assert_denied(
        client.post(
            f"/admin/users/edit/{root.pk}/",
            edit_data(root, password1="hijack-Pass-1", password2="hijack-Pass-1"),
        )
    )
    root.refresh_from_db()
    assert root.check_password("x-Password-9")
    assert root.is_superuser


def test_superuser_can_grant_superuser(teacher_a):
    root = User.objects.create_superuser("ROOT", "root@example.com", "x-Password-9", full_name="根")
    client = login(root)
    assert "is_superuser" in client.get(f"/admin/users/edit/{teacher_a.pk}/").context["form"].fields
    response = client.post(
        f"/admin/users/edit/{teacher_a.pk}/", edit_data(teacher_a, is_superuser="on")
    )
    assert response.status_code == 302
    teacher_a.refresh_from_db()
    assert teacher_a.is_superuser


def test_district_admin_deletes_a_user(district_admin, teacher_b):
    response = login(district_admin).post(f"/admin/users/delete/{teacher_b.pk}/")
    assert response.status_code == 302
    assert not User.objects.filter(pk=teacher_b.pk).exists()


def test_admin_post_is_csrf_protected(school_admin_a, teacher_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin_a)
    url = f"/admin/users/edit/{teacher_a.pk}/"
    rejected = client.post(url, edit_data(teacher_a, full_name="无令牌"))
    assert rejected.status_code == 403
    teacher_a.refresh_from_db()
    assert teacher_a.full_name == "张老师"

    client.get(url)  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        url, {**edit_data(teacher_a, full_name="有令牌"), "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    teacher_a.refresh_from_db()
    assert teacher_a.full_name == "有令牌"


# --- HR: read only ------------------------------------------------------------------


def test_hr_inspects_anyone(hr_user, teacher_a, teacher_b):
    client = login(hr_user)
    for user in (teacher_a, teacher_b):
        response = client.get(f"/admin/users/inspect/{user.pk}/")
        assert response.status_code == 200
        assert user.staff_no in response.content.decode()
        assert f"/admin/users/edit/{user.pk}/" not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/new/",
        "/admin/users/edit/{pk}/",
        "/admin/users/delete/{pk}/",
        "/admin/users/history/{pk}/",
        "/admin/users/usage/{pk}/",
    ],
)
def test_hr_cannot_add_edit_or_delete(method, url, hr_user, teacher_a, school_a):
    client = login(hr_user)
    data = create_data(school_a) if "new" in url else edit_data(teacher_a, full_name="人事改名")
    response = getattr(client, method)(
        url.format(pk=teacher_a.pk), data if method == "post" else None
    )
    assert_denied(response)
    teacher_a.refresh_from_db()
    assert teacher_a.full_name == "张老师"
    assert not User.objects.filter(staff_no="NEW001").exists()


# --- teachers have no admin ---------------------------------------------------------


def test_teacher_is_sent_to_login_from_admin_without_a_loop(teacher_a):
    client = login(teacher_a)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/admin/")
    followed = client.get(response["Location"])
    assert followed.status_code == 200  # the login page, not a redirect back to /admin/
    assert client.get(f"/admin/users/edit/{teacher_a.pk}/").status_code == 302


# --- bulk actions ---------------------------------------------------------------------

BULK = "/admin/bulk/people/user/{action}/"


@pytest.mark.parametrize("action", ["assign_role", "set_active_state", "delete"])
def test_bulk_actions_on_other_school_user_show_nothing(action, school_admin_a, teacher_b):
    client = login(school_admin_a)
    url = BULK.format(action=action) + f"?id={teacher_b.pk}"
    response = client.get(url)
    assert response.status_code == 404
    assert teacher_b.full_name.encode() not in response.content
    post = client.post(url, {"role": role(roles.SCHOOL_ADMIN).pk, "mark_as_active": "False"})
    assert post.status_code == 404
    teacher_b.refresh_from_db()
    assert teacher_b.is_active
    assert role_names(teacher_b) == {roles.TEACHER}


def test_bulk_confirmation_lists_only_own_school_users(school_admin_a, teacher_a, teacher_b):
    url = BULK.format(action="assign_role") + f"?id={teacher_a.pk}&id={teacher_b.pk}"
    response = login(school_admin_a).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert teacher_a.full_name in html
    assert teacher_b.full_name not in html
    assert teacher_b.staff_no not in html
    # Only the roles a school admin can grant are offered.
    offered = response.context["form"].fields["role"].queryset
    assert set(offered.values_list("name", flat=True)) == {roles.TEACHER, roles.SCHOOL_ADMIN}


def test_bulk_assign_role_applies_only_to_own_school(school_admin_a, teacher_a, teacher_b):
    url = BULK.format(action="assign_role") + f"?id={teacher_a.pk}&id={teacher_b.pk}"
    response = login(school_admin_a).post(url, {"role": role(roles.SCHOOL_ADMIN).pk})
    assert response.status_code == 302
    assert role_names(teacher_a) == {roles.TEACHER, roles.SCHOOL_ADMIN}
    assert role_names(teacher_b) == {roles.TEACHER}


@pytest.mark.parametrize("district_role", [roles.DISTRICT_ADMIN, roles.HR, roles.LECTURER])
def test_bulk_assign_role_refuses_roles_school_admin_cannot_grant(
    district_role, school_admin_a, teacher_a
):
    url = BULK.format(action="assign_role") + f"?id={teacher_a.pk}"
    response = login(school_admin_a).post(url, {"role": role(district_role).pk})
    assert response.status_code == 200  # the form again, with an error
    assert response.context["form"].errors.as_data()["role"][0].code == "invalid_choice"
    assert role_names(teacher_a) == {roles.TEACHER}


def test_bulk_select_all_touches_only_own_school(school_admin_a, teacher_a, teacher_b):
    url = BULK.format(action="set_active_state") + "?id=all"
    response = login(school_admin_a).post(url, {"mark_as_active": "False"})
    assert response.status_code == 302
    teacher_a.refresh_from_db()
    teacher_b.refresh_from_db()
    school_admin_a.refresh_from_db()
    assert not teacher_a.is_active
    assert teacher_b.is_active
    assert school_admin_a.is_active  # never yourself


def test_bulk_actions_skip_district_level_users_of_own_school(school_admin_a, make_user, school_a):
    district_user = make_user(roles.DISTRICT_ADMIN, school_a, staff_no="DL02")
    url = BULK.format(action="set_active_state") + f"?id={district_user.pk}"
    assert login(school_admin_a).post(url, {"mark_as_active": "False"}).status_code == 404
    district_user.refresh_from_db()
    assert district_user.is_active


def test_bulk_actions_denied_to_hr(hr_user, teacher_a):
    url = BULK.format(action="set_active_state") + f"?id={teacher_a.pk}"
    assert_denied(login(hr_user).post(url, {"mark_as_active": "False"}))
    teacher_a.refresh_from_db()
    assert teacher_a.is_active


def test_bulk_ids_that_are_not_numbers_are_ignored(district_admin):
    url = BULK.format(action="assign_role") + "?id=abc&id=1%20OR%201"
    assert login(district_admin).get(url).status_code == 404


def test_district_admin_bulk_deletes(district_admin, teacher_a, teacher_b):
    url = BULK.format(action="delete") + f"?id={teacher_a.pk}&id={teacher_b.pk}"
    response = login(district_admin).post(url)
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[teacher_a.pk, teacher_b.pk]).exists()


# --- menu and dashboard -----------------------------------------------------------------


def menu_urls(menu, user) -> dict[str, str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return {item.name: getattr(item, "url", "") for item in menu.menu_items_for_request(request)}


@pytest.mark.parametrize("who", ["school_admin_a", "hr_user", "district_admin"])
def test_staff_menu_replaces_wagtail_users_setting(request, who):
    user = request.getfixturevalue(who)
    main = menu_urls(admin_menu, user)
    assert main["users"] == "/admin/users/"
    assert main["schools"] == "/admin/schools/"
    assert "users" not in menu_urls(settings_menu, user)


@pytest.mark.parametrize(
    "role_name",
    [roles.LECTURER, roles.REVIEWER, roles.SCHOOL_ADMIN, roles.HR, roles.DISTRICT_ADMIN],
)
def test_dashboard_renders_for_each_admin_role(role_name, make_user, school_a):
    user = make_user(role_name, school_a, staff_no="ROLE1")
    response = login(user).get("/admin/")
    assert response.status_code == 200


def test_dashboard_renders_for_superuser():
    root = User.objects.create_superuser("ROOT", "root@example.com", "x-Password-9", full_name="根")
    assert login(root).get("/admin/").status_code == 200
