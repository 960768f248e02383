"""我的学分 (/me/credits/): the signed-in teacher's own ledger entries by cycle, with totals by
category × level against the cycle's matrix. Only ever the requesting user's records."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from cms.choices import Level

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
