"""Reads of the mentor-readiness API: the statuses a token may list, filtered."""

from datetime import datetime

from django.db.models import QuerySet

from people.models import School

from ..models.qualification import QualificationStatus
from ..selectors.qualification import MENTOR_STANDARD_CODE


def readiness_statuses(
    *,
    school: School | None = None,
    stage: str | None = None,
    state: str | None = None,
    changed_since: datetime | None = None,
) -> QuerySet[QualificationStatus]:
    """Mentor statuses of active teachers, in a stable order for paging (school, 工号)."""
    statuses = (
        QualificationStatus.objects.filter(standard_code=MENTOR_STANDARD_CODE, user__is_active=True)
        .select_related("user__school")
        .only(
            "state",
            "qualified_on",
            "expires_on",
            "missing",
            "user__staff_no",
            "user__full_name",
            "user__stage",
            "user__school__code",
        )
    )
    if school is not None:
        statuses = statuses.filter(user__school=school)
    if stage:
        statuses = statuses.filter(user__stage=stage)
    if state:
        statuses = statuses.filter(state=state)
    if changed_since is not None:
        statuses = statuses.filter(changed_at__gte=changed_since)
    return statuses.order_by("user__school__code", "user__staff_no", "pk")
