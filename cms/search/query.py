"""Site search reads: which pages match a query, in what order, with which filters.

Retrieval is the configured Wagtail backend (database FTS on SQLite/PostgreSQL, or
OpenSearch/Elasticsearch) over the segmented text. Ordering is the backend's relevance,
then a title pass here: the database backends ignore field boosts on SQLite and hold the
title as one unsegmented token, so "titles beat body matches" is done the same way for every
backend, on the top MAX_CANDIDATES hits.
"""

import math
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from wagtail.models import Page

from people.models import Stage

from .segment import ChineseSearchable, query_terms
from .snippets import snippet

MAX_CANDIDATES = 200
MAX_QUERY_LENGTH = 200
# "and" first: every word must occur. When that finds nothing we relax to "or" and say so
# (measured on tests/cms/search_queries.json: see tests/cms/test_search_recall.py).
OPERATOR = "and"
FALLBACK_OPERATOR = "or"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def clean_query(query: str | None, max_length: int = MAX_QUERY_LENGTH) -> str:
    """What the user typed, safe to store, compare and show: control characters (PostgreSQL
    rejects NUL in text) become spaces, runs of space collapse, the length is capped."""
    return " ".join(_CONTROL.sub(" ", (query or "")[: max_length * 2]).split())[:max_length]


def searchable_page_models(*, signed_in: bool = True) -> list[type[Page]]:
    """Concrete page types that index segmented text, in a stable order. Types whose pages
    are only for signed-in staff (`search_requires_login`) are left out for anonymous
    visitors, so search snippets cannot leak what the page's login wall protects."""
    return sorted(
        (
            model
            for model in apps.get_models()
            if issubclass(model, Page)
            and issubclass(model, ChineseSearchable)
            and (signed_in or not model.search_requires_login)
        ),
        key=lambda model: model._meta.label_lower,
    )


def page_type_choices(*, signed_in: bool = True) -> list[tuple[str, str]]:
    """(value, label) for the type filter: app_label.model_name -> verbose name."""
    return [
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in searchable_page_models(signed_in=signed_in)
    ]


def stage_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Stage.choices]


@dataclass
class SearchOutcome:
    query: str
    terms: list[str]
    results: list[Page] = field(default_factory=list)
    operator: str = OPERATOR
    relaxed: bool = False  # "and" found nothing; these match some of the words
    capped: bool = False  # more than MAX_CANDIDATES matched


def _page_model(type_value: str | None, *, signed_in: bool = True) -> type[Page] | None:
    if not type_value:
        return None
    for model in searchable_page_models(signed_in=signed_in):
        if model._meta.label_lower == type_value:
            return model
    return None


def search_base_queryset(
    *, page_type: str | None = None, handbook: Page | None = None, signed_in: bool = True
):
    """Live, public pages of the searchable types, narrowed by the type and handbook filters."""
    models = searchable_page_models(signed_in=signed_in)
    chosen = _page_model(page_type, signed_in=signed_in)
    if chosen is not None:
        models = [m for m in models if issubclass(m, chosen)]
    content_types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    queryset = Page.objects.live().public().filter(content_type__in=content_types.values())
    if handbook is not None:
        queryset = queryset.filter(path__startswith=handbook.path)
    return queryset


def _title_hits(page: Page, terms: list[str]) -> int:
    title = (page.title or "").lower()
    return sum(1 for term in terms if term in title)


def rank_by_title(pages: list[Page], terms: list[str]) -> list[Page]:
    """Stable re-order: pages whose title holds every word, then some, then none; inside
    each group the backend's relevance order stays."""
    total = len(terms)

    def bucket(item):
        position, page = item
        hits = _title_hits(page, terms)
        group = 0 if total and hits == total else (1 if hits else 2)
        return (group, position)

    return [page for _, page in sorted(enumerate(pages), key=bucket)]


def rank_by_coverage(pages: list[Page], terms: list[str]) -> list[Page]:
    """For "or" results: pages holding more of the query's words first, a word counting
    more the fewer pages hold it (so 学生, on every page, does not outweigh 游戏); then title
    hits, then the backend's order."""
    texts = {}
    for page in pages:
        body = page.search_plain_text() if hasattr(page, "search_plain_text") else ""
        texts[page.pk] = f"{page.title}\n{body}".lower()
    held = {term: sum(1 for text in texts.values() if term in text) for term in terms}
    weight = {term: math.log(1 + len(pages) / (1 + held[term])) for term in terms}

    def key(item):
        position, page = item
        text = texts[page.pk]
        score = round(sum(weight[term] for term in terms if term in text), 6)
        return (-score, -_title_hits(page, terms), position)

    return [page for _, page in sorted(enumerate(pages), key=key)]


