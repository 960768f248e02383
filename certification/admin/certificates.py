"""Certificates in the admin (证书): a filtered, searchable list, a detail page with the PDF
and the public verification link, and the district admin's revoke with a required reason.

Who sees which certificate is the one rule of `certificates_visible_to` (school admins their
own school's teachers', HR and district admins all), behind the view permission. Revoking
needs `certification.revoke_certificate` (district admins); HR and school admins only read.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, include, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from certification.models import Certificate, CertificateKind, CertificateValidity
from certification.selectors.certificates import certificates_visible_to
from certification.services.certificates import certificate_revoke, verification_url
from people import selectors as people_selectors
from people.views.admin_roster import forbidden_is_403

VIEW_PERMISSION = "certification.view_certificate"
REVOKE_PERMISSION = "certification.revoke_certificate"
CERTIFICATES_PER_PAGE = 50
SEARCH_MAX_LENGTH = 50
app_name = "certification_certificates"


def certificates_for_admin(user) -> QuerySet[Certificate]:
    """Certificates this admin user may list: the view permission, then the shared rule."""
    if not user.has_perm(VIEW_PERMISSION):
        return Certificate.objects.none()
    return certificates_visible_to(user)


def may_revoke(user) -> bool:
    return user.has_perm(REVOKE_PERMISSION)


def with_validity(certificates: QuerySet[Certificate], validity: str, today: datetime.date):
    """The database form of `Certificate.validity(today)`."""
    not_expired = Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    if validity == CertificateValidity.REVOKED:
        return certificates.filter(revoked_at__isnull=False)
    if validity == CertificateValidity.EXPIRED:
        return certificates.filter(revoked_at__isnull=True, expires_on__lt=today)
    if validity == CertificateValidity.VALID:
        return certificates.filter(not_expired, revoked_at__isnull=True)
    return certificates


class CertificateFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Serial, name or staff number"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    validity = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    school = forms.ModelChoiceField(label=gettext_lazy("School"), queryset=None, required=False)
    year = forms.IntegerField(
        label=gettext_lazy("Issued in"), required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "---------"), *CertificateKind.choices]
        self.fields["validity"].choices = [("", "---------"), *CertificateValidity.choices]
        self.fields["school"].queryset = people_selectors.schools_visible_to(user).order_by("code")
        self.fields["year"].widget.attrs["placeholder"] = str(timezone.localdate().year)

    def filter(self, certificates: QuerySet[Certificate]) -> QuerySet[Certificate]:
        data = self.cleaned_data
        if data["q"]:
            term = data["q"].strip()
            certificates = certificates.filter(
                Q(serial__iexact=term)
                | Q(holder__staff_no=term)
                | Q(holder_name__contains=term)
                | Q(holder__full_name__contains=term)
            )
        if data["kind"]:
            certificates = certificates.filter(kind=data["kind"])
        if data["validity"]:
            certificates = with_validity(certificates, data["validity"], timezone.localdate())
        if data["school"]:
            certificates = certificates.filter(holder__school=data["school"])
        if data["year"]:
            certificates = certificates.filter(issued_on__year=data["year"])
        return certificates


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown on the public verification page."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason for revoking."))
        return reason


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse(f"{app_name}:index"), "label": _("Certificates")},
        *items,
    ]


def _pdf_url(certificate) -> str | None:
    try:
        return reverse("certification:certificate_pdf", args=[certificate.serial])
    except NoReverseMatch:  # the download view is not installed
        return None


@forbidden_is_403
@require_GET
def index(request):
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    form = CertificateFilterForm(request.GET or None, user=request.user)
    certificates = certificates_for_admin(request.user)
    if form.is_valid():
        certificates = form.filter(certificates)
    certificates = certificates.select_related("holder").order_by("-issued_on", "-pk")
    page = Paginator(certificates, CERTIFICATES_PER_PAGE).get_page(request.GET.get("p"))
    today = timezone.localdate()
    rows = [
        {"certificate": certificate, "validity": certificate.validity(today)}
        for certificate in page.object_list
    ]
    query = request.GET.copy()
    query.pop("p", None)
    title = _("Certificates")
    return TemplateResponse(
        request,
        "certification/admin/certificates/index.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "elided_page_range": list(page.paginator.get_elided_page_range(page.number)),
            "query": query.urlencode(),
            "page_title": title,
            "header_title": title,
            "header_icon": "doc-full",
            "breadcrumbs_items": _breadcrumbs(),
        },
    )


@forbidden_is_403
@require_GET
def detail(request, pk):
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    certificate = get_object_or_404(
        certificates_for_admin(request.user).select_related(
            "holder__school", "revoked_by", "cycle"
        ),
        pk=pk,
    )
    details = certificate.details if certificate.kind == CertificateKind.TRANSCRIPT else {}
    return TemplateResponse(
        request,
        "certification/admin/certificates/detail.html",
        {
            "certificate": certificate,
            "validity": certificate.validity(),
            "pdf_url": _pdf_url(certificate),
            "verification_url": verification_url(certificate),
            "transcript": details if isinstance(details, dict) else {},
            "may_revoke": may_revoke(request.user) and not certificate.revoked_at,
            "page_title": certificate.serial,
            "header_title": certificate.serial,
            "header_icon": "doc-full",
            "breadcrumbs_items": _breadcrumbs({"url": "", "label": certificate.serial}),
        },
    )


@forbidden_is_403
@require_http_methods(["GET", "POST"])
def revoke(request, pk):
    # The permission first: HR and school admins get 403 whether or not the certificate is
    # theirs to view.
    if not may_revoke(request.user):
        raise PermissionDenied
    certificate = get_object_or_404(certificates_for_admin(request.user), pk=pk)
    detail_url = reverse(f"{app_name}:detail", args=[certificate.pk])
    if certificate.revoked_at:
        messages.warning(request, _("This certificate has already been revoked."))
        return redirect(detail_url)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                revoked_by=request.user,
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages[0])
        else:
            messages.success(
                request,
                _("Certificate %(serial)s was revoked; its verification page now says so.")
                % {"serial": certificate.serial},
            )
            return redirect(detail_url)
    title = _("Revoke certificate %(serial)s") % {"serial": certificate.serial}
    return TemplateResponse(
        request,
        "certification/admin/certificates/revoke.html",
        {
            "form": form,
            "certificate": certificate,
            "detail_url": detail_url,
            "page_title": title,
            "header_title": title,
            "header_icon": "warning",
            "breadcrumbs_items": _breadcrumbs(
                {"url": detail_url, "label": certificate.serial}, {"url": "", "label": _("Revoke")}
            ),
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/revoke/", revoke, name="revoke"),
]


class CertificatesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register("register_admin_urls")
def register_certificate_urls():
    import certification.admin.certificates as module

    return [path("certificates/", include(module, namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    return CertificatesMenuItem(
        gettext_lazy("Certificates"),
        reverse_lazy(f"{app_name}:index"),
        name="certificates",
        icon_name="doc-full",
        order=217,
    )
