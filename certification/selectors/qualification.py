"""Reads of qualification standards and statuses, shared by the teacher's /me/ section,
the school dashboards and the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from people.models import School

from ..models.qualification import (
    QualificationStandard,
    QualificationState,
    QualificationStatus,
    RequirementKind,
    StandardRequirement,
)

# The family code of the mentor qualification (导师上岗资格) seeded by migration 0005.
MENTOR_STANDARD_CODE = "mentor"


def standards_current() -> QuerySet[QualificationStandard]:
    """The current version of every standard family, with its requirements."""
    return QualificationStandard.objects.filter(is_current=True).prefetch_related(
        Prefetch("requirements", queryset=StandardRequirement.objects.order_by("sort_order", "id"))
    )


def standard_in_use(standard: QualificationStandard) -> bool:
    """Whether any status was computed with this version (editing it then makes a new one)."""
    return QualificationStatus.objects.filter(standard=standard).exists()


def statuses_for_school(
    school: School, *, state: str | None = None, standard_code: str = MENTOR_STANDARD_CODE
) -> QuerySet[QualificationStatus]:
    """Statuses of the school's active teachers for one standard family, by 工号."""
    statuses = QualificationStatus.objects.filter(
        user__school=school, user__is_active=True, standard_code=standard_code
    ).select_related("user")
    if state:
        statuses = statuses.filter(state=state)
    return statuses.order_by("user__staff_no")


def status_for_user(
    user, *, standard_code: str = MENTOR_STANDARD_CODE
) -> QualificationStatus | None:
    """The teacher's status for one standard family (with the version it was computed with
    and that version's requirements), or None before the first computation."""
    if user is None or not user.is_authenticated:
        return None
    return (
        QualificationStatus.objects.filter(user=user, standard_code=standard_code)
        .select_related("standard")
        .prefetch_related(
            Prefetch(
                "standard__requirements",
                queryset=StandardRequirement.objects.order_by("sort_order", "id"),
            )
        )
        .first()
    )


# --- The teacher's view: one row per requirement -------------------------------------------


@dataclass(frozen=True)
class RequirementProgress:
    code: str
    label: str
    kind: str
    have: float
    need: float
    met: bool
    course_code: str = ""
    category: str = ""
    window_months: int | None = None

    @property
    def percent(self) -> int:
        if self.met or self.need <= 0:
            return 100
        return max(0, min(100, int(self.have * 100 / self.need)))


@dataclass(frozen=True)
class QualificationView:
    standard: QualificationStandard
    state: str
    state_label: str
    qualified_on: object
    expires_on: object
    progress: float
    rows: list[RequirementProgress] = field(default_factory=list)
    renewal: dict | None = None
    computed_at: object = None
    revoked_reason: str = ""

    @property
    def days_left(self) -> int | None:
        if self.expires_on is None:
            return None
        return (self.expires_on - timezone.localdate()).days


def _need(requirement: StandardRequirement) -> float:
    if requirement.kind == RequirementKind.COURSE_COMPLETED:
        return 1.0
    return float(requirement.min_value)


def requirement_applies(requirement: StandardRequirement, stage: str) -> bool:
    return not requirement.stages or stage in requirement.stages


def qualification_view_for_user(
    user, *, standard_code: str = MENTOR_STANDARD_CODE
) -> QualificationView | None:
    """The stored status as one progress row per requirement that applies to the teacher's
    stage: a requirement listed in `missing` shows its have/need, any other one is met.
    Before the first computation, the current standard with nothing earned. Two queries."""
    status = status_for_user(user, standard_code=standard_code)
    if status is not None:
        standard = status.standard
        missing = {item.get("code"): item for item in status.missing or []}
        state = status.state
    else:
        standard = standards_current().filter(code=standard_code).first()
        if standard is None:
            return None
        missing = None
        state = QualificationState.NOT_STARTED
    if standard.stages and user.stage not in standard.stages:
        return None
    rows = []
    for requirement in standard.requirements.all():
        if not requirement_applies(requirement, user.stage):
            continue
        need = _need(requirement)
        if missing is None:
            have, met = 0.0, False
        elif requirement.code in missing:
            item = missing[requirement.code]
            have, need, met = float(item.get("have") or 0), float(item.get("need") or need), False
        else:
            have, met = need, True
        rows.append(
            RequirementProgress(
                code=requirement.code,
                label=requirement.label,
                kind=requirement.kind,
                have=have,
                need=need,
                met=met,
                course_code=requirement.course_code,
                category=requirement.category,
                window_months=requirement.window_months,
            )
        )
    renewal = (missing or {}).get("renewal") if status is not None else None
    return QualificationView(
        standard=standard,
        state=state,
        state_label=str(QualificationState(state).label),
        qualified_on=status.qualified_on if status else None,
        expires_on=status.expires_on if status else None,
        progress=float(status.progress) if status else 0.0,
        rows=rows,
        renewal=renewal,
        computed_at=status.computed_at if status else None,
        revoked_reason=status.revoked_reason if status else "",
    )