def _run(queryset, terms: list[str], operator: str) -> list[Page]:
    hits = queryset.specific().search(" ".join(terms), operator=operator, order_by_relevance=True)
    return list(hits[: MAX_CANDIDATES + 1])


def page_search(
    query: str,
    *,
    page_type: str | None = None,
    stage: str | None = None,
    handbook: Page | None = None,
    operator: str = OPERATOR,
    fallback: str | None = FALLBACK_OPERATOR,
    signed_in: bool = True,
) -> SearchOutcome:
    """Pages matching `query`, best first; filtered by type, 学段 and handbook."""
    query = clean_query(query)
    terms = query_terms(query, MAX_QUERY_LENGTH)
    outcome = SearchOutcome(query=query, terms=terms, operator=operator)
    if not terms:
        return outcome
    queryset = search_base_queryset(page_type=page_type, handbook=handbook, signed_in=signed_in)
    pages = _run(queryset, terms, operator)
    if not pages and fallback and fallback != operator and len(terms) > 1:
        pages = _run(queryset, terms, fallback)
        outcome.relaxed = bool(pages)
        outcome.operator = fallback
    outcome.capped = len(pages) > MAX_CANDIDATES
    pages = pages[:MAX_CANDIDATES]
    pages = rank_by_coverage(pages, terms) if outcome.relaxed else rank_by_title(pages, terms)
    if stage:
        stages = result_stages(pages)
        label = dict(stage_choices()).get(stage, stage)
        # A page with no 学段 is for every stage (a handbook for all mentors, say).
        pages = [
            p for p in pages if not stages[p.pk] or label in stages[p.pk] or stage in stages[p.pk]
        ]
    outcome.results = pages
    return outcome


def result_stages(pages: list[Page]) -> dict[int, list[str]]:
    """学段 labels per page id, in a fixed number of queries whatever the number of pages:
    a type's classmethod `search_result_stages_bulk(pages) -> {pk: [label, ...]}`, else
    each page's own `search_result_stages()` (which must not query)."""
    stages: dict[int, list[str]] = {}
    by_class: dict[type, list[Page]] = {}
    for page in pages:
        by_class.setdefault(type(page), []).append(page)
    for cls, group in by_class.items():
        bulk = getattr(cls, "search_result_stages_bulk", None)
        if bulk is not None:
            answered = bulk(group) or {}
        else:
            answered = {}
            for page in group:
                method = getattr(page, "search_result_stages", None)
                answered[page.pk] = method() if method else []
        for page in group:
            stages[page.pk] = [str(label) for label in answered.get(page.pk, [])]
    return stages


def result_items(pages: list[Page], *, terms: list[str], request=None) -> list[dict]:
    """What the results list shows for each page: link, type, 学段 and a highlighted
    snippet. A fixed number of queries for any number of pages (see result_stages)."""
    stages = result_stages(pages)
    items = []
    for page in pages:
        if hasattr(page, "search_plain_text"):
            text = page.search_plain_text(exclude=("title",))
        else:
            text = page.search_description or ""
        model = page.specific_class
        items.append(
            {
                "page": page,
                "url": page.get_url(request),
                "type_label": model._meta.verbose_name if model else "",
                "stages": stages.get(page.pk, []),
                "snippet": snippet(text, terms),
            }
        )
    return items


def autocomplete_titles(query: str, *, limit: int = 8, signed_in: bool = True) -> list[str]:
    """Titles for the search box: those containing what was typed, then those containing
    all of its words. Substring matching suits short Chinese titles and half-typed words."""
    query = clean_query(query, 50)
    if not query:
        return []
    queryset = search_base_queryset(signed_in=signed_in).order_by("path")
    titles = list(
        dict.fromkeys(
            queryset.filter(title__icontains=query).values_list("title", flat=True)[:limit]
        )
    )
    terms = query_terms(query, 50)
    if len(titles) < limit and len(terms) > 1:
        condition = Q()
        for term in terms:
            condition &= Q(title__icontains=term)
        for title in queryset.filter(condition).values_list("title", flat=True)[: limit * 2]:
            if title not in titles:
                titles.append(title)
            if len(titles) >= limit:
                break
    return titles[:limit]
