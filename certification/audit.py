"""Audit log of certification: cycles, standards, ledger corrections and manual awards,
certificate and qualification revocations, training imports — who, when and what.

The services call the helpers here inside their own transactions, so a change and its log
entry commit or roll back together. Entries are Wagtail `ModelLogEntry` rows, read by the
district admin in Reports → Site history (people.audit restricts that report).
Qualification revocations are logged on the teacher's account: statuses have no admin
screen, and the account is what the district admin looks for.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from people.audit import (
    ChangesFormatter,
    ImportFormatter,
    formatter,
    log,
    shown_value,
    track_changes,
)

from .models import CreditCycle, CycleRequirement, QualificationStandard

CYCLE_CHANGE = "certification.cycle.change"
CYCLE_REQUIREMENT_CHANGE = "certification.cycle_requirement.change"
STANDARD_SAVE = "certification.standard.save"
CREDIT_REVERSE = "certification.credit.reverse"
CREDIT_MANUAL = "certification.credit.manual"
CERTIFICATE_REVOKE = "certification.certificate.revoke"
QUALIFICATION_REVOKE = "certification.qualification.revoke"
QUALIFICATION_UNREVOKE = "certification.qualification.unrevoke"
TRAINING_UPLOAD = "certification.training_import.upload"
TRAINING_CONFIRM = "certification.training_import.confirm"
TRAINING_APPLY = "certification.training_import.apply"

STANDARD_FIELDS = (
    "name",
    "description",
    "stages",
    "validity_months",
    "renewal_hours",
    "expiring_days",
    "effective_from",
)

track_changes(CreditCycle, ("name", "starts_on", "ends_on", "min_total_points"), CYCLE_CHANGE)
track_changes(
    CycleRequirement, ("cycle", "category", "level", "min_points"), CYCLE_REQUIREMENT_CHANGE
)


def _teacher(user) -> str:
    return f"{user.staff_no} {user.full_name}".strip()


# --- Standards ---------------------------------------------------------------------------


def _requirement_text(requirement) -> str:
    parts = [
        requirement.code,
        requirement.label,
        str(requirement.get_kind_display()),
        requirement.course_code,
        requirement.category,
        str(requirement.min_value) if requirement.min_value is not None else "",
        f"{requirement.window_months}m" if requirement.window_months else "",
    ]
    return " ".join(part for part in parts if part)


def standard_snapshot(standard) -> dict | None:
    """The saved version's fields and requirements, before an edit is saved."""
    if standard.pk is None:
        return None
    saved = QualificationStandard.objects.filter(pk=standard.pk).first()
    if saved is None:
        return None
    values = {name: getattr(saved, name) for name in STANDARD_FIELDS}
    values["requirements"] = [_requirement_text(r) for r in saved.requirements.all()]
    values["version"] = saved.version
    return values


def standard_saved(*, standard, before: dict | None, user=None) -> None:
    """Log a created or edited standard with the before/after of what changed."""
    changes = []
    for name in STANDARD_FIELDS:
        old = before.get(name) if before else None
        new = getattr(standard, name)
        if before is not None and old == new:
            continue
        changes.append(
            {
                "field": name,
                "label": str(QualificationStandard._meta.get_field(name).verbose_name),
                "before": shown_value(QualificationStandard, name, old) if before else "",
                "after": shown_value(QualificationStandard, name, new),
            }
        )
    old_requirements = before["requirements"] if before else []
    new_requirements = [_requirement_text(r) for r in standard.requirements.all()]
    if old_requirements != new_requirements:
        changes.append(
            {
                "field": "requirements",
                "label": str(_("requirements")),
                "before": " | ".join(old_requirements),
                "after": " | ".join(new_requirements),
            }
        )
    data = {
        "code": standard.code,
        "version": standard.version,
        "previous_version": before["version"] if before else None,
        "created": before is None,
        "changes": changes,
    }
    log(instance=standard, action=STANDARD_SAVE, user=user, data=data)


# --- Ledger ------------------------------------------------------------------------------


def _entry_data(entry) -> dict:
    return {
        "teacher": _teacher(entry.user),
        "title": entry.title,
        "points": str(entry.points),
        "hours": str(entry.hours),
        "awarded_on": entry.awarded_on.isoformat(),
        "reason": entry.reason,
    }


def credit_reversed(*, entry, reversal, user) -> None:
    data = {**_entry_data(entry), "reason": reversal.reason, "reversal_id": reversal.pk}
    log(
        instance=entry,
        action=CREDIT_REVERSE,
        user=user,
        title=f"{_teacher(entry.user)} · {entry.title}"[:255],
        data=data,
    )


def credit_awarded(*, entry, user) -> None:
    """Log a manual award (other sources are logged by what caused them: a completion, an
    attendance, an import)."""
    if entry.source != "manual":
        return
    log(
        instance=entry,
        action=CREDIT_MANUAL,
        user=user,
        title=f"{_teacher(entry.user)} · {entry.title}"[:255],
        data=_entry_data(entry),
    )


