"""URLs and views: the xAPI endpoint the lesson page's H5P player posts statements to, and
the lesson page's time-spent heartbeat. Both answer JSON, never a login redirect, and rely
on Django's CSRF check (the X-CSRFToken header)."""

import json

from django.core.cache import cache
from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..models import LessonPage
from ..selectors.access import lesson_learning_enrollment
from ..services.completion import lesson_progress_add_seconds
from ..services.xapi import (
    XAPIError,
    xapi_max_bytes,
    xapi_rate_limit_exceeded,
    xapi_statement_record,
)

# The page sends a heartbeat every minute while visible; one is counted per interval however
# many tabs or forged requests arrive.
HEARTBEAT_SECONDS = 60


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def _reject_constant(value):
    raise ValueError(value)


def _signed_in(request) -> JsonResponse | None:
    user = request.user
    if not user.is_authenticated:
        return _error(_("Please sign in again: your session has ended."), 401)
    if not user.is_active:
        return _error(_("This account is disabled."), 403)
    return None


def _read_body(request) -> bytes:
    """The request body, refused before reading when larger than XAPI_MAX_BYTES."""
    limit = xapi_max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise XAPIError(_("The statement is too large."), status=413)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise XAPIError(_("The statement is too large."), status=413)
    return body


@never_cache
@require_POST
def xapi_statement(request):
    if denied := _signed_in(request):
        return denied
    try:
        body = _read_body(request)
        if xapi_rate_limit_exceeded(user=request.user):
            raise XAPIError(_("Too many statements were sent; please wait a minute."), status=429)
        try:
            data = json.loads(body, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise XAPIError(_("The request body is not valid JSON.")) from exc
        if not isinstance(data, dict):
            raise XAPIError(_("The request body must be a JSON object."))
        outcome = xapi_statement_record(
            user=request.user,
            lesson_id=data.get("lesson"),
            package_id=data.get("package"),
            statement=data.get("statement"),
        )
    except XAPIError as exc:
        return _error(exc.message, exc.status)
    status = 201 if outcome.recorded and not outcome.duplicate else 200
    return JsonResponse(
        {
            "ok": True,
            "counted": outcome.counted,
            "lesson_completed": outcome.lesson_completed,
            "duplicate": outcome.duplicate,
            "recorded": outcome.recorded,
        },
        status=status,
    )


@never_cache
@require_POST
def lesson_heartbeat(request, lesson_id: int):
    if denied := _signed_in(request):
        return denied
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None:
        return _error(_("This lesson does not exist or is not published."), 404)
    if lesson_learning_enrollment(request.user, lesson) is None:
        return _error(_("Time is recorded only for teachers enrolled in this course."), 403)
    key = f"courses:heartbeat:{request.user.pk}:{lesson.pk}"
    counted = cache.add(key, 1, timeout=HEARTBEAT_SECONDS - 5)
    if counted:
        lesson_progress_add_seconds(user=request.user, lesson=lesson, seconds=HEARTBEAT_SECONDS)
    return JsonResponse({"ok": True, "counted": counted})


urlpatterns = [
    path("courses/xapi/", xapi_statement, name="xapi"),
    path("courses/lessons/<int:lesson_id>/heartbeat/", lesson_heartbeat, name="lesson_heartbeat"),
]
