"""`scan(text)`: every span of personal data in a text, sorted and non-overlapping."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from . import patterns
from .findings import Finding
from .findings import FindingKind as K
from .known import KnownNames, find_known, known_names
from .names import find_names

# When two detections overlap, the earlier kind in this list wins (then the longer span):
# an e-mail address contains names and digits, a registration number contains an ID, an ID
# is also a long digit run, a class contains its school, an address contains name-like
# characters.
PRIORITY = [
    K.EMAIL,
    K.STUDENT_NUMBER,
    K.ID_CARD,
    K.PHONE,
    K.LANDLINE,
    K.QQ_WECHAT,
    K.LONG_DIGITS,
    K.SCHOOL_CLASS,
    K.ADDRESS,
    K.SCHOOL_NAME,
    K.PERSON_NAME,
]
_RANK = {kind: rank for rank, kind in enumerate(PRIORITY)}


# Full-width digits and Latin letters (１３８…, ｗｘ) typed by Chinese input methods read as
# their ASCII forms; the mapping is one character to one, so offsets stay the same.
_HALF_WIDTH = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},  # ０-９
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},  # Ａ-Ｚ
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},  # ａ-ｚ
    **{ord(c): ord(c) - 0xFEE0 for c in "＠＋－．＿"},
}


def _resolve(candidates: Iterable[Finding]) -> list[Finding]:
    chosen: list[Finding] = []
    taken: list[tuple[int, int]] = []
    ordered = sorted(candidates, key=lambda f: (_RANK[K(f.kind)], f.start - f.end, f.start))
    for finding in ordered:
        if any(finding.start < end and start < finding.end for start, end in taken):
            continue
        chosen.append(finding)
        taken.append((finding.start, finding.end))
    return sorted(chosen)


def scan(
    text: str,
    *,
    known_people: Iterable[str] | None = None,
    known_schools: Iterable[str] | None = None,
    known: KnownNames | None = None,
) -> list[Finding]:
    """Personal data in `text`: findings sorted by start, never overlapping.

    Roster and school names come from the database (cached) unless given explicitly.
    """
    if not text:
        return []
    text = str(text)
    if known is None:
        if known_people is None and known_schools is None:
            known = known_names()
        else:
            default = known_names() if known_people is None or known_schools is None else None
            known = KnownNames.build(
                people=known_people if known_people is not None else default.people,
                schools=known_schools if known_schools is not None else default.schools,
            )

    source, text = text, text.translate(_HALF_WIDTH)
    hits = [
        *patterns.find_emails(text),
        *patterns.find_student_numbers(text),
        *patterns.find_id_numbers(text),
        *patterns.find_phones(text),
        *patterns.find_accounts(text),
        *patterns.find_long_digits(text),
        *patterns.find_school_classes(text, known.schools),
        *patterns.find_addresses(text),
    ]
    candidates = [
        Finding(start, end, str(kind), source[start:end], reason)
        for kind, start, end, reason in hits
    ]
    for kind, start, end in find_known(text, known):
        reason = (
            _("a school on this platform") if kind == K.SCHOOL_NAME else _("a name in the roster")
        )
        candidates.append(Finding(start, end, str(kind), source[start:end], reason))
    for hit in find_names(text):
        candidates.append(
            Finding(
                hit.start,
                hit.end,
                K.PERSON_NAME.value,
                source[hit.start : hit.end],
                _("a full name"),
            )
        )
    return _resolve(candidates)