# --- Certificates and qualifications -----------------------------------------------------


def certificate_revoked(*, certificate, user) -> None:
    log(
        instance=certificate,
        action=CERTIFICATE_REVOKE,
        user=user,
        data={
            "serial": certificate.serial,
            "holder": certificate.holder_name,
            "reason": certificate.revoked_reason,
        },
    )


def qualification_revoked(*, status, before_state: str, user) -> None:
    log(
        instance=status.user,
        action=QUALIFICATION_REVOKE,
        user=user,
        data={
            "standard": status.standard_code,
            "before": before_state,
            "after": status.state,
            "reason": status.revoked_reason,
        },
    )


def qualification_unrevoked(*, user, standard_code: str, status, reason: str = "") -> None:
    log(
        instance=user,
        action=QUALIFICATION_UNREVOKE,
        data={
            "standard": standard_code,
            "before": "revoked",
            "after": status.state if status is not None else "",
            "reason": reason,
        },
    )


# --- Training imports --------------------------------------------------------------------


def training_import_logged(*, job, action: str, user=None) -> None:
    summary = job.summary or {}
    data = {
        "file": job.original_name,
        "school": job.school_scope.code if job.school_scope_id else "",
        "total_rows": job.total_rows or summary.get("total_rows", 0),
        "new": summary.get("new", 0),
        "existing": summary.get("existing", 0),
    }
    log(instance=job, action=action, user=user, data=data)


# --- Messages ----------------------------------------------------------------------------


class EntryFormatter(LogFormatter):
    def format_message(self, log_entry):
        data = log_entry.data
        return _(
            "%(message)s: %(teacher)s, %(title)s, %(points)s 学分 / %(hours)s 学时; "
            "reason: %(reason)s"
        ) % {"message": self.message, **{k: data.get(k, "") for k in _ENTRY_KEYS}}


_ENTRY_KEYS = ("teacher", "title", "points", "hours", "reason")


class RevocationFormatter(LogFormatter):
    def format_message(self, log_entry):
        data = log_entry.data
        subject = data.get("serial") or data.get("standard", "")
        details = f"{subject} {data.get('holder', '')}".strip()
        if data.get("before") or data.get("after"):
            details += f" ({data.get('before') or '—'} → {data.get('after') or '—'})"
        if data.get("reason"):
            details += "; " + str(_("reason: %(reason)s") % {"reason": data["reason"]})
        return f"{self.message}: {details}"


class StandardFormatter(ChangesFormatter):
    def format_message(self, log_entry):
        data = log_entry.data
        version = _("version %(version)s") % {"version": data.get("version")}
        return f"{super().format_message(log_entry)} ({data.get('code', '')}, {version})"


class TrainingImportFormatter(ImportFormatter):
    counts = (
        ("school", _("school")),
        ("total_rows", _("rows")),
        ("new", _("new records")),
        ("existing", _("already recorded")),
    )


@hooks.register("register_log_actions")
def register_certification_log_actions(actions):
    registrations = [
        (CYCLE_CHANGE, ChangesFormatter, _("Change credit cycle"), _("Credit cycle changed")),
        (
            CYCLE_REQUIREMENT_CHANGE,
            ChangesFormatter,
            _("Change cycle requirement"),
            _("Cycle requirement changed"),
        ),
        (
            STANDARD_SAVE,
            StandardFormatter,
            _("Save qualification standard"),
            _("Qualification standard saved"),
        ),
        (CREDIT_REVERSE, EntryFormatter, _("Reverse credit entry"), _("Credit entry reversed")),
        (CREDIT_MANUAL, EntryFormatter, _("Award credit by hand"), _("Credit awarded by hand")),
        (
            CERTIFICATE_REVOKE,
            RevocationFormatter,
            _("Revoke certificate"),
            _("Certificate revoked"),
        ),
        (
            QUALIFICATION_REVOKE,
            RevocationFormatter,
            _("Revoke qualification"),
            _("Qualification revoked"),
        ),
        (
            QUALIFICATION_UNREVOKE,
            RevocationFormatter,
            _("Lift qualification revocation"),
            _("Qualification revocation lifted"),
        ),
        (
            TRAINING_UPLOAD,
            TrainingImportFormatter,
            _("Upload training records"),
            _("Training records uploaded"),
        ),
        (
            TRAINING_CONFIRM,
            TrainingImportFormatter,
            _("Confirm training import"),
            _("Training import confirmed"),
        ),
        (
            TRAINING_APPLY,
            TrainingImportFormatter,
            _("Apply training import"),
            _("Training import applied"),
        ),
    ]
    for action, base, label, message in registrations:
        actions.register_action(action)(formatter(base, label, message))
