"""Reads of the case library: the faceted, searchable list of cases, facet counts, a case's
classification, authors, related cases and the lectures that use it, the home page's newest.

Everything runs a fixed number of queries whatever the number of cases, categories or tags:
facet counts are one aggregate query per facet, not one per value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Length, Substr
from taggit.models import Tag
from wagtail.models import PageViewRestriction

from cms.search.query import FALLBACK_OPERATOR, MAX_CANDIDATES, OPERATOR, clean_query
from cms.search.segment import query_terms
from people.models import Stage

from .models import CaseAuthor, CaseIndexPage, CasePage, CaseTag, GradeBand, ProblemCategory

CARD_FIELDS = (
    "id",
    "title",
    "slug",
    "url_path",
    "path",
    "depth",
    "summary",
    "stages",
    "grade_band",
    "first_published_at",
)

SORT_NEWEST = "newest"
SORT_OLDEST = "oldest"
SORT_TITLE = "title"
SORT_RELEVANCE = "relevance"  # only with a search query
SORT_LECTURES = "lectures"  # only when lectures can link cases
RELATED_LIMIT = 4


@dataclass(frozen=True)
class CaseFilters:
    """What the reader chose; within a facet the values are alternatives (OR), across facets
    all must hold (AND)."""

    q: str = ""
    stages: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # ProblemCategory slugs
    tags: tuple[str, ...] = ()  # tag names
    sort: str = ""

    @property
    def facets_active(self) -> bool:
        return bool(self.stages or self.bands or self.categories or self.tags)


@dataclass
class CaseSearch:
    """The search part of a listing: the words looked for and the matching case ids, best
    first (None when there is no query)."""

    query: str = ""
    terms: list[str] = field(default_factory=list)
    ids: list[int] | None = None
    relaxed: bool = False  # no case holds every word; these hold some
    capped: bool = False  # more than MAX_CANDIDATES matched; the best are kept


def lecture_link_model():
    """courses.LectureCaseLink when installed (casebank never imports courses)."""
    try:
        return apps.get_model("courses", "LectureCaseLink")
    except LookupError:
        return None


def live_cases(index: CaseIndexPage | None = None) -> QuerySet[CasePage]:
    """Live cases outside private sections (view restrictions on them or an ancestor), under
    `index` when given. Wagtail's `public()` reads the restrictions in a query of its own;
    a correlated NOT EXISTS keeps every list here at one query."""
    restricted = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    cases = CasePage.objects.live().filter(~Exists(restricted))
    if index is not None:
        cases = cases.child_of(index)
    return cases


def stage_q(stage: str) -> Q:
    """Cases for this 学段: those listing it and those for every stage (no stage ticked), as
    for courses; the quotes keep one value from matching inside another (JSON as text works
    on SQLite and PostgreSQL alike)."""
    return Q(stages=[]) | Q(stages__icontains=f'"{stage}"')


def case_search(index: CaseIndexPage | None, raw_query: str) -> CaseSearch:
    """Cases matching the query through the site's Chinese search (segmented index, the same
    query words and "all words, then some" fallback as /search/). The search runs on live
    cases (search backends take only simple filters); the listing then keeps the matches
    that `live_cases` allows."""
    query = clean_query(raw_query)
    terms = query_terms(query)
    outcome = CaseSearch(query=query, terms=terms)
    if not terms:
        return outcome
    cases = CasePage.objects.live()
    if index is not None:
        cases = cases.child_of(index)
    outcome.ids = _search_ids(cases, terms, OPERATOR)
    if not outcome.ids and len(terms) > 1:
        outcome.ids = _search_ids(cases, terms, FALLBACK_OPERATOR)
        outcome.relaxed = bool(outcome.ids)
    outcome.capped = len(outcome.ids) > MAX_CANDIDATES
    outcome.ids = outcome.ids[:MAX_CANDIDATES]
    return outcome


def _search_ids(cases: QuerySet[CasePage], terms: list[str], operator: str) -> list[int]:
    hits = cases.only("id").search(" ".join(terms), operator=operator, order_by_relevance=True)
    return [page.pk for page in hits[: MAX_CANDIDATES + 1]]


def _narrow(cases, filters: CaseFilters, search: CaseSearch, *, skip: str = "") -> QuerySet:
    """`cases` narrowed by the search and by every facet except `skip` (a facet's own counts
    are computed without its own selection, so the reader sees what adding a value gives)."""
    if search.ids is not None:
        cases = cases.filter(pk__in=search.ids)
    if filters.stages and skip != "stages":
        condition = Q()
        for stage in filters.stages:
            condition |= stage_q(stage)
        cases = cases.filter(condition)
    if filters.bands and skip != "bands":
        cases = cases.filter(grade_band__in=filters.bands)
    if filters.categories and skip != "categories":
        matching = CasePage.categories.through.objects.filter(
            problemcategory__slug__in=filters.categories
        ).values("casepage_id")
        cases = cases.filter(pk__in=matching)
    if filters.tags and skip != "tags":
        tagged = CaseTag.objects.filter(tag__name__in=filters.tags).values("content_object_id")
        cases = cases.filter(pk__in=tagged)
    return cases


def filtered_cases(cases, filters: CaseFilters, search: CaseSearch) -> QuerySet[CasePage]:
    """The listing: narrowed by everything, in the chosen order, card fields only."""
    narrowed = _narrow(cases, filters, search).only(*CARD_FIELDS)
    sort = filters.sort
    if sort == SORT_RELEVANCE and search.ids:
        position = Case(
            *[When(pk=pk, then=Value(n)) for n, pk in enumerate(search.ids)],
            output_field=IntegerField(),
        )
        return narrowed.annotate(search_position=position).order_by("search_position")
    if sort == SORT_OLDEST:
        return narrowed.order_by("first_published_at", "pk")
    if sort == SORT_TITLE:
        return narrowed.order_by("title", "pk")
    if sort == SORT_LECTURES:
        lecture_counts = _lecture_count_subquery()
        if lecture_counts is not None:
            return narrowed.annotate(lecture_count=lecture_counts).order_by(
                "-lecture_count", "-first_published_at", "-pk"
            )
    return narrowed.order_by("-first_published_at", "-pk")


def lecture_link_fields() -> tuple[type, str, str] | None:
    """(LectureCaseLink, its case FK name, its lecture FK name), or None when lectures cannot
    link cases here. Read from the model, so casebank needs no import of courses."""
    model = lecture_link_model()
    if model is None:
        return None
    case_field = lecture_field = None
    for model_field in model._meta.get_fields():
        related = getattr(model_field, "related_model", None)
        if not getattr(model_field, "many_to_one", False) or related is None:
            continue
        if related is CasePage:
            case_field = model_field.name
        elif related._meta.label_lower == "courses.lecturepage":
            lecture_field = model_field.name
    if case_field is None or lecture_field is None:
        return None
    return model, case_field, lecture_field


def _lecture_count_subquery():
    """Live lectures linking each case, as a correlated subquery (0 when none)."""
    fields = lecture_link_fields()
    if fields is None:
        return None
    model, case_field, lecture_field = fields
    counts = (
        model.objects.filter(**{case_field: OuterRef("pk"), f"{lecture_field}__live": True})
        .order_by()
        .values(case_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


# --- Facet counts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetCounts:
    stages: dict[str, int]
    bands: dict[str, int]
    categories: list[tuple[ProblemCategory, int]]  # every category, in taxonomy order
    tags: list[tuple[str, int]]  # tags present in the narrowed cases, most used first


def facet_counts(cases, filters: CaseFilters, search: CaseSearch) -> FacetCounts:
    """Counts for every facet value given the search and the other facets' selection; four
    queries whatever the number of cases, categories and tags."""
    by_stage = _narrow(cases, filters, search, skip="stages").aggregate(
        **{stage: Count("pk", filter=stage_q(stage)) for stage in Stage.values}
    )
    by_band = dict(
        _narrow(cases, filters, search, skip="bands")
        .order_by()
        .values("grade_band")
        .annotate(n=Count("pk"))
        .values_list("grade_band", "n")
    )
    in_categories = _narrow(cases, filters, search, skip="categories").values("pk")
    categories = ProblemCategory.objects.annotate(
        n=Count("cases", filter=Q(cases__pk__in=in_categories), distinct=True)
    ).only("id", "name", "slug", "sort_order")
    in_tags = _narrow(cases, filters, search, skip="tags").values("pk")
    tags = (
        CaseTag.objects.filter(content_object_id__in=in_tags)
        .values("tag__name")
        .annotate(n=Count("content_object_id", distinct=True))
        .order_by("-n", "tag__name")
        .values_list("tag__name", "n")
    )
    return FacetCounts(
        stages={stage: by_stage.get(stage) or 0 for stage in Stage.values},
        bands={band: by_band.get(band, 0) for band in GradeBand.values},
        categories=[(category, category.n) for category in categories],
        tags=list(tags),
    )


# --- Cards ---------------------------------------------------------------------------------------


def case_classifications(case_ids) -> tuple[dict[int, list[ProblemCategory]], dict[int, list[str]]]:
    """Categories and tag names per case, two queries for any number of cases."""
    ids = list(case_ids)
    categories: dict[int, list[ProblemCategory]] = {pk: [] for pk in ids}
    tags: dict[int, list[str]] = {pk: [] for pk in ids}
    if not ids:
        return categories, tags
    links = (
        CasePage.categories.through.objects.filter(casepage_id__in=ids)
        .select_related("problemcategory")
        .order_by("problemcategory__sort_order", "problemcategory__name")
    )
    for link in links:
        categories[link.casepage_id].append(link.problemcategory)
    for case_id, name in (
        CaseTag.objects.filter(content_object_id__in=ids)
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name")
    ):
        tags[case_id].append(name)
    return categories, tags


# --- One case ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAuthorName:
    """What a case page says about an author: the name and the school, nothing else."""

    full_name: str
    school_name: str


def case_authors(case: CasePage) -> list[CaseAuthorName]:
    """One query (the authors with their school); works on a preview's unsaved authors too."""
    authors = case.authors.all()
    if isinstance(authors, QuerySet):
        authors = authors.select_related("user__school").only(
            "id", "sort_order", "page_id", "user__full_name", "user__school__name"
        )
    return [
        CaseAuthorName(
            full_name=author.user.full_name,
            school_name=author.user.school.name if author.user.school_id else "",
        )
        for author in authors
    ]


