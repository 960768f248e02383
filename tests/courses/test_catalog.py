"""The course catalog: login wall, filters, the reader's status on each card, pagination and a
query count that does not grow with the number of courses."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from courses.choices import Delivery, EnrollmentStatus, EnrolmentMode, Level
from people.models import Stage
from tests.courses.enrolment_helpers import client_for, t
from tests.factories.courses import course_index, enroll, make_course, topic

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [card["course"].title for card in response.context["cards"]]


def test_anonymous_is_sent_to_login_with_next():
    index = course_index()
    response = Client().get(index.url + "?level=city")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "level%3Dcity" in response["Location"]


def test_filters_by_topic_stage_level_delivery_window_and_text(teacher_a):
    now = timezone.now()
    mental = topic("心理健康", "mental-health")
    family = topic("家校沟通", "family")
    make_course(title="情绪辅导入门", topic=mental, stages=[Stage.PRIMARY], level=Level.CITY)
    make_course(
        title="家访技巧",
        topic=family,
        stages=[Stage.JUNIOR, Stage.SENIOR],
        delivery=Delivery.LIVE,
        summary="如何与家长沟通",
    )
    make_course(title="导师通识", stages=[], enrol_closes=now - timedelta(days=1), code="QP-GEN-1")
    make_course(title="未开放课程", enrol_opens=now + timedelta(days=3))
    client = client_for(teacher_a)
    url = course_index().url

    assert titles(client.get(url, {"topic": "family"})) == ["家访技巧"]
    # Empty stages means "for every stage".
    assert titles(client.get(url, {"stage": Stage.PRIMARY})) == [
        "情绪辅导入门",
        "导师通识",
        "未开放课程",
    ]
    assert titles(client.get(url, {"stage": Stage.SENIOR})) == [
        "家访技巧",
        "导师通识",
        "未开放课程",
    ]
    assert titles(client.get(url, {"level": Level.CITY})) == ["情绪辅导入门"]
    assert titles(client.get(url, {"delivery": Delivery.LIVE})) == ["家访技巧"]
    assert titles(client.get(url, {"window": "open"})) == ["情绪辅导入门", "家访技巧"]
    assert titles(client.get(url, {"window": "closed"})) == ["导师通识", "未开放课程"]
    assert titles(client.get(url, {"q": "家长"})) == ["家访技巧"]
    assert titles(client.get(url, {"q": "qp-gen"})) == ["导师通识"]
    assert titles(client.get(url, {"stage": Stage.JUNIOR, "topic": "mental-health"})) == []


def test_filter_form_keeps_values_and_bad_values_are_ignored(teacher_a):
    make_course(title="情绪辅导入门", level=Level.CITY)
    client = client_for(teacher_a)
    response = client.get(course_index().url, {"level": "city", "q": "情绪"})
    html = response.content.decode()
    assert '<option value="city" selected>' in html
    assert 'value="情绪"' in html

    tampered = client.get(course_index().url, {"level": "galaxy", "stage": "x", "page": "zz"})
    assert tampered.status_code == 200
    assert titles(tampered) == ["情绪辅导入门"]


def test_empty_state_with_and_without_filters(teacher_a):
    client = client_for(teacher_a)
    url = course_index().url
    assert t("No courses have been published yet.") in client.get(url).content.decode()
    make_course(title="情绪辅导入门")
    html = client.get(url, {"q": "不存在的词"}).content.decode()
    assert t("No course matches these filters.") in html


def test_cards_show_hours_credit_and_the_readers_status(teacher_a):
    not_enrolled = make_course(title="甲", hours=6, credit_points="1.5")
    pending = make_course(title="乙", enrolment_mode=EnrolmentMode.APPROVAL)
    learning = make_course(title="丙")
    done = make_course(title="丁")
    enroll(teacher_a, pending, status=EnrollmentStatus.PENDING)
    enroll(teacher_a, learning, progress=40)
    enroll(teacher_a, done, status=EnrollmentStatus.COMPLETED, progress=100)
    response = client_for(teacher_a).get(course_index().url)
    cards = {card["course"].pk: card for card in response.context["cards"]}
    assert cards[not_enrolled.pk]["status"] is None
    assert cards[pending.pk]["status"].key == "pending"
    assert cards[learning.pk]["status"].key == "enrolled"
    assert cards[learning.pk]["status"].progress == 40
    assert cards[done.pk]["status"].key == "completed"
    html = response.content.decode()
    for text in (t("Not enrolled"), t("Pending approval"), t("Completed")):
        assert t(text) in html
    assert t("Enrolled · %(percent)s%%", percent=40) in html
    assert "<dd>6</dd>" in html and "<dd>1.5</dd>" in html


def test_pagination_uses_the_page_size_and_keeps_filters(teacher_a):
    index = course_index()
    index.page_size = 2
    index.save_revision().publish()
    for number in range(5):
        make_course(title=f"课程{number}", level=Level.SCHOOL)
    client = client_for(teacher_a)
    first = client.get(index.url, {"level": "school"})
    assert len(first.context["cards"]) == 2
    assert first.context["paginator"].num_pages == 3
    assert "?level=school&amp;page=2" in first.content.decode()
    last = client.get(index.url, {"level": "school", "page": 3})
    assert titles(last) == ["课程4"]
    # Out of range gives the last page, not an error.
    assert titles(client.get(index.url, {"page": 99})) == ["课程4"]


def add_courses(user, count, mental):
    for number in range(count):
        course = make_course(lessons=0, topic=mental, stages=[Stage.PRIMARY])
        if number % 2:
            enroll(user, course, progress=50)


def test_query_count_is_constant(teacher_a, django_assert_max_num_queries):
    """18 = session, user, site and page routing, base template (menu, breadcrumbs, school,
    settings, permissions) and 4 of the catalog: topics, count, one page, the statuses."""
    index = course_index()
    index.page_size = 60
    index.save_revision().publish()
    mental = topic()
    client = client_for(teacher_a)
    counts, added = [], 0
    for count in (3, 30):
        add_courses(teacher_a, count - added, mental)
        added = count
        client.get(index.url)  # warm caches (site root paths) as in production
        with django_assert_max_num_queries(19) as captured:  # +1: the header bell
            response = client.get(index.url, {"stage": "primary"})
        assert len(response.context["cards"]) == count
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
