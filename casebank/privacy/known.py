"""The platform's own school names and roster names, loaded once and cached.

The cache holds a version token; saving or deleting a School or a User (other than a login
stamp) replaces the token, so every process reloads on its next scan. Within a process the
compiled lookup is kept per token, so a scan costs one cache read, not a query.
"""

import re
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache

from .lexicon import PSEUDONYM_TAILS

VERSION_KEY = "casebank:privacy:known:version"
DATA_KEY = "casebank:privacy:known:data:{token}"
TIMEOUT = 24 * 3600


@dataclass(frozen=True)
class KnownNames:
    """Exact strings to flag, looked up by window length (no per-name regex)."""

    people: frozenset[str] = frozenset()
    schools: frozenset[str] = frozenset()
    people_lengths: tuple[int, ...] = field(default=(), compare=False)
    school_lengths: tuple[int, ...] = field(default=(), compare=False)
    # Roster names that are also everyday words (高峰, 江山, 安静): found only where the
    # context says a person is meant, or every 高峰期 in every case would be flagged.
    word_like_people: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def build(cls, people=(), schools=()) -> "KnownNames":
        from .names import is_prose_word

        people = frozenset(name for name in map(_clean, people) if _is_real_name(name))
        schools = frozenset(
            alias
            for name in map(_clean, schools)
            if len(name) >= 2
            for alias in _school_aliases(name)
        )
        return cls(
            people=people,
            schools=schools,
            people_lengths=tuple(sorted({len(n) for n in people}, reverse=True)),
            school_lengths=tuple(sorted({len(n) for n in schools}, reverse=True)),
            word_like_people=frozenset(name for name in people if is_prose_word(name)),
        )


EMPTY = KnownNames()
_compiled: dict[str, KnownNames] = {}


def _clean(name) -> str:
    return "".join(str(name or "").split())


# 上海市青浦区实验小学 is also written 青浦区实验小学 and 实验小学.
_CITY = re.compile(r"^[\u4e00-\u9fff]{2,3}市")
_DISTRICT = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}市)?[\u4e00-\u9fff]{1,3}[区县]")


def _school_aliases(name: str) -> set[str]:
    aliases = {name}
    for pattern in (_CITY, _DISTRICT):
        m = pattern.match(name)
        if m and len(name) - m.end() >= 4:
            aliases.add(name[m.end() :])
    return aliases


def _is_real_name(name: str) -> bool:
    """Roster rows such as 张老师 or 李某 are labels, not names: flagging them would make
    the pseudonyms the guidance asks for impossible to use."""
    if len(name) < 2:
        return False
    return not any(name[1:].startswith(tail) or name.endswith(tail) for tail in PSEUDONYM_TAILS)


def _version() -> str:
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, TIMEOUT)
        token = cache.get(VERSION_KEY) or ""
    return token


def _load_from_database() -> tuple[list[str], list[str]]:
    from django.contrib.auth import get_user_model

    from people.models import School

    schools = list(School.objects.values_list("name", flat=True))
    people = list(
        get_user_model().objects.exclude(full_name="").values_list("full_name", flat=True)
    )
    return people, schools


def known_names() -> KnownNames:
    """The current school and roster names; empty when there is no database to ask."""
    from django.apps import apps
    from django.db import DatabaseError, transaction

    if not apps.ready:
        return EMPTY
    try:
        token = _version()
        if token in _compiled:
            return _compiled[token]
        data = cache.get(DATA_KEY.format(token=token))
        if data is None:
            # A savepoint: on PostgreSQL a failed query (no tables yet) must not poison the
            # caller's transaction.
            with transaction.atomic():
                data = _load_from_database()
            cache.set(DATA_KEY.format(token=token), data, TIMEOUT)
    except DatabaseError:
        return EMPTY
    names = KnownNames.build(people=data[0], schools=data[1])
    _compiled.clear()  # only the current version is worth keeping
    _compiled[token] = names
    return names


def known_names_changed(sender=None, instance=None, update_fields=None, **kwargs) -> None:
    """post_save / post_delete receiver: a school or user changed, reload on next scan."""
    # A login only stamps last_login; that must not throw away the cache every time.
    if update_fields is not None and not ({"full_name", "name"} & set(update_fields)):
        return
    cache.set(VERSION_KEY, uuid.uuid4().hex, TIMEOUT)


def find_known(text: str, names: KnownNames):
    """(kind, start, end) of every roster name and school name in `text`."""
    from .findings import FindingKind
    from .names import has_name_context

    for lengths, table, kind in (
        (names.school_lengths, names.schools, FindingKind.SCHOOL_NAME),
        (names.people_lengths, names.people, FindingKind.PERSON_NAME),
    ):
        if not table:
            continue
        i, n = 0, len(text)
        while i < n:
            for length in lengths:
                candidate = text[i : i + length]
                if i + length <= n and candidate in table:
                    if candidate in names.word_like_people and not has_name_context(
                        text, i, i + length
                    ):
                        continue
                    yield kind, i, i + length
                    i += length
                    break
            else:
                i += 1


def connect_receivers() -> None:
    """Called from CasebankConfig.ready(): school and roster changes invalidate the cache."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    from people.models import School

    for model in (School, get_user_model()):
        label = model._meta.label_lower
        post_save.connect(
            known_names_changed, sender=model, dispatch_uid=f"privacy-known-save-{label}"
        )
        post_delete.connect(
            known_names_changed, sender=model, dispatch_uid=f"privacy-known-delete-{label}"
        )
