"""Site search: segmentation, the /search/ view, filters, pagination, escaping, bad input,
index updates on publish/unpublish/delete, and autocomplete."""

import json

import pytest
from django.apps import apps
from wagtail.models import Page, PageViewRestriction

from cms.models import HandbookChapterPage, HandbookPage, HomePage, StandardPage
from cms.search import segment, segment_query
from cms.search.query import query_terms, rank_by_coverage, rank_by_title, searchable_page_models
from cms.search.segment import ChineseSearchable
from cms.search.snippets import highlight, snippet

pytestmark = pytest.mark.django_db


def para(text):
    return [("paragraph", f"<p>{text}</p>")]


@pytest.fixture
def home():
    return HomePage.objects.get()


def add_standard(parent, title, body="", intro="", live=True, **kwargs):
    page = StandardPage(title=title, intro=intro, body=para(body) if body else [], **kwargs)
    parent.add_child(instance=page)
    if live:
        page.save_revision().publish()
    else:
        page.live = False
        page.save()
    return page


@pytest.fixture
def handbook(home):
    book = HandbookPage(
        title="家校沟通指导手册", intro="写给导师的家校沟通指南。", stages=["junior"]
    )
    home.add_child(instance=book)
    book.save_revision().publish()
    chapters = [
        ("家访的准备与实施", "家访之前，导师要了解学生的家庭情况，准备好谈话提纲。"),
        ("与家长沟通的基本原则", "尊重家长，倾听为先；沟通时关注学生的优点。"),
        (
            "青春期学生的情绪管理",
            "面对青春期学生的情绪波动，导师应先稳定自己的情绪，再引导学生管理情绪。",
        ),
    ]
    for title, text in chapters:
        chapter = HandbookChapterPage(title=title, body=para(text))
        book.add_child(instance=chapter)
        chapter.save_revision().publish()
    return book


@pytest.fixture
def corpus(home, handbook):
    add_standard(
        home,
        "青浦区全员导师制实施方案",
        body="导师要关注学生的心理健康，发现学生沉迷手机等问题时及时与家长沟通。",
    )
    add_standard(home, "ADHD 学生的课堂支持", body="注意缺陷多动障碍（ADHD）学生需要结构化的课堂。")
    add_standard(home, "2024 年家访工作通知", body="各校于寒假前完成家访，并做好记录。")
    return handbook


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response, response.content.decode()


def titles(response):
    return [r["page"].title for r in response.context["results"]]


# --- segmentation ------------------------------------------------------------------------


def test_segment_cuts_chinese_runs_into_words_and_strips_html():
    words = segment("<p>青春期学生情绪管理案例</p>").split()
    assert {"青春期", "情绪", "管理", "案例"} <= set(words)
    assert "<p>" not in segment("<p>家访</p>")


def test_query_is_cut_the_same_way_and_cleaned():
    assert set(segment_query("情绪管理").split()) == {"情绪", "管理"}
    assert segment_query("！！？？。。") == ""
    assert segment_query("ADHD 学生") == "adhd 学生"
    assert len(segment_query("家访" * 1000)) < 400  # long queries are cut


def test_query_terms_drop_function_words_and_split_compounds_that_tile():
    assert query_terms("如何和家长沟通") == ["家长", "沟通"]
    assert query_terms("青春期 沟通") == ["青春期", "沟通"]  # not 青春 AND 青春期
    assert query_terms("学生玩手机游戏") == ["学生", "手机", "游戏"]  # 手机游戏 = 手机 + 游戏
    assert query_terms("家长不接电话") == ["家长", "接电话"]  # single characters go
    assert query_terms("的") == ["的"]  # nothing else left: keep it


def test_every_searchable_page_type_indexes_segmented_text():
    """Later apps' page types must mix in ChineseSearchable, or Chinese search misses them."""
    for model in apps.get_models():
        if issubclass(model, Page) and model is not Page and model.search_fields:
            assert issubclass(model, ChineseSearchable), model
            names = {f.field_name for f in model.search_fields}
            assert "search_segmented" in names, model
    assert StandardPage in searchable_page_models()


