"""Rotating check-in codes (TOTP-like, RFC 4226 truncation) and the check-in itself: the
window, the wrong-code rate limit, then `attendance_record`."""

import hashlib
import hmac
import struct
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Attendance, AttendanceMethod, LecturePage
from .attendance import attendance_record

WRONG_CODE_LIMIT = 5
WRONG_CODE_WINDOW_SECONDS = 600
WRONG_CODE = object()  # _checkin_refusal's answer for a wrong or expired code


class CheckinRateLimited(PermissionDenied):
    """Too many wrong codes from this teacher recently."""


def checkin_step_seconds() -> int:
    """LECTURE_CHECKIN_STEP (default 45 s), held within 30–60 s."""
    step = int(getattr(settings, "LECTURE_CHECKIN_STEP", 45))
    return min(60, max(30, step))


def checkin_early_minutes() -> int:
    return int(getattr(settings, "LECTURE_CHECKIN_EARLY_MINUTES", 30))


def checkin_step(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return int(now.timestamp()) // checkin_step_seconds()


def checkin_code(lecture: LecturePage, step: int) -> str:
    """Six digits from HMAC-SHA256(secret, "<lecture id>:<step>"), RFC 4226 truncation."""
    digest = hmac.new(
        lecture.checkin_secret.encode(), f"{lecture.pk}:{step}".encode(), hashlib.sha256
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def checkin_code_expires_in(now: datetime | None = None) -> int:
    """Seconds until the displayed code rotates."""
    now = now or timezone.now()
    size = checkin_step_seconds()
    return size - int(now.timestamp()) % size


def checkin_code_valid(lecture: LecturePage, code: str, now: datetime | None = None) -> bool:
    """True for the code of the current or the previous step (constant-time compare)."""
    code = (code or "").strip()
    # isascii(): the form's \d also admits ١٢٣٤٥٦, which compare_digest refuses with TypeError.
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    step = checkin_step(now)
    matches = [hmac.compare_digest(checkin_code(lecture, s), code) for s in (step, step - 1)]
    return any(matches)


def checkin_window(lecture: LecturePage) -> tuple[datetime, datetime]:
    return lecture.starts_at - timedelta(minutes=checkin_early_minutes()), lecture.ends_at


def checkin_window_error(lecture: LecturePage, now: datetime) -> str:
    """An explanation when check-in is closed at `now`; "" when it is open."""
    opens, closes = checkin_window(lecture)
    if now < opens:
        local = timezone.localtime(opens)
        return _("Check-in opens %(minutes)s minutes before the lecture, at %(time)s.") % {
            "minutes": checkin_early_minutes(),
            "time": local.strftime("%Y-%m-%d %H:%M"),
        }
    if now > closes:
        return _("The lecture has ended; check-in is closed.")
    return ""


def _wrong_code_key(user, now: datetime) -> str:
    # Fixed ten-minute windows: the key itself expires, whatever the cache backend.
    window = int(now.timestamp()) // WRONG_CODE_WINDOW_SECONDS
    return f"lecture-checkin-wrong:{user.pk}:{window}"


def checkin_wrong_codes(user, now: datetime | None = None) -> int:
    return int(cache.get(_wrong_code_key(user, now or timezone.now()), 0))


def _wrong_code_count(user, now: datetime) -> int:
    key = _wrong_code_key(user, now)
    if cache.add(key, 1, WRONG_CODE_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WRONG_CODE_WINDOW_SECONDS)
        return 1


def lecture_checkin(
    *, user, lecture: LecturePage, code: str, method: str, now: datetime | None = None
) -> tuple[Attendance, bool]:
    """Check the teacher in with a displayed code. Registration is not required: walk-ins
    attend too. Raises ValidationError (closed window, wrong/expired code) or
    CheckinRateLimited; a repeat returns (existing, False) whatever the code."""
    now = now or timezone.now()
    if method not in (AttendanceMethod.QR, AttendanceMethod.CODE):
        raise ValidationError(_("Unknown check-in method."))
    if not user.is_active:
        raise PermissionDenied(_("Your account is not active."))
    # The checks need no query, so they run first; only a refused check-in looks for an
    # existing attendance (a repeat is not refused, whatever the code). An accepted one goes
    # to attendance_record, which finds a repeat itself: one look-up on the hot path.
    refusal = _checkin_refusal(user=user, lecture=lecture, code=code, now=now)
    if refusal is None:
        return attendance_record(user=user, lecture=lecture, method=method, now=now)
    existing = Attendance.objects.filter(user=user, lecture=lecture).first()
    if existing is not None:
        return existing, False
    if refusal is WRONG_CODE:
        raise _wrong_code_error(user, now)
    raise refusal


def _checkin_refusal(*, user, lecture: LecturePage, code: str, now: datetime):
    """Why the check-in is refused: CheckinRateLimited or ValidationError (closed window) to
    raise, WRONG_CODE (counted only once no attendance exists), or None when it may go on."""
    if checkin_wrong_codes(user, now) >= WRONG_CODE_LIMIT:
        seconds_left = WRONG_CODE_WINDOW_SECONDS - int(now.timestamp()) % WRONG_CODE_WINDOW_SECONDS
        return CheckinRateLimited(
            _("Too many wrong codes. Please try again in %(minutes)s minutes.")
            % {"minutes": -(-seconds_left // 60)}
        )
    closed = checkin_window_error(lecture, now)
    if closed:
        return ValidationError(closed)
    if not checkin_code_valid(lecture, code, now):
        return WRONG_CODE
    return None


def _wrong_code_error(user, now: datetime) -> ValidationError:
    """Count the wrong code against the teacher and say how many attempts are left."""
    count = _wrong_code_count(user, now)
    left = max(0, WRONG_CODE_LIMIT - count)
    return ValidationError(
        _(
            "The code is wrong or has expired; codes change every %(seconds)s seconds. "
            "Attempts left: %(left)s."
        )
        % {"seconds": checkin_step_seconds(), "left": left}
    )
