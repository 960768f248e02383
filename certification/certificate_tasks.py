"""Celery task that renders certificate PDFs, and the helpers that queue it on commit.

Issuing a certificate (course completed, qualification reached or renewed) queues its render
once the issuing transaction commits. The task re-reads the row and renders only when the
stored PDF is older than the content, so running it twice does nothing the second time.
`CERTIFICATE_RENDER_ON_ISSUE = False` (the demo seed at district scale) leaves the render to
the first download, which renders on demand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction

from cms.queueing import task_delay_or_log

from .models import Certificate
from .pdf import CJKFontMissing
from .services.certificate_pdf import certificate_render

logger = logging.getLogger(__name__)


@shared_task(
    name="certification.certificate_render",
    ignore_result=True,
    # A locked SQLite file or a dropped PostgreSQL connection passes; retry a little later.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=3,
)
def render_certificate(certificate_id: int, force: bool = False) -> str:
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return "missing"
    try:
        rendered = certificate_render(certificate, force=force)
    except CJKFontMissing:
        # Not transient: retrying will not install the font. The download view renders on
        # demand (and says what is missing) once the font is there.
        logger.error("Certificate %s not rendered: no CJK font installed", certificate.serial)
        return "font-missing"
    return rendered.pdf.name


def certificate_render_later(ids: Iterable[int], *, force: bool = False) -> None:
    """Queue one render per certificate once the current transaction commits."""
    wanted = sorted(set(ids))
    if not wanted:
        return

    def queue():
        # A broker outage must not fail the request that issued the certificate (it has
        # committed): the miss is logged and the first download renders the PDF.
        for certificate_id in wanted:
            task_delay_or_log(render_certificate, certificate_id, force)

    transaction.on_commit(queue)


def render_on_issue_enabled() -> bool:
    return getattr(settings, "CERTIFICATE_RENDER_ON_ISSUE", True)


def certificate_render_after_issue(ids: Iterable[int]) -> None:
    """What the automatic issuers call: queue the renders unless rendering on issue is off
    (then the first download renders)."""
    if render_on_issue_enabled():
        certificate_render_later(ids)
