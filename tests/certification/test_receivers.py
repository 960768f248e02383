"""Receivers: each domain event credits the teacher once, whatever the retries, inside the
sender's transaction, with the values of the course, lecture or case."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from casebank.signals import case_published
from certification.models import CreditEntry, CreditSource
from certification.services import ledger
from cms.choices import CreditCategory, Level
from courses.models import Attendance, AttendanceMethod, CoursePage, LecturePage, LessonPage
from courses.services.completion import course_evaluation_submit, lesson_viewed
from courses.signals import course_completed, lecture_attended
from tests.factories.courses import enroll, make_course, topic
from tests.factories.lectures import make_lecture

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_course_completed_twice_credits_once(teacher_a):
    course = make_course(
        lessons=0,
        credit_points=Decimal("1.5"),
        hours=Decimal("6"),
        credit_category=CreditCategory.ETHICS,
        level=Level.CITY,
        topic=topic(slug="home-school", name="家校沟通", is_mentor_topic=True),
    )
    # 23:30 UTC is the next day in Shanghai.
    completed_at = datetime.datetime(2026, 3, 4, 23, 30, tzinfo=datetime.UTC)
    for _ in range(2):
        course_completed.send(
            sender=CoursePage,
            user=teacher_a,
            course=course,
            enrollment=None,
            completed_at=completed_at,
        )
    entry = CreditEntry.objects.get()
    assert (entry.user, entry.source, entry.source_ref) == (teacher_a, "course", str(course.pk))
    assert entry.points == Decimal("1.5") and entry.hours == Decimal("6")
    assert (entry.category, entry.level) == (CreditCategory.ETHICS, Level.CITY)
    assert (entry.topic, entry.mentor_topic) == ("home-school", True)
    assert entry.title == course.title and entry.source_object_id == course.pk
    assert entry.awarded_on == datetime.date(2026, 3, 5)


def test_completing_a_course_through_the_service_credits_it(teacher_a):
    course = make_course(lessons=1, credit_points=Decimal("2"), hours=Decimal("4"))
    enroll(teacher_a, course)
    lesson_viewed(user=teacher_a, lesson=LessonPage.objects.child_of(course).get())
    assert not CreditEntry.objects.exists()
    course_evaluation_submit(user=teacher_a, course=course, rating=5, comment="很实用")
    entry = CreditEntry.objects.get()
    assert entry.points == Decimal("2") and entry.source == CreditSource.COURSE
    assert entry.awarded_on == timezone.localdate()


def test_lecture_attended_twice_credits_hours_once(teacher_a):
    lecture = make_lecture(
        starts_in=datetime.timedelta(days=-3),
        topic=topic(slug="mental-health", name="心理健康", is_mentor_topic=True),
    )
    checked_in_at = datetime.datetime(2026, 5, 20, 18, 0, tzinfo=datetime.UTC)
    attendance = Attendance.objects.create(
        user=teacher_a, lecture=lecture, method=AttendanceMethod.CODE, checked_in_at=checked_in_at
    )
    for _ in range(2):
        lecture_attended.send(
            sender=LecturePage,
            user=teacher_a,
            lecture=lecture,
            attendance=attendance,
            hours=Decimal("2.5"),
        )
    entry = CreditEntry.objects.get()
    assert entry.source == CreditSource.LECTURE and entry.source_ref == str(lecture.pk)
    assert entry.hours == Decimal("2.5") and entry.points == ledger.LECTURE_POINTS == 0
    assert entry.category == ledger.LECTURE_CATEGORY == CreditCategory.KNOWLEDGE
    assert entry.level == ledger.LECTURE_LEVEL == Level.DISTRICT
    assert (entry.topic, entry.mentor_topic) == ("mental-health", True)
    assert entry.awarded_on == checked_in_at.astimezone(SHANGHAI).date()


class _Case:
    """The case bank's page as the signal carries it (only pk and title are read)."""

    def __init__(self, pk, title):
        self.pk, self.title = pk, title


def test_case_published_twice_credits_once_per_author(teacher_a, teacher_b):
    case = _Case(9001, "青春期情绪管理案例")
    published_at = datetime.datetime(2026, 6, 1, 2, 0, tzinfo=datetime.UTC)
    for author in (teacher_a, teacher_a, teacher_b):
        case_published.send(
            sender=object,
            case=case,
            author=author,
            points=Decimal("1"),
            hours=Decimal("2"),
            category=CreditCategory.PRACTICE,
            level=Level.SCHOOL,
            published_at=published_at,
        )
    entries = CreditEntry.objects.order_by("user_id")
    assert [e.user for e in entries] == sorted([teacher_a, teacher_b], key=lambda u: u.pk)
    entry = entries[0]
    assert (entry.source, entry.source_ref, entry.title) == ("case", "9001", case.title)
    assert (entry.category, entry.level, entry.points) == ("practice", "school", Decimal("1"))


def test_credit_rolls_back_with_the_senders_transaction(teacher_a):
    course = make_course(lessons=0)
    with pytest.raises(RuntimeError), transaction.atomic():
        course_completed.send(
            sender=CoursePage,
            user=teacher_a,
            course=course,
            enrollment=None,
            completed_at=timezone.now(),
        )
        assert CreditEntry.objects.count() == 1
        raise RuntimeError("the completion failed after the signal")
    assert not CreditEntry.objects.exists()


def test_credit_queues_the_teachers_recompute_on_commit(teacher_a, monkeypatch):
    queued = []
    monkeypatch.setattr(ledger.events, "credit_changed", queued.append)
    course = make_course(lessons=0)
    for _ in range(2):
        course_completed.send(
            sender=CoursePage,
            user=teacher_a,
            course=course,
            enrollment=None,
            completed_at=timezone.now(),
        )
    assert queued == [teacher_a.pk]  # the repeat wrote nothing and queued nothing


def test_credit_recomputes_the_teachers_status_after_commit(
    teacher_a, django_capture_on_commit_callbacks
):
    from certification.models import QualificationStatus

    course = make_course(lessons=0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        course_completed.send(
            sender=CoursePage,
            user=teacher_a,
            course=course,
            enrollment=None,
            completed_at=timezone.now(),
        )
    # The status recompute, and the render of the 结业证书 the completion issued.
    assert len(callbacks) == 2
    assert QualificationStatus.objects.filter(user=teacher_a).exists()


def test_a_case_approved_in_the_workflow_credits_each_author(client, make_user, school_a):
    from people import roles
    from tests.casebank.workflow_helpers import (
        approve_in_admin,
        case_index,
        draft_case,
        submit_in_admin,
    )

    author = make_user(roles.LECTURER, school_a, staff_no="L001")
    co_author = make_user(roles.LECTURER, school_a, staff_no="L002")
    reviewer = make_user(roles.REVIEWER, None, staff_no="R001")
    index = case_index(
        credit_points=Decimal("1.5"),
        credit_hours=Decimal("6"),
        credit_category="knowledge",
        credit_level="city",
    )
    case = draft_case(index, author, authors=[author, co_author])
    client.force_login(author)
    submit_in_admin(client, case)
    client.force_login(reviewer)
    approve_in_admin(client, case)
    entries = CreditEntry.objects.filter(source=CreditSource.CASE, source_ref=str(case.pk))
    assert sorted(e.user_id for e in entries) == sorted([author.pk, co_author.pk])
    assert {(e.points, e.hours, e.category, e.level) for e in entries} == {
        (Decimal("1.5"), Decimal("6"), "knowledge", "city")
    }
