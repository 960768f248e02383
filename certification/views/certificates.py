"""我的证书 (/me/certificates/) and the access-checked PDF download of a certificate
(/certificates/<serial>/pdf/). The PDF is private media: it is only ever served here, after
`certificates_visible_to`; a certificate the requester may not see is a 404 like an unknown
serial, so the answer reveals nothing about its existence."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET
from wagtail import hooks

from cms.sections import MeSection

from ..models import CertificateValidity
from ..pdf import CJKFontMissing
from ..selectors.certificates import certificates_of_holder, certificates_visible_to
from ..services.certificate_pdf import certificate_render
from ..services.certificates import verification_url


def _open_pdf(certificate):
    """The rendered PDF, rendering it first when it is missing or older than the content
    (rendering on issue may be off, or the file lost from storage)."""
    if certificate.needs_render:
        certificate = certificate_render(certificate)
    try:
        return certificate.pdf.open("rb")
    except FileNotFoundError:
        return certificate_render(certificate, force=True).pdf.open("rb")


@require_GET
@login_required
def certificate_pdf(request, serial: str):
    certificate = certificates_visible_to(request.user).filter(serial=serial).first()
    if certificate is None:
        raise Http404
    try:
        handle = _open_pdf(certificate)
    except CJKFontMissing as error:
        return TemplateResponse(
            request,
            "certification/certificates/pdf_unavailable.html",
            {"message": str(error), "certificate": certificate},
            status=503,
        )
    response = FileResponse(handle, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def my_certificates(request):
    today = timezone.localdate()
    rows = [
        {
            "certificate": certificate,
            "validity": certificate.validity(today),
            "verify_url": verification_url(certificate),
        }
        for certificate in certificates_of_holder(request.user)
    ]
    return TemplateResponse(
        request,
        "certification/certificates/my_certificates.html",
        {"rows": rows, "Validity": CertificateValidity},
    )


urlpatterns = [
    path("certificates/<str:serial>/pdf/", certificate_pdf, name="certificate_pdf"),
    path("me/certificates/", my_certificates, name="my_certificates"),
]


@hooks.register("register_me_section")
def my_certificates_link():
    """A link from 我的学习 (/me/) to 我的证书; no queries."""
    return MeSection(order=25, template_name="certification/certificates/me_link.html")
