"""Handbooks: contents in tree order, previous/next, the print view, search box, queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import selectors
from tests.factories.cms import make_handbook

pytestmark = pytest.mark.django_db


def _titles_in_order(html, titles):
    positions = [html.index(title) for title in titles]
    return positions == sorted(positions)


def test_toc_follows_tree_order_not_titles(client):
    handbook = make_handbook(3)
    chapters = [c.specific for c in handbook.get_children()]
    # Move the last chapter first: the contents follow the editor's order.
    chapters[2].move(chapters[0], pos="left")
    ordered = [c.title for c in handbook.get_children()]
    assert ordered[0] == chapters[2].title

    html = client.get(handbook.url).content.decode()
    toc = html[html.index('class="toc-list"') :]
    assert _titles_in_order(toc, ordered)
    assert [c.title for c in selectors.handbook_chapters(handbook, with_body=False)] == ordered


def test_previous_and_next_at_the_ends(client):
    handbook = make_handbook(3)
    first, middle, last = [c.specific for c in handbook.get_children()]

    html = client.get(first.url).content.decode()
    assert 'rel="prev"' not in html
    assert f'rel="next" href="{middle.url}"' in html

    html = client.get(middle.url).content.decode()
    assert f'rel="prev" href="{first.url}"' in html
    assert f'rel="next" href="{last.url}"' in html

    html = client.get(last.url).content.decode()
    assert f'rel="prev" href="{middle.url}"' in html
    assert 'rel="next"' not in html
    assert '<span aria-current="page" class="is-current">' in html  # the TOC marks it


def test_unpublished_chapter_is_left_out(client):
    handbook = make_handbook(3)
    first, middle, last = [c.specific for c in handbook.get_children()]
    middle.unpublish()
    html = client.get(first.url).content.decode()
    assert middle.title not in html
    assert f'rel="next" href="{last.url}"' in html


def test_chapter_page_has_breadcrumbs_search_box_date_and_audience(client):
    handbook = make_handbook(2, stages=("junior",), last_updated="2025-09-01")
    chapter = handbook.get_children().first().specific
    html = client.get(chapter.url).content.decode()
    crumbs = html[
        html.index('class="breadcrumbs"') : html.index("</nav>", html.index('class="breadcrumbs"'))
    ]
    assert handbook.url in crumbs and handbook.title in crumbs
    assert 'aria-current="page">' + chapter.title in crumbs
    assert 'action="/search/"' in html
    assert f'name="handbook" value="{handbook.pk}"' in html
    assert "2025年9月1日" in html
    assert "<details" in html  # contents collapse on phones
    assert f'href="{handbook.url}print/"' in html


def test_print_view_has_every_chapter_in_order_with_bodies(client):
    handbook = make_handbook(4)
    response = client.get(f"{handbook.url}print/")
    assert response.status_code == 200
    html = response.content.decode()
    titles = [c.title for c in handbook.get_children()]
    article = html[html.index('class="handbook-print"') :]
    sections = re.findall(
        r'<section class="print-chapter prose" id="chapter-(\d+)">\s*'
        r'<h2 class="chapter-title">([^<]+)</h2>',
        article,
    )
    assert [title for _pk, title in sections] == titles
    for number in range(1, 5):
        assert f"第{number}章正文" in article
        # Subheadings sit one level below the chapter title in print.
        assert f'<h3 class="block-heading">小节{number}</h3>' in article
    assert "@media print" in open("static/css/site.css", encoding="utf-8").read()


def test_handbook_page_lists_chapters_and_print_link(client):
    handbook = make_handbook(2)
    html = client.get(handbook.url).content.decode()
    for chapter in handbook.get_children():
        assert chapter.url in html
    assert f"{handbook.url}print/" in html
    assert "小学" in html or "Primary school" in html


def _count(client, url):
    client.get(url)  # warm the site cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("suffix", ["", "chapter-1/", "print/"])
def test_query_count_does_not_grow_with_chapters(client, suffix, django_assert_max_num_queries):
    small = make_handbook(2, slug="small")
    large = make_handbook(6, slug="large", title="大手册")
    small_count = _count(client, f"{small.url}{suffix}")
    large_count = _count(client, f"{large.url}{suffix}")
    assert small_count == large_count
    # Wagtail's routing to a chapter takes 8 (site, two levels of child + specific, alias
    # and view-restriction checks); ours: handbook, chapters, menu, breadcrumbs, settings.
    with django_assert_max_num_queries(13):
        client.get(f"{large.url}{suffix}")


def test_chapter_navigation_selector_runs_two_queries(django_assert_num_queries):
    handbook = make_handbook(5)
    chapter = handbook.get_children().last().specific
    with django_assert_num_queries(2):
        nav = selectors.chapter_navigation(chapter)
    assert nav["next_chapter"] is None
    assert nav["chapter_position"] == 5
