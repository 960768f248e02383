"""Word segmentation for search, applied identically to indexed text and to queries.

Wagtail's database backends index a run of Chinese characters as one token, so
情绪管理 would never match 青春期学生情绪管理案例. We index an extra field holding the
text cut into words (search mode: overlapping sub-words too) and cut queries the same way.
"""

import re
from collections.abc import Iterable

import rjieba
from django.utils.html import strip_tags
from wagtail import blocks

_NOISE = re.compile(r"[^\w]+", re.UNICODE)

# Function words a teacher types around the words that matter (如何 和 家长 沟通). Dropped from
# queries only, and only when something else is left: with AND they would exclude pages
# that say the same thing in other words.
QUERY_STOPWORDS = frozenset(
    (
        "的 了 和 与 及 或 在 是 对 把 被 吗 呢 啊 有 "
        "怎么 怎么办 怎样 如何 什么 哪些 为什么 应该 可以 一个"
    ).split()
)


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


def _tiles(word: str) -> list[str]:
    """A long word as the shorter dictionary words that cover it exactly (手机游戏 -> 手机 游戏),
    or itself when they overlap or leave a gap (青春期, 接电话)."""
    parts = {part.lower() for part in rjieba.cut_for_search(word)} - {word}
    if len(word) < 3 or not parts:
        return [word]
    tiles, i = [], 0
    while i < len(word):
        step = max((p for p in parts if word.startswith(p, i)), key=len, default=None)
        if step is None:
            return [word]
        tiles.append(step)
        i += len(step)
    return tiles


def query_terms(query: str, max_length: int = 200, max_terms: int = 12) -> list[str]:
    """The words a search must find. The query is cut in precise mode (no overlapping
    words, so AND does not ask for both 青春 and 青春期); a long word that is exactly two
    shorter ones becomes those, since the index holds them wherever the long one is. Function
    words and single characters go when longer words are left."""
    words = []
    for token in rjieba.cut((query or "")[:max_length]):
        token = _NOISE.sub("", token).lower()
        if token:
            words.extend(_tiles(token))
    words = list(dict.fromkeys(words))
    content = [word for word in words if word not in QUERY_STOPWORDS] or words
    content = [word for word in content if len(word) > 1] or content
    return content[:max_terms]


def _block_text(block, value) -> list[str]:
    """Searchable text of a block value, without choice labels: a heading's "Section (h2)"
    is form data, not words a reader would search for or want in a snippet."""
    if value is None or isinstance(block, blocks.ChoiceBlock):
        return []
    if isinstance(block, blocks.StreamBlock):
        return [text for child in value for text in _block_text(child.block, child.value)]
    if isinstance(block, blocks.StructBlock):
        return [
            text
            for name, child in block.child_blocks.items()
            for text in _block_text(child, value.get(name))
        ]
    if isinstance(block, blocks.ListBlock):
        items = getattr(value, "bound_blocks", None)
        if items is not None:
            return [text for item in items for text in _block_text(item.block, item.value)]
        return [text for item in value for text in _block_text(block.child_block, item)]
    return [str(text) for text in block.get_searchable_content(value)]


def _source_text(value) -> str:
    """A field value as plain text: StreamField through its blocks' searchable content (no
    template rendering, so no queries), rich text and HTML stripped."""
    if value is None:
        return ""
    if callable(value):
        value = value()
    stream_block = getattr(value, "stream_block", None)
    if stream_block is not None:
        return "\n".join(_block_text(stream_block, value))
    if hasattr(value, "render_as_block"):
        value = value.render_as_block()
    return strip_tags(str(value))


class ChineseSearchable:
    """Mixin for page models: list the text sources in `segmented_search_sources` (attribute
    names; StreamField/RichText values are reduced to text) and add
    `index.SearchField("search_segmented")` to `search_fields`."""

    segmented_search_sources: tuple[str, ...] = ("title",)
    # True for types behind a login wall: the site search leaves them out for anonymous
    # visitors (cms.search.query.searchable_page_models).
    search_requires_login: bool = False

    def search_plain_text(self, exclude: tuple[str, ...] = ()) -> str:
        """The sources as readable text (result snippets pass exclude=("title",))."""
        parts = (
            _source_text(getattr(self, name, ""))
            for name in self.segmented_search_sources
            if name not in exclude
        )
        return "\n".join(part for part in parts if part)

    def search_segmented(self) -> str:
        return segment(self.search_plain_text())
