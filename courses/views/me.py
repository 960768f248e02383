"""我的学习 (/me/): the signed-in user's courses, progress, next lessons and due dates."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from cms.sections import render_me_sections

from ..selectors.progress import my_learning


@require_GET
@login_required
def me(request):
    # Any role may learn: lecturers and administrators take courses too.
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "courses/me.html",
        {
            "learning": my_learning(request.user, request=request, today=today),
            "today": today,
            # Sections other apps add through the register_me_section hook (qualification).
            "me_sections": render_me_sections(request),
        },
    )


urlpatterns = [path("me/", me, name="me")]
