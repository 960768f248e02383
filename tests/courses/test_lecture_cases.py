"""Cases linked to a lecture (LectureCaseLink → "casebank.CasePage" by model string): the
lecture page lists the live ones in order with a constant number of queries, the case page's
selector `lectures_using_case` finds the lectures, and courses never imports casebank."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import LectureCaseLink, LecturePage
from courses.selectors.lectures import lecture_cases, lectures_using_case
from tests.courses.enrolment_helpers import client_for, t
from tests.factories.casebank import make_case
from tests.factories.lectures import make_lecture

from .xapi_helpers import login

pytestmark = pytest.mark.django_db

COURSES_DIR = Path(__file__).resolve().parents[2] / "courses"


def link_cases(lecture, cases) -> LecturePage:
    lecture = LecturePage.objects.get(pk=lecture.pk)
    lecture.case_links = [
        LectureCaseLink(case=case, sort_order=order) for order, case in enumerate(cases)
    ]
    lecture.save_revision().publish()
    return lecture


def cases_section(html: str) -> str | None:
    if 'id="lecture-cases-title"' not in html:
        return None
    return html.split('id="lecture-cases-title"', 1)[1].split("</section>", 1)[0]


def test_lecture_page_lists_live_linked_cases_in_order(teacher_a):
    first = make_case(title="考试焦虑的陪伴", summary="期中考试前的谈心与家校合作。")
    second = make_case(title="沉迷手机的约定", summary="和学生一起订手机使用规则。")
    draft = make_case(title="草稿案例", live=False)
    unpublished = make_case(title="已撤下的案例")
    lecture = link_cases(make_lecture(), [second, first, draft, unpublished])
    unpublished.unpublish()
    html = client_for(teacher_a).get(lecture.url).content.decode()
    section = cases_section(html)
    assert t("Related cases") in html
    assert section.index("沉迷手机的约定") < section.index("考试焦虑的陪伴")
    assert "和学生一起订手机使用规则。" in section and "期中考试前的谈心与家校合作。" in section
    assert f'href="{first.url}"' in section and f'href="{second.url}"' in section
    assert "草稿案例" not in section and "已撤下的案例" not in section


def test_no_section_without_cases(teacher_a):
    html = client_for(teacher_a).get(make_lecture().url).content.decode()
    assert cases_section(html) is None


def test_lecture_cases_queries_do_not_grow_with_the_number(django_assert_num_queries):
    lecture = make_lecture()
    with django_assert_num_queries(1):
        assert lecture_cases(lecture) == []
    lecture = link_cases(lecture, [make_case() for _ in range(6)])
    with django_assert_num_queries(2):  # the links with their cases, the view restrictions
        cases = lecture_cases(lecture)
    assert len(cases) == 6
    with django_assert_num_queries(0):
        assert all(case.title and case.summary and case.url_path for case in cases)


def test_cases_behind_a_view_restriction_are_not_listed(teacher_a):
    from wagtail.models import PageViewRestriction

    from tests.factories.casebank import case_index

    open_case = make_case(title="公开的案例")
    hidden = make_case(title="受限的案例")
    lecture = link_cases(make_lecture(), [open_case, hidden])
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    assert [case.pk for case in lecture_cases(lecture)] == [open_case.pk]
    PageViewRestriction.objects.create(
        page=case_index(), restriction_type=PageViewRestriction.LOGIN
    )
    assert lecture_cases(lecture) == []
    assert cases_section(client_for(teacher_a).get(lecture.url).content.decode()) is None


def test_lecture_page_queries_do_not_grow_with_cases(teacher_a):
    lecture = link_cases(make_lecture(), [make_case()])
    client = client_for(teacher_a)

    def query_count():
        client.get(lecture.url)  # warm the site-root and session caches
        with CaptureQueriesContext(connection) as captured:
            client.get(lecture.url)
        return len(captured.captured_queries)

    small = query_count()
    lecture = link_cases(lecture, [make_case() for _ in range(8)])
    assert query_count() == small


def test_lectures_using_case_newest_first_live_only():
    case = make_case()
    other_case = make_case()
    older = link_cases(make_lecture(starts_in=-timedelta(days=40)), [case])
    newer = link_cases(make_lecture(starts_in=timedelta(days=3)), [other_case, case])
    hidden = link_cases(make_lecture(starts_in=-timedelta(days=5)), [case])
    hidden.unpublish()
    link_cases(make_lecture(), [other_case])
    lectures = list(lectures_using_case(case.pk))
    assert [lecture.pk for lecture in lectures] == [newer.pk, older.pk]
    assert lectures[0].title == newer.title and lectures[0].url_path
    assert list(lectures_using_case(make_case().pk)) == []


def test_a_case_is_linked_once_per_lecture():
    case = make_case()
    lecture = link_cases(make_lecture(), [case])
    with pytest.raises(IntegrityError), transaction.atomic():
        LectureCaseLink.objects.create(lecture=lecture, case=case, sort_order=5)


def test_deleting_a_case_removes_its_links():
    case = make_case()
    lecture = link_cases(make_lecture(), [case, make_case()])
    case.delete()
    assert LectureCaseLink.objects.filter(lecture=lecture).count() == 1


def test_admin_edit_form_has_the_cases_inline(district_admin):
    lecture = link_cases(make_lecture(), [make_case(title="编辑页里的案例")])
    response = login(district_admin).get(reverse("wagtailadmin_pages:edit", args=[lecture.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="case_links-TOTAL_FORMS"' in html and "编辑页里的案例" in html


def test_courses_never_imports_casebank():
    pattern = re.compile(r"^\s*(from|import)\s+casebank\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(COURSES_DIR))
        for path in COURSES_DIR.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
