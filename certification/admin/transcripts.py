"""学时证明 in the admin: find a teacher by 工号 or name, open their transcript for a cycle,
and issue the verifiable PDF for them.

School admins find and open their own school's staff only (another school's teacher is a
404, as if absent); HR and district admins everyone. HR is read-only everywhere, but issuing
a transcript records nothing new — it certifies what the ledger already says — so HR may.
Who may open whose transcript: `certification.selectors.transcripts.transcript_holders_visible_to`.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from people.views.admin_roster import forbidden_is_403

from ..selectors.transcripts import (
    VIEW_PERMISSION,
    cycles_for_transcripts,
    transcript_holders_visible_to,
)
from ..views.transcripts import chosen_cycle, issue_and_redirect, transcript_context

app_name = "certification_transcripts"
SEARCH_MAX_LENGTH = 50
MAX_RESULTS = 50


def _require_access(user):
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied


def _header(title: str, *crumbs) -> dict:
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "doc-full",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse(f"{app_name}:index"), "label": _("Training-hours transcripts")},
            *crumbs,
        ],
    }


@forbidden_is_403
@require_GET
def index(request):
    _require_access(request.user)
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    teachers = []
    more = False
    if query:
        found = list(
            transcript_holders_visible_to(request.user)
            .filter(Q(staff_no=query) | Q(full_name__contains=query))
            .order_by("school__code", "staff_no")[: MAX_RESULTS + 1]
        )
        teachers, more = found[:MAX_RESULTS], len(found) > MAX_RESULTS
    return TemplateResponse(
        request,
        "certification/transcripts/admin_index.html",
        {
            "query": query,
            "teachers": teachers,
            "more": more,
            "max_results": MAX_RESULTS,
            **_header(_("Training-hours transcripts")),
        },
    )


@forbidden_is_403
@require_http_methods(["GET", "POST"])
def detail(request, user_id: int):
    _require_access(request.user)
    holder = get_object_or_404(transcript_holders_visible_to(request.user), pk=user_id)
    cycles = cycles_for_transcripts()
    back_url = reverse(f"{app_name}:detail", args=[holder.pk])
    if request.method == "POST":
        return issue_and_redirect(request, holder=holder, cycles=cycles, back_url=back_url)
    cycle, error = chosen_cycle(request, cycles)
    title = _("Transcript of %(name)s") % {"name": holder.full_name or holder.staff_no}
    return TemplateResponse(
        request,
        "certification/transcripts/admin_detail.html",
        {
            **transcript_context(holder, cycles, cycle),
            "cycle_error": error,
            "pdf_action": back_url,
            **_header(title, {"url": "", "label": title}),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("<int:user_id>/", detail, name="detail"),
]


class TranscriptsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register("register_admin_urls")
def register_transcript_urls():
    import certification.admin.transcripts as module

    return [path("transcripts/", include(module, namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_transcripts_menu_item():
    return TranscriptsMenuItem(
        gettext_lazy("Training-hours transcripts"),
        reverse_lazy(f"{app_name}:index"),
        name="transcripts",
        icon_name="doc-full",
        order=320,
    )