def test_plain_text_of_a_stream_body_skips_choice_labels(home):
    chapter = StandardPage(
        title="标题",
        body=[
            ("heading", {"text": "家访前的准备", "level": "2"}),
            ("paragraph", "<p>先了解<b>家庭</b>情况。</p>"),
        ],
    )
    home.add_child(instance=chapter)
    text = chapter.search_plain_text(exclude=("title",))
    assert "家访前的准备" in text and "先了解家庭情况。" in text
    assert "h2" not in text and "<b>" not in text
    assert "h2" not in chapter.search_segmented()


def test_highlight_escapes_and_marks():
    html = highlight("<b>家访</b> & 准备", ["家访"])
    assert html == "&lt;b&gt;<mark>家访</mark>&lt;/b&gt; &amp; 准备"


def test_snippet_is_a_window_around_the_first_hit():
    text = "开头的话。" * 40 + "这里讲家访的准备。" + "结尾。" * 40
    cut = snippet(text, ["家访"], width=60)
    assert cut.startswith("…") and cut.endswith("…")
    assert "<mark>家访</mark>" in cut
    assert len(cut) < 120


def test_rank_by_title_puts_title_matches_first():
    body_only = Page(pk=1, title="导师工作手册")
    title_hit = Page(pk=2, title="情绪管理案例")
    partial = Page(pk=3, title="班级管理")
    ranked = rank_by_title([body_only, partial, title_hit], ["情绪", "管理"])
    assert [p.pk for p in ranked] == [2, 3, 1]


def test_rank_by_coverage_counts_rare_words_more():
    common = [Page(pk=i, title=f"学生工作{i}") for i in range(1, 6)]
    rare = Page(pk=9, title="手机游戏")
    ranked = rank_by_coverage([*common, rare], ["学生", "手机", "游戏"])
    assert ranked[0].pk == 9  # two rare words beat one word on every page


# --- the view -----------------------------------------------------------------------------


def test_words_inside_sentences_are_found(client, corpus):
    response, _ = search(client, q="情绪 管理")
    assert titles(response)[0] == "青春期学生的情绪管理"
    response, _ = search(client, q="沉迷 手机")
    assert titles(response) == ["青浦区全员导师制实施方案"]
    response, _ = search(client, q="家访准备")
    assert titles(response)[0] == "家访的准备与实施"


def test_results_show_type_stage_and_highlighted_snippet(client, corpus):
    response, html = search(client, q="家访 提纲")
    result = response.context["results"][0]
    assert result["page"].title == "家访的准备与实施"
    assert str(result["type_label"]) == str(HandbookChapterPage._meta.verbose_name)
    assert result["stages"] == [str(HandbookPage(stages=["junior"]).stage_labels[0])]
    assert "<mark>家访</mark>" in html and "<mark>提纲</mark>" in html
    assert 'class="tag tag-type"' in html


def test_titles_beat_body_matches(client, home):
    add_standard(home, "工作要点", body="情绪管理是导师的基本功，" * 5)
    add_standard(home, "学生情绪管理指南", body="本指南介绍方法。")
    response, _ = search(client, q="情绪管理")
    assert titles(response) == ["学生情绪管理指南", "工作要点"]


def test_mixed_chinese_english_and_digits(client, corpus):
    response, _ = search(client, q="ADHD 学生")
    assert titles(response)[0] == "ADHD 学生的课堂支持"
    response, _ = search(client, q="2024 家访")
    assert titles(response)[0] == "2024 年家访工作通知"
    response, _ = search(client, q="adhd")  # case-insensitive
    assert "ADHD 学生的课堂支持" in titles(response)


def test_and_relaxes_to_or_when_nothing_has_every_word(client, corpus):
    response, _ = search(client, q="家访 火星")
    assert response.context["outcome"].relaxed
    assert "家访的准备与实施" in titles(response)


def test_filter_by_type(client, corpus):
    response, _ = search(client, q="家访", type="cms.standardpage")
    assert titles(response) == ["2024 年家访工作通知"]
    response, _ = search(client, q="家访", type="cms.handbookchapterpage")
    assert titles(response) == ["家访的准备与实施"]
    response, _ = search(client, q="家访", type="nonsense")  # ignored, not an error
    assert len(titles(response)) >= 2


