"""Lecture demo content: the series and its twelve lectures (nine past, three upcoming) by
the 讲师团, the demo teacher's attendances through the services (credited once), the
generated teachers' share written set-based; idempotent; the pages render."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from courses import lecture_demo
from courses.models import (
    Attendance,
    AttendanceMethod,
    CoursePage,
    H5PPackage,
    LectureFeedback,
    LecturePage,
    LectureRegistration,
    LectureSeriesPage,
    LessonPage,
    RegistrationStatus,
)
from courses.signals import lecture_attended
from people.demo import SCALES, SEED_STEPS, run_seed
from people.models import User

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            LectureSeriesPage,
            LecturePage,
            LectureRegistration,
            Attendance,
            LectureFeedback,
            CoursePage,
            LessonPage,
            H5PPackage,
        )
    }


@pytest.fixture
def attended_signals():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs["user"].staff_no)

    lecture_attended.connect(receiver, weak=False)
    yield received
    lecture_attended.disconnect(receiver)


@pytest.fixture
def seeded(settings, tmp_path, attended_signals):
    settings.MEDIA_ROOT = str(tmp_path)
    run_seed(SCALES["small"])
    return counts()


def test_lecture_steps_run_after_the_course_steps():
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo")
    names = [step.__name__ for step in SEED_STEPS]
    assert names.index("seed_teacher_enrolments") < names.index("seed_lecture_series")
    assert names.index("seed_lecture_series") < names.index("seed_lecture_attendance")


def test_twelve_monthly_dates_nine_past_three_upcoming():
    today = datetime.date(2026, 1, 30)
    starts = [lecture_demo.lecture_start(n, today=today) for n in range(12)]
    assert starts[9].date() == datetime.date(2026, 2, 2)
    assert starts[0].date() == datetime.date(2025, 5, 2)
    assert starts[11].date() == datetime.date(2026, 4, 2)
    assert len({(s.year, s.month) for s in starts}) == 12
    assert lecture_demo._add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)


def test_seed_builds_the_series_and_a_second_run_changes_nothing(seeded, attended_signals):
    series = LectureSeriesPage.objects.get()
    assert series.title == "每月专题讲座" and series.live and series.feedback_required
    lectures = list(LecturePage.objects.child_of(series).live().order_by("starts_at"))
    assert len(lectures) == 12
    now = timezone.now()
    assert sum(lecture.starts_at < now for lecture in lectures) == 9
    assert sum(lecture.starts_at > now for lecture in lectures) == 3
    titles = {lecture.title for lecture in lectures}
    assert "心理危机的早期识别与上报流程" in titles and "家校沟通中的倾听与回应" in titles
    for lecture in lectures:
        assert lecture.lecturers.exists(), lecture.title
        assert lecture.topic_id is not None
    crisis = LecturePage.objects.get(slug="lecture-03")
    assert set(crisis.lecturers.values_list("full_name", flat=True)) >= {"沈慧敏"}
    assert crisis.lecturers.filter(user__staff_no="lecturer").exists()

    # The demo teacher: registered for all, attended the past ones except two, credited once.
    teacher = User.objects.get(staff_no="teacher")
    assert LectureRegistration.objects.filter(user=teacher).count() == 12
    attended = Attendance.objects.filter(user=teacher)
    assert attended.count() == 7
    assert not attended.filter(credited_at__isnull=True).exists()
    assert LectureFeedback.objects.filter(user=teacher).count() == 7
    assert attended_signals.count("teacher") == 7

    # Generated teachers: registrations and attendances at past lectures only.
    others = LectureRegistration.objects.exclude(user=teacher)
    assert others.filter(status=RegistrationStatus.REGISTERED).count() > 10
    upcoming = [lecture.pk for lecture in lectures if lecture.starts_at > now]
    assert not Attendance.objects.filter(lecture_id__in=upcoming).exists()
    assert Attendance.objects.exclude(user=teacher).count() > 10
    # Every attendance has a registration, every feedback an attendance.
    assert not Attendance.objects.exclude(
        user__lecture_registrations__lecture=models_F("lecture")
    ).exists()
    # Bulk rows do not send lecture_attended.
    assert set(attended_signals) == {"teacher"}

    check_pages_render(series, lectures)
    check_bulk_step_writes_per_chunk()

    run_seed(SCALES["small"])
    assert counts() == seeded
    assert attended_signals.count("teacher") == 7

    check_replay_lecture(attended_signals)


def models_F(name):
    from django.db.models import F

    return F(name)


def check_pages_render(series, lectures):
    client = Client()
    client.force_login(User.objects.get(staff_no="teacher"))
    assert client.get(series.url).status_code == 200
    for lecture in lectures:
        assert client.get(lecture.url).status_code == 200, lecture.title


def check_bulk_step_writes_per_chunk():
    """Deleting the generated rows and running the step again writes them back in a fixed
    number of queries, not one per teacher."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from people.demo import SeedContext

    before = counts()
    LectureFeedback.objects.exclude(user__staff_no="teacher").delete()
    Attendance.objects.exclude(user__staff_no="teacher").delete()
    LectureRegistration.objects.exclude(user__staff_no="teacher").delete()
    ctx = SeedContext(scale=SCALES["small"])
    with CaptureQueriesContext(connection) as queries:
        lecture_demo.seed_lecture_attendance(ctx)
    assert counts() == before
    assert User.objects.filter(school__isnull=False).count() > 40
    assert len(queries) < 40


def check_replay_lecture(attended_signals):
    """lecture-04 (which the demo teacher missed) names a published replay lesson with a
    playable quiz; she sees the replay box, enrols, passes the quiz and is counted."""
    from courses.choices import CompletionCriterion, H5PStatus
    from courses.services.enrolment import enrollment_request
    from tests.courses.enrolment_helpers import t
    from tests.courses.xapi_helpers import post_statement, statement

    lecture = LecturePage.objects.get(slug=lecture_demo.REPLAY_LECTURE_SLUG)
    lesson = lecture.replay_lesson
    assert lesson is not None and lesson.live
    assert lesson.completion_criterion == CompletionCriterion.H5P_PASSED
    assert lecture.replay_credit_until > timezone.localdate()
    (package_id,) = lesson.h5p_package_ids()
    package = H5PPackage.objects.get(pk=package_id)
    assert package.status == H5PStatus.VALID and package.title == lecture_demo.REPLAY_QUIZ_TITLE
    course = lesson.get_parent().specific
    assert course.code == lecture_demo.REPLAY_COURSE_CODE and course.hours == 0

    teacher = User.objects.get(staff_no="teacher")
    assert not Attendance.objects.filter(user=teacher, lecture=lecture).exists()
    client = Client()
    client.force_login(teacher)
    html = client.get(lecture.url).content.decode()
    assert t("Not counted yet.") in html and f'href="{course.url}"' in html

    enrollment_request(user=teacher, course=course)
    response = post_statement(client, lesson, package, statement(package))
    assert response.json()["lesson_completed"] is True
    attendance = Attendance.objects.get(user=teacher, lecture=lecture)
    assert attendance.method == AttendanceMethod.REPLAY
    # The series needs feedback for credit: not yet sent.
    assert attended_signals.count("teacher") == 7
