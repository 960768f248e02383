"""Replay attendance: passing the replay lesson's H5P quiz (through the real xAPI endpoint)
after the lecture has ended, by the deadline, records one REPLAY attendance and credits it
like any attendance; the lecture's clean() guards the setting; the lecture page shows the
replay box; the admin lists and exports the method."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.choices import CompletionCriterion, LessonStatus
from courses.models import Attendance, AttendanceMethod, LecturePage, LessonProgress
from courses.services.attendance import (
    attendance_record,
    attendance_replay_record,
    lecture_feedback_submit,
)
from courses.signals import lecture_attended
from people import roles
from people.models import LecturerProfile
from tests.courses.enrolment_helpers import client_for, t
from tests.factories.courses import enroll, make_lesson
from tests.factories.lectures import lecture_series, make_lecture

from .xapi_helpers import login, make_h5p_lesson, make_package, post_statement, statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    lecture_attended.connect(receiver, weak=False)
    yield calls
    lecture_attended.disconnect(receiver)


@pytest.fixture
def package():
    return make_package()


@pytest.fixture
def lesson(package):
    return make_h5p_lesson(package, min_score=80)


@pytest.fixture
def course(lesson):
    return lesson.get_parent().specific


@pytest.fixture
def client(teacher_a, course):
    enroll(teacher_a, course)
    return login(teacher_a)


def past_lecture(lesson, *, feedback_required=False, **fields):
    """A lecture that ended an hour ago, with `lesson` as its replay lesson."""
    return make_lecture(
        starts_in=-timedelta(minutes=150),
        minutes=90,
        series=lecture_series(feedback_required=feedback_required),
        replay_lesson=lesson,
        **fields,
    )


def pass_quiz(client, lesson, package):
    response = post_statement(client, lesson, package, statement(package, raw=5, max_score=5))
    assert response.status_code == 201
    return response.json()


def fail_quiz(client, lesson, package):
    response = post_statement(
        client, lesson, package, statement(package, raw=1, max_score=5, success=False)
    )
    assert response.status_code == 201
    return response.json()


# --- recording -------------------------------------------------------------------------------


def test_passing_after_the_end_records_one_replay_attendance(
    client, teacher_a, lesson, package, received
):
    lecture = past_lecture(lesson)
    assert pass_quiz(client, lesson, package)["lesson_completed"] is True
    attendance = Attendance.objects.get()
    assert attendance.user == teacher_a and attendance.lecture_id == lecture.pk
    assert attendance.method == AttendanceMethod.REPLAY
    assert attendance.credited_at is not None
    assert len(received) == 1
    assert received[0]["user"] == teacher_a and received[0]["lecture"].pk == lecture.pk
    assert received[0]["hours"] == lecture.credit_hours


def test_feedback_required_series_credits_after_the_feedback(
    client, teacher_a, lesson, package, received
):
    lecture = past_lecture(lesson, feedback_required=True)
    pass_quiz(client, lesson, package)
    attendance = Attendance.objects.get()
    assert attendance.method == AttendanceMethod.REPLAY and attendance.credited_at is None
    assert received == []
    lecture_feedback_submit(user=teacher_a, lecture=lecture, rating=4, comment="回放很清楚")
    lecture_feedback_submit(user=teacher_a, lecture=lecture, rating=5)
    assert len(received) == 1
    assert Attendance.objects.get().credited_at is not None


def test_a_failing_score_does_not_count(client, lesson, package, received):
    past_lecture(lesson)
    assert fail_quiz(client, lesson, package)["lesson_completed"] is False
    assert not Attendance.objects.exists() and received == []


def test_passing_before_the_end_does_not_count_even_later(
    client, teacher_a, lesson, package, received
):
    running = make_lecture(
        starts_in=-timedelta(minutes=30),
        series=lecture_series(feedback_required=False),
        replay_lesson=lesson,
    )
    pass_quiz(client, lesson, package)
    assert not Attendance.objects.exists() and received == []
    # After the end the lesson is already complete: a new pass changes nothing.
    with mock.patch("django.utils.timezone.now", return_value=running.ends_at + timedelta(hours=1)):
        pass_quiz(client, lesson, package)
    assert not Attendance.objects.exists() and received == []


def test_passing_after_the_deadline_does_not_count(client, lesson, package, received):
    past_lecture(
        lesson,
        starts_at=timezone.now() - timedelta(days=5),
        replay_credit_until=timezone.localdate() - timedelta(days=1),
    )
    pass_quiz(client, lesson, package)
    assert LessonProgress.objects.get().status == LessonStatus.COMPLETED
    assert not Attendance.objects.exists() and received == []


def test_passing_on_the_deadline_day_counts(client, lesson, package, received):
    past_lecture(
        lesson,
        starts_at=timezone.now() - timedelta(days=5),
        replay_credit_until=timezone.localdate(),
    )
    pass_quiz(client, lesson, package)
    assert Attendance.objects.get().method == AttendanceMethod.REPLAY
    assert len(received) == 1


def test_a_live_attendee_keeps_the_live_record(client, teacher_a, lesson, package, received):
    lecture = past_lecture(lesson)
    live, _ = attendance_record(
        user=teacher_a,
        lecture=lecture,
        method=AttendanceMethod.QR,
        now=lecture.starts_at + timedelta(minutes=5),
    )
    assert len(received) == 1
    pass_quiz(client, lesson, package)
    attendance = Attendance.objects.get()
    assert attendance.pk == live.pk and attendance.method == AttendanceMethod.QR
    assert attendance.checked_in_at == live.checked_in_at
    assert len(received) == 1


def test_twice_is_once(client, teacher_a, lesson, package, received):
    past_lecture(lesson)
    pass_quiz(client, lesson, package)
    pass_quiz(client, lesson, package)
    assert attendance_replay_record(user=teacher_a, lesson=lesson) == []
    assert Attendance.objects.count() == 1 and len(received) == 1


def test_every_lecture_naming_the_lesson_counts_but_not_unpublished_or_others(
    client, lesson, package, received
):
    first = past_lecture(lesson)
    second = past_lecture(lesson)
    unpublished = past_lecture(lesson)
    unpublished.unpublish()
    other = past_lecture(make_h5p_lesson(make_package()))
    pass_quiz(client, lesson, package)
    assert set(Attendance.objects.values_list("lecture_id", flat=True)) == {first.pk, second.pk}
    assert other.pk not in {kwargs["lecture"].pk for kwargs in received}
    assert len(received) == 2


def test_other_teachers_and_other_lessons_are_untouched(
    client, teacher_a, teacher_b, course, lesson, package
):
    past_lecture(lesson)
    other_package = make_package()
    other_lesson = make_h5p_lesson(other_package, course=course)
    pass_quiz(client, other_lesson, other_package)
    assert not Attendance.objects.exists()
    pass_quiz(client, lesson, package)
    assert list(Attendance.objects.values_list("user_id", flat=True)) == [teacher_a.pk]


def test_finding_the_lectures_is_one_query(teacher_a, lesson, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert attendance_replay_record(user=teacher_a, lesson=lesson) == []


# --- clean() -----------------------------------------------------------------------------------


def clean_errors(lecture) -> dict:
    with pytest.raises(ValidationError) as caught:
        lecture.clean()
    return caught.value.message_dict


def test_clean_accepts_a_live_quiz_lesson(lesson):
    lecture = past_lecture(lesson, replay_credit_until=timezone.localdate() + timedelta(days=30))
    lecture.clean()


def test_clean_rejects_a_lesson_without_the_quiz_criterion(course):
    viewed = make_lesson(course, criterion=CompletionCriterion.VIEWED)
    lecture = make_lecture(starts_in=-timedelta(days=1))
    lecture.replay_lesson = viewed
    assert clean_errors(lecture) == {
        "replay_lesson": [
            t(
                "The replay lesson must be completed by passing its H5P activities "
                "(completion criterion “H5P activities passed”)."
            )
        ]
    }


def test_clean_rejects_an_unpublished_lesson(lesson):
    lecture = make_lecture(starts_in=-timedelta(days=1))
    lesson.unpublish()
    lecture.replay_lesson = lesson
    assert clean_errors(lecture) == {"replay_lesson": [t("The replay lesson must be published.")]}


def test_clean_rejects_a_deadline_before_the_end(lesson):
    lecture = make_lecture(starts_in=-timedelta(days=1))
    lecture.replay_lesson = lesson
    lecture.replay_credit_until = timezone.localdate(lecture.ends_at) - timedelta(days=1)
    assert clean_errors(lecture) == {
        "replay_credit_until": [t("The replay deadline cannot be before the lecture ends.")]
    }


def test_clean_rejects_a_deadline_without_a_lesson():
    lecture = make_lecture(starts_in=-timedelta(days=1))
    lecture.replay_credit_until = timezone.localdate()
    assert clean_errors(lecture) == {
        "replay_credit_until": [t("Choose a replay lesson, or leave this empty.")]
    }


def test_publishing_with_a_bad_replay_lesson_fails(course):
    viewed = make_lesson(course, criterion=CompletionCriterion.VIEWED)
    with pytest.raises(ValidationError):
        make_lecture(starts_in=-timedelta(days=1), replay_lesson=viewed)
    assert not LecturePage.objects.filter(replay_lesson=viewed).exists()


# --- lecture page ------------------------------------------------------------------------------


def replay_box_html(client, lecture) -> str | None:
    html = client.get(lecture.url).content.decode()
    if 'id="replay-attendance"' not in html:
        return None
    return html.split('id="replay-attendance"', 1)[1].split("</section>", 1)[0]


def test_page_box_not_before_the_end_nor_without_a_lesson(teacher_a, lesson):
    client = client_for(teacher_a)
    upcoming = make_lecture(replay_lesson=lesson)
    plain = make_lecture(starts_in=-timedelta(days=1))
    assert replay_box_html(client, upcoming) is None
    assert replay_box_html(client, plain) is None


def test_page_box_for_a_teacher_not_enrolled_links_the_course(teacher_a, lesson, course):
    lecture = past_lecture(lesson, replay_credit_until=timezone.localdate() + timedelta(days=10))
    box = replay_box_html(client_for(teacher_a), lecture)
    assert t("Watching the replay and passing its quiz counts as attendance") in box
    assert (timezone.localdate() + timedelta(days=10)).strftime("%Y-%m-%d") in box
    assert t("Only a quiz passed after the lecture has ended counts.") in box
    assert t("Not counted yet.") in box
    assert f'href="{course.url}"' in box and f'href="{lesson.url}"' not in box


def test_page_box_states_of_an_enrolled_teacher(client, teacher_a, lesson, package, course):
    lecture = past_lecture(lesson)
    page_client = client_for(teacher_a)
    box = replay_box_html(page_client, lecture)
    assert t("No deadline.") in box and f'href="{lesson.url}"' in box
    pass_quiz(client, lesson, package)
    box = replay_box_html(page_client, lecture)
    when = timezone.localtime(Attendance.objects.get().checked_in_at).strftime("%Y-%m-%d %H:%M")
    assert t("Counted as attended through the replay (%(when)s).", when=when) in box
    # The attendance box shows the method, and asks for feedback as for any attendance.
    html = page_client.get(lecture.url).content.decode()
    assert str(AttendanceMethod.REPLAY.label) in html
    assert reverse("courses:lecture_feedback", args=[lecture.pk]) in html


def test_page_box_for_a_live_attendee(teacher_a, lesson):
    lecture = past_lecture(lesson)
    attendance_record(
        user=teacher_a, lecture=lecture, method=AttendanceMethod.QR, now=lecture.starts_at
    )
    box = replay_box_html(client_for(teacher_a), lecture)
    assert t("You attended this lecture; the replay is not needed for attendance.") in box


def test_page_box_after_the_deadline(teacher_a, lesson):
    lecture = past_lecture(
        lesson,
        starts_at=timezone.now() - timedelta(days=5),
        replay_credit_until=timezone.localdate() - timedelta(days=1),
    )
    box = replay_box_html(client_for(teacher_a), lecture)
    assert t("The replay deadline has passed; the replay no longer counts as attendance.") in box


def test_page_box_after_passing_too_early(client, teacher_a, lesson, package):
    running = make_lecture(
        starts_in=-timedelta(minutes=30),
        series=lecture_series(feedback_required=False),
        replay_lesson=lesson,
    )
    pass_quiz(client, lesson, package)
    with mock.patch("django.utils.timezone.now", return_value=running.ends_at + timedelta(hours=1)):
        box = replay_box_html(client_for(teacher_a), running)
    assert (
        t(
            "You passed this quiz before it counted for this lecture, so it is not counted "
            "as attendance."
        )
        in box
    )


def test_page_box_costs_a_fixed_number_of_queries(
    teacher_a, lesson, package, make_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def query_count(page_client, url):
        page_client.get(url)  # warm the site-root and session caches
        with CaptureQueriesContext(connection) as captured:
            page_client.get(url)
        return len(captured.captured_queries)

    plain = past_lecture(lesson)
    plain.replay_lesson = None
    plain.save_revision().publish()
    with_replay = past_lecture(lesson)
    page_client = client_for(teacher_a)
    without = query_count(page_client, plain.url)
    small = query_count(page_client, with_replay.url)
    assert small <= without + 2
    # More teachers passing the quiz (and being counted) does not change the page's cost.
    for _ in range(5):
        other = make_user(roles.TEACHER)
        enroll(other, lesson.get_parent().specific)
        pass_quiz(login(other), lesson, package)
    assert Attendance.objects.count() == 5
    with django_assert_max_num_queries(small):
        page_client.get(with_replay.url)


# --- admin -------------------------------------------------------------------------------------


def test_admin_lists_and_exports_the_replay_method(
    make_user, school_a, client, teacher_a, lesson, package
):
    lecturer = make_user(roles.LECTURER, school_a, staff_no="LC09", full_name="周讲师")
    lecture = past_lecture(lesson)
    lecture.lecturers.add(LecturerProfile.objects.create(user=lecturer, full_name="周讲师"))
    lecture.save_revision().publish()
    pass_quiz(client, lesson, package)
    admin = login(lecturer)
    detail = admin.get(reverse("courses_lectures:detail", args=[lecture.pk]))
    assert str(AttendanceMethod.REPLAY.label) in detail.content.decode()
    export = admin.get(reverse("courses_lectures:export", args=[lecture.pk, "csv"]))
    body = b"".join(export.streaming_content).decode("utf-8")
    row = next(line for line in body.splitlines() if line.startswith(teacher_a.staff_no))
    assert str(AttendanceMethod.REPLAY.label) in row


def test_admin_edit_form_offers_the_replay_fields(district_admin, lesson):
    lecture = past_lecture(lesson)
    response = login(district_admin).get(reverse("wagtailadmin_pages:edit", args=[lecture.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="replay_lesson"' in html and 'name="replay_credit_until"' in html
