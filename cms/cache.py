"""A Redis cache that degrades instead of failing when Redis is down.

Pages must keep answering without Redis: the cache only holds rate-limit counters, debounce
keys and memoised values, all of which may be lost. Each operation that cannot reach Redis
logs a warning and answers as an empty cache would (a read misses, an add "succeeds", an
incr starts from zero), like django-redis' IGNORE_EXCEPTIONS. /healthz uses `ping()`,
which does raise, to name the cache as the failing part.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class FailSafeRedisCache(RedisCache):
    def _degraded(self, operation: str, fallback):
        logger.warning("cache: Redis unavailable during %s; answering without it", operation)
        return fallback

    def ping(self) -> None:
        """Raise when Redis cannot be reached (for the health check)."""
        self._cache.get_client(write=True).ping()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE:
            return self._degraded("add", True)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE:
            return self._degraded("get", default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except UNAVAILABLE:
            return self._degraded("set", None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE:
            return self._degraded("touch", False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE:
            return self._degraded("delete", False)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE:
            return self._degraded("get_many", {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE:
            return self._degraded("has_key", False)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE:
            return self._degraded("incr", delta)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE:
            return self._degraded("set_many", list(data))

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except UNAVAILABLE:
            return self._degraded("delete_many", None)

    def clear(self):
        """Delete this cache's keys, those under its KEY_PREFIX, and only those. Django's
        clear() is FLUSHDB, which also deletes the keys of every other deployment or test
        run that shares the Redis database under its own prefix (two tier-2 test runs at
        once lost each other's cached site root and counted one query too many). Without a
        prefix the cache owns the database, and FLUSHDB stays."""
        try:
            if not self.key_prefix:
                return super().clear()
            client = self._cache.get_client(write=True)
            pattern = self.key_prefix.replace("\\", "\\\\")
            for char in "*?[]":
                pattern = pattern.replace(char, "\\" + char)
            batch = []
            for key in client.scan_iter(match=pattern + ":*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.delete(*batch)
                    batch.clear()
            if batch:
                client.delete(*batch)
            return True
        except UNAVAILABLE:
            return self._degraded("clear", False)
