"""Lecture reminders: the day-before and hour-before windows, once per teacher and kind even
when the task runs twice, only registered teachers, never for past lectures."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from courses.models import LectureRegistration, LectureReminder, RegistrationStatus
from courses.reminder_tasks import lecture_reminders_send as reminders_task
from courses.services.reminders import lecture_reminders_send
from people import roles
from people.models import Notification
from tests.factories.lectures import make_lecture

pytestmark = pytest.mark.django_db


def register(user, lecture, status=RegistrationStatus.REGISTERED):
    return LectureRegistration.objects.create(user=user, lecture=lecture, status=status)


@pytest.fixture
def teachers(make_user, school_a):
    return [
        make_user(roles.TEACHER, school_a, staff_no=f"R{n:03d}", email=f"r{n}@example.cn")
        for n in range(3)
    ]


def test_day_before_sent_once_when_run_twice(teachers):
    lecture = make_lecture(starts_in=timedelta(hours=20), title="家校沟通中的倾听与回应")
    for teacher in teachers:
        register(teacher, lecture)

    first = lecture_reminders_send()
    second = lecture_reminders_send()

    assert first == {"day": 3, "hour": 0}
    assert second == {"day": 0, "hour": 0}
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(t.email for t in teachers)
    message = mail.outbox[0]
    assert "家校沟通中的倾听与回应" in message.subject
    assert "青浦区教师进修学院报告厅" in message.body
    assert lecture.get_full_url() in message.body
    local = timezone.localtime(lecture.starts_at)
    assert f"{local:%Y-%m-%d %H:%M}" in message.body
    notes = Notification.objects.filter(key=f"lecture-{lecture.pk}-day")
    assert notes.count() == 3
    assert set(notes.values_list("url", flat=True)) == {lecture.get_url()}
    assert LectureReminder.objects.filter(kind="day").count() == 3


def test_the_celery_task_runs_the_service_and_is_safe_twice(teachers):
    lecture = make_lecture(starts_in=timedelta(minutes=40))
    register(teachers[0], lecture)
    reminders_task.delay()
    reminders_task.delay()
    assert len(mail.outbox) == 1
    assert (
        Notification.objects.filter(user=teachers[0], key=f"lecture-{lecture.pk}-hour").count() == 1
    )


def test_day_then_hour_each_once(teachers):
    lecture = make_lecture(starts_in=timedelta(hours=23))
    register(teachers[0], lecture)
    now = timezone.now()
    lecture_reminders_send(now=now)
    lecture_reminders_send(now=now + timedelta(hours=10))  # still in the day window: nothing
    lecture_reminders_send(now=now + timedelta(hours=22, minutes=30))  # 30 min before
    lecture_reminders_send(now=now + timedelta(hours=22, minutes=40))
    kinds = sorted(LectureReminder.objects.values_list("kind", flat=True))
    assert kinds == ["day", "hour"]
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(user=teachers[0]).count() == 2


@pytest.mark.parametrize(
    ("starts_in", "expected"),
    [
        (timedelta(hours=24, minutes=1), {"day": 0, "hour": 0}),  # too early
        (timedelta(hours=24), {"day": 1, "hour": 0}),  # edge: exactly 24 h
        (timedelta(hours=1, minutes=1), {"day": 1, "hour": 0}),
        (timedelta(hours=1), {"day": 0, "hour": 1}),  # edge: exactly 1 h
        (timedelta(minutes=1), {"day": 0, "hour": 1}),
        (timedelta(0), {"day": 0, "hour": 0}),  # started
        (-timedelta(hours=2), {"day": 0, "hour": 0}),  # past
    ],
)
def test_windows(teachers, starts_in, expected):
    now = timezone.now()
    lecture = make_lecture(starts_at=now + starts_in)
    register(teachers[0], lecture)
    assert lecture_reminders_send(now=now) == expected


def test_waitlisted_cancelled_and_inactive_teachers_are_not_reminded(teachers, make_user, school_a):
    lecture = make_lecture(starts_in=timedelta(hours=5))
    register(teachers[0], lecture)
    register(teachers[1], lecture, RegistrationStatus.WAITLISTED)
    register(teachers[2], lecture, RegistrationStatus.CANCELLED)
    gone = make_user(roles.TEACHER, school_a, staff_no="GONE", email="gone@example.cn")
    gone.is_active = False
    gone.save()
    register(gone, lecture)
    lecture_reminders_send()
    assert [m.to for m in mail.outbox] == [[teachers[0].email]]
    assert list(Notification.objects.values_list("user_id", flat=True)) == [teachers[0].pk]


def test_past_and_unpublished_lectures_are_not_reminded(teachers):
    past = make_lecture(starts_in=-timedelta(days=1))
    draft = make_lecture(starts_in=timedelta(hours=3))
    draft.unpublish()
    register(teachers[0], past)
    register(teachers[0], draft)
    assert lecture_reminders_send() == {"day": 0, "hour": 0}
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_teacher_without_email_gets_the_notification_only(make_user, school_a):
    teacher = make_user(roles.TEACHER, school_a, staff_no="NOMAIL", email="")
    lecture = make_lecture(starts_in=timedelta(hours=3))
    register(teacher, lecture)
    lecture_reminders_send()
    assert mail.outbox == []
    assert Notification.objects.filter(user=teacher).count() == 1


def test_a_reminder_already_recorded_is_not_sent_again(teachers):
    """A concurrent run that inserted the row first owns it: this run sends nothing for it."""
    lecture = make_lecture(starts_in=timedelta(hours=3))
    register(teachers[0], lecture)
    register(teachers[1], lecture)
    LectureReminder.objects.create(user=teachers[0], lecture=lecture, kind="day")
    assert lecture_reminders_send() == {"day": 1, "hour": 0}
    assert [m.to for m in mail.outbox] == [[teachers[1].email]]


def _queries_for(make_user, school_a, *, per_lecture: int, prefix: str) -> tuple[int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for starts_in in (timedelta(hours=3), timedelta(hours=5), timedelta(minutes=30)):
        lecture = make_lecture(starts_in=starts_in)
        for n in range(per_lecture):
            user = make_user(
                roles.TEACHER, school_a, staff_no=f"{prefix}{lecture.pk}-{n}", email=f"{n}@x.cn"
            )
            register(user, lecture)
    with CaptureQueriesContext(connection) as queries:
        sent = lecture_reminders_send()
    return len(queries), sent


def test_query_count_does_not_grow_with_registrations(make_user, school_a):
    small, sent_small = _queries_for(make_user, school_a, per_lecture=2, prefix="S")
    assert sent_small == {"day": 4, "hour": 2}
    mail.outbox.clear()
    large, sent_large = _queries_for(make_user, school_a, per_lecture=25, prefix="L")
    assert large <= small
    assert sent_large == {"day": 50, "hour": 25}
    assert len(mail.outbox) == 75


def test_query_count_is_pinned(teachers, django_assert_max_num_queries):
    lecture = make_lecture(starts_in=timedelta(hours=3))
    for teacher in teachers:
        register(teacher, lecture)
    # Per kind with due lectures: lectures, lock, before, registrations, insert, after,
    # notifications, e-mails (+ savepoints); the site root paths once.
    with django_assert_max_num_queries(14):
        lecture_reminders_send()


def test_mail_failure_does_not_resend(teachers, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    lecture = make_lecture(starts_in=timedelta(hours=3))
    register(teachers[0], lecture)

    def broken(self, messages):
        raise ConnectionRefusedError

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    lecture_reminders_send()
    monkeypatch.undo()
    lecture_reminders_send()
    assert mail.outbox == []
    assert Notification.objects.filter(user=teachers[0]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_runs_send_each_reminder_once(make_user, school_a):
    """Six workers running the task at the same moment (PostgreSQL: real concurrent writers)
    send each teacher one notification and one e-mail."""
    import threading

    from django.db import connections

    now = timezone.now()
    lectures = [make_lecture(starts_at=now + timedelta(hours=h)) for h in (3, 5)]
    teachers = [
        make_user(roles.TEACHER, school_a, staff_no=f"C{n:03d}", email=f"c{n}@example.cn")
        for n in range(20)
    ]
    for lecture in lectures:
        for teacher in teachers:
            register(teacher, lecture)
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    outcomes, errors = [], []

    def work():
        try:
            barrier.wait()
            outcomes.append(lecture_reminders_send(now=now))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(outcome["day"] for outcome in outcomes) == 40
    assert len(mail.outbox) == 40
    assert Notification.objects.count() == 40
    assert LectureReminder.objects.count() == 40
