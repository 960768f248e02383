"""Issuing 学时证明 (training-hours transcripts): a verifiable certificate of one teacher's
credit in one cycle, frozen at issue.

A transcript is keyed on the cycle and the hash of the teacher's newest ledger entry
(`cycle:<id>:<hash>`): asking again while the ledger is unchanged finds the same certificate
(same serial, same code), and any new entry — an award or a reversal, in any cycle — makes
the next request a new transcript. Everything the PDF and the verification page print is
snapshotted into `details` (totals, requirement rows, the category × level matrix and the
entries themselves), so a re-render years later shows the same rows.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certification.models import Certificate, CertificateKind, CreditCycle
from certification.selectors.transcripts import Transcript, transcript_for
from certification.services.certificates import Issued, certificate_issue
from cms.choices import Level

# Certificate.points keeps one decimal place; ledger points have two.
CERTIFICATE_POINTS_QUANTUM = Decimal("0.1")


def decimal_text(value) -> str:
    """12.50 → "12.5", 10 → "10.0", 0.25 → "0.25": at least one decimal, no trailing noise."""
    value = Decimal(value).quantize(Decimal("0.01"))
    if value == 0:
        value = Decimal("0.00")  # no "-0.00" from a reversed zero
    text = f"{value:f}"
    return text[:-1] if text.endswith("0") else text


def transcript_subject_key(cycle: CreditCycle, ledger_head_hash: str) -> str:
    return f"cycle:{cycle.pk}:{ledger_head_hash}"


def _entry_row(transcript: Transcript, entry) -> dict:
    return {
        "id": entry.pk,
        "date": entry.awarded_on.isoformat(),
        "title": entry.title,
        "source": str(entry.get_source_display()),
        "category": str(entry.get_category_display()),
        "level": str(entry.get_level_display()),
        "points": decimal_text(entry.points),
        "hours": decimal_text(entry.hours),
        "reversal": entry.reverses_id is not None,
        "reversed": transcript.was_reversed(entry),
        "reason": entry.reason,
    }


def transcript_details(transcript: Transcript) -> dict:
    """The certificate's `details` (issue 8 contract schema, plus what the PDF prints)."""
    record = transcript.record
    cycle = transcript.cycle
    rows = []
    for row, (category, level) in zip(
        record.requirements, transcript.requirement_keys, strict=True
    ):
        rows.append(
            {
                "label": row.label,
                "have_points": decimal_text(row.have),
                "need_points": decimal_text(row.need),
                "have_hours": decimal_text(transcript.hours_for(category, level)),
                "met": row.met,
            }
        )
    return {
        "cycle": str(cycle),
        "rows": rows,
        "total_points": decimal_text(record.total_points),
        "total_hours": decimal_text(record.total_hours),
        "min_total_points": decimal_text(cycle.min_total_points),
        "met": record.all_met,
        "entries": len(record.entries),
        "ledger_head": transcript.head.hash,
        # Beyond the contract: what the PDF needs to print the same page on every re-render.
        "head_entry_id": transcript.bound,
        "cycle_name": cycle.name,
        "cycle_starts_on": cycle.starts_on.isoformat(),
        "cycle_ends_on": cycle.ends_on.isoformat(),
        "matrix": {
            "levels": [str(level.label) for level in Level],
            "rows": [
                {
                    "label": label,
                    "cells": [decimal_text(cell) for cell in cells],
                    "total": decimal_text(total),
                }
                for label, cells, total in record.matrix
            ],
            "level_totals": [decimal_text(cell) for cell in record.level_totals],
        },
        "entries_rows": [_entry_row(transcript, entry) for entry in record.entries],
    }


def transcript_issue(*, user, cycle: CreditCycle, today: datetime.date | None = None) -> Issued:
    """Issue the transcript of `user`'s credit in `cycle` as the ledger stands now, or return
    the one already issued for this ledger state. The PDF is rendered by the caller's queued
    render or on demand by the download view (certification:certificate_pdf)."""
    # The snapshot's labels are in the site's language, whoever asked and in whatever UI
    # language: the certificate is a document of the college, not of the requester's browser.
    with translation.override(settings.LANGUAGE_CODE):
        transcript = transcript_for(user, cycle, today=today)
        subject_key = transcript_subject_key(cycle, transcript.head.hash)
        existing = Certificate.objects.filter(
            holder=user, kind=CertificateKind.TRANSCRIPT, subject_key=subject_key
        ).first()
        if existing is not None:
            return Issued(existing, False)
        details = transcript_details(transcript)
        title = _("Training-hours transcript · %(cycle)s") % {"cycle": cycle.name}
    record = transcript.record
    return certificate_issue(
        holder=user,
        kind=CertificateKind.TRANSCRIPT,
        subject_key=subject_key,
        title=title,
        issued_on=today or timezone.localdate(),
        hours=record.total_hours,
        points=record.total_points.quantize(CERTIFICATE_POINTS_QUANTUM, ROUND_HALF_UP),
        cycle=cycle,
        details=details,
    )
