"""Replacing findings with placeholders (【姓名】, 【手机号】 … through the translation
catalog), in plain text and in HTML."""

from collections.abc import Iterable

from .findings import Finding
from .html import html_to_text, replace_in_html


def _valid(text: str, findings: Iterable[Finding]) -> list[Finding]:
    """Findings that still describe `text` (stale ones, from an older version, are ignored),
    without overlaps, in order."""
    chosen: list[Finding] = []
    for finding in sorted(findings):
        if text[finding.start : finding.end] != finding.text:
            continue
        if chosen and finding.start < chosen[-1].end:
            continue
        chosen.append(finding)
    return chosen


def redact_text(text: str, findings: Iterable[Finding]) -> str:
    """`text` with every finding replaced by its kind's placeholder."""
    parts, position = [], 0
    for finding in _valid(text, findings):
        parts.append(text[position : finding.start])
        parts.append(finding.placeholder)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def redact_html(source: str, findings: Iterable[Finding]) -> str:
    """The same for rich text: `findings` are offsets in the plain text of `source`."""
    text, spans = html_to_text(source)
    chosen = _valid(text, findings)
    if not chosen:
        return source
    return replace_in_html(source, spans, [(f.start, f.end, f.placeholder) for f in chosen])
