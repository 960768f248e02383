"""A case page: the login wall, every section, authors by name and school only, related cases
ranked by overlap, the lectures that use it (when lectures can link cases), the print view,
the home page section, and query counts that do not grow."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from casebank import selectors
from casebank.models import CasePage, GradeBand
from people.models import Stage
from tests.factories.casebank import (
    case_index,
    dialogue_block,
    make_case,
    paragraph_block,
    step_block,
)
from tests.factories.cms import home_page

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def full_case(author, **fields):
    fields.setdefault("title", "考试前夜的失眠")
    return make_case(
        summary="初三学生小A临近模考失眠，导师用三次谈心和家校配合帮助他走出焦虑。",
        stages=[Stage.JUNIOR],
        grade_band=GradeBand.JUNIOR_UPPER,
        background="<p>小A成绩中上，<b>近两周</b>常在深夜十二点后才入睡。</p>",
        process=[
            step_block("第一次谈心：先听他说", "<p>导师约小A在午休时散步。</p>"),
            dialogue_block(("小A", "我怕考砸了让爸妈失望。"), ("导师", "你愿意说说最担心什么吗？")),
            paragraph_block("<p>导师随后与李妈妈电话沟通。</p>"),
        ],
        strategies="<ul><li>把复习拆成每天的小目标</li></ul>",
        reflection="<p>先稳定情绪，再谈方法。</p>",
        outcome="<p>两周后小A能在十一点前入睡。</p>",
        categories=["academic-pressure", "emotions"],
        tags=["考试焦虑", "睡眠"],
        authors=[author],
        **fields,
    )


def test_anonymous_readers_are_sent_to_login(teacher_a):
    case = full_case(teacher_a)
    for url in (case_index().url, case.url, reverse("casebank:case_print", args=[case.pk])):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")


def test_case_page_shows_every_section(teacher_a, teacher_b):
    teacher_a.phone = "13912345678"
    teacher_a.email = "zhang@example.cn"
    teacher_a.save()
    case = full_case(teacher_a)
    response = client_for(teacher_b).get(case.url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "考试前夜的失眠",
        "初三学生小A临近模考失眠",
        "<b>近两周</b>",
        "第一次谈心：先听他说",
        "我怕考砸了让爸妈失望。",
        "导师随后与李妈妈电话沟通。",
        "把复习拆成每天的小目标",
        "先稳定情绪，再谈方法。",
        "两周后小A能在十一点前入睡。",
        "学业压力",
        "情绪心理",
        "#考试焦虑",
        "#睡眠",
        str(Stage.JUNIOR.label),
        str(GradeBand.JUNIOR_UPPER.label),
        gettext("Background"),
        gettext("Process of the guidance"),
        gettext("Strategies"),
        gettext("Reflection"),
        gettext("Outcome"),
        gettext("Authors"),
    ):
        assert text in html, text
    # Dialogue: speaker and words as a definition list, from the block template.
    assert '<dt class="case-dialogue-speaker">小A</dt>' in html
    assert 'class="case-step"' in html
    # Authors: the name and the school, nothing else about them.
    assert "张老师" in html and "青浦区实验小学" in html
    assert teacher_a.staff_no not in html
    assert "13912345678" not in html and "zhang@example.cn" not in html
    assert response.context["case_authors"] == [
        selectors.CaseAuthorName(full_name="张老师", school_name="青浦区实验小学")
    ]
    # Privacy bookkeeping is not shown.
    assert gettext("I confirm this case is anonymised") not in html
    # Category chips link to the library filtered by that category.
    assert f'href="{case_index().url}?category=emotions"' in html


def test_related_cases_rank_by_overlap_at_most_four(teacher_a):
    case = full_case(teacher_a)
    both = make_case(
        title="两类一标签", categories=["academic-pressure", "emotions"], tags=["睡眠"]
    )
    two = make_case(title="两类", categories=["academic-pressure", "emotions"])
    one_tag = make_case(title="一个标签", tags=["考试焦虑"])
    for n in range(3):
        make_case(title=f"一类{n}", categories=["emotions"])
    make_case(title="无关", categories=["career"], tags=["选科"])
    make_case(title="草稿", categories=["academic-pressure", "emotions"], tags=["睡眠"], live=False)

    response = client_for(teacher_a).get(case.url)
    related = [item["case"].title for item in response.context["related_cases"]]
    assert related[:2] == [both.title, two.title]
    assert len(related) == 4
    assert "无关" not in related and "草稿" not in related and case.title not in related
    assert set(related[2:]) <= {one_tag.title, "一类0", "一类1", "一类2"}
    # Equal overlap: the newer first.
    assert related[2:] == ["一类2", "一类1"]


def test_case_without_classification_has_no_related(teacher_a):
    case = make_case(title="孤立案例")
    make_case(title="别的案例", categories=["emotions"])
    response = client_for(teacher_a).get(case.url)
    assert response.context["related_cases"] == []
    assert gettext("No related cases yet.") in response.content.decode()


def test_lectures_that_use_the_case(teacher_a):
    model = selectors.lecture_link_model()
    case = full_case(teacher_a)
    response = client_for(teacher_a).get(case.url)
    if model is None:
        # Lectures cannot link cases in this installation: the section is left out.
        assert response.context["case_lectures"] is None
        assert gettext("Lectures that use this case") not in response.content.decode()
        return
    from tests.factories.lectures import make_lecture

    lecture = make_lecture(title="家校沟通中的倾听与回应")
    hidden = make_lecture(title="未发布讲座")
    hidden.unpublish()
    fields = {f.name: f for f in model._meta.get_fields() if getattr(f, "many_to_one", False)}
    case_field = next(n for n, f in fields.items() if f.related_model is CasePage)
    lecture_field = next(
        n for n, f in fields.items() if f.related_model._meta.label_lower == "courses.lecturepage"
    )
    for item in (lecture, hidden):
        model.objects.create(**{case_field: case, lecture_field: item})
    response = client_for(teacher_a).get(case.url)
    titles = [lecture.title for lecture in response.context["case_lectures"]]
    assert titles == ["家校沟通中的倾听与回应"]
    assert "家校沟通中的倾听与回应" in response.content.decode()


def test_print_view_has_the_case_without_navigation(teacher_a):
    case = full_case(teacher_a)
    client = client_for(teacher_a)
    page_html = client.get(case.url).content.decode()
    print_url = reverse("casebank:case_print", args=[case.pk])
    assert f'href="{print_url}"' in page_html
    response = client.get(print_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "考试前夜的失眠" in html and "我怕考砸了让爸妈失望。" in html and "张老师" in html
    assert 'class="site-nav"' not in html and "site-header" not in html
    assert "data-print" in html
    assert f'href="{case.url}"' in html
    # Only live cases print; a draft or an unknown id is a 404.
    draft = make_case(live=False)
    assert client.get(reverse("casebank:case_print", args=[draft.pk])).status_code == 404
    assert client.get(reverse("casebank:case_print", args=[987654])).status_code == 404
    assert client.post(print_url).status_code == 405


def test_print_view_of_a_private_case_is_404(teacher_a):
    from wagtail.models import PageViewRestriction

    case = full_case(teacher_a)
    PageViewRestriction.objects.create(page=case, restriction_type=PageViewRestriction.LOGIN)
    response = client_for(teacher_a).get(reverse("casebank:case_print", args=[case.pk]))
    assert response.status_code == 404


def test_case_page_query_count_does_not_grow(teacher_a, django_assert_max_num_queries):
    """23: the request frame (session, user, Wagtail's routing and view-restriction check, the
    base template's permissions, bell, menu, school, breadcrumbs and settings) and the case's
    own 6: categories, tags, related cases, the library, authors and the lectures that use
    it."""
    case = full_case(teacher_a)
    client = client_for(teacher_a)
    counts = []
    for extra in (1, 12):
        for n in range(extra):
            make_case(title=f"相关{len(counts)}-{n}", categories=["emotions"], tags=["睡眠"])
        case.save_revision().publish()
        client.get(case.url)  # warm caches (site root paths) as in production
        with django_assert_max_num_queries(23) as captured:
            response = client.get(case.url)
        assert response.status_code == 200
        assert len(response.context["related_cases"]) == min(4, extra + (1 if counts else 0))
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_home_page_section_lists_the_newest_cases(teacher_a, django_assert_max_num_queries):
    index = case_index()
    for n in range(4):
        make_case(title=f"首页案例{n}")
    make_case(title="首页草稿", live=False)
    client = client_for(teacher_a)
    response = client.get(home_page().url)
    html = response.content.decode()
    assert gettext("Case library") in html
    assert "首页案例3" in html and "首页案例1" in html
    assert "首页案例0" not in html and "首页草稿" not in html
    assert f'href="{index.url}"' in html

    anonymous = Client().get(home_page().url).content.decode()
    assert gettext("Case library") in anonymous
    assert "首页案例3" not in anonymous
    assert gettext("Log in to read them") in anonymous


def test_home_section_queries_are_constant(teacher_a, django_assert_max_num_queries):
    from django.test import RequestFactory

    from casebank.home import home_cases_context

    request = RequestFactory().get("/")
    request.user = teacher_a
    counts = []
    for total in (2, 12):
        while CasePage.objects.count() < total:
            make_case()
        with django_assert_max_num_queries(2) as captured:
            context = home_cases_context(request, None)
        assert len(context["home_cases"]) == min(3, total)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_preview_of_an_unsaved_case_uses_its_unsaved_classification(teacher_a):
    """The admin preview renders a case that is not saved yet: its categories and authors
    are in memory, it has no print link and no library yet."""
    from django.test import RequestFactory

    from casebank.models import CaseAuthor
    from casebank.views import case_page_context
    from tests.factories.casebank import category

    other = make_case(title="已发布的情绪案例", categories=["emotions"])
    case = CasePage(
        title="预览中的案例", summary="摘要", stages=[Stage.PRIMARY], background="<p>背景</p>"
    )
    case.categories = [category("emotions")]
    case.authors = [CaseAuthor(user=teacher_a)]
    context = case_page_context(case, RequestFactory().get("/"))
    assert [c.slug for c in context["case_categories"]] == ["emotions"]
    assert context["case_authors"] == [
        selectors.CaseAuthorName(full_name="张老师", school_name="青浦区实验小学")
    ]
    assert [item["case"].pk for item in context["related_cases"]] == [other.pk]
    assert context["print_url"] == "" and context["index_url"] == ""
    assert context["case_lectures"] in ([], None)


def test_teachers_see_the_submission_links_and_lecturers_do_not(teacher_a, make_user):
    from people import roles

    index = case_index()
    submit_url = reverse("casebank_submit:submit")
    mine_url = reverse("casebank_submit:mine")
    html = client_for(teacher_a).get(index.url).content.decode()
    assert submit_url in html and mine_url in html
    lecturer = make_user(roles.LECTURER, None, staff_no="LC77", full_name="讲师甲")
    html = client_for(lecturer).get(index.url).content.decode()
    assert submit_url not in html
