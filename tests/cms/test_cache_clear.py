"""cms.cache.FailSafeRedisCache.clear() deletes its own prefix's keys only (tier 2: a real
Redis). Django's clear() is FLUSHDB, which took the keys of another test run (or another
deployment) sharing the database."""

import os
import uuid

import pytest

from cms.cache import FailSafeRedisCache

pytestmark = pytest.mark.redis


def redis_cache(prefix: str) -> FailSafeRedisCache:
    location = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    return FailSafeRedisCache(location, {"KEY_PREFIX": prefix})


def test_clear_keeps_the_keys_of_other_prefixes():
    run = uuid.uuid4().hex[:8]
    mine, neighbour = redis_cache(f"qp-a-{run}"), redis_cache(f"qp-a-{run}-b")
    glob = redis_cache(f"qp-*-{run}")  # glob characters in a prefix match only themselves
    for cache in (mine, neighbour, glob):
        cache.set_many({f"k{n}": n for n in range(1500)}, timeout=60)
    try:
        assert mine.clear() is True
        assert mine.get_many(["k0", "k1499"]) == {}
        assert neighbour.get("k0") == 0 and neighbour.get("k1499") == 1499
        assert glob.get("k7") == 7
        glob.clear()
        assert glob.get("k7") is None and neighbour.get("k7") == 7
    finally:
        neighbour.clear()
        glob.clear()


def test_clear_without_a_prefix_still_empties_the_database():
    location = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    scratch = location.rsplit("/", 1)[0] + "/13"
    owner = FailSafeRedisCache(scratch, {})
    owner.set("anything", 1)
    owner.clear()
    assert owner._cache.get_client().dbsize() == 0
