"""Word segmentation for search, applied identically to indexed text and to queries.

Wagtail's database backends index a run of Chinese characters as one token, so
情绪管理 would never match 青春期学生情绪管理案例. We index an extra field holding the
text cut into words (search mode: overlapping sub-words too) and cut queries the same way.
"""

import re
from collections.abc import Iterable

import rjieba
from django.utils.html import strip_tags

_NOISE = re.compile(r"[^\w]+", re.UNICODE)


def _words(text: str) -> Iterable[str]:
    for token in rjieba.cut_for_search(text):
        token = _NOISE.sub("", token).lower()
        if token:
            yield token


def segment(text: str) -> str:
    """Plain text (HTML is stripped) -> space-separated words for the index."""
    if not text:
        return ""
    return " ".join(_words(strip_tags(str(text))))


def segment_query(query: str, max_length: int = 200) -> str:
    """A user's query -> space-separated words; long queries are cut, punctuation dropped."""
    return " ".join(dict.fromkeys(_words((query or "")[:max_length])))


class ChineseSearchable:
    """Mixin for page models: list the text sources in `segmented_search_sources` (attribute
    names; StreamField/RichText values are rendered to text) and add
    `index.SearchField("search_segmented")` to `search_fields`."""

    segmented_search_sources: tuple[str, ...] = ("title",)

    def search_segmented(self) -> str:
        parts = []
        for name in self.segmented_search_sources:
            value = getattr(self, name, "")
            if callable(value):
                value = value()
            if hasattr(value, "render_as_block"):
                value = value.render_as_block()
            parts.append(str(value or ""))
        return segment("\n".join(parts))
