"""The H5P activity block: what the lesson page gives the player, and (in Chromium) that
the player sends xAPI with the CSRF header, completes the lesson, and restores state."""

import contextlib
import json
import os
import shutil

import pytest
from django.test import Client

from courses.choices import CompletionCriterion, H5PStatus
from people import roles
from tests.courses.h5p_builder import build_h5p, h5p_upload, quiz_package
from tests.factories.courses import enroll, h5p_block, make_course, make_lesson


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def player_lesson(package, **fields):
    course = make_course(lessons=0, title="倾听的艺术")
    lesson = make_lesson(
        course,
        title="倾听小测验",
        criterion=CompletionCriterion.H5P_PASSED,
        min_score=80,
        blocks=[h5p_block(package)],
        **fields,
    )
    return course, lesson


@pytest.mark.django_db
def test_enrolled_teacher_gets_a_player_container(teacher_a):
    package = quiz_package(title="倾听测验")
    course, lesson = player_lesson(package)
    enroll(teacher_a, course)
    response = client_for(teacher_a).get(lesson.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-h5p-player" in html
    assert f'data-package-id="{package.pk}"' in html
    assert f'data-lesson-id="{lesson.pk}"' in html
    assert f'data-h5p-json-url="/h5p/{package.pk}/files/h5p.json"' in html
    assert 'data-xapi-url="/courses/xapi/"' in html
    assert "/static/h5p-standalone/main.bundle.js" in html
    assert "/static/h5p-standalone/frame.bundle.js" in html
    assert "/static/h5p-standalone/styles/h5p.css" in html
    assert "/static/courses/js/h5p-player.js" in html
    assert 'data-record="1"' in html
    assert "data-h5p-status" in html and 'aria-live="polite"' in html
    # No inline script code (CSP comes later).
    assert "<script>" not in html.replace('<script src="', "")


@pytest.mark.django_db
def test_staff_preview_does_not_record(make_user):
    lecturer = make_user(roles.LECTURER, staff_no="JS01")
    package = quiz_package(title="倾听测验")
    _, lesson = player_lesson(package)
    html = client_for(lecturer).get(lesson.url).content.decode()
    assert 'data-record="0"' in html


@pytest.mark.django_db
def test_package_not_ready_shows_a_message(teacher_a, make_user):
    from courses.services.h5p import h5p_package_upload

    lecturer = make_user(roles.LECTURER, staff_no="JS01")
    pending = h5p_package_upload(
        file=h5p_upload(build_h5p(title="处理中")), title="处理中", uploaded_by=lecturer
    )
    assert pending.status == H5PStatus.PENDING
    course, lesson = player_lesson(pending)
    enroll(teacher_a, course)
    html = client_for(teacher_a).get(lesson.url).content.decode()
    assert "data-h5p-player" not in html
    assert "h5p-activity-unavailable" in html


def test_standalone_assets_are_served_as_static_files():
    from django.contrib.staticfiles import finders

    for name in ("main.bundle.js", "frame.bundle.js", "styles/h5p.css"):
        assert finders.find(f"h5p-standalone/{name}"), name
    assert finders.find("courses/js/h5p-player.js")


# --- in Chromium


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture
def phone(live_server):
    if not chromium_path():
        pytest.fail("Chromium is needed for browser tests: apt-get install chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def sign_in(page, live_server, user):
    client = client_for(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_player_sends_xapi_completes_the_lesson_and_restores_state(
    phone, live_server, make_user, school_a
):
    from django.db import OperationalError

    from courses.models import H5PUserData, LessonProgress, XAPIStatement

    teacher = make_user(roles.TEACHER, school_a, staff_no="T9101")
    package = quiz_package(title="倾听测验")
    course, lesson = player_lesson(package)
    enroll(teacher, course)
    sign_in(phone, live_server, teacher)
    phone.goto(live_server.url + lesson.url)

    quiz = phone.frame_locator("iframe.h5p-iframe")
    quiz.get_by_text("立即批评学生的错误").click()
    quiz.get_by_role("button", name="提交").click()
    # A locator wait, not wait_for_function: the page's CSP forbids evaluating strings.
    phone.locator("[data-h5p-status].is-ok").wait_for()
    assert XAPIStatement.objects.filter(user=teacher, counted=True).count() == 1
    assert not LessonProgress.objects.filter(user=teacher, status="completed").exists()
    # The player saves its state while the test reads it: on the suite's shared-cache
    # in-memory SQLite a read that meets the server thread's open write fails with "table is
    # locked" instead of waiting, so the polls retry that too.
    row = None
    for _ in range(50):
        with contextlib.suppress(OperationalError):
            row = H5PUserData.objects.filter(user=teacher, package=package).first()
        if row:
            break
        phone.wait_for_timeout(100)
    assert row is not None and json.loads(row.data)["selected"] == 1

    quiz.get_by_text("认真倾听，理解学生的感受").click()
    quiz.get_by_role("button", name="提交").click()
    # A locator wait, not wait_for_function: the page's CSP forbids evaluating strings.
    phone.locator("[data-h5p-status].is-done").wait_for()
    assert LessonProgress.objects.get(user=teacher, lesson=lesson).status == "completed"
    # Each answer sent once (H5P triggers on two dispatchers; the player listens on one).
    assert XAPIStatement.objects.filter(user=teacher).count() == 2
    for _ in range(50):
        with contextlib.suppress(OperationalError):
            row.refresh_from_db()
        if json.loads(row.data)["selected"] == 0:
            break
        phone.wait_for_timeout(100)
    assert json.loads(row.data)["selected"] == 0

    # Reload: the chosen answer is restored from the saved state.
    phone.reload()
    radios = phone.frame_locator("iframe.h5p-iframe").locator("input[type=radio]")
    checked = phone.frame_locator("iframe.h5p-iframe").locator("input[type=radio]:checked")
    checked.wait_for()
    assert checked.count() == 1
    assert radios.nth(0).is_checked()
    assert phone.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db
def test_video_block_plays_an_uploaded_file_with_caption():
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from courses.blocks import VideoBlock

    document = get_document_model().objects.create(
        title="家访示范", file=ContentFile(b"\0\0\0\x18ftypmp42", name="visit.mp4")
    )
    block = VideoBlock()
    value = block.to_python({"embed": None, "file": document.pk, "caption": "家访示范片段"})
    html = block.render(value)
    assert "<video" in html and "controls" in html and 'preload="metadata"' in html
    assert f'src="{document.url}"' in html
    assert "<figcaption>家访示范片段</figcaption>" in html
