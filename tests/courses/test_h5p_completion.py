"""Valid statements update the H5P result and complete an "H5P passed" lesson, once; the
endpoint's query count per statement is fixed."""

from decimal import Decimal

import pytest

from courses.choices import CompletionCriterion, EnrollmentStatus, LessonStatus
from courses.models import Enrollment, H5PResult, LessonProgress, XAPIStatement
from courses.services.completion import course_evaluation_submit
from courses.signals import course_completed
from tests.factories.courses import enroll

from .xapi_helpers import login, make_h5p_lesson, make_package, post_statement, statement

pytestmark = pytest.mark.django_db


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


def test_passing_answer_completes_the_lesson_once(client, teacher_a, lesson, package):
    response = post_statement(client, lesson, package, statement(package, raw=4, max_score=5))
    assert response.status_code == 201
    assert response.json() == {
        "ok": True,
        "counted": True,
        "lesson_completed": True,
        "duplicate": False,
        "recorded": True,
    }
    progress = LessonProgress.objects.get(user=teacher_a, lesson=lesson)
    assert progress.status == LessonStatus.COMPLETED
    assert progress.score == Decimal("0.8")
    first_completed_at = progress.completed_at

    again = post_statement(client, lesson, package, statement(package, raw=5, max_score=5))
    assert again.json()["counted"] is True
    progress.refresh_from_db()
    assert progress.completed_at == first_completed_at
    assert progress.score == Decimal("0.8")  # recorded once, not rewritten
    assert LessonProgress.objects.filter(user=teacher_a).count() == 1
    assert Enrollment.objects.get(user=teacher_a).progress == 100


def test_score_below_minimum_does_not_complete(client, teacher_a, lesson, package):
    response = post_statement(
        client, lesson, package, statement(package, raw=3, max_score=4, success=False)
    )
    assert response.json()["counted"] is True
    assert response.json()["lesson_completed"] is False
    result = H5PResult.objects.get()
    assert result.best_scaled == Decimal("0.75") and result.success is False
    assert not LessonProgress.objects.filter(status=LessonStatus.COMPLETED).exists()


def test_completed_verb_also_counts(client, lesson, package):
    response = post_statement(client, lesson, package, statement(package, verb="completed"))
    assert response.json()["lesson_completed"] is True


def test_scaled_is_computed_when_absent(client, lesson, package):
    post_statement(client, lesson, package, statement(package, raw=9, max_score=10, scaled=None))
    assert H5PResult.objects.get().last_scaled == Decimal("0.9")


def test_best_score_kept_when_a_later_attempt_is_worse(client, teacher_a, lesson, package):
    post_statement(client, lesson, package, statement(package, raw=9, max_score=10))
    post_statement(client, lesson, package, statement(package, raw=2, max_score=10, success=False))
    result = H5PResult.objects.get(user=teacher_a, package=package, lesson=lesson)
    assert result.attempts == 2
    assert result.best_scaled == Decimal("0.9")
    assert result.last_scaled == Decimal("0.2")
    assert result.last_raw == Decimal("2") and result.max_raw == Decimal("10")
    assert result.success is True  # passed once stays passed
    assert result.completed is True and result.last_attempt_at is not None
    post_statement(client, lesson, package, statement(package, raw=10, max_score=10))
    result.refresh_from_db()
    assert (result.attempts, result.best_scaled) == (3, Decimal("1"))


def test_every_activity_of_the_lesson_must_pass(teacher_a, course):
    first, second = make_package(), make_package()
    lesson = make_h5p_lesson(first, second, course=course, min_score=60)
    enroll(teacher_a, course)
    client = login(teacher_a)
    one = post_statement(client, lesson, first, statement(first, raw=1, max_score=1))
    assert one.json()["lesson_completed"] is False
    low = post_statement(client, lesson, second, statement(second, raw=1, max_score=2))
    assert low.json()["lesson_completed"] is False
    ok = post_statement(client, lesson, second, statement(second, raw=2, max_score=3))
    assert ok.json()["lesson_completed"] is True
    progress = LessonProgress.objects.get(lesson=lesson)
    assert progress.status == LessonStatus.COMPLETED
    assert progress.score == Decimal("0.6667")  # the lowest best score


