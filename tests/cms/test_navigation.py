"""Menu from the home page's children, breadcrumbs, footer contact from SiteSettings,
home page sections."""

import pytest
from django.test import RequestFactory
from wagtail.models import Site

from cms import selectors
from cms.models import SiteSettings
from cms.sections import HomeSection, home_sections
from tests.factories.cms import make_handbook, make_lecturer_index, make_standard_page

pytestmark = pytest.mark.django_db


def test_menu_lists_home_children_marked_show_in_menus(client):
    shown = make_standard_page(title="实施方案", slug="plan", show_in_menus=True)
    make_standard_page(title="不在菜单", slug="hidden", show_in_menus=False)
    html = client.get("/").content.decode()
    nav = html[html.index('id="site-nav"') : html.index("</nav>", html.index('id="site-nav"'))]
    assert f'<a href="{shown.url}">实施方案</a>' in nav
    assert "不在菜单" not in nav

    html = client.get(shown.url).content.decode()
    assert f'<a href="{shown.url}" aria-current="page" class="is-active">实施方案</a>' in html


def test_menu_is_one_query_and_cached_per_request(django_assert_num_queries):
    make_standard_page(show_in_menus=True)
    request = RequestFactory().get("/")
    Site.find_for_request(request)
    with django_assert_num_queries(1):
        first = selectors.menu_pages(request)
        second = selectors.menu_pages(request)
    assert first is second and len(first) == 1


def test_breadcrumbs_everywhere_except_home(client):
    html = client.get("/").content.decode()
    assert 'class="breadcrumbs"' not in html
    handbook = make_handbook(1)
    chapter = handbook.get_children().first()
    html = client.get(chapter.url).content.decode()
    crumbs = html[html.index('class="breadcrumbs"') :]
    assert crumbs.index('href="/"') < crumbs.index(handbook.url) < crumbs.index(chapter.title)
    html = client.get(make_standard_page().url).content.decode()
    assert 'class="breadcrumbs"' in html


def test_footer_shows_site_settings_contact(client):
    site = Site.objects.get(is_default_site=True)
    SiteSettings.objects.update_or_create(
        site=site,
        defaults={
            "address": "青浦区某路1号",
            "phone": "021-1234 5678",
            "email": "office@example.org",
            "office_hours": "工作日 9:00–17:00",
            "icp_text": "沪ICP备12345678号",
        },
    )
    html = client.get("/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert "青浦区某路1号" in footer
    assert 'href="tel:02112345678"' in footer
    assert 'href="mailto:office@example.org"' in footer
    assert "工作日 9:00–17:00" in footer
    assert "沪ICP备12345678号" in footer


def test_footer_without_settings_has_no_empty_contact(client):
    html = client.get("/").content.decode()
    assert "<address" not in html


def test_home_sections_hook_orders_sections_and_shows_empty_states(client):
    sections = home_sections()
    assert [s.template_name for s in sections] == [
        "courses/includes/lecture_home_section.html",
        "courses/home_sections/courses.html",
        "casebank/home_sections/cases.html",
        "cms/home_sections/handbooks.html",
        "cms/home_sections/lecturers.html",
    ]
    html = client.get("/").content.decode()
    assert html.count('class="empty-state"') >= 4


def test_a_later_app_can_add_a_home_section(client):
    from wagtail import hooks

    def next_lectures():
        return HomeSection(
            order=10,
            template_name="cms/includes/stage_tags.html",
            get_context=lambda request, page: {"labels": ["下月讲座标记"]},
        )

    with hooks.register_temporarily("register_home_section", next_lectures):
        assert home_sections()[0].order == 10
        html = client.get("/").content.decode()
    assert html.index("下月讲座标记") < html.index('id="home-handbooks-title"')


def test_home_lists_handbooks_and_query_count_is_flat(client, django_assert_max_num_queries):
    make_handbook(1, slug="a", title="手册甲")
    make_lecturer_index()
    client.get("/")
    with django_assert_max_num_queries(14):
        html = client.get("/").content.decode()
    assert "手册甲" in html
    for number in range(4):
        make_handbook(2, slug=f"more-{number}", title=f"手册{number}")
    with django_assert_max_num_queries(14):
        client.get("/")
