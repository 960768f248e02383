"""Admin: cycles and their matrix editable by the district admin only; the ledger list is
read-only and scoped (school admin own school, HR and district all) with pinned query
counts; the district admin's 冲正 needs a reason and CSRF."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from certification.models import CreditEntry, CycleRequirement
from cms.choices import CreditCategory
from people import roles
from tests.factories.certification import award, default_cycle
from tests.factories.certification import reverse as reverse_entry

pytestmark = pytest.mark.django_db

LEDGER = "certification_ledger:index"


@pytest.fixture
def school_admin_b(make_user, school_b):
    return make_user(roles.SCHOOL_ADMIN, school_b, staff_no="SB01", full_name="赵管理")


def logged_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def listed_ids(response):
    return {entry.pk for entry in response.context["entries"]}


def test_ledger_is_scoped_by_role(teacher_a, teacher_b, school_admin_a, hr_user, district_admin):
    a, b = award(teacher_a), award(teacher_b)
    assert listed_ids(logged_in(school_admin_a).get(reverse(LEDGER))) == {a.pk}
    assert listed_ids(logged_in(hr_user).get(reverse(LEDGER))) == {a.pk, b.pk}
    assert listed_ids(logged_in(district_admin).get(reverse(LEDGER))) == {a.pk, b.pk}
    response = logged_in(teacher_a).get(reverse(LEDGER))
    assert response.status_code in (302, 403)


def test_school_admin_cannot_see_other_school_by_filter(teacher_a, teacher_b, school_admin_a):
    award(teacher_b)
    response = logged_in(school_admin_a).get(reverse(LEDGER), {"school": teacher_b.school_id})
    assert listed_ids(response) == set()
    assert "school" in response.context["form"].errors  # not among the choices


def test_ledger_filters(teacher_a, teacher_b, district_admin):
    course = award(teacher_a, source="course")
    imported = award(teacher_b, source="import")
    client = logged_in(district_admin)
    assert listed_ids(client.get(reverse(LEDGER), {"source": "import"})) == {imported.pk}
    assert listed_ids(client.get(reverse(LEDGER), {"school": teacher_a.school_id})) == {course.pk}
    assert listed_ids(client.get(reverse(LEDGER), {"q": "TB01"})) == {imported.pk}
    assert listed_ids(client.get(reverse(LEDGER), {"cycle": default_cycle().pk})) == {
        course.pk,
        imported.pk,
    }


def test_ledger_has_no_add_edit_or_delete_urls():
    for name in ("add", "edit", "delete", "change"):
        with pytest.raises(NoReverseMatch):
            reverse(f"certification_ledger:{name}", args=[1])
        with pytest.raises(NoReverseMatch):
            reverse(f"certification_ledger:{name}")


@pytest.mark.parametrize("count", [3, 30])
def test_ledger_list_queries_do_not_grow(
    count, make_user, school_a, district_admin, django_assert_max_num_queries
):
    teachers = [make_user(roles.TEACHER, school_a) for _ in range(3)]
    entries = [award(teachers[i % 3]) for i in range(count)]
    reverse_entry(entries[0], by=district_admin)
    client = logged_in(district_admin)
    client.get(reverse(LEDGER))  # warm the session and site caches
    # Measured 15 at both sizes: session, user, permissions (2), profile, roles, count, page,
    # Wagtail's menu and permissions (5), schools and cycles for the filter.
    with django_assert_max_num_queries(15):
        response = client.get(reverse(LEDGER))
    assert len(response.context["entries"]) == count + 1


def test_district_admin_reverses_with_reason(teacher_a, district_admin):
    entry = award(teacher_a, points="2")
    client = logged_in(district_admin, enforce_csrf_checks=True)
    url = reverse("certification_ledger:reverse", args=[entry.pk])
    response = client.get(url)
    assert response.status_code == 200
    token = response.cookies["csrftoken"].value
    assert client.post(url, {"reason": "重复"}).status_code == 403  # CSRF
    response = client.post(url, {"reason": "", "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(url, {"reason": "重复录入", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    reversal = CreditEntry.objects.get(reverses=entry)
    assert reversal.points == Decimal("-2") and reversal.created_by == district_admin
    response = client.post(url, {"reason": "再次", "csrfmiddlewaretoken": token})
    assert response.context["form"].non_field_errors() == [
        _("This entry has already been reversed.")
    ]
    assert CreditEntry.objects.count() == 2


def test_only_the_district_admin_may_reverse(teacher_a, school_admin_a, hr_user):
    entry = award(teacher_a)
    url = reverse("certification_ledger:reverse", args=[entry.pk])
    for user in (school_admin_a, hr_user):
        client = logged_in(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x"}).status_code == 403
    assert CreditEntry.objects.count() == 1


def test_district_admin_edits_the_cycle_matrix(district_admin):
    cycle = default_cycle()
    client = logged_in(district_admin)
    response = client.get(reverse("credit_cycles:edit", args=[cycle.pk]))
    assert response.status_code == 200
    requirement = CycleRequirement.objects.get(cycle=cycle, category=CreditCategory.ETHICS)
    url = reverse("cycle_requirements:edit", args=[requirement.pk])
    response = client.post(
        url, {"cycle": cycle.pk, "category": "ethics", "level": "", "min_points": "9"}
    )
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.min_points == Decimal("9")


def test_others_cannot_edit_cycles(school_admin_a, hr_user):
    cycle = default_cycle()
    requirement = CycleRequirement.objects.filter(cycle=cycle).first()
    for user in (school_admin_a, hr_user):
        client = logged_in(user)
        response = client.get(reverse("credit_cycles:edit", args=[cycle.pk]))
        assert response.status_code in (302, 403)
        client.post(
            reverse("cycle_requirements:edit", args=[requirement.pk]),
            {"cycle": cycle.pk, "category": requirement.category, "level": "", "min_points": "0"},
        )
        requirement.refresh_from_db()
        assert requirement.min_points != 0
