"""Records xAPI statements from the lesson page's H5P player and decides, on the server, what
they count for.

The browser is not trusted: identity comes from the session, the statement's actor is
replaced, the user must be learning the lesson's course, the lesson must play the package,
the statement must name that package as its H5P content, and scores must be consistent.
Only top-level `answered`/`completed` statements with a valid score count; they update the
`H5PResult` and may complete an "H5P passed" lesson. A fixed number of queries per statement.
"""

import functools
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms import hotpath
from cms.hotpath import live_page_get, live_page_sql, parent_path_sql

from ..choices import CompletionCriterion, EnrollmentStatus, LessonStatus
from ..models import (
    Enrollment,
    H5PResult,
    LessonPackage,
    LessonPage,
    LessonProgress,
    XAPIStatement,
)
from ..selectors.access import LEARNING_STATUSES, lesson_course_path, user_is_course_staff
from .completion import h5p_lesson_passed, lesson_complete

VERB_PREFIX = "http://adlnet.gov/expapi/verbs/"
# The verbs H5P's XAPIEvent allows (H5P.XAPIEvent.allowedXAPIVerbs in h5p-standalone 3.8.2).
KNOWN_VERBS = frozenset(
    VERB_PREFIX + verb
    for verb in (
        "answered asked attempted attended commented completed exited experienced failed "
        "imported initialized interacted launched mastered passed preferred progressed "
        "registered responded resumed scored shared suspended terminated voided downloaded "
        "copied accessed-reuse accessed-embed accessed-copyright"
    ).split()
)
COUNTED_VERBS = frozenset({VERB_PREFIX + "answered", VERB_PREFIX + "completed"})
LOCAL_CONTENT_ID = "http://h5p.org/x-api/h5p-local-content-id"
SCALED_TOLERANCE = Decimal("0.01")
MAX_RAW_SCORE = Decimal("1000000")
SCALED_PLACES = Decimal("0.0001")
RAW_PLACES = Decimal("0.01")


def xapi_max_bytes() -> int:
    return int(getattr(settings, "XAPI_MAX_BYTES", 64 * 1024))


def xapi_rate_limit() -> int:
    return int(getattr(settings, "XAPI_RATE_LIMIT", 120))