def test_viewed_lesson_records_results_without_completing_by_score(teacher_a, course, package):
    lesson = make_h5p_lesson(package, course=course, criterion=CompletionCriterion.LECTURER)
    enroll(teacher_a, course)
    response = post_statement(login(teacher_a), lesson, package, statement(package))
    assert response.json() == {
        "ok": True,
        "counted": True,
        "lesson_completed": False,
        "duplicate": False,
        "recorded": True,
    }
    assert H5PResult.objects.get().best_scaled == Decimal("1")
    assert not LessonProgress.objects.filter(status=LessonStatus.COMPLETED).exists()


def test_course_completes_after_h5p_lesson_and_evaluation(
    client, teacher_a, course, lesson, package
):
    received = []

    def handler(sender, **kwargs):
        received.append(kwargs["user"])

    course_completed.connect(handler)
    try:
        post_statement(client, lesson, package, statement(package))
        assert received == []
        course_evaluation_submit(user=teacher_a, course=course, rating=5, comment="好")
        post_statement(client, lesson, package, statement(package))
    finally:
        course_completed.disconnect(handler)
    assert received == [teacher_a]
    assert Enrollment.objects.get(user=teacher_a).status == EnrollmentStatus.COMPLETED


def test_completed_enrolment_still_records(teacher_a, course, lesson, package):
    enroll(teacher_a, course, status=EnrollmentStatus.COMPLETED)
    response = post_statement(login(teacher_a), lesson, package, statement(package))
    assert response.status_code == 201
    assert XAPIStatement.objects.filter(user=teacher_a).count() == 1


def _fill(course, teachers, statements_each=5):
    """Other teachers' results and statements and more lessons: the per-statement cost must
    not depend on them."""
    from tests.factories.people import UserFactory

    for _ in range(teachers):
        teacher = UserFactory()
        enroll(teacher, course)
        lesson_package = make_package()
        other_lesson = make_h5p_lesson(lesson_package, course=course)
        client = login(teacher)
        for _ in range(statements_each):
            post_statement(
                client, other_lesson, lesson_package, statement(lesson_package, raw=1, max_score=2)
            )


# Session and user (2); the lesson with its package link and the enrolment (1); statement
# INSERT; result UPDATE; and the test transaction's savepoint pair: 7 in the steady state. The
# first passing attempt adds the result INSERT, the lesson check and the completion service,
# once per lesson and teacher.
MAX_QUERIES_PASSING = 27
MAX_QUERIES_STEADY = 7


@pytest.mark.parametrize("others", [0, 6])
def test_query_count_per_statement_is_fixed(
    client, course, lesson, package, django_assert_max_num_queries, others
):
    _fill(course, others)
    with django_assert_max_num_queries(MAX_QUERIES_PASSING):
        response = post_statement(client, lesson, package, statement(package))
    assert response.json()["lesson_completed"] is True
    # The steady state: a repeat attempt below the minimum, a passing one after the lesson
    # is complete (nothing left to decide), and a non-counted statement.
    with django_assert_max_num_queries(MAX_QUERIES_STEADY):
        post_statement(client, lesson, package, statement(package, raw=1, max_score=2))
    with django_assert_max_num_queries(MAX_QUERIES_STEADY):
        response = post_statement(client, lesson, package, statement(package))
    assert response.json()["lesson_completed"] is True
    with django_assert_max_num_queries(MAX_QUERIES_STEADY):
        post_statement(client, lesson, package, statement(package, verb="interacted"))


def test_the_stored_statement_is_what_was_sent_with_the_server_s_actor(
    client, teacher_a, lesson, package
):
    """The statement row is written in SQL (courses.services.xapi._statement_insert): every
    column reads back as the ORM would have stored it, on both databases."""
    import datetime
    import uuid

    from django.utils import timezone

    sent = statement(package, raw=3, max_score=4, success=False)
    sent["object"]["definition"]["name"] = {"zh-CN": "测验：导师的第一次谈话"}
    before = timezone.now()
    post_statement(client, lesson, package, sent)
    stored = XAPIStatement.objects.get()
    assert stored.statement_id == uuid.UUID(sent["id"])
    assert (stored.user, stored.lesson_id, stored.package) == (teacher_a, lesson.pk, package)
    assert stored.verb == sent["verb"]["id"]
    assert stored.scaled == Decimal("0.75") and stored.counted is True
    assert stored.raw == {**sent, "actor": stored.raw["actor"]}
    assert stored.raw["actor"]["account"]["name"] == str(teacher_a.pk)
    assert before <= stored.received_at <= timezone.now() + datetime.timedelta(seconds=1)
    assert XAPIStatement.objects.filter(statement_id=sent["id"], received_at__gte=before).exists()
