"""Rendering a certificate's PDF (certification/pdf/<kind>.html through WeasyPrint) and
storing it as private media under certificates/<year>/<serial>.pdf.

A render is keyed by content_version: it is skipped when the stored PDF is already of the
current version, and the row is locked while rendering, so two renders at once (a worker and
an on-demand download) leave one file. The file replaced by a re-render is deleted only once
the new one is committed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Certificate, CertificateKind
from ..pdf import qr_svg, render_pdf
from .certificates import verification_url

# Pixels per QR module: 3 gives a ~2.9 cm code, readable from a print and by zbarimg at 150 dpi.
QR_SCALE = 3


def _pdf_name(certificate: Certificate) -> str:
    # Relative to the FileField's upload_to (certificates/%Y/): the year is the issue year's
    # serial year, so <serial>.pdf is unique; the storage adds a suffix if an old file lingers.
    return f"{certificate.serial}.pdf"


def _date_or_none(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _context(certificate: Certificate) -> dict:
    url = verification_url(certificate)
    details = certificate.details or {}
    qualified_on = details.get("qualified_on")
    if not qualified_on and certificate.kind == CertificateKind.QUALIFICATION:
        # "<standard>:<qualified_on>[#n]" (bulk-issued rows carry no details).
        qualified_on = certificate.subject_key.partition(":")[2].partition("#")[0] or None
    return {
        "certificate": certificate,
        "verification_url": url,
        "qr_svg": qr_svg(url, scale=QR_SCALE),
        "college_name": _("Qingpu District Teacher Training College"),
        "details": details,
        "qualified_on": _date_or_none(qualified_on),
    }


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    """The PDF of `certificate` as it is now, in the site language (a certificate is always
    printed in Chinese, whatever language the requester browses in). Raises CJKFontMissing."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(f"certification/pdf/{certificate.kind}.html", _context(certificate))


def certificate_render(certificate: Certificate, *, force: bool = False) -> Certificate:
    """Render and store the PDF unless it is current (`force` renders anyway). Returns the
    fresh row. Raises CJKFontMissing (nothing is written) when no Chinese font is installed."""
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not force and not locked.needs_render:
            return locked
        content = certificate_pdf_bytes(locked)
        old_name = locked.pdf.name if locked.pdf else ""
        storage = locked.pdf.storage
        # save=False: the row is saved below with only the render fields. A name already taken
        # (the previous render) gets a suffix from the storage; the old file goes on commit.
        locked.pdf.save(_pdf_name(locked), ContentFile(content), save=False)
        new_name = locked.pdf.name
        try:
            locked.rendered_version = locked.content_version
            locked.rendered_at = timezone.now()
            locked.save(update_fields=["pdf", "rendered_version", "rendered_at", "updated_at"])
        except BaseException:
            storage.delete(new_name)
            raise
        if old_name and old_name != new_name:
            transaction.on_commit(lambda: storage.delete(old_name))
    return locked