class XAPIError(Exception):
    """A statement refused: `message` is shown to the user, `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class XAPIScore:
    raw: Decimal
    max: Decimal
    scaled: Decimal


@dataclass(frozen=True)
class ParsedStatement:
    statement_id: uuid.UUID
    verb: str
    top_level: bool
    score: XAPIScore | None
    success: bool | None
    completion: bool | None

    @property
    def counts(self) -> bool:
        return self.top_level and self.verb in COUNTED_VERBS and self.score is not None


@dataclass(frozen=True)
class XAPIOutcome:
    counted: bool = False
    lesson_completed: bool = False
    duplicate: bool = False
    recorded: bool = True


# --- Parsing: no database ----------------------------------------------------------------


def _number(value, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise XAPIError(_("The score's “%(name)s” must be a number.") % {"name": name})
    if isinstance(value, float) and not math.isfinite(value):
        raise XAPIError(_("The score's “%(name)s” must be a finite number.") % {"name": name})
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:  # pragma: no cover - str(int|float) always parses
        raise XAPIError(_("The score's “%(name)s” must be a number.") % {"name": name}) from exc


def _score(result: dict, verb_counts: bool) -> XAPIScore | None:
    score = result.get("score")
    if score is None:
        return None
    if not isinstance(score, dict):
        raise XAPIError(_("The statement's result.score must be an object."))
    if "raw" not in score:
        raise XAPIError(_("The score has no raw value."))
    raw = _number(score["raw"], "raw")
    if raw < 0:
        raise XAPIError(_("The raw score cannot be negative."))
    if "max" not in score:
        if verb_counts:
            raise XAPIError(_("The score has no maximum, so it cannot be counted."))
        return None
    maximum = _number(score["max"], "max")
    if maximum <= 0:
        raise XAPIError(_("The maximum score must be greater than 0."))
    if maximum > MAX_RAW_SCORE:
        raise XAPIError(_("The maximum score is implausibly large."))
    if raw > maximum:
        raise XAPIError(_("The raw score is greater than the maximum score."))
    if "min" in score and _number(score["min"], "min") > raw:
        raise XAPIError(_("The raw score is below the minimum score."))
    expected = raw / maximum
    if "scaled" in score:
        scaled = _number(score["scaled"], "scaled")
        if not Decimal(0) <= scaled <= Decimal(1):
            raise XAPIError(_("The scaled score must be between 0 and 1."))
        if abs(scaled - expected) > SCALED_TOLERANCE:
            raise XAPIError(_("The scaled score does not match the raw and maximum scores."))
    return XAPIScore(
        raw=raw.quantize(RAW_PLACES),
        max=maximum.quantize(RAW_PLACES),
        scaled=expected.quantize(SCALED_PLACES),
    )


def xapi_statement_parse(statement, *, package_id: int) -> ParsedStatement:
    """Check one statement's shape and scores, and that it is about `package_id` (the content
    id the lesson page gave h5p-standalone). Raises XAPIError."""
    if not isinstance(statement, dict):
        raise XAPIError(_("The statement must be a JSON object."))
    try:
        statement_id = uuid.UUID(str(statement.get("id", "")))
    except ValueError as exc:
        raise XAPIError(_("The statement has no valid id (a UUID is required).")) from exc

    verb = statement.get("verb")
    verb_id = verb.get("id") if isinstance(verb, dict) else None
    if not isinstance(verb_id, str) or verb_id not in KNOWN_VERBS:
        raise XAPIError(_("The statement's verb is not a known xAPI verb."))

    target = statement.get("object")
    definition = target.get("definition") if isinstance(target, dict) else None
    extensions = definition.get("extensions") if isinstance(definition, dict) else None
    content_id = extensions.get(LOCAL_CONTENT_ID) if isinstance(extensions, dict) else None
    if content_id is None or str(content_id) != str(package_id):
        raise XAPIError(_("The statement is about a different H5P activity than this one."))

    context = statement.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    top_level = not (isinstance(activities, dict) and activities.get("parent"))

    result = statement.get("result")
    if result is None:
        result = {}
    if not isinstance(result, dict):
        raise XAPIError(_("The statement's result must be an object."))
    verb_counts = top_level and verb_id in COUNTED_VERBS
    score = _score(result, verb_counts)
    success = result.get("success") if isinstance(result.get("success"), bool) else None
    completion = result.get("completion") if isinstance(result.get("completion"), bool) else None
    return ParsedStatement(
        statement_id=statement_id,
        verb=verb_id,
        top_level=top_level,
        score=score,
        success=success,
        completion=completion,
    )


# --- Rate limit ----------------------------------------------------------------------------


def xapi_rate_limit_exceeded(*, user) -> bool:
    """Count this request against the user's statements of the current minute (cache-based,
    so it holds across workers when the cache is Redis)."""
    window = int(timezone.now().timestamp() // 60)
    key = f"courses:xapi-rate:{user.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > xapi_rate_limit()


# --- Recording -----------------------------------------------------------------------------


def _actor(user) -> dict:
    return {
        "objectType": "Agent",
        "name": getattr(user, "full_name", "") or str(user),
        "account": {"homePage": settings.WAGTAILADMIN_BASE_URL, "name": str(user.pk)},
    }


@functools.cache
def _lesson_sql() -> str:
    """The statement endpoint's lesson lookup (see `_lesson_for_statement`)."""
    statuses = ", ".join(["%s"] * len(LEARNING_STATUSES))
    return live_page_sql(
        LessonPage,
        f"""EXISTS (SELECT 1 FROM {LessonPackage._meta.db_table} lp
            WHERE lp.lesson_id = s.page_ptr_id AND lp.package_id = %s) AS plays_package""",  # noqa: S608
        f"""EXISTS (SELECT 1 FROM {LessonProgress._meta.db_table} pr
            WHERE pr.user_id = %s AND pr.lesson_id = s.page_ptr_id AND pr.status = %s)
          AS already_completed""",  # noqa: S608
        f"""(SELECT e.id FROM {Enrollment._meta.db_table} e
            INNER JOIN {Page._meta.db_table} c ON c.id = e.course_id
            WHERE e.user_id = %s AND e.status IN ({statuses}) AND c.live
              AND c.path = {parent_path_sql()}
            LIMIT 1) AS learning_enrollment_id""",  # noqa: S608
    )


