"""Site-wide plain views: the health check and site search."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Page

from .celery import app as celery_app
from .search import query as search_query
from .search.suggestions import suggested_searches

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("healthz: database unreachable")
        return "error"
    return "ok"


def cache_status() -> str:
    # The fail-safe Redis cache hides outages from pages; here we ask it directly.
    ping = getattr(cache, "ping", None)
    try:
        if ping is not None:
            ping()
        else:
            cache.set("healthz", "ok", 5)
    except Exception as error:
        logger.warning("healthz: cache unreachable: %s", error)
        return "error"
    return "ok"


def broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "eager"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:
        logger.exception("healthz: broker unreachable")
        return "error"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    database = database_status()
    broker = broker_status()
    cache_state = cache_status()
    healthy = database == "ok" and broker in {"ok", "eager"} and cache_state == "ok"
    body = {
        "status": "ok" if healthy else "error",
        "database": database,
        "broker": broker,
        "cache": cache_state,
    }
    if settings.DEBUG:
        body["debug"] = True
    return JsonResponse(body, status=200 if healthy else 503)


# --- Site search -------------------------------------------------------------------------

SEARCH_PAGE_SIZE = 10


def _search_handbook(value: str | None):
    """The handbook (or any page) whose subtree `handbook=<id>` restricts the search to."""
    # isascii(): isdigit() is also true for digits int() refuses (Ethiopic ፩).
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    return Page.objects.live().public().filter(pk=int(value)).only("id", "title", "path").first()


@require_GET
def search(request):
    raw = request.GET.get("q", "")
    signed_in = request.user.is_authenticated
    page_type = request.GET.get("type", "")
    if page_type not in dict(search_query.page_type_choices(signed_in=signed_in)):
        page_type = ""
    stage = request.GET.get("stage", "")
    if stage not in dict(search_query.stage_choices()):
        stage = ""
    handbook = _search_handbook(request.GET.get("handbook"))

    outcome = search_query.page_search(
        raw,
        page_type=page_type or None,
        stage=stage or None,
        handbook=handbook,
        signed_in=signed_in,
    )
    paginator = Paginator(outcome.results, SEARCH_PAGE_SIZE)
    results_page = paginator.get_page(request.GET.get("page"))

    # Links keep the cleaned query and the filters that apply, never what else was sent.
    filters = {"type": page_type, "stage": stage, "handbook": handbook.pk if handbook else ""}
    filters = {name: value for name, value in filters.items() if value}
    context = {
        "query": outcome.query,
        "terms": outcome.terms,
        "outcome": outcome,
        "results": search_query.result_items(
            list(results_page.object_list), terms=outcome.terms, request=request
        ),
        "results_page": results_page,
        "paginator": paginator,
        "querystring": urlencode({"q": outcome.query, **filters}),
        "unfiltered_querystring": urlencode({"q": outcome.query}),
        "filtered": bool(filters),
        "page_type": page_type,
        "stage": stage,
        "handbook": handbook,
        "type_choices": search_query.page_type_choices(signed_in=signed_in),
        "stage_choices": search_query.stage_choices(),
        "suggestions": suggested_searches(),
        "has_query": bool(outcome.query),
    }
    return render(request, "cms/search.html", context)


@require_GET
def search_autocomplete(request):
    titles = search_query.autocomplete_titles(
        request.GET.get("q", ""), signed_in=request.user.is_authenticated
    )
    response = JsonResponse(titles, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "max-age=60"
    return response