def test_filter_by_stage(client, corpus, home):
    other = HandbookPage(title="小学家访手册", intro="小学的家访。", stages=["primary"])
    home.add_child(instance=other)
    other.save_revision().publish()
    response, _ = search(client, q="家访", stage="primary")
    found = titles(response)
    assert "小学家访手册" in found
    assert "家访的准备与实施" not in found  # its handbook is for junior schools
    assert "2024 年家访工作通知" in found  # no 学段: for every stage


def test_filter_by_handbook(client, corpus, home):
    response, html = search(client, q="家访", handbook=str(corpus.pk))
    assert titles(response) == ["家访的准备与实施"]
    assert "家校沟通指导手册" in html  # the scope is named
    response, _ = search(client, q="家访", handbook="99999")  # unknown: whole site
    assert len(titles(response)) >= 2
    response, _ = search(client, q="家访", handbook="1 OR 1=1")
    assert len(titles(response)) >= 2


def test_pagination_keeps_the_query_string(client, home):
    for i in range(23):
        add_standard(home, f"家访记录{i:02d}", body="家访")
    response, html = search(client, q="家访记录", type="cms.standardpage")
    assert response.context["paginator"].count == 23
    assert len(response.context["results"]) == 10
    assert "q=%E5%AE%B6%E8%AE%BF%E8%AE%B0%E5%BD%95&amp;type=cms.standardpage&amp;page=2" in html
    response, _ = search(client, q="家访记录", type="cms.standardpage", page="3")
    assert len(response.context["results"]) == 3
    response, _ = search(client, q="家访记录", page="abc")  # bad page number: first page
    assert response.context["results_page"].number == 1


def test_empty_query_shows_popular_topics(client, corpus):
    response, html = search(client)
    assert response.context["results"] == []
    assert "?q=%E6%83%85%E7%BB%AA%E7%AE%A1%E7%90%86" in html  # 情绪管理 suggested


def test_no_result_state_offers_suggestions(client, corpus):
    response, html = search(client, q="火星 探测", type="cms.standardpage")
    assert response.context["results"] == []
    assert "?q=%E7%81%AB%E6%98%9F" in html  # each word as its own search
    assert "?q=%E7%81%AB%E6%98%9F+%E6%8E%A2%E6%B5%8B" in html  # drop the filters


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "家" * 2000,
        "情绪管理" * 500,
        "！？。，、；：“”（）【】",
        "!@#$%^&*()_+-=[]{}|;':\",./<>?",
        "' OR 1=1 --",
        '"; DROP TABLE wagtailcore_page; --',
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "ADHD 学生",
        "2024 家访",
        "NEAR(家访 准备)",
        "家访 AND NOT 准备 OR *",
        "\x00家访",
    ],
)
def test_bad_input_never_errors_or_reflects_html(client, corpus, q):
    response, html = search(client, q=q)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    if "<script>" in q:
        assert "&lt;script&gt;" in html  # shown back, escaped
    response = client.get("/search/autocomplete/", {"q": q})
    assert response.status_code == 200
    assert isinstance(response.json(), list)


def test_sql_metacharacters_are_just_words(client, corpus):
    search(client, q="' OR 1=1 --")
    assert Page.objects.filter(title="家访的准备与实施").exists()


def test_query_count_is_flat(client, home, django_assert_max_num_queries):
    """3 or 30 results: the same queries. Chapters are the hard case: their 学段 is their
    handbook's, looked up for the whole result page at once."""
    book = HandbookPage(title="手册", stages=["primary"])
    home.add_child(instance=book)
    book.save_revision().publish()
    for word, n in (("沟通", 3), ("倾听", 30)):
        for i in range(n):
            chapter = HandbookChapterPage(title=f"{word}章节{i}", body=para(word))
            book.add_child(instance=chapter)
            chapter.save_revision().publish()
    add_standard(home, "倾听的艺术", body="倾听")  # a second page type on the page
    add_standard(home, "沟通的艺术", body="沟通")
    client.get("/search/", {"q": "沟通"})  # warm the site and content-type caches
    counts = {}
    for word in ("沟通", "倾听"):
        with django_assert_max_num_queries(12) as captured:
            response = client.get("/search/", {"q": word})
        assert response.status_code == 200
        assert any(r["stages"] for r in response.context["results"])  # chapters: handbook 学段
        counts[word] = len(captured.captured_queries)
    assert len(response.context["results"]) == 10
    assert counts["沟通"] == counts["倾听"], counts


