"""Fixed-window rate limits in Django's cache, shared by xAPI, check-in codes and imports.

One counter per (scope, key) and window: `hit()` counts an attempt and says whether the
limit is passed. A cache that is down (Redis gone) never blocks a request: the limit is
then not enforced, which is the better failure for a training site than refusing service.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address; behind TRUSTED_PROXY_COUNT proxies, the one they saw.

    Only the last TRUSTED_PROXY_COUNT hops of X-Forwarded-For are ours; anything left of
    them was written by the client and is not trusted.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) >= proxies:
        return hops[-proxies]
    return remote


@dataclass(frozen=True)
class RateLimit:
    """`limit` attempts per `window` seconds in `scope` (e.g. "checkin")."""

    scope: str
    limit: int
    window: int

    def _cache_key(self, key: str) -> str:
        bucket = int(time.time() // self.window)
        return f"ratelimit:{self.scope}:{key}:{bucket}"

    def hit(self, key: str) -> bool:
        """Count one attempt for `key`; True when it is over the limit."""
        cache_key = self._cache_key(key)
        try:
            # add() is a no-op when the key exists; incr() is atomic on Redis and locmem.
            cache.add(cache_key, 0, timeout=self.window + 1)
            count = cache.incr(cache_key)
        except ValueError:
            # Expired (or flushed) between add() and incr(): the first hit of a new count.
            cache.set(cache_key, 1, timeout=self.window + 1)
            return self.limit < 1
        except Exception:
            logger.warning("rate limit %s: cache unavailable, not enforced", self.scope)
            return False
        return count > self.limit

    def exceeded(self, key: str) -> bool:
        """Whether `key` is already over the limit, without counting an attempt."""
        try:
            return (cache.get(self._cache_key(key)) or 0) >= self.limit
        except Exception:
            logger.warning("rate limit %s: cache unavailable, not enforced", self.scope)
            return False

    def reset(self, key: str) -> None:
        try:
            cache.delete(self._cache_key(key))
        except Exception:
            logger.warning("rate limit %s: cache unavailable", self.scope)


def rate_limit(scope: str) -> RateLimit:
    """The limit named `scope` in settings.RATE_LIMITS: {"scope": (limit, window_seconds)}."""
    limit, window = settings.RATE_LIMITS[scope]
    return RateLimit(scope=scope, limit=int(limit), window=int(window))


class RateLimitedViewsMiddleware:
    """POSTs to the views named in settings.RATE_LIMITED_VIEWS ({"ns:name": scope}) count
    against that scope per user; past the limit the view is not called and a 429 page says
    when to try again. A middleware, so apps below cms (people) need not import cms."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        scope = settings.RATE_LIMITED_VIEWS.get(match.view_name if match else "")
        if scope is None:
            return None
        limiter = rate_limit(scope)
        if not limiter.hit(f"user:{request.user.pk}"):
            return None
        title = _("Too many attempts")
        return TemplateResponse(
            request,
            "cms/rate_limited_admin.html",
            {
                "minutes": -(-limiter.window // 60),
                "limit": limiter.limit,
                "page_title": title,
                "header_title": title,
            },
            status=429,
        )
