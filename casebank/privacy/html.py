"""Rich text as plain text with a map back to the HTML, so findings can be reported on the
text an author reads and replaced in the HTML that is stored."""

import html as html_lib
import re

_TOKEN_RE = re.compile(r"<[^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
# Tags that end a line of text: words on both sides must not run together.
_BREAK_TAG_RE = re.compile(r"</?(?:p|br|li|ul|ol|h[1-6]|div|blockquote|tr|td|th|table|hr)\b", re.I)


def html_to_text(source: str) -> tuple[str, list[tuple[int, int]]]:
    """(plain text, spans) where spans[k] is the HTML range that produced text[k]; a line
    break inserted for a block tag has an empty range."""
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for m in _TOKEN_RE.finditer(source):
        for offset, char in enumerate(source[position : m.start()]):
            chars.append(char)
            spans.append((position + offset, position + offset + 1))
        token = m.group()
        if token.startswith("<"):
            if _BREAK_TAG_RE.match(token):
                chars.append("\n")
                spans.append((m.start(), m.start()))
        else:
            for char in html_lib.unescape(token):
                chars.append(char)
                spans.append((m.start(), m.end()))
        position = m.end()
    for offset, char in enumerate(source[position:]):
        chars.append(char)
        spans.append((position + offset, position + offset + 1))
    return "".join(chars), spans


def replace_in_html(source: str, spans: list[tuple[int, int]], replacements) -> str:
    """Apply (start, end, new_text) replacements given in plain-text offsets to the HTML:
    the text of each span goes, the new text (escaped) takes the place of its first
    character, and every tag inside the span stays where it was."""
    edits: dict[tuple[int, int], str] = {}
    for start, end, new_text in replacements:
        first = True
        for k in range(start, end):
            src_start, src_end = spans[k]
            if src_start == src_end:
                continue
            key = (src_start, src_end)
            if first:
                edits[key] = html_lib.escape(new_text, quote=False)
                first = False
            else:
                edits.setdefault(key, "")
    result = source
    for (src_start, src_end), new_text in sorted(edits.items(), reverse=True):
        result = result[:src_start] + new_text + result[src_end:]
    return result
