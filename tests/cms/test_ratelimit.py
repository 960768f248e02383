"""cms.ratelimit: the fixed-window counter, the client address, and the import upload limit.

(xAPI and check-in limits are tested with their views: tests/courses/test_xapi_forged.py and
tests/courses/test_checkin_views.py.)
"""

from unittest import mock

import pytest
from django.test import RequestFactory

from cms.ratelimit import RateLimit, client_ip

DEAD_REDIS = {
    "default": {
        "BACKEND": "cms.cache.FailSafeRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_counts_per_key_and_blocks_past_the_limit():
    limit = RateLimit(scope="t", limit=3, window=60)
    assert [limit.hit("a") for _ in range(4)] == [False, False, False, True]
    assert limit.hit("b") is False
    assert limit.exceeded("a") is True
    limit.reset("a")
    assert limit.hit("a") is False


def test_a_new_window_starts_from_zero():
    limit = RateLimit(scope="t", limit=1, window=60)
    with mock.patch("cms.ratelimit.time.time", return_value=1_000_000.0):
        assert [limit.hit("a"), limit.hit("a")] == [False, True]
    with mock.patch("cms.ratelimit.time.time", return_value=1_000_060.0):
        assert limit.hit("a") is False


def test_a_cache_that_is_down_never_blocks(settings):
    settings.CACHES = DEAD_REDIS
    limit = RateLimit(scope="t", limit=1, window=60)
    assert [limit.hit("a") for _ in range(3)] == [False, False, False]


def test_client_ip_trusts_only_the_configured_proxy_hops(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.1.2.3"  # the spoofable left part is ignored
    bare = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    assert client_ip(bare) == "127.0.0.1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/admin/roster-import/", "/admin/training-import/"], ids=["roster", "training"]
)
def test_import_uploads_are_limited_per_user(client, district_admin, school_admin_a, settings, url):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "imports": (2, 3600)}
    client.force_login(district_admin)
    codes = [client.post(url, {}).status_code for _ in range(3)]
    assert codes[:2] == [200, 200]  # no file: the form says so
    assert codes[2] == 429
    assert "尝试次数过多" in client.post(url, {}).content.decode()
    # Reading the page is not limited, and another user has their own count.
    assert client.get(url).status_code == 200
    client.force_login(school_admin_a)
    assert client.post(url, {}).status_code == 200
