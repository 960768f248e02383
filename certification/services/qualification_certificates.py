"""The qualification engine's certificate step: after a chunk's statuses are written, the
teachers whose qualification period started or moved get their 导师资格证明 issued or
updated, and the PDFs are queued for rendering on commit.

A constant number of queries per chunk whatever its size: the holders, their existing
qualification certificates, and the new periods' certificates inserted together with one
block of serials (`certificates_insert`); then one issue per renewal or re-issue after a
revocation, which are few. Nothing when nothing changed.

Issuing the new certificates one by one took a serial each from the year's counter row; in
one transaction each UPDATE of that row leaves a row version the next must step over, so
20,000 teachers qualifying at once (the city seed, or a standard the district relaxes) spent
110 s there, growing with the square of the count.
"""

from __future__ import annotations

from collections import defaultdict

from people.models import User

from ..models import Certificate, CertificateKind
from ..models.qualification import QualificationStandard, QualificationState, QualificationStatus
from .certificates import (
    certificates_insert,
    qualification_certificate_fields,
    qualification_certificate_issue,
    qualification_same_period,
    qualification_subject_key,
)
from .qualification_rules import Previous

VALID_STATES = (QualificationState.QUALIFIED, QualificationState.EXPIRING)


def _period_moved(before: Previous | None, row: dict) -> bool:
    if row["state"] not in VALID_STATES or row["qualified_on"] is None:
        return False
    return (
        before is None
        or before.state not in VALID_STATES
        or (before.qualified_on, before.expires_on) != (row["qualified_on"], row["expires_on"])
    )


def issue_period_certificates(
    *,
    standard: QualificationStandard,
    rows: list[dict],
    previous: dict[int, Previous],
) -> int:
    """Issue (or renew) the certificates of the rows whose valid period is new or moved;
    returns how many certificates were issued or changed."""
    due = [row for row in rows if _period_moved(previous.get(row["user_id"]), row)]
    if not due:
        return 0
    user_ids = [row["user_id"] for row in due]
    holders = User.objects.select_related("school").in_bulk(user_ids)
    existing: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in Certificate.objects.filter(
        holder_id__in=user_ids,
        kind=CertificateKind.QUALIFICATION,
        standard_code=standard.code,
    ):
        existing[certificate.holder_id].append(certificate)
    to_render, new = [], []
    for row in due:
        holder = holders[row["user_id"]]
        status = QualificationStatus(
            user=holder,
            standard=standard,
            standard_code=standard.code,
            state=row["state"],
            qualified_on=row["qualified_on"],
            expires_on=row["expires_on"],
        )
        key = qualification_subject_key(standard.code, row["qualified_on"])
        if not qualification_same_period(existing[row["user_id"]], key):
            new.append((holder, qualification_certificate_fields(status=status)))
            continue
        issued = qualification_certificate_issue(status=status, existing=existing[row["user_id"]])
        if issued is not None and issued.certificate.needs_render:
            to_render.append(issued.certificate.pk)
    to_render += certificates_insert(new)
    if to_render:
        # Imported late: the tasks module imports the services.
        from certification.certificate_tasks import certificate_render_after_issue

        certificate_render_after_issue(to_render)
    return len(to_render)
