"""lesson-time.js in Chromium with a fake clock: a visible lesson page sends one heartbeat per
visible minute with the CSRF header, and the server adds the minute to the teacher's time."""

import pytest
from django.test import Client

from courses.models import LessonPage, LessonProgress
from tests.factories.courses import enroll, make_course

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def signed_in_phone(phone, live_server, teacher_a):
    from django.core.cache import cache

    cache.clear()  # Wagtail caches site root paths; stale ones 500 after a flush
    client = Client()
    client.force_login(teacher_a)
    phone.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return phone


def test_heartbeat_every_visible_minute(signed_in_phone, live_server, teacher_a):
    page = signed_in_phone
    course = make_course(lessons=1)
    enroll(teacher_a, course)
    lesson = LessonPage.objects.child_of(course).get()
    sent = []
    page.on("request", lambda r: sent.append(r) if "/heartbeat/" in r.url else None)

    page.clock.install()
    page.goto(live_server.url + lesson.url)
    assert page.locator("[data-heartbeat-url]").count() == 1
    progress = LessonProgress.objects.get(user=teacher_a, lesson=lesson)
    assert progress.seconds_spent == 0

    page.clock.run_for(50_000)
    page.wait_for_timeout(500)
    assert sent == []  # less than a visible minute

    with page.expect_request(lambda r: "/heartbeat/" in r.url) as first:
        page.clock.run_for(15_000)
    request = first.value
    assert request.method == "POST"
    assert request.headers.get("x-csrftoken")

    # Three more fake minutes in well under a real one: the server counts one minute in all.
    page.clock.run_for(185_000)
    page.wait_for_timeout(1_000)
    assert len(sent) >= 3
    progress.refresh_from_db()
    assert progress.seconds_spent == 60
