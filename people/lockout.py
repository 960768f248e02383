"""Login lockout rules (django-axes handler) and the queries the unlock screen uses.

Axes compares one failure count with one limit. Our rule has two limits: an account after
AXES_FAILURE_LIMIT failures (from anywhere), an IP after AXES_IP_FAILURE_LIMIT failures
(over any accounts). This handler scales the IP's count onto the account limit, so a school
behind one NAT address is not locked out by one teacher's typos, while password spraying
from one address still is.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


def _count(queryset) -> int:
    return queryset.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountOrIPHandler(AxesDatabaseHandler):
    """Locked when the account or the IP has reached its own limit.

    AXES_LOCKOUT_PARAMETERS is [["username"], ["ip_address"]]: the attempt querysets come
    in that order.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_ip = self.get_user_attempts(request, credentials)
        account_limit = settings.AXES_FAILURE_LIMIT
        ip_limit = max(settings.AXES_IP_FAILURE_LIMIT, 1)
        return max(_count(by_account), _count(by_ip) * account_limit // ip_limit)


def lockouts_current() -> dict:
    """Accounts and IPs locked now: {"accounts": [...], "ips": [...]}, newest first.

    Each row: key (username or IP), failures, last attempt, unlocks_at.
    """
    since = timezone.now() - get_cool_off()
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    accounts = (
        recent.exclude(username__isnull=True)
        .exclude(username="")
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    ips = (
        recent.exclude(ip_address__isnull=True)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_IP_FAILURE_LIMIT)
        .order_by("-last")
    )
    cool_off = get_cool_off()
    return {
        "accounts": [
            {
                "key": row["username"],
                "failures": row["failures"],
                "last": row["last"],
                "unlocks_at": row["last"] + cool_off,
            }
            for row in accounts
        ],
        "ips": [
            {
                "key": row["ip_address"],
                "failures": row["failures"],
                "last": row["last"],
                "unlocks_at": row["last"] + cool_off,
            }
            for row in ips
        ],
    }


def lockout_clear(*, username: str | None = None, ip_address: str | None = None) -> int:
    """Forget the failures of an account or an IP (unlock). Returns attempts removed."""
    from axes.utils import reset

    if username:
        return reset(username=username)
    if ip_address:
        return reset(ip=ip_address)
    return 0


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: our lockout page, 429, saying how long the lock lasts."""
    from django.shortcuts import render

    # render(), not TemplateResponse: axes returns this from its middleware, past the point
    # where Django renders template responses.
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": settings.AXES_COOLOFF_MINUTES},
        status=429,
    )
