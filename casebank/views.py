"""Case library views: the index page's context (facets, search, sorting, pages), a case
page's context, its print view, and the login wall of both page types."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cms.fields import stage_labels
from people.models import Stage

from . import selectors
from .models import CaseIndexPage, CasePage, GradeBand
from .selectors import CaseFilters
from .workflow.selectors import user_may_submit_cases

CASES_PER_PAGE = 12
TAG_FACET_LIMIT = 20  # most used tags shown (selected ones always are)
MAX_VALUES_PER_FACET = 12  # more values of one facet in a URL are ignored
MAX_TAG_LENGTH = 100

SORT_LABELS = {
    selectors.SORT_RELEVANCE: _("Best match"),
    selectors.SORT_NEWEST: _("Newest first"),
    selectors.SORT_OLDEST: _("Oldest first"),
    selectors.SORT_TITLE: _("By title"),
    selectors.SORT_LECTURES: _("Most used in lectures"),
}


def case_pages_require_login(page, request, serve_args, serve_kwargs):
    """`before_serve_page` hook: the case library is for signed-in staff; anonymous readers
    go to the login page and come back."""
    if isinstance(page, CaseIndexPage | CasePage) and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


# --- Index ----------------------------------------------------------------------------------------


def _values(request: HttpRequest, name: str, allowed=None) -> tuple[str, ...]:
    """The distinct valid values of a repeated query parameter, in the order given; unknown
    values (tampered links, a renamed category) are dropped, not shown as errors."""
    values = []
    for value in request.GET.getlist(name)[: MAX_VALUES_PER_FACET * 2]:
        value = value.strip()
        if not value or len(value) > MAX_TAG_LENGTH or value in values:
            continue
        if allowed is not None and value not in allowed:
            continue
        values.append(value)
    return tuple(values[:MAX_VALUES_PER_FACET])


def sort_choices(*, has_query: bool) -> list[str]:
    choices = [selectors.SORT_RELEVANCE] if has_query else []
    choices += [selectors.SORT_NEWEST, selectors.SORT_OLDEST, selectors.SORT_TITLE]
    if selectors.lecture_link_model() is not None:
        choices.append(selectors.SORT_LECTURES)
    return choices


def case_filters(request: HttpRequest, *, category_slugs, has_query: bool) -> CaseFilters:
    sorts = sort_choices(has_query=has_query)
    sort = request.GET.get("sort", "")
    if sort not in sorts:
        sort = sorts[0]
    return CaseFilters(
        q=request.GET.get("q", ""),
        stages=_values(request, "stage", Stage.values),
        bands=_values(request, "band", GradeBand.values),
        categories=_values(request, "category", category_slugs),
        tags=_values(request, "tag"),
        sort=sort,
    )


def _params(filters: CaseFilters, query: str) -> list[tuple[str, str]]:
    """The query string of a listing (without the page number): what links must keep."""
    params = [("q", query)] if query else []
    params += [("stage", v) for v in filters.stages]
    params += [("band", v) for v in filters.bands]
    params += [("category", v) for v in filters.categories]
    params += [("tag", v) for v in filters.tags]
    default_sort = selectors.SORT_RELEVANCE if query else selectors.SORT_NEWEST
    if filters.sort and filters.sort != default_sort:
        params.append(("sort", filters.sort))
    return params


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str  # the listing with this value toggled (page 1)


def _toggle_url(path: str, params: list[tuple[str, str]], name: str, value: str) -> str:
    if (name, value) in params:
        params = [item for item in params if item != (name, value)]
    else:
        params = [*params, (name, value)]
    return f"{path}?{urlencode(params)}" if params else path


def _facet(path, params, name, items) -> list[FacetValue]:
    """items: (value, label, count) -> facet values with their toggle links."""
    return [
        FacetValue(
            value=value,
            label=str(label),
            count=count,
            selected=(name, value) in params,
            url=_toggle_url(path, params, name, value),
        )
        for value, label, count in items
    ]


def case_index_context(index: CaseIndexPage, request: HttpRequest) -> dict:
    """Context of the case library page; a fixed number of queries (see selectors)."""
    cases = selectors.live_cases(index)
    # The category facet query also gives the valid slugs: filters are checked against it.
    search = selectors.case_search(index, request.GET.get("q", ""))
    has_query = bool(search.terms)
    provisional = case_filters(request, category_slugs=None, has_query=has_query)
    counts = selectors.facet_counts(cases, provisional, search)
    category_slugs = {category.slug for category, _count in counts.categories}
    filters = case_filters(request, category_slugs=category_slugs, has_query=has_query)
    if filters != provisional:  # an unknown category was asked for: count without it
        counts = selectors.facet_counts(cases, filters, search)

    paginator = Paginator(selectors.filtered_cases(cases, filters, search), CASES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    categories, tags = selectors.case_classifications(case.pk for case in shown)
    cards = [
        {
            "case": case,
            "stage_labels": stage_labels(case.stages),
            "band_label": case.get_grade_band_display() if case.grade_band else "",
            "categories": categories.get(case.pk, []),
            "tags": tags.get(case.pk, [])[:4],
        }
        for case in shown
    ]

    path = request.path
    params = _params(filters, search.query)
    tag_items = counts.tags[:TAG_FACET_LIMIT]
    shown_tags = {name for name, _count in tag_items}
    tag_items += [(name, 0) for name in filters.tags if name not in shown_tags]
    facets = [
        {
            "name": "stage",
            "label": _("Stage"),
            "values": _facet(
                path,
                params,
                "stage",
                [(v, label, counts.stages[v]) for v, label in Stage.choices],
            ),
        },
        {
            "name": "band",
            "label": _("Grade band"),
            "values": _facet(
                path,
                params,
                "band",
                [(v, label, counts.bands[v]) for v, label in GradeBand.choices],
            ),
        },
        {
            "name": "category",
            "label": _("Problem category"),
            "values": _facet(
                path,
                params,
                "category",
                [(c.slug, c.name, n) for c, n in counts.categories],
            ),
        },
        {
            "name": "tag",
            "label": _("Tags"),
            "values": _facet(path, params, "tag", [(name, name, n) for name, n in tag_items]),
        },
    ]
    selected = [value for facet in facets for value in facet["values"] if value.selected]
    query_params = [("q", search.query)] if search.query else []
    sorts = sort_choices(has_query=has_query)
    return {
        # Teachers contribute cases through the front-end form (投稿案例 → 案例审核).
        "may_submit": user_may_submit_cases(request.user),
        "search": search,
        "query": search.query,
        "filters": filters,
        "facets": facets,
        "selected_facets": selected,
        "filtered": filters.facets_active or has_query,
        "cards": cards,
        "paginator": paginator,
        "cases_page": page,
        "querystring": urlencode(params),
        "clear_facets_url": f"{path}?{urlencode(query_params)}" if query_params else path,
        "hidden_params": [(n, v) for n, v in params if n not in {"q", "sort"}],
        "sort_options": [(value, SORT_LABELS[value]) for value in sorts],
        "sort": filters.sort,
        "all_cases_url": path,
    }


# --- One case -----------------------------------------------------------------------------------


def case_page_context(case: CasePage, request: HttpRequest | None) -> dict:
    """Everything a case page shows besides its own fields: classification, authors (name
    and school only), related cases and the lectures that use it; a fixed number of queries."""
    categories = selectors.case_categories(case)
    tags = selectors.case_tags(case)
    related = selectors.related_cases(
        case,
        category_ids=[category.pk for category in categories],
        tag_ids=[tag.pk for tag in tags],
    )
    index = selectors.case_parent_index(case)
    return {
        "index_url": index.get_url(request) if index is not None else "",
        "print_url": reverse("casebank:case_print", args=[case.pk])
        if case.pk and case.live
        else "",
        "case_categories": categories,
        "case_tags": tags,
        "case_authors": selectors.case_authors(case),
        "case_stage_labels": stage_labels(case.stages),
        "case_band_label": case.get_grade_band_display() if case.grade_band else "",
        "related_cases": [
            {"case": item, "stage_labels": stage_labels(item.stages)} for item in related
        ],
        "case_lectures": selectors.case_lectures(case, request),
    }


@require_GET
@login_required
def case_print(request: HttpRequest, pk: int):
    """The case on its own, without the site's navigation, for printing or saving as PDF.
    Only live cases outside private sections are printable (as readable)."""
    case = selectors.live_cases().filter(pk=pk).first()
    if case is None:
        raise Http404
    context = {"page": case, "self": case, "request": request}
    context.update(case_page_context(case, request))
    context.pop("related_cases", None)
    return render(request, "casebank/case_print.html", context)
