"""Chinese-aware site search: one segmenter for indexed text and for queries."""

from .segment import ChineseSearchable, segment, segment_query

__all__ = ["ChineseSearchable", "segment", "segment_query"]
