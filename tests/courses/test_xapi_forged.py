"""The xAPI endpoint refuses forged and malformed statements, and the database shows nothing
counted for them."""

import pytest
from django.test import Client

from courses.choices import EnrollmentStatus
from courses.models import H5PResult, LessonProgress, XAPIStatement
from people import roles
from tests.factories.courses import enroll

from .xapi_helpers import login, make_h5p_lesson, make_package, post_json, post_statement, statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def package():
    return make_package()


@pytest.fixture
def lesson(package):
    return make_h5p_lesson(package)


@pytest.fixture
def course(lesson):
    return lesson.get_parent().specific


def assert_nothing_counted():
    assert XAPIStatement.objects.count() == 0
    assert H5PResult.objects.count() == 0
    assert not LessonProgress.objects.filter(status="completed").exists()


def test_another_users_actor_is_ignored(teacher_a, teacher_b, course, lesson, package):
    enroll(teacher_a, course)
    forged_actor = {"name": "王老师", "mbox": f"mailto:{teacher_b.pk}@x", "objectType": "Agent"}
    response = post_statement(
        login(teacher_a), lesson, package, statement(package, actor=forged_actor)
    )
    assert response.status_code == 201
    stored = XAPIStatement.objects.get()
    assert stored.user == teacher_a
    assert stored.raw["actor"]["account"]["name"] == str(teacher_a.pk)
    assert "mbox" not in stored.raw["actor"]
    assert list(H5PResult.objects.values_list("user_id", flat=True)) == [teacher_a.pk]
    assert not LessonProgress.objects.filter(user=teacher_b).exists()


def test_not_enrolled_is_refused(teacher_a, lesson, package):
    response = post_statement(login(teacher_a), lesson, package, statement(package))
    assert response.status_code == 403
    assert response.json()["ok"] is False and response.json()["error"]
    assert_nothing_counted()


def test_pending_enrolment_is_refused(teacher_a, course, lesson, package):
    enroll(teacher_a, course, status=EnrollmentStatus.PENDING)
    response = post_statement(login(teacher_a), lesson, package, statement(package))
    assert response.status_code == 403
    assert_nothing_counted()


def test_pending_and_unenrolled_messages_differ(teacher_a, teacher_b, course, lesson, package):
    enroll(teacher_a, course, status=EnrollmentStatus.PENDING)
    pending = post_statement(login(teacher_a), lesson, package, statement(package)).json()
    stranger = post_statement(login(teacher_b), lesson, package, statement(package)).json()
    assert pending["error"] != stranger["error"]
    assert_nothing_counted()


def test_withdrawn_enrolment_is_refused(teacher_a, course, lesson, package):
    enroll(teacher_a, course, status=EnrollmentStatus.WITHDRAWN)
    assert post_statement(login(teacher_a), lesson, package, statement(package)).status_code == 403
    assert_nothing_counted()


