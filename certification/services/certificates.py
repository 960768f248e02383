"""Issuing and revoking certificates: the one place a Certificate row is created.

`certificate_issue` is idempotent on the natural key (holder, kind, subject_key): a second
call, or a concurrent one, returns the row the first made. Serials come from a per-year
counter incremented with a single UPDATE inside the issuing transaction, so they are
sequential, readable and never reused; the verification code is random.
"""

import datetime
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import audit
from certification.models import Certificate, CertificateKind, CertificateSerial

logger = logging.getLogger(__name__)

SERIAL_PREFIX = "QP"
# 20 characters of Crockford-like base32 (no 0/1/i/l/o/u): 100 bits, safe to read aloud.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstvwxyz"
CODE_LENGTH = 21  # 30 ** 21 ≈ 2 ** 103


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def next_serial(year: int) -> str:
    """The next serial of `year`, e.g. QP-2026-000123. Call inside a transaction: the row
    stays locked by the UPDATE until it commits, and a rolled-back issue gives the number back."""
    with transaction.atomic():
        CertificateSerial.objects.get_or_create(year=year)
        CertificateSerial.objects.filter(year=year).update(last=F("last") + 1)
        number = CertificateSerial.objects.values_list("last", flat=True).get(year=year)
    return f"{SERIAL_PREFIX}-{year:04d}-{number:06d}"


def next_serials(year: int, n: int) -> list[str]:
    """`n` consecutive serials of `year` in one block, for issuing many certificates at once.
    One UPDATE moves the counter by `n` (atomic in SQLite and PostgreSQL, and it holds the
    row until the caller's transaction ends), so a concurrent `next_serial` gets a number
    before or after the block, never inside it."""
    if n <= 0:
        return []
    with transaction.atomic():
        CertificateSerial.objects.get_or_create(year=year)
        CertificateSerial.objects.filter(year=year).update(last=F("last") + n)
        last = CertificateSerial.objects.values_list("last", flat=True).get(year=year)
    return [f"{SERIAL_PREFIX}-{year:04d}-{number:06d}" for number in range(last - n + 1, last + 1)]


