"""Cases in the site search: a published case is found by a Chinese word inside its text
(segmentation), with a snippet of its text, its type and its 学段; drafts and unpublished
cases are not found; the type filter narrows to cases."""

import pytest
from django.test import Client

from casebank.models import CasePage
from people.models import Stage
from tests.factories.casebank import case_index, dialogue_block, make_case, step_block

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def result_titles(response) -> list[str]:
    return [item["page"].title for item in response.context["results"]]


@pytest.fixture
def cases():
    published = make_case(
        title="深夜的游戏队长",
        summary="初一男生深夜玩游戏，导师用篮球队帮助他调整作息。",
        stages=[Stage.JUNIOR],
        background="<p>王同学每天晚上在被窝里玩手机游戏，常常熬到凌晨才睡。</p>",
        process=[
            step_block("家校共同落实手机管理", "<p>晚上手机放在客厅充电。</p>"),
            dialogue_block(("王同学", "队友都在等我，我不能掉线。")),
        ],
    )
    draft = make_case(
        title="草稿：被窝里的手机",
        stages=[Stage.JUNIOR],
        background="<p>另一名学生也在被窝里玩手机游戏。</p>",
        live=False,
    )
    return published, draft


def test_a_word_inside_the_background_finds_the_published_case_only(teacher_a, cases):
    published, draft = cases
    client = client_for(teacher_a)
    # 被窝 sits inside a long run of Chinese text: found only thanks to segmentation.
    response = client.get("/search/", {"q": "被窝"})
    assert result_titles(response) == [published.title]
    item = response.context["results"][0]
    assert item["type_label"] == CasePage._meta.verbose_name
    assert item["stages"] == [str(Stage.JUNIOR.label)]
    assert "<mark>被窝</mark>" in str(item["snippet"])
    assert item["url"] == published.url
    html = response.content.decode()
    assert "<mark>被窝</mark>" in html and str(CasePage._meta.verbose_name) in html
    assert draft.title not in html


def test_words_in_process_blocks_and_dialogue_are_found(teacher_a, cases):
    published, _draft = cases
    client = client_for(teacher_a)
    assert result_titles(client.get("/search/", {"q": "充电"})) == [published.title]
    assert result_titles(client.get("/search/", {"q": "掉线"})) == [published.title]


def test_the_type_filter_offers_cases(teacher_a, cases):
    published, _draft = cases
    response = client_for(teacher_a).get("/search/", {"q": "手机", "type": "casebank.casepage"})
    assert ("casebank.casepage", str(CasePage._meta.verbose_name)) in response.context[
        "type_choices"
    ]
    assert result_titles(response) == [published.title]


def test_an_unpublished_case_leaves_the_results(teacher_a, cases):
    published, _draft = cases
    client = client_for(teacher_a)
    assert result_titles(client.get("/search/", {"q": "凌晨"})) == [published.title]
    CasePage.objects.get(pk=published.pk).unpublish()
    assert result_titles(client.get("/search/", {"q": "凌晨"})) == []


def test_the_case_library_search_uses_the_same_segmentation(teacher_a, cases):
    published, _draft = cases
    response = client_for(teacher_a).get(case_index().url, {"q": "被窝"})
    assert [card["case"].title for card in response.context["cards"]] == [published.title]
