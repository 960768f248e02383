"""Admin screens for bulk certificate generation (district admins): start a batch for a school,
a cycle or both, follow its progress, read its summary; the list of recent batches."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from certification.models import CertificateBatch, CertificateKind, CreditCycle
from certification.services import certificate_bulk as services
from people.models import School
from people.views.admin_roster import forbidden_is_403

ADD_PERMISSION = "certification.add_certificatebatch"
VIEW_PERMISSION = "certification.view_certificatebatch"
RECENT_BATCHES = 30

app_name = "certification_certificate_batches"


class CertificateBatchForm(forms.Form):
    school = forms.ModelChoiceField(
        label=gettext_lazy("School"),
        queryset=School.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=gettext_lazy("Every school"),
    )
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Credit cycle"),
        queryset=CreditCycle.objects.order_by("-starts_on"),
        required=False,
        empty_label=gettext_lazy("Any date"),
        help_text=gettext_lazy(
            "With a cycle: course certificates completed and qualifications reached within "
            "its dates, and that cycle's transcripts. Without one, transcripts are for the "
            "current cycle."
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Certificates"),
        choices=CertificateKind.choices,
        initial=CertificateKind.values,
        widget=forms.CheckboxSelectMultiple,
    )
    regenerate = forms.BooleanField(
        label=gettext_lazy("Regenerate existing PDFs"),
        required=False,
        help_text=gettext_lazy(
            "Render every certificate of the scope again (e.g. after the template changed), "
            "not only the new and outdated ones. Serial numbers and codes stay the same."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("school") and not cleaned.get("cycle"):
            raise ValidationError(_("Choose a school, a cycle or both."))
        return cleaned


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse(f"{app_name}:index"), "label": _("Certificate batches")},
        *items,
    ]


@forbidden_is_403
@require_http_methods(["GET", "POST"])
def index(request):
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    form = CertificateBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.certificate_batch_create(
                school=data["school"],
                cycle=data["cycle"],
                kinds=data["kinds"],
                regenerate=data["regenerate"],
                requested_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The batch has started."))
            return redirect(f"{app_name}:detail", pk=batch.pk)
    title = _("Certificate batches")
    batches = CertificateBatch.objects.select_related("school", "cycle", "requested_by")
    labels = dict(CertificateKind.choices)
    return TemplateResponse(
        request,
        "certification/admin/certificate_batches/index.html",
        {
            "form": form,
            "batches": [
                (batch, "、".join(str(labels.get(kind, kind)) for kind in batch.kinds))
                for batch in batches.order_by("-created_at", "-pk")[:RECENT_BATCHES]
            ],
            "page_title": title,
            "header_title": title,
            "header_icon": "doc-full",
            "breadcrumbs_items": _breadcrumbs(),
        },
    )


def _get_batch(request, pk) -> CertificateBatch:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return get_object_or_404(
        CertificateBatch.objects.select_related("school", "cycle", "requested_by"), pk=pk
    )


def _status(batch: CertificateBatch) -> dict:
    return {
        "status": batch.status,
        "label": str(batch.get_status_display()),
        "running": batch.is_running,
        "progress": batch.progress_percent,
        # The names the shared import progress script reads.
        "processed_rows": batch.processed,
        "total_rows": batch.total,
    }


@forbidden_is_403
@require_GET
def detail(request, pk):
    batch = _get_batch(request, pk)
    summary = batch.summary or {}
    labels = dict(CertificateKind.choices)
    issued = [(labels.get(kind, kind), count) for kind, count in summary.get("issued", {}).items()]
    title = _("Certificate batch %(number)s") % {"number": batch.pk}
    return TemplateResponse(
        request,
        "certification/admin/certificate_batches/detail.html",
        {
            "batch": batch,
            "status": _status(batch),
            "summary": summary,
            "issued": issued,
            "kind_names": [labels.get(kind, kind) for kind in batch.kinds],
            "may_resume": services.batch_is_stalled(batch)
            and request.user.has_perm(ADD_PERMISSION),
            "page_title": title,
            "header_title": title,
            "header_icon": "doc-full",
            "breadcrumbs_items": _breadcrumbs({"url": "", "label": title}),
        },
    )


@forbidden_is_403
@require_GET
def status(request, pk):
    return JsonResponse(_status(_get_batch(request, pk)))


@forbidden_is_403
@require_POST
def resume(request, pk):
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    batch = _get_batch(request, pk)
    if services.certificate_batch_resume(batch_id=batch.pk):
        messages.success(
            request, _("The batch has been queued again; it goes on where it stopped.")
        )
    else:
        messages.warning(request, _("This batch is finished or still making progress."))
    return redirect(f"{app_name}:detail", pk=batch.pk)


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/status/", status, name="status"),
    path("<int:pk>/resume/", resume, name="resume"),
]


class CertificateBatchMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(ADD_PERMISSION)


@hooks.register("register_admin_urls")
def register_certificate_batch_urls():
    import certification.admin.certificate_batches as module

    return [path("certificate-batches/", include(module, namespace=app_name))]


@hooks.register("register_admin_menu_item")
def register_certificate_batch_menu_item():
    return CertificateBatchMenuItem(
        gettext_lazy("Certificate batches"),
        reverse_lazy(f"{app_name}:index"),
        name="certificate-batches",
        icon_name="doc-full",
        order=218,
    )
