"""The public verification page /verify/<code>/: anyone holding a certificate's code (its QR)
sees whether it is valid, expired or revoked, and what it certifies — nothing else personal."""

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_GET

from ..models import Certificate


@require_GET
def verify(request, code: str):
    certificate = get_object_or_404(Certificate, code=code.strip().lower())
    return TemplateResponse(
        request,
        "certification/verify/verify.html",
        {"certificate": certificate, "validity": certificate.validity()},
    )


urlpatterns = [path("verify/<str:code>/", verify, name="verify")]
