"""Playwright driving Debian's Chromium (`playwright install` cannot download here)."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make
# around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "Chromium is needed for browser tests: apt-get install chromium (make test does)"
        )
    return path


@pytest.fixture
def browser():
    # Per test, not per session: while Playwright's event loop runs, Django's connection
    # handler sees an async context and hands out connections without the serialized
    # snapshot, so later serialized_rollback tests would start on empty tables.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page (390×844, touch, zh-CN), as teachers open the site in WeChat."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo_site(transactional_db, live_server):
    """The small demo seed (accounts, handbooks, policy page) served by a live server."""
    from django.core.cache import cache

    from people.demo import SCALES, run_seed

    run_seed(SCALES["small"])
    cache.clear()  # Wagtail caches site root paths; stale ones 500 after a flush
    return live_server
