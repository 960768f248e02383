"""The migrations leave a Chinese home page as the default site's root."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale, Page, Site
from wagtail.test.utils import WagtailPageTestCase

from cms.models import HomePage
from people import roles


@pytest.mark.django_db
def test_default_site_root_is_the_home_page_in_zh_hans():
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.live
    assert home.locale.language_code == "zh-hans"
    assert list(Locale.objects.values_list("language_code", flat=True)) == ["zh-hans"]
    # Wagtail's "Welcome to your new Wagtail site!" page is gone.
    assert Page.objects.filter(depth=2).count() == 1
    assert not Group.objects.filter(name__in=["Moderators", "Editors"]).exists()


@pytest.mark.django_db
def test_roles_have_page_permissions_on_the_home_page():
    home = HomePage.objects.get()
    lecturer = Group.objects.get(name=roles.LECTURER)
    codenames = set(
        lecturer.page_permissions.filter(page=home).values_list("permission__codename", flat=True)
    )
    assert codenames == {"add_page", "change_page"}
    assert not Group.objects.get(name=roles.TEACHER).page_permissions.exists()


@pytest.mark.django_db
def test_home_page_renders_in_chinese_with_navigation(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<title>青浦区全员导师制研修平台</title>" in html  # site name once, not twice
    assert 'name="viewport"' in html
    assert "青浦区全员导师制研修平台" in html
    assert "登录" in html  # login link for anonymous visitors
    assert "/accounts/login/" in html
    assert 'href="/search/"' in html  # search is one tap away on every page


@pytest.mark.django_db
def test_home_page_shows_login_state(client, teacher_a):
    client.force_login(teacher_a)
    html = client.get("/").content.decode()
    assert teacher_a.full_name in html
    assert teacher_a.school.name in html
    assert "/accounts/logout/" in html
    assert "/admin/" not in html  # teachers have no admin access


@pytest.mark.django_db
def test_home_page_query_count_is_flat(client, teacher_a, django_assert_max_num_queries):
    client.force_login(teacher_a)
    client.get("/")  # warm Wagtail's site cache
    # 12 for the frame (site, page, session, user, perms, school, menu, site settings) plus the
    # home sections with nothing published: handbooks (+ view restrictions), lecturers,
    # courses' 推荐课程 (courses + their topics) and 近期讲座 (one query when none is coming);
    # plus the header's unread-notification count and the 案例库 section (one query when no
    # case is published).
    with django_assert_max_num_queries(18):
        assert client.get("/").status_code == 200


class TestHomePageModel(WagtailPageTestCase):
    def test_home_page_only_under_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_home_renders(self):
        self.assertPageIsRenderable(HomePage.objects.get())