def verification_url(certificate: Certificate) -> str:
    """The absolute public URL printed (and QR-encoded) on the certificate."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return base + reverse("certification:verify", args=[certificate.code])


@dataclass(frozen=True)
class Issued:
    certificate: Certificate
    created: bool


def certificate_unsaved(holder, **fields) -> Certificate:
    """The row `certificate_issue` saves (and bulk issuing inserts): the holder's name and school
    as they are today, the fields cut to their columns, a new verification code; no serial yet."""
    school = getattr(holder, "school", None)
    return Certificate(
        holder=holder,
        holder_name=holder.full_name or holder.get_username(),
        school_name=school.name if school else "",
        code=new_verification_code(),
        **{
            **fields,
            "subject_key": fields["subject_key"][:120],
            "title": fields["title"][:200],
            "details": fields.get("details") or {},
        },
    )


def certificate_issue(
    *,
    holder,
    kind: str,
    subject_key: str,
    title: str,
    issued_on: datetime.date,
    expires_on: datetime.date | None = None,
    hours=None,
    points=None,
    course=None,
    cycle=None,
    standard_code: str = "",
    details: dict | None = None,
) -> Issued:
    """Issue the certificate with this natural key, or return the one already issued.
    Rendering the PDF is the caller's to queue (on commit)."""
    existing = Certificate.objects.filter(holder=holder, kind=kind, subject_key=subject_key).first()
    if existing is not None:
        return Issued(existing, False)
    certificate = certificate_unsaved(
        holder,
        kind=kind,
        subject_key=subject_key,
        title=title,
        hours=hours,
        points=points,
        course=course,
        cycle=cycle,
        standard_code=standard_code,
        details=details,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    try:
        with transaction.atomic():
            certificate.serial = next_serial(issued_on.year)
            # The natural key is left to the database: full_clean's own check of the unique
            # constraint would turn a concurrent issuer's win into a ValidationError here.
            certificate.full_clean(
                exclude=["pdf"], validate_unique=False, validate_constraints=False
            )
            certificate.save()
    except IntegrityError:
        # A concurrent issuer won the natural key; its row is the certificate.
        existing = Certificate.objects.filter(
            holder=holder, kind=kind, subject_key=subject_key
        ).first()
        if existing is None:
            raise
        return Issued(existing, False)
    return Issued(certificate, True)


def certificates_insert(owed: list[tuple[object, dict]]) -> list[int]:
    """Issue many new certificates at once: `owed` is (holder, `certificate_issue` keyword
    arguments) pairs whose natural keys are not taken yet. One block of serials per year
    (`next_serials`) and one INSERT; returns the ids of the certificates created.

    The natural key is the guard: if a single issue took one of these keys since the caller
    looked, the block rolls back (its serials with it) and the rows are issued one by one
    through `certificate_issue`, which finds the winner's certificate."""
    rows = [certificate_unsaved(holder, **values) for holder, values in owed]
    if not rows:
        return []
    by_year: dict[int, list[Certificate]] = defaultdict(list)
    for row in rows:
        by_year[row.issued_on.year].append(row)
    try:
        with transaction.atomic():
            for year in sorted(by_year):
                serials = next_serials(year, len(by_year[year]))
                for row, serial in zip(by_year[year], serials, strict=True):
                    row.serial = serial
            Certificate.objects.bulk_create(rows)
        return [row.pk for row in rows]
    except IntegrityError:
        logger.info("a block of %d certificates conflicted; issuing them one by one", len(rows))
        created = []
        for holder, values in owed:
            issued = certificate_issue(holder=holder, **values)
            if issued.created:
                created.append(issued.certificate.pk)
        return created


def qualification_same_period(certificates, key: str) -> list[Certificate]:
    """The certificates among `certificates` issued for the qualification period `key`
    (`qualification_subject_key`): its first one and any re-issue after a revocation
    (key#2, key#3, …)."""
    return [c for c in certificates if c.subject_key == key or c.subject_key.startswith(key + "#")]


def certificate_revoke(*, certificate: Certificate, reason: str, revoked_by) -> Certificate:
    """Revoke with a reason; the verification page then says so, with the date. Revoking an
    already revoked certificate keeps the first revocation."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"revoked_reason": _("Give the reason for revoking.")})
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_reason = reason[:300]
            locked.revoked_by = revoked_by
            locked.save(update_fields=["revoked_at", "revoked_reason", "revoked_by", "updated_at"])
            audit.certificate_revoked(certificate=locked, user=revoked_by)
    return locked


# --- Automatic issuing: course completion and mentor qualification (issue 8) -----------------

QUALIFIED_STATES = ("qualified", "expiring")


def course_certificate_fields(*, course, completed_on: datetime.date) -> dict:
    """`certificate_issue` keyword arguments (without holder) of a course's 结业证书, dated the
    completion day; shared with bulk issuing."""
    return {
        "kind": CertificateKind.COURSE,
        "subject_key": f"course:{course.pk}",
        "title": course.title,
        "hours": course.hours,
        "points": course.credit_points,
        "course": course,
        "issued_on": completed_on,
    }


def course_certificate_issue(*, user, course, completed_on: datetime.date) -> Issued:
    """The 结业证书 of a completed course. A repeated completion signal finds the certificate
    already issued."""
    return certificate_issue(
        holder=user, **course_certificate_fields(course=course, completed_on=completed_on)
    )


def qualification_subject_key(standard_code: str, qualified_on: datetime.date) -> str:
    return f"{standard_code}:{qualified_on.isoformat()}"


def qualification_certificate_fields(*, status) -> dict:
    """`certificate_issue` keyword arguments (without holder) of the first 导师资格证明 of a
    qualification period, dated the day it started; shared with bulk issuing."""
    return {
        "kind": CertificateKind.QUALIFICATION,
        "subject_key": qualification_subject_key(status.standard_code, status.qualified_on),
        "title": status.standard.name,
        "issued_on": status.qualified_on,
        "expires_on": status.expires_on,
        "standard_code": status.standard_code,
        "details": {"qualified_on": status.qualified_on.isoformat()},
    }


def qualification_certificate_issue(
    *,
    status,
    existing: list[Certificate] | None = None,
    issued_on: datetime.date | None = None,
) -> Issued | None:
    """The 导师资格证明 of a QualificationStatus that is qualified or expiring (None otherwise).

    One certificate per qualification period start (qualified_on): a renewal keeps
    qualified_on and moves expires_on, so the certificate gets the new expiry and a new
    content_version (re-rendered under the same serial and code); qualifying again after an
    expiry is a new qualified_on, hence a new certificate. If the period's certificate was
    revoked and the teacher is qualified again on the same day (revocation lifted), a new
    certificate is issued rather than reviving the revoked one.

    `existing`: the holder's qualification certificates when the caller already read them
    (the engine reads a whole chunk's in one query); `issued_on` defaults to qualified_on,
    as in bulk generation, so both paths give the certificate the same date and serial year."""
    if status.state not in QUALIFIED_STATES or status.qualified_on is None:
        return None
    key = qualification_subject_key(status.standard_code, status.qualified_on)
    if existing is None:
        existing = list(
            Certificate.objects.filter(
                holder_id=status.user_id,
                kind=CertificateKind.QUALIFICATION,
                subject_key__startswith=key,
            )
        )
    same_period = qualification_same_period(existing, key)
    live = next((c for c in same_period if c.revoked_at is None), None)
    if live is not None:
        if live.expires_on != status.expires_on:
            with transaction.atomic():
                live = Certificate.objects.select_for_update().get(pk=live.pk)
                if live.expires_on != status.expires_on:
                    live.expires_on = status.expires_on
                    live.content_version += 1
                    live.save(update_fields=["expires_on", "content_version", "updated_at"])
        return Issued(live, False)
    fields = qualification_certificate_fields(status=status)
    if same_period:
        fields["subject_key"] = f"{key}#{len(same_period) + 1}"
    if issued_on:
        fields["issued_on"] = issued_on
    return certificate_issue(holder=status.user, **fields)


def qualification_certificates_revoke(
    *, user, standard_code: str, reason: str, revoked_by, today: datetime.date | None = None
) -> int:
    """Revoke the holder's still valid certificates of a revoked qualification, with the
    same reason. Expired ones stay as they are: they were true for their period."""
    today = today or timezone.localdate()
    valid = Certificate.objects.filter(
        holder=user,
        kind=CertificateKind.QUALIFICATION,
        standard_code=standard_code,
        revoked_at__isnull=True,
    ).exclude(expires_on__lt=today)
    revoked = 0
    for certificate in valid:
        certificate_revoke(certificate=certificate, reason=reason, revoked_by=revoked_by)
        revoked += 1
    return revoked