def _lesson_for_statement(*, user, lesson_id: int, package_id: int) -> LessonPage:
    """The live lesson, annotated in the same query with whether it plays the package
    (`plays_package`, as `lesson_plays_package`), whether the user has already completed it
    (`already_completed`) and the user's learning enrolment in its course
    (`learning_enrollment_id`, as `lesson_learning_enrollment`: the live parent course matched
    by its tree path): one query instead of three on the endpoint's hot path.

    Written in SQL (cms.hotpath) because it runs on every statement: the same query built
    with the ORM cost 1.8 ms of CPU to compile per request, this 0.3 ms.
    tests/courses/test_xapi_rules.py holds each condition on SQLite and PostgreSQL."""
    params = [
        package_id,
        user.pk,
        LessonStatus.COMPLETED,
        user.pk,
        *LEARNING_STATUSES,
        Page.steplen,
        lesson_id,
    ]
    lesson = live_page_get(
        LessonPage,
        _lesson_sql(),
        params,
        ("plays_package", "already_completed", "learning_enrollment_id"),
    )
    if lesson is None:
        raise XAPIError(_("This lesson does not exist or is not published."), status=404)
    # SQLite answers EXISTS with 0/1.
    lesson.plays_package = bool(lesson.plays_package)
    lesson.already_completed = bool(lesson.already_completed)
    return lesson


def _not_learning_error(user, lesson: LessonPage) -> XAPIError:
    pending = Enrollment.objects.filter(
        user=user, course__path=lesson_course_path(lesson), status=EnrollmentStatus.PENDING
    ).exists()
    if pending:
        return XAPIError(
            _("Your enrolment in this course is awaiting approval; results are not recorded yet."),
            status=403,
        )
    return XAPIError(
        _("You are not enrolled in this course, so your results are not recorded."), status=403
    )


@functools.cache
def _result_update_sql(vendor: str, success: bool) -> str:
    """The UPDATE of `_result_update`. SQLite has no GREATEST (its two-argument MAX is the
    same) and compares a text parameter above any number, so there the score is cast to
    NUMERIC, as Django's own Greatest and Value do."""
    scaled = "CAST(%s AS NUMERIC)" if vendor == "sqlite" else "%s"
    greatest = "MAX" if vendor == "sqlite" else "GREATEST"
    passed = ", success = %s" if success else ""
    return (
        f"UPDATE {H5PResult._meta.db_table} SET attempts = attempts + 1, "  # noqa: S608
        f"last_scaled = {scaled}, "
        f"best_scaled = {greatest}(COALESCE(best_scaled, {scaled}), {scaled}), "
        "last_raw = %s, max_raw = %s, completed = %s, last_attempt_at = %s, updated_at = %s"
        f"{passed} WHERE user_id = %s AND lesson_id = %s AND package_id = %s"
    )


def _result_update(*, user, lesson: LessonPage, package_id: int, parsed: ParsedStatement):
    """Race-safe upsert of the H5PResult: one UPDATE with database-side arithmetic, an INSERT
    only for the first attempt (and the UPDATE again if another request inserted first).

    The UPDATE is written in SQL (`_result_update_sql`): it runs on every counted statement,
    and the ORM's queryset with Greatest/Coalesce cost about 0.5 ms of CPU to build and
    compile each time. tests/courses/test_h5p_completion.py holds its arithmetic on both
    databases."""
    score = parsed.score
    now = timezone.now()
    ops = connection.ops
    scaled = ops.adapt_decimalfield_value(score.scaled, 5, 4)
    params = [
        scaled,
        scaled,
        scaled,
        ops.adapt_decimalfield_value(score.raw, 9, 2),
        ops.adapt_decimalfield_value(score.max, 9, 2),
        True,
        ops.adapt_datetimefield_value(now),
        ops.adapt_datetimefield_value(now),
        *([True] if parsed.success else []),
        user.pk,
        lesson.pk,
        package_id,
    ]
    sql = _result_update_sql(connection.vendor, bool(parsed.success))
    if hotpath.execute(sql, params):
        return
    result = H5PResult(
        user=user,
        lesson=lesson,
        package_id=package_id,
        attempts=1,
        last_scaled=score.scaled,
        best_scaled=score.scaled,
        last_raw=score.raw,
        max_raw=score.max,
        success=bool(parsed.success),
        completed=True,
        last_attempt_at=now,
    )
    result.full_clean(exclude=["user", "lesson", "package"], validate_constraints=False)
    try:
        with transaction.atomic():
            result.save(force_insert=True)
    except IntegrityError:
        hotpath.execute(sql, params)


