"""The case library's list: facets (学段, 年级段, 问题类别, 标签) with counts given the other
facets, search combined with them, sorting, pagination that keeps the filters, empty states,
tampered input, and a query count that does not grow with cases, categories or tags."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext

from casebank import selectors
from casebank.models import CasePage, GradeBand, ProblemCategory
from people.models import Stage
from tests.factories.casebank import case_index, make_case

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def titles(response) -> list[str]:
    return [card["case"].title for card in response.context["cards"]]


def facet(response, name) -> dict[str, tuple[int, bool]]:
    """value -> (count, selected) of one facet."""
    for item in response.context["facets"]:
        if item["name"] == name:
            return {value.value: (value.count, value.selected) for value in item["values"]}
    raise KeyError(name)


@pytest.fixture
def library():
    """Five cases; published a day apart, oldest first."""
    case_index()
    specs = [
        ("小学情绪", [Stage.PRIMARY], GradeBand.PRIMARY_UPPER, ["emotions"], ["哭闹"]),
        (
            "初中手机",
            [Stage.JUNIOR],
            GradeBand.JUNIOR_UPPER,
            ["internet-use", "parent-child"],
            ["手机"],
        ),
        (
            "初中考试",
            [Stage.JUNIOR],
            GradeBand.JUNIOR_LOWER,
            ["academic-pressure", "emotions"],
            ["考试焦虑"],
        ),
        ("高中选科", [Stage.SENIOR], GradeBand.SENIOR_1, ["career"], ["选科", "考试焦虑"]),
        ("九年一贯", [Stage.PRIMARY, Stage.JUNIOR], GradeBand.JUNIOR_LOWER, ["peers"], ["手机"]),
    ]
    start = timezone.now() - datetime.timedelta(days=10)
    cases = {}
    for day, (title, stages, band, categories, tags) in enumerate(specs):
        case = make_case(
            title=title, stages=stages, grade_band=band, categories=categories, tags=tags
        )
        CasePage.objects.filter(pk=case.pk).update(
            first_published_at=start + datetime.timedelta(days=day)
        )
        cases[title] = case
    make_case(title="草稿不列出", stages=[Stage.JUNIOR], categories=["emotions"], live=False)
    return cases


def test_lists_live_cases_newest_first_with_facet_counts(teacher_a, library):
    response = client_for(teacher_a).get(case_index().url)
    assert response.status_code == 200
    assert titles(response) == ["九年一贯", "高中选科", "初中考试", "初中手机", "小学情绪"]
    assert facet(response, "stage") == {
        "primary": (2, False),
        "junior": (3, False),
        "senior": (1, False),
    }
    bands = facet(response, "band")
    assert bands["j_lower"] == (2, False) and bands["p_upper"] == (1, False)
    assert bands["p_lower"] == (0, False)
    categories = facet(response, "category")
    assert len(categories) == ProblemCategory.objects.count() == 11
    assert categories["emotions"] == (2, False)
    assert categories["crisis"] == (0, False)
    assert facet(response, "tag") == {
        "手机": (2, False),
        "考试焦虑": (2, False),
        "哭闹": (1, False),
        "选科": (1, False),
    }
    html = response.content.decode()
    assert "草稿不列出" not in html
    assert "初中手机" in html and gettext("Problem category") in html


def test_a_facet_counts_without_its_own_selection(teacher_a, library):
    client = client_for(teacher_a)
    response = client.get(case_index().url, {"stage": "junior"})
    assert titles(response) == ["九年一贯", "初中考试", "初中手机"]
    # Stage counts ignore the stage selection (what choosing another stage would add)...
    assert facet(response, "stage") == {
        "primary": (2, False),
        "junior": (3, True),
        "senior": (1, False),
    }
    # ...the other facets count within the junior cases.
    categories = facet(response, "category")
    assert categories["emotions"] == (1, False)
    assert categories["career"] == (0, False)
    assert facet(response, "tag") == {"手机": (2, False), "考试焦虑": (1, False)}
    assert facet(response, "band")["j_lower"] == (2, False)

    # Two values of one facet: either (OR); two facets: both (AND).
    response = client.get(case_index().url, {"stage": ["junior", "senior"], "tag": "考试焦虑"})
    assert titles(response) == ["高中选科", "初中考试"]
    assert facet(response, "stage")["primary"] == (0, False)  # no primary case has that tag
    assert facet(response, "tag")["手机"] == (2, False)
    response = client.get(case_index().url, {"category": ["emotions", "peers"], "band": "j_lower"})
    assert titles(response) == ["九年一贯", "初中考试"]
    assert facet(response, "category")["emotions"] == (1, True)


def test_facet_links_toggle_one_value_and_keep_the_rest(teacher_a, library):
    url = case_index().url
    response = client_for(teacher_a).get(url, {"stage": "junior", "q": "手机", "sort": "title"})
    links = {
        value.value: value.url
        for item in response.context["facets"]
        if item["name"] == "stage"
        for value in item["values"]
    }
    assert links["junior"] == f"{url}?q=%E6%89%8B%E6%9C%BA&sort=title"
    assert links["senior"] == f"{url}?q=%E6%89%8B%E6%9C%BA&stage=junior&sort=title&stage=senior"
    assert response.context["clear_facets_url"] == f"{url}?q=%E6%89%8B%E6%9C%BA"


def test_search_combines_with_facets(teacher_a):
    make_case(
        title="沉迷手机游戏",
        stages=[Stage.JUNIOR],
        background="<p>小A每晚玩手机游戏到深夜，第二天上课打瞌睡。</p>",
        tags=["手机"],
    )
    make_case(
        title="周末刷短视频",
        stages=[Stage.SENIOR],
        background="<p>王同学周末整天刷短视频，手机不离手。</p>",
        tags=["手机"],
    )
    make_case(title="同桌矛盾", stages=[Stage.JUNIOR], background="<p>两名学生因座位争吵。</p>")
    client = client_for(teacher_a)
    url = case_index().url

    response = client.get(url, {"q": "手机"})
    assert sorted(titles(response)) == ["周末刷短视频", "沉迷手机游戏"]
    assert facet(response, "stage") == {
        "primary": (0, False),
        "junior": (1, False),
        "senior": (1, False),
    }
    assert response.context["sort"] == selectors.SORT_RELEVANCE
    # A word inside a longer run of Chinese text is found (segmentation).
    assert titles(client.get(url, {"q": "短视频"})) == ["周末刷短视频"]
    response = client.get(url, {"q": "手机", "stage": "junior"})
    assert titles(response) == ["沉迷手机游戏"]
    html = response.content.decode()
    assert 'value="手机"' in html  # the query stays in the box
    assert '<input type="hidden" name="stage" value="junior">' in html  # and facets in the form

    # Nothing matches: an empty state that offers to clear the filters and show everything.
    response = client.get(url, {"q": "手机", "stage": "primary"})
    assert titles(response) == []
    html = response.content.decode()
    assert gettext("Clear filters") in html and gettext("Show all cases") in html
    assert f'href="{url}?q=%E6%89%8B%E6%9C%BA"' in html


def test_sorting(teacher_a, library):
    client = client_for(teacher_a)
    url = case_index().url
    assert titles(client.get(url, {"sort": "oldest"})) == [
        "小学情绪",
        "初中手机",
        "初中考试",
        "高中选科",
        "九年一贯",
    ]
    by_title = titles(client.get(url, {"sort": "title"}))
    assert by_title == sorted(by_title)
    # Relevance needs a query: without one the default order applies.
    response = client.get(url, {"sort": "relevance"})
    assert response.context["sort"] == selectors.SORT_NEWEST
    options = [value for value, _label in response.context["sort_options"]]
    assert selectors.SORT_RELEVANCE not in options


def test_sort_by_lectures_that_use_the_case(teacher_a, library):
    fields = selectors.lecture_link_fields()
    if fields is None:  # lectures cannot link cases here: the option is not offered
        response = client_for(teacher_a).get(case_index().url, {"sort": "lectures"})
        assert selectors.SORT_LECTURES not in dict(response.context["sort_options"])
        return
    from tests.factories.lectures import make_lecture

    model, case_field, lecture_field = fields
    first, second = make_lecture(title="讲座一"), make_lecture(title="讲座二")
    for lecture in (first, second):
        model.objects.create(**{case_field: library["初中手机"], lecture_field: lecture})
    model.objects.create(**{case_field: library["小学情绪"], lecture_field: first})
    response = client_for(teacher_a).get(case_index().url, {"sort": "lectures"})
    assert titles(response)[:2] == ["初中手机", "小学情绪"]
    assert titles(response)[2:] == ["九年一贯", "高中选科", "初中考试"]


def test_pages_of_twelve_keep_the_filters(teacher_a):
    case_index()
    for n in range(14):
        make_case(title=f"情绪案例{n:02d}", categories=["emotions"])
    make_case(title="别的类别", categories=["career"])
    client = client_for(teacher_a)
    url = case_index().url
    response = client.get(url, {"category": "emotions"})
    assert len(titles(response)) == 12
    assert response.context["paginator"].count == 14
    html = response.content.decode()
    assert 'href="?category=emotions&amp;page=2"' in html
    second = client.get(url, {"category": "emotions", "page": "2"})
    assert len(titles(second)) == 2
    assert "别的类别" not in titles(second)


def test_tampered_input_is_ignored_not_an_error(teacher_a, library):
    client = client_for(teacher_a)
    url = case_index().url
    response = client.get(
        url,
        {
            "stage": ["galaxy", "junior"],
            "band": "x",
            "category": "no-such-category",
            "sort": "drop table",
            "page": "zz",
            "tag": "x" * 500,
        },
    )
    assert response.status_code == 200
    assert response.context["filters"].stages == ("junior",)
    assert response.context["filters"].bands == ()
    assert response.context["filters"].categories == ()
    assert response.context["filters"].tags == ()
    assert titles(response) == ["九年一贯", "初中考试", "初中手机"]
    # A control character or an over-long query does not break the search.
    assert client.get(url, {"q": "手机\x00" + "长" * 500}).status_code == 200


def test_unknown_tag_selected_shows_no_case_but_can_be_removed(teacher_a, library):
    response = client_for(teacher_a).get(case_index().url, {"tag": "不存在的标签"})
    assert titles(response) == []
    assert facet(response, "tag")["不存在的标签"] == (0, True)
    assert response.context["selected_facets"][0].url == case_index().url


def test_no_cases_yet(teacher_a):
    response = client_for(teacher_a).get(case_index().url)
    assert gettext("No cases have been published yet.") in response.content.decode()


def add_cases(count: int, offset: int):
    categories = list(ProblemCategory.objects.order_by("sort_order"))
    for n in range(offset, offset + count):
        make_case(
            title=f"案例{n}",
            stages=[[Stage.PRIMARY], [Stage.JUNIOR], [Stage.SENIOR]][n % 3],
            grade_band=GradeBand.values[n % len(GradeBand.values)],
            categories=[categories[n % 11], categories[(n + 3) % 11]],
            tags=[f"标签{n}", f"共同{n % 4}"],
            background=f"<p>小A第{n}次谈心时提到手机和作业。</p>",
        )


@pytest.mark.parametrize(
    ("params", "queries"),
    [
        ({"stage": "junior", "category": "emotions", "tag": "共同1"}, 25),
        ({"q": "手机 作业", "band": "j_lower", "sort": "title"}, 26),
    ],
    ids=["facets", "search-and-facets"],
)
def test_query_count_is_constant(teacher_a, params, queries, django_assert_max_num_queries):
    """25 (26 with a search) whatever the number of cases, categories and tags: the request
    frame (session, user, Wagtail's routing and view-restriction check, the base template)
    and the library's own 8: the search (1, or 2 when every word finds nothing), four facet
    counts, the count and one page of cases, their categories and tags; plus the reader's
    roles (the 投稿案例 links are for teachers)."""
    case_index()
    client = client_for(teacher_a)
    counts, added = [], 0
    for total in (3, 30):
        add_cases(total - added, added)
        added = total
        for n in range(total):  # more categories too: counts are one query per facet
            ProblemCategory.objects.get_or_create(
                slug=f"extra-{n}", defaults={"name": f"其他{n}", "sort_order": 500 + n}
            )
        client.get(case_index().url)  # warm caches (site root paths) as in production
        with django_assert_max_num_queries(queries) as captured:
            response = client.get(case_index().url, params)
        assert response.status_code == 200
        assert response.context["cards"]
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_cases_in_a_private_section_are_not_listed(teacher_a, library):
    from wagtail.models import PageViewRestriction

    hidden = library["初中手机"]
    PageViewRestriction.objects.create(
        page=hidden, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    response = client_for(teacher_a).get(case_index().url)
    assert "初中手机" not in titles(response)
    assert len(titles(response)) == 4
    assert facet(response, "tag")["手机"] == (1, False)
    related = selectors.related_cases(
        library["九年一贯"], category_ids=[], tag_ids=hidden.tags.values_list("pk", flat=True)
    )
    assert hidden not in related
    assert hidden.pk not in [case.pk for case in selectors.cases_newest(limit=10)]
