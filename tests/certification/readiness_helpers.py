"""Helpers of the dashboard and API tests: teachers and their mentor statuses written
directly (in bulk), as the engine would leave them."""

import datetime
import itertools

from django.contrib.auth.models import Group
from django.utils import timezone

from certification.models.qualification import (
    QualificationStandard,
    QualificationState,
    QualificationStatus,
)
from people import roles
from people.models import Stage, User

_numbers = itertools.count(1)


def mentor_standard() -> QualificationStandard:
    return QualificationStandard.objects.get(code="mentor", is_current=True)


def missing_item(code="mental-health", label="心理健康教育基础", have=0, need=4):
    return {"code": code, "label": label, "have": have, "need": need}


def status_for(user, state=QualificationState.IN_PROGRESS, **fields) -> QualificationStatus:
    now = timezone.now()
    defaults = {
        "standard": mentor_standard(),
        "standard_code": "mentor",
        "state": state,
        "progress": 50 if state == QualificationState.IN_PROGRESS else 0,
        "missing": []
        if state in (QualificationState.QUALIFIED, QualificationState.EXPIRING)
        else [missing_item()],
        "computed_at": now,
        "changed_at": now,
    }
    if state in (QualificationState.QUALIFIED, QualificationState.EXPIRING):
        defaults["qualified_on"] = datetime.date(2026, 3, 1)
        defaults["expires_on"] = datetime.date(2029, 3, 1)
    defaults.update(fields)
    status, _created = QualificationStatus.objects.update_or_create(
        user=user, standard_code="mentor", defaults=defaults
    )
    return status


def bulk_teachers(school, n, *, stage=Stage.PRIMARY, state=None, prefix="BT", **fields):
    """n active teachers of `school` (bulk, unusable passwords), each with a mentor status in
    `state` when given. Returns the users."""
    base = next(_numbers)
    users = User.objects.bulk_create(
        [
            User(
                staff_no=f"{prefix}{base:03d}{index:05d}",
                full_name=f"批量教师{base}-{index}",
                school=school,
                stage=stage,
                password="!",
                **fields,
            )
            for index in range(n)
        ]
    )
    users = list(User.objects.filter(staff_no__startswith=f"{prefix}{base:03d}"))
    Group.objects.get(name=roles.TEACHER).user_set.add(*users)
    if state is not None:
        standard = mentor_standard()
        now = timezone.now()
        qualified = state in (QualificationState.QUALIFIED, QualificationState.EXPIRING)
        QualificationStatus.objects.bulk_create(
            [
                QualificationStatus(
                    user=user,
                    standard=standard,
                    standard_code="mentor",
                    state=state,
                    progress=100 if qualified else 40,
                    missing=[] if qualified else [missing_item()],
                    qualified_on=datetime.date(2026, 3, 1) if qualified else None,
                    expires_on=datetime.date(2029, 3, 1) if qualified else None,
                    computed_at=now,
                    changed_at=now,
                )
                for user in users
            ]
        )
    return users
