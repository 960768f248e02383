"""我的学分 (/me/credits/): the signed-in teacher's own ledger entries by cycle, with totals by
category × level against the cycle's matrix. Only ever the requesting user's records."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET
from wagtail import hooks

from cms.choices import Level
from cms.sections import MeSection

from ..selectors.ledger import credit_record_for


@require_GET
@login_required
def my_credits(request):
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "certification/credits/my_credits.html",
        {
            "records": credit_record_for(request.user, today=today),
            "levels": [str(level.label) for level in Level],
        },
    )


urlpatterns = [path("me/credits/", my_credits, name="my_credits")]


@hooks.register("register_me_section")
def my_credits_link():
    """A link from 我的学习 (/me/) to this page; no queries."""
    return MeSection(order=20, template_name="certification/credits/me_link.html")
