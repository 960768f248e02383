"""Contribution credit: the first publication of a case through the review workflow sends
`case_published` once per author, with the case library's credit settings, inside the
publishing transaction; republishing, a second approval or a retried call send nothing."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from casebank.models import CaseCredit, CasePage
from casebank.services import case_publish_credit
from casebank.signals import case_published
from people import roles

from .workflow_helpers import approve_in_admin, case_index, draft_case, submit_in_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecturer(make_user, school_a):
    return make_user(roles.LECTURER, school_a, staff_no="L001", full_name="讲师陈")


@pytest.fixture
def co_author(make_user, school_a):
    return make_user(roles.LECTURER, school_a, staff_no="L002", full_name="讲师吴")


@pytest.fixture
def reviewer(make_user):
    return make_user(roles.REVIEWER, None, staff_no="R001", full_name="审核员林")


@pytest.fixture
def index(db):
    return case_index(
        credit_points=Decimal("1.5"),
        credit_hours=Decimal("6"),
        credit_category="knowledge",
        credit_level="city",
    )


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(
            {
                "sender": sender,
                "in_atomic_block": transaction.get_connection().in_atomic_block,
                **kwargs,
            }
        )

    case_published.connect(receiver, weak=False)
    yield calls
    case_published.disconnect(receiver)


def _review(client, case, author, reviewer):
    client.force_login(author)
    submit_in_admin(client, case)
    client.force_login(reviewer)
    approve_in_admin(client, case)


def test_approval_sends_case_published_once_per_author(
    client, lecturer, co_author, reviewer, index, received
):
    case = draft_case(index, lecturer, authors=[lecturer, co_author])

    _review(client, case, lecturer, reviewer)

    case.refresh_from_db()
    assert case.live
    assert sorted(call["author"].pk for call in received) == sorted([lecturer.pk, co_author.pk])
    for call in received:
        assert call["sender"] is CasePage
        assert call["case"].pk == case.pk
        assert call["points"] == Decimal("1.5")
        assert call["hours"] == Decimal("6")
        assert call["category"] == "knowledge"
        assert call["level"] == "city"
        assert call["published_at"] == case.last_published_at
        assert call["in_atomic_block"]
    assert CaseCredit.objects.filter(case=case).count() == 2


def test_without_authors_the_owner_is_credited(client, lecturer, reviewer, index, received):
    case = draft_case(index, lecturer)
    _review(client, case, lecturer, reviewer)
    assert [call["author"].pk for call in received] == [lecturer.pk]


def test_republishing_sends_nothing(client, lecturer, reviewer, district_admin, index, received):
    case = draft_case(index, lecturer, authors=[lecturer])
    _review(client, case, lecturer, reviewer)
    assert len(received) == 1

    # Taken down, edited, reviewed and published again: no second credit.
    client.force_login(district_admin)
    client.post(reverse("wagtailadmin_pages:unpublish", args=[case.pk]))
    assert not CasePage.objects.get(pk=case.pk).live
    _review(client, case, lecturer, reviewer)

    assert CasePage.objects.get(pk=case.pk).live
    assert len(received) == 1
    assert CaseCredit.objects.filter(case=case).count() == 1


def test_a_retried_credit_call_sends_nothing(client, lecturer, reviewer, index, received):
    case = draft_case(index, lecturer)
    _review(client, case, lecturer, reviewer)
    assert len(received) == 1

    assert case_publish_credit(case=CasePage.objects.get(pk=case.pk)) == []
    assert len(received) == 1


def test_publishing_outside_the_workflow_credits_nobody(lecturer, index, received):
    """Code that publishes a case directly (e.g. seeding) does not earn anyone credit."""
    case = draft_case(index, lecturer)
    case.get_latest_revision().publish()
    assert CasePage.objects.get(pk=case.pk).live
    assert received == []
    assert not CaseCredit.objects.exists()


def test_a_rejected_case_credits_nobody(client, lecturer, index, received):
    from .workflow_helpers import ID_NUMBER

    case = draft_case(index, lecturer, background=f"<p>身份证{ID_NUMBER}</p>")
    client.force_login(lecturer)
    submit_in_admin(client, case)
    assert received == []
