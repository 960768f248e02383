"""我的学分 (/me/credits/): only the signed-in teacher's entries, by cycle, totals against the
matrix with met / not met, reversals shown as such, constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from cms.choices import CreditCategory, Level
from tests.factories.certification import award, make_cycle, requirement
from tests.factories.certification import reverse as reverse_entry

pytestmark = pytest.mark.django_db

URL = "/me/credits/"


def test_url_name():
    assert reverse("certification:my_credits") == URL


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_shows_own_entries_totals_and_requirements(client, teacher_a, teacher_b, district_admin):
    award(teacher_a, points="8", category=CreditCategory.ETHICS, level=Level.CITY, title="师德专题")
    award(teacher_a, points="3", category=CreditCategory.PRACTICE, level=Level.SCHOOL, title="校本")
    wrong = award(teacher_a, points="5", category=CreditCategory.PRACTICE, title="误录")
    reverse_entry(wrong, by=district_admin, reason="重复录入")
    award(teacher_b, points="99", title="别人的培训")
    client.force_login(teacher_a)
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "师德专题" in content and "别人的培训" not in content
    assert "重复录入" in content
    [record] = response.context["records"]
    assert record.cycle.name == "十五五" and record.is_current is (
        record.cycle.starts_on <= datetime.date.today() <= record.cycle.ends_on
    )
    assert record.total_points == 11  # 8 + 3 + 5 − 5
    met = {row.label: row.met for row in record.requirements}
    assert met[str(CreditCategory.ETHICS.label)] is True  # 8 ≥ 8
    assert met[str(CreditCategory.PRACTICE.label)] is False  # 3 < 14
    assert met[_("Total")] is False  # 11 < 36
    assert _("Met") in content and _("Not met") in content
    ethics = dict((label, total) for label, _cells, total in record.matrix)
    assert ethics[str(CreditCategory.ETHICS.label)] == 8


def test_cell_requirement_and_other_cycles(client, teacher_a):
    later = make_cycle(name="十六五", starts_on=datetime.date(2031, 1, 1))
    requirement(later, category=CreditCategory.KNOWLEDGE, level=Level.CITY, min_points="2")
    award(
        teacher_a,
        points="2",
        category=CreditCategory.KNOWLEDGE,
        level=Level.CITY,
        awarded_on=datetime.date(2031, 2, 1),
    )
    award(teacher_a, points="1", awarded_on=datetime.date(2019, 2, 1), title="更早的培训")
    client.force_login(teacher_a)
    records = client.get(URL).context["records"]
    names = [r.cycle.name if r.cycle else None for r in records]
    assert names[0] == "十六五" and names[-1] is None
    cell = records[0].requirements[0]
    assert cell.need == 2 and cell.have == 2 and cell.met


def test_empty_record(client, teacher_a):
    client.force_login(teacher_a)
    response = client.get(URL)
    assert response.status_code == 200
    assert _("No credit recorded in this cycle yet.") in response.content.decode()


@pytest.mark.parametrize("count", [2, 40])
def test_queries_do_not_grow(
    client, teacher_a, district_admin, count, django_assert_max_num_queries
):
    entries = [award(teacher_a, level=[Level.CITY, Level.SCHOOL][i % 2]) for i in range(count)]
    reverse_entry(entries[0], by=district_admin)
    make_cycle(name="十六五", starts_on=datetime.date(2031, 1, 1))
    client.force_login(teacher_a)
    client.get(URL)
    # Measured 11 at both sizes: session, user, entries, cycles, their requirements, plus
    # the site header's own (permissions ×2, unread notifications, site, school, settings).
    with django_assert_max_num_queries(11):
        response = client.get(URL)
    assert len(response.context["records"][0].entries) == count + 1


def test_me_page_links_here(client, teacher_a):
    client.force_login(teacher_a)
    response = client.get(reverse("courses:me"))
    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()
