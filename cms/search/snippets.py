"""Result snippets: a window of the page's text around the first query words, escaped, with
every hit wrapped in <mark>. Built here, not in the browser, so it works without JS."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_SPACE = re.compile(r"\s+")
_BOUNDARY = re.compile(r".*[。！？；，、：\s.!?;,]")


def _pattern(terms: list[str]) -> re.Pattern | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    # A run of adjacent terms (沉迷手机) is one hit, so it gets one <mark>, not two side by side.
    return re.compile("(?:" + "|".join(re.escape(w) for w in words) + ")+", re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with each occurrence of a term in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped just here
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def snippet(text: str, terms: list[str], *, width: int = 110, before: int = 30) -> SafeString:
    """About `width` characters of `text` starting a little before the first hit (the start
    of the text when nothing matches), with ellipses where it was cut."""
    text = _SPACE.sub(" ", text or "").strip()
    if not text:
        return mark_safe("")
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern else None
    start = 0 if first is None else max(0, first.start() - before)
    if first is not None and start > 0:
        # Start at a clause boundary when there is one before the hit, not mid-word.
        lead = _BOUNDARY.search(text[start : first.start()])
        if lead:
            start += lead.end()
    end = min(len(text), start + width)
    if end - start < width:  # hit near the end: show a full window anyway
        start = max(0, end - width)
    window = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{prefix}{highlight(window, terms)}{suffix}")  # noqa: S308