def case_parent_index(case: CasePage) -> CaseIndexPage | None:
    """The library a case sits in (one query; None for an unsaved preview)."""
    if not case.path or case.depth <= 1:
        return None
    parent_path = case.path[: -CasePage.steplen]
    return (
        CaseIndexPage.objects.filter(path=parent_path)
        .only("id", "path", "depth", "url_path", "title")
        .first()
    )


def case_categories(case: CasePage) -> list[ProblemCategory]:
    return list(case.categories.all().order_by("sort_order", "name"))


def case_tags(case: CasePage) -> list[Tag]:
    return list(case.tags.all().order_by("name"))


def related_cases(
    case: CasePage, *, category_ids, tag_ids, limit: int = RELATED_LIMIT
) -> list[CasePage]:
    """Other live cases sharing categories or tags, most shared first (a shared category
    weighs as a shared tag), then newest; one query."""
    category_ids, tag_ids = list(category_ids), list(tag_ids)
    if not category_ids and not tag_ids:
        return []
    shared_categories = CasePage.categories.through.objects.filter(
        problemcategory_id__in=category_ids
    ).values("casepage_id")
    shared_tags = CaseTag.objects.filter(tag_id__in=tag_ids).values("content_object_id")
    category_overlap = Count("categories", filter=Q(categories__in=category_ids), distinct=True)
    tag_overlap = Count("tagged_items", filter=Q(tagged_items__tag_id__in=tag_ids), distinct=True)
    return list(
        live_cases()
        .exclude(pk=case.pk)
        .filter(Q(pk__in=shared_categories) | Q(pk__in=shared_tags))
        .annotate(overlap=category_overlap + tag_overlap)
        .only(*CARD_FIELDS)
        .order_by("-overlap", "-first_published_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class CaseLecture:
    title: str
    url: str
    starts_at: object  # datetime or None


def case_lectures(case: CasePage, request=None) -> list[CaseLecture] | None:
    """Live lectures that use this case, latest first (one query); None when lectures cannot
    link cases in this installation (no courses.LectureCaseLink)."""
    fields = lecture_link_fields()
    if fields is None:
        return None
    model, case_field, lecture_field = fields
    if not case.pk:
        return []
    links = (
        model.objects.filter(**{case_field: case.pk, f"{lecture_field}__live": True})
        .select_related(lecture_field)
        .order_by(f"-{lecture_field}__starts_at")
    )
    lectures = []
    for link in links:
        lecture = getattr(link, lecture_field)
        lectures.append(
            CaseLecture(
                title=lecture.title,
                url=lecture.get_url(request),
                starts_at=getattr(lecture, "starts_at", None),
            )
        )
    return lectures


# --- Home page ---------------------------------------------------------------------------------


def cases_newest(*, limit: int) -> list[CasePage]:
    """The newest live cases anywhere (one query)."""
    return list(live_cases().only(*CARD_FIELDS).order_by("-first_published_at", "-pk")[:limit])


def case_index_live() -> CaseIndexPage | None:
    return CaseIndexPage.objects.live().only("id", "path", "depth", "url_path", "title").first()


def case_authors_of(case_ids) -> dict[int, list[str]]:
    """Author names per case (one query), for cards that show who wrote them."""
    names: dict[int, list[str]] = {pk: [] for pk in case_ids}
    for page_id, full_name in (
        CaseAuthor.objects.filter(page_id__in=list(case_ids))
        .order_by("sort_order")
        .values_list("page_id", "user__full_name")
    ):
        names[page_id].append(full_name)
    return names