def test_statement_about_another_package_is_refused(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    other = make_package()
    response = post_statement(login(teacher_a), lesson, package, statement(other))
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert_nothing_counted()


def test_statement_without_content_id_is_refused(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    response = post_statement(
        login(teacher_a), lesson, package, statement(package, content_id=None)
    )
    assert response.status_code == 400
    assert_nothing_counted()


def test_package_not_in_this_lesson_is_refused(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    other = make_package()
    make_h5p_lesson(other, course=course)  # playable in the same course, but another lesson
    response = post_statement(login(teacher_a), lesson, other, statement(other))
    assert response.status_code == 400
    assert_nothing_counted()


@pytest.mark.parametrize(
    ("score", "fragment"),
    [
        ({"raw": 5, "max_score": 4}, "raw_gt_max"),
        ({"raw": -1, "max_score": 4, "scaled": None}, "negative"),
        ({"raw": 1, "max_score": 4, "scaled": 0.9}, "inconsistent"),
        ({"raw": 4, "max_score": 4, "scaled": 1.5}, "scaled_gt_1"),
        ({"raw": 0, "max_score": 0, "scaled": None}, "max_zero"),
        ({"raw": 2, "max_score": None, "scaled": None}, "no_max"),
        ({"raw": "4", "max_score": 4, "scaled": None}, "string"),
        ({"raw": True, "max_score": 1, "scaled": None}, "bool"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_bad_scores_are_refused(teacher_a, course, lesson, package, score, fragment):
    enroll(teacher_a, course)
    stmt = statement(package, raw=1, max_score=1)
    stmt["result"]["score"] = {"min": 0, "raw": score["raw"]}
    if score["max_score"] is not None:
        stmt["result"]["score"]["max"] = score["max_score"]
    if score.get("scaled", "auto") not in (None, "auto"):
        stmt["result"]["score"]["scaled"] = score["scaled"]
    response = post_statement(login(teacher_a), lesson, package, stmt)
    assert response.status_code == 400, fragment
    assert response.json()["error"]
    assert_nothing_counted()


def test_raw_below_declared_min_is_refused(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    stmt = statement(package, raw=1, max_score=4)
    stmt["result"]["score"]["min"] = 2
    assert post_statement(login(teacher_a), lesson, package, stmt).status_code == 400
    assert_nothing_counted()


def test_sub_content_statement_is_kept_but_not_counted(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    response = post_statement(login(teacher_a), lesson, package, statement(package, parent=True))
    assert response.status_code == 201
    assert response.json() == {
        "ok": True,
        "counted": False,
        "lesson_completed": False,
        "duplicate": False,
        "recorded": True,
    }
    assert XAPIStatement.objects.get().counted is False
    assert H5PResult.objects.count() == 0
    assert not LessonProgress.objects.filter(status="completed").exists()


@pytest.mark.parametrize("verb", ["attempted", "interacted", "passed", "progressed"])
def test_other_verbs_are_kept_but_not_counted(teacher_a, course, lesson, package, verb):
    enroll(teacher_a, course)
    response = post_statement(login(teacher_a), lesson, package, statement(package, verb=verb))
    assert response.status_code == 201
    assert response.json()["counted"] is False
    assert H5PResult.objects.count() == 0


def test_unknown_verb_is_refused(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    stmt = statement(package)
    stmt["verb"]["id"] = "http://example.com/verbs/completed-course"
    assert post_statement(login(teacher_a), lesson, package, stmt).status_code == 400
    assert_nothing_counted()


@pytest.mark.parametrize("bad_id", [None, "", "not-a-uuid", 12])
def test_statement_id_must_be_a_uuid(teacher_a, course, lesson, package, bad_id):
    enroll(teacher_a, course)
    stmt = statement(package)
    if bad_id is None:
        del stmt["id"]
    else:
        stmt["id"] = bad_id
    assert post_statement(login(teacher_a), lesson, package, stmt).status_code == 400
    assert_nothing_counted()


def test_missing_csrf_token_is_refused(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher_a)
    response = post_statement(client, lesson, package, statement(package))
    assert response.status_code == 403
    assert_nothing_counted()

    # With the token in the X-CSRFToken header the same request is accepted.
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = post_statement(client, lesson, package, statement(package), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_replayed_statement_is_a_no_op(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    client = login(teacher_a)
    stmt = statement(package, raw=1, max_score=2)
    first = post_statement(client, lesson, package, stmt)
    again = post_statement(client, lesson, package, stmt)
    assert first.status_code == 201 and first.json()["duplicate"] is False
    assert again.status_code == 200
    assert again.json() == {
        "ok": True,
        "counted": False,
        "lesson_completed": False,
        "duplicate": True,
        "recorded": False,
    }
    assert XAPIStatement.objects.count() == 1
    assert H5PResult.objects.get().attempts == 1


def test_statement_id_of_another_user_is_refused(teacher_a, teacher_b, course, lesson, package):
    enroll(teacher_a, course)
    enroll(teacher_b, course)
    stmt = statement(package, raw=1, max_score=2)
    assert post_statement(login(teacher_a), lesson, package, stmt).status_code == 201
    response = post_statement(login(teacher_b), lesson, package, stmt)
    assert response.status_code == 409
    assert XAPIStatement.objects.get().user == teacher_a
    assert not H5PResult.objects.filter(user=teacher_b).exists()


def test_too_large_body_is_refused_before_parsing(teacher_a, course, lesson, package, settings):
    settings.XAPI_MAX_BYTES = 2048
    enroll(teacher_a, course)
    stmt = statement(package)
    stmt["result"]["response"] = "x" * 4000
    response = post_statement(login(teacher_a), lesson, package, stmt)
    assert response.status_code == 413
    assert response.json()["ok"] is False
    # Not even valid JSON is parsed when it is too large.
    assert post_json(login(teacher_a), "{" * 5000).status_code == 413
    assert_nothing_counted()


def test_default_size_limit_is_64_kb(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    stmt = statement(package)
    stmt["result"]["response"] = "x" * (64 * 1024)
    assert post_statement(login(teacher_a), lesson, package, stmt).status_code == 413


@pytest.mark.parametrize(
    "payload",
    ["{not json", "[]", '"text"', "", '{"lesson": NaN}', b"\xff\xfe{"],
    ids=["broken", "list", "string", "empty", "nan", "bytes"],
)
def test_invalid_json_is_a_400(teacher_a, course, lesson, package, payload):
    enroll(teacher_a, course)
    response = post_json(login(teacher_a), payload)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert_nothing_counted()


@pytest.mark.parametrize(
    "body",
    [
        {"package": 1, "statement": {}},
        {"lesson": "1", "package": 1, "statement": {}},
        {"lesson": 1, "package": None, "statement": {}},
        {"lesson": 1, "package": 1, "statement": []},
        {"lesson": 2**70, "package": 1, "statement": {}},
        {"lesson": 1, "package": -3, "statement": {}},
    ],
)
def test_bad_envelope_is_a_400(teacher_a, course, lesson, package, body):
    enroll(teacher_a, course)
    assert post_json(login(teacher_a), body).status_code == 400


def test_unknown_or_unpublished_lesson_is_a_404(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    client = login(teacher_a)
    stmt = statement(package)
    body = {"lesson": 999999, "package": package.pk, "statement": stmt}
    assert post_json(client, body).status_code == 404
    lesson.unpublish()
    assert post_statement(client, lesson, package, statement(package)).status_code == 404
    assert_nothing_counted()


def test_anonymous_gets_a_401_not_a_redirect(lesson, package):
    response = post_statement(Client(), lesson, package, statement(package))
    assert response.status_code == 401
    assert response.json()["ok"] is False
    assert_nothing_counted()


def test_get_is_not_allowed(teacher_a):
    assert login(teacher_a).get("/courses/xapi/").status_code == 405


def test_rate_limit_answers_429(teacher_a, teacher_b, course, lesson, package, settings):
    settings.XAPI_RATE_LIMIT = 3
    enroll(teacher_a, course)
    enroll(teacher_b, course)
    client = login(teacher_a)
    codes = [
        post_statement(client, lesson, package, statement(package, verb="interacted")).status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    assert XAPIStatement.objects.filter(user=teacher_a).count() == 3
    response = post_statement(client, lesson, package, statement(package))
    assert response.status_code == 429 and response.json()["error"]
    # The limit is per user.
    other = post_statement(login(teacher_b), lesson, package, statement(package))
    assert other.status_code == 201


def test_course_staff_preview_is_answered_but_not_recorded(make_user, lesson, package):
    lecturer = make_user(roles.LECTURER, staff_no="L001")
    response = post_statement(login(lecturer), lesson, package, statement(package))
    assert response.status_code == 200
    assert response.json()["recorded"] is False and response.json()["counted"] is False
    assert_nothing_counted()


def test_enrolment_in_another_course_does_not_count(teacher_a, lesson, package):
    """Enrolled in a course that plays the same package, posting for a lesson of a course the
    teacher is not in: refused (the enrolment is matched by the lesson's own course)."""
    other_lesson = make_h5p_lesson(package)
    enroll(teacher_a, other_lesson.get_parent().specific)
    client = login(teacher_a)
    assert post_statement(client, lesson, package, statement(package)).status_code == 403
    assert_nothing_counted()
    assert post_statement(client, other_lesson, package, statement(package)).status_code == 201
    assert H5PResult.objects.get().lesson_id == other_lesson.pk


def test_lesson_of_an_unpublished_course_is_closed(teacher_a, course, lesson, package):
    enroll(teacher_a, course)
    course.unpublish()  # the lesson itself stays live
    lesson.refresh_from_db()
    assert lesson.live
    response = post_statement(login(teacher_a), lesson, package, statement(package))
    assert response.status_code == 403
    assert_nothing_counted()