# --- the index follows the pages -----------------------------------------------------------


def test_draft_unpublished_and_private_pages_never_appear(client, home):
    add_standard(home, "草稿家访提纲", body="家访提纲", live=False)
    page = add_standard(home, "公开家访提纲", body="家访提纲")
    private = add_standard(home, "内部家访提纲", body="家访提纲")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    response, _ = search(client, q="家访提纲")
    assert titles(response) == ["公开家访提纲"]
    assert client.get("/search/autocomplete/", {"q": "家访提纲"}).json() == ["公开家访提纲"]

    page.unpublish()
    response, _ = search(client, q="家访提纲")
    assert titles(response) == []


def test_index_follows_edit_publish_and_delete(client, home):
    page = add_standard(home, "导师工作简报", body="本期介绍家访。")
    assert titles(search(client, q="生涯 规划")[0]) == []

    page.body = para("本期介绍生涯规划。")
    page.save_revision()  # a draft: the live text is unchanged
    assert titles(search(client, q="生涯 规划")[0]) == []

    page.get_latest_revision().publish()
    assert titles(search(client, q="生涯 规划")[0]) == ["导师工作简报"]
    assert titles(search(client, q="家访")[0]) == []  # the old text left the index

    page.delete()
    assert titles(search(client, q="生涯 规划")[0]) == []


def test_search_uses_the_configured_backend(settings):
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    assert backend.__class__.__module__.startswith("modelsearch.backends.database")


# --- autocomplete ---------------------------------------------------------------------------


def test_autocomplete_suggests_titles_by_any_part(client, corpus):
    response = client.get("/search/autocomplete/", {"q": "情绪"})
    assert response["Content-Type"] == "application/json"
    assert response.json() == ["青春期学生的情绪管理"]
    assert "家访的准备与实施" in client.get("/search/autocomplete/", {"q": "家访"}).json()
    both = client.get("/search/autocomplete/", {"q": "家长 沟通"}).json()
    assert both == ["与家长沟通的基本原则"]
    assert client.get("/search/autocomplete/").json() == []


def test_search_page_has_an_accessible_combobox_that_works_without_js(client, corpus):
    _, html = search(client, q="家访")
    assert '<form class="search-form" role="search" method="get" action="/search/">' in html
    assert 'role="combobox"' in html and 'aria-controls="search-q-suggestions"' in html
    assert 'data-autocomplete-url="/search/autocomplete/"' in html
    assert "js/search.js" in html
    assert json.loads(client.get("/search/autocomplete/", {"q": "家访"}).content)


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "wagtail.search.backends.database"),
        ({"SEARCH_URL": "http://127.0.0.1:9200"}, "wagtail.search.backends.elasticsearch8"),
        (
            {
                "SEARCH_URL": "https://os:9200",
                "SEARCH_BACKEND": "wagtail.search.backends.opensearch2",
            },
            "wagtail.search.backends.opensearch2",
        ),
    ],
)
def test_search_url_switches_the_backend(env, backend):
    import os
    import subprocess
    import sys

    code = (
        "import json, cms.settings.base as s; "
        "print(json.dumps(s.WAGTAILSEARCH_BACKENDS['default']))"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    out = subprocess.run(
        [sys.executable, "-c", code], env={**environ, **env}, capture_output=True, text=True
    )
    config = json.loads(out.stdout)
    assert config["BACKEND"] == backend
    if "SEARCH_URL" in env:
        assert config["URLS"] == [env["SEARCH_URL"]]


def test_adjacent_terms_are_highlighted_as_one_mark():
    from cms.search.snippets import highlight

    html = str(highlight("孩子沉迷手机，家长<很着急>", ["沉迷", "手机"]))
    assert html == "孩子<mark>沉迷手机</mark>，家长&lt;很着急&gt;"
