"""Demo credit: the seeded completions and attendances (which sent no signals) get their
ledger entries in bulk, plus imported 校本研修; a re-run adds nothing; the chain verifies."""

from io import StringIO

import pytest
from django.core.management import call_command

from certification.models import CreditEntry, CreditSource
from courses.choices import EnrollmentStatus
from courses.models import Attendance, Enrollment
from people.demo import SCALES, run_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return run_seed(SCALES["small"])


def by_source():
    return {
        source: CreditEntry.objects.filter(source=source).count() for source in CreditSource.values
    }


def test_demo_credit_matches_the_seeded_history_and_is_idempotent(seeded):
    completed = Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED).count()
    attended = Attendance.objects.filter(credited_at__isnull=False).count()
    counts = by_source()
    assert completed and attended and counts["import"]
    assert counts["course"] == completed
    assert counts["lecture"] == attended
    # One entry per (teacher, source object): the demo teacher's signal-made entries are
    # not doubled by the bulk step.
    assert (
        CreditEntry.objects.filter(reverses__isnull=True)
        .values("user", "source", "source_ref")
        .distinct()
        .count()
        == CreditEntry.objects.count()
    )
    run_seed(SCALES["small"])
    assert by_source() == counts
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert str(CreditEntry.objects.count()) in out.getvalue()


def test_demo_has_qualified_mentors_and_everyone_has_a_status(seeded):
    """The mentor cohort (courses.demo.seed_mentor_cohort) qualifies through the ledger and
    the engine: each qualified teacher completed their stage's mentor courses."""
    from certification.models.qualification import QualificationState, QualificationStatus
    from courses.demo import MENTOR_COURSES_BY_STAGE
    from people.models import User

    teachers = User.objects.filter(is_active=True, school__isnull=False)
    assert QualificationStatus.objects.count() == teachers.count()
    qualified = QualificationStatus.objects.filter(state=QualificationState.QUALIFIED)
    assert qualified.exists()
    for status in qualified.select_related("user"):
        done = set(
            Enrollment.objects.filter(
                user=status.user, status=EnrollmentStatus.COMPLETED
            ).values_list("course__code", flat=True)
        )
        assert set(MENTOR_COURSES_BY_STAGE[status.user.stage]) <= done
        assert status.missing == []
    # Others still have something to do, and it is named.
    assert QualificationStatus.objects.filter(state=QualificationState.IN_PROGRESS).exists()
