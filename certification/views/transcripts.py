"""我的学时证明 (/me/transcript/): the signed-in teacher's own transcript for one cycle — the
entries, the category × level matrix, the requirement rows and met / not met — and the POST
that issues (or finds) the verifiable transcript certificate and sends the teacher to its PDF.

Only ever the requesting user's record: there is no user in the URL or the form. The admin's
transcript pages (certification.admin.transcripts) reuse the helpers below.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from wagtail import hooks

from cms.sections import MeSection

from ..models import CreditCycle, CreditEntry
from ..selectors.transcripts import cycles_for_transcripts, default_cycle, transcript_for
from ..services.transcripts import transcript_details, transcript_issue


def chosen_cycle(request, cycles: list[CreditCycle]) -> tuple[CreditCycle | None, str]:
    """The cycle named by ?cycle= (or the POSTed one) among `cycles`, else the current one;
    with an error message when the request named a cycle that does not exist."""
    source = request.POST if request.method == "POST" else request.GET
    raw = (source.get("cycle") or "").strip()
    fallback = default_cycle(cycles, today=timezone.localdate())
    if not raw:
        return fallback, ""
    if raw.isascii() and raw.isdigit():  # isdigit() alone admits ፩, which int() refuses
        found = next((cycle for cycle in cycles if cycle.pk == int(raw)), None)
        if found is not None:
            return found, ""
    return fallback, _("There is no such credit cycle; choose one from the list.")


def transcript_context(holder, cycles, cycle) -> dict:
    """What both transcript pages render (the page's queries are all here)."""
    transcript = transcript_for(holder, cycle) if cycle is not None else None
    return {
        "holder": holder,
        "cycles": cycles,
        "cycle": cycle,
        "transcript": transcript,
        "record": transcript.record if transcript else None,
        # The same snapshot the PDF prints (formatted numbers, reversal flags): the page and
        # the certificate issued from it cannot differ.
        "details": transcript_details(transcript) if transcript else None,
    }


def issue_and_redirect(request, *, holder, cycles, back_url: str):
    """The PDF button's POST: issue (or find) the transcript of the chosen cycle and go to
    the certificate's access-checked PDF download."""
    cycle, error = chosen_cycle(request, cycles)
    if cycle is None or error:
        messages.error(request, error or _("No credit cycle has been set up yet."))
        return redirect(back_url)
    if not CreditEntry.objects.filter(user=holder, cycle=cycle).exists():
        messages.error(request, _("There is no credit in this cycle to certify yet."))
        return redirect(f"{back_url}?{urlencode({'cycle': cycle.pk})}")
    certificate = transcript_issue(user=holder, cycle=cycle).certificate
    return redirect(reverse("certification:certificate_pdf", args=[certificate.serial]))


@require_http_methods(["GET", "POST"])
@login_required
def my_transcript(request):
    cycles = cycles_for_transcripts()
    back_url = reverse("certification:my_transcript")
    if request.method == "POST":
        return issue_and_redirect(request, holder=request.user, cycles=cycles, back_url=back_url)
    cycle, error = chosen_cycle(request, cycles)
    return TemplateResponse(
        request,
        "certification/transcripts/my_transcript.html",
        {**transcript_context(request.user, cycles, cycle), "cycle_error": error},
    )


urlpatterns = [path("me/transcript/", my_transcript, name="my_transcript")]


@hooks.register("register_me_section")
def my_transcript_link():
    """A link from 我的学习 (/me/) to this page; no queries."""
    return MeSection(order=21, template_name="certification/transcripts/me_link.html")
