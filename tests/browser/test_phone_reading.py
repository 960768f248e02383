"""A teacher on a phone logs in, reads a handbook chapter and finds it by two Chinese words."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def test_teacher_reads_a_handbook_and_finds_it_by_searching(demo_site, phone):
    from cms.models import HandbookChapterPage

    chapter = HandbookChapterPage.objects.live().filter(title__contains="面向不同家庭").get()
    base = demo_site.url

    # Log in with 工号 on the Chinese login page; a wrong password gets the generic message.
    phone.goto(f"{base}/accounts/login/?next=/")
    phone.get_by_label("工号").fill("teacher")
    phone.get_by_label("密码").fill("wrong-password")
    phone.get_by_role("button", name="登录").click()
    assert "工号或密码不正确" in phone.content()
    phone.get_by_label("密码").fill("Qingpu@2026")
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{base}/")
    # The header (menu collapsed on a phone) names the logged-in teacher.
    assert "王晓梅" in phone.locator("header").text_content()
    assert no_horizontal_overflow(phone)

    # The chapter reads on a phone: no sideways scrolling, contents collapsed, prev/next.
    phone.goto(base + chapter.url)
    assert phone.locator("h1").inner_text().startswith("第四章")
    assert no_horizontal_overflow(phone)
    assert phone.get_by_role("link", name="下一章").count() >= 1

    # The menu opens with the toggle on a narrow screen.
    menu = phone.locator("#site-nav")
    assert not menu.is_visible()
    phone.get_by_role("button", name="菜单").click()
    assert menu.is_visible()

    # Two words that only appear inside the chapter's sentences find it.
    phone.goto(f"{base}/search/")
    box = phone.locator("input[name=q]").first
    box.fill("隔代 教养")
    box.press("Enter")
    phone.wait_for_url("**/search/?**")
    results = phone.locator(".search-result")
    titles = [results.nth(i).locator("h2").inner_text() for i in range(min(results.count(), 10))]
    assert chapter.title in titles  # in the first ten; order differs by database
    assert results.first.locator("mark").count() >= 1
    assert no_horizontal_overflow(phone)
