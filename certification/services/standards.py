"""Writes of qualification standards: saving an edit, as a new version when the standard is
in use (any status was computed with it), and queueing the full recompute afterwards."""

from django.db import transaction
from django.db.models import Max

from .. import audit
from ..models.qualification import QualificationStandard, QualificationStatus


def standard_save(*, standard: QualificationStandard) -> QualificationStandard:
    """Save a standard edited in memory (with its requirements, as the admin form leaves
    them). A standard that statuses were computed with is not changed: the edit is saved as
    a copy with the next version, which becomes the current one; the statuses keep pointing
    at the version they were computed with. Either way the full recompute is queued."""
    from ..tasks import recompute_all_statuses_later

    with transaction.atomic():
        before = audit.standard_snapshot(standard)
        if (
            standard.pk is not None
            and QualificationStatus.objects.filter(standard_id=standard.pk).exists()
        ):
            standard = _as_new_version(standard)
        else:
            if standard.pk is None:
                standard.version = _next_version(standard.code)
                QualificationStandard.objects.filter(code=standard.code, is_current=True).update(
                    is_current=False
                )
                standard.is_current = True
            standard.save()
        audit.standard_saved(standard=standard, before=before)
        recompute_all_statuses_later()
    return standard


def _next_version(code: str) -> int:
    latest = QualificationStandard.objects.filter(code=code).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def _as_new_version(standard: QualificationStandard) -> QualificationStandard:
    old_pk = standard.pk
    # Lock the old version: two admins saving at once make two versions one after the other.
    QualificationStandard.objects.select_for_update().filter(pk=old_pk).first()
    requirements = list(standard.requirements.all())
    QualificationStandard.objects.filter(pk=old_pk).update(is_current=False)
    standard.pk = None
    standard.id = None
    standard._state.adding = True
    standard.version = _next_version(standard.code)
    standard.is_current = True
    for requirement in requirements:
        requirement.pk = None
        requirement.id = None
        requirement._state.adding = True
    standard.requirements = requirements
    standard.save()
    return standard