def _duplicate_outcome(*, user, statement_id) -> XAPIOutcome | None:
    owner = (
        XAPIStatement.objects.filter(statement_id=statement_id)
        .values_list("user_id", flat=True)
        .first()
    )
    if owner is None:
        return None
    if owner != user.pk:
        raise XAPIError(_("This statement id has already been used by someone else."), status=409)
    return XAPIOutcome(duplicate=True, recorded=False)


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def xapi_statement_record(*, user, lesson_id, package_id, statement) -> XAPIOutcome:
    """Check and keep one statement from `user` (the session's user) for the H5P package
    `package_id` played in lesson `lesson_id`; update the result and the lesson's completion.
    Raises XAPIError with a message for the user when the statement is refused.

    Course staff who are not enrolled (previewing a lesson) get an outcome with
    recorded=False: their statements are checked but nothing is stored.
    """
    if not _is_id(lesson_id):
        raise XAPIError(_("The request does not say which lesson the activity belongs to."))
    if not _is_id(package_id):
        raise XAPIError(_("The request does not say which H5P activity sent the statement."))
    parsed = xapi_statement_parse(statement, package_id=package_id)
    lesson = _lesson_for_statement(user=user, lesson_id=lesson_id, package_id=package_id)
    if lesson.learning_enrollment_id is None:
        if user_is_course_staff(user):
            return XAPIOutcome(recorded=False)
        raise _not_learning_error(user, lesson)
    if not lesson.plays_package:
        raise XAPIError(_("This H5P activity is not part of this lesson."))

    # No look-up first: the unique statement id makes a replay fail the INSERT, and only
    # then (rarely) is the stored statement read to tell a replay from a stolen id.
    try:
        return _record(
            user=user,
            lesson=lesson,
            package_id=package_id,
            parsed=parsed,
            statement=statement,
        )
    except IntegrityError:
        duplicate = _duplicate_outcome(user=user, statement_id=parsed.statement_id)
        if duplicate is None:
            raise
        return duplicate


STATEMENT_FIELDS = (
    "statement_id",
    "user",
    "package",
    "lesson",
    "verb",
    "scaled",
    "counted",
    "raw",
    "received_at",
)


@functools.cache
def _statement_insert_sql() -> str:
    meta = XAPIStatement._meta
    columns = ", ".join(meta.get_field(name).column for name in STATEMENT_FIELDS)
    marks = ", ".join(["%s"] * len(STATEMENT_FIELDS))
    return f"INSERT INTO {meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608


def _statement_insert(**values) -> None:
    """INSERT the XAPIStatement row, each value prepared by its own field as the ORM would
    (the UUID, the JSON, the time), without building a model instance and an insert query
    for every statement (0.4 ms of CPU). Every value was checked by `xapi_statement_parse`:
    the verb is one of H5P's, the score quantized, the statement parsed JSON. A replayed
    statement id fails the unique index with IntegrityError, as `save()` did."""
    meta = XAPIStatement._meta
    params = [
        meta.get_field(name).get_db_prep_save(values[name], connection) for name in STATEMENT_FIELDS
    ]
    hotpath.execute(_statement_insert_sql(), params)


@transaction.atomic
def _record(*, user, lesson, package_id, parsed: ParsedStatement, statement) -> XAPIOutcome:
    _statement_insert(
        statement_id=parsed.statement_id,
        user=user.pk,
        package=package_id,
        lesson=lesson.pk,
        verb=parsed.verb,
        scaled=parsed.score.scaled if parsed.score else None,
        counted=parsed.counts,
        raw={**statement, "actor": _actor(user)},
        received_at=timezone.now(),
    )
    if not parsed.counts:
        return XAPIOutcome()
    _result_update(user=user, lesson=lesson, package_id=package_id, parsed=parsed)
    completed = False
    if lesson.already_completed:
        return XAPIOutcome(counted=True, lesson_completed=True)
    # Only a score at or above the minimum can make the lesson newly pass, so weaker
    # attempts skip the check.
    if (
        lesson.completion_criterion == CompletionCriterion.H5P_PASSED
        and parsed.score.scaled * 100 >= lesson.min_score
    ):
        passed, lesson_score = h5p_lesson_passed(user=user, lesson=lesson)
        if passed:
            lesson_complete(user=user, lesson=lesson, score=lesson_score)
            completed = True
    return XAPIOutcome(counted=True, lesson_completed=completed)
