"""No way around the 案例审核 workflow: authors cannot publish at all, and people with
publish rights (审核员, 区管理员, superusers) cannot publish a case outside the workflow —
by the editor's Publish action, a crafted POST, the create view, a revision revert, the
bulk-action URL or the unpublish URL. Each is tried by URL."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Page

from casebank.models import CasePage
from people import roles

from .workflow_helpers import (
    approve_in_admin,
    case_edit_post_data,
    case_index,
    draft_case,
    messages_of,
    new_case_post_data,
    submit_in_admin,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db

REFUSAL = (
    "Cases are published only through the case review (privacy check, then a "
    "reviewer). Submit the case for review instead."
)


@pytest.fixture
def lecturer(make_user, school_a):
    return make_user(roles.LECTURER, school_a, staff_no="L001", full_name="讲师陈")


@pytest.fixture
def reviewer(make_user):
    return make_user(roles.REVIEWER, None, staff_no="R001", full_name="审核员林")


@pytest.fixture
def superuser(make_user):
    return make_user(None, None, staff_no="SU01", full_name="超级管理员", is_superuser=True)


@pytest.fixture
def index(db):
    return case_index()


@pytest.fixture
def case(index, lecturer):
    return draft_case(index, lecturer)


def _live(case) -> bool:
    return CasePage.objects.get(pk=case.pk).live


def _publish_post(client, case, **extra):
    data = case_edit_post_data(case)
    data["action-publish"] = "action-publish"
    data.update(extra)
    return client.post(reverse("wagtailadmin_pages:edit", args=[case.pk]), data)


def _create_post_data(index):
    return new_case_post_data()


# --- authors (讲师) have no publish right: Wagtail's own checks refuse them ---------------


def test_author_edit_publish_post_does_not_publish(client, lecturer, case):
    client.force_login(lecturer)
    response = _publish_post(client, case)
    assert response.status_code == 302
    assert not _live(case)


def test_author_create_with_publish_does_not_publish(client, lecturer, index):
    client.force_login(lecturer)
    data = _create_post_data(index)
    data["action-publish"] = "action-publish"
    url = reverse("wagtailadmin_pages:add", args=["casebank", "casepage", index.pk])
    client.post(url, data)
    assert not CasePage.objects.filter(slug="brand-new-case", live=True).exists()


def test_author_bulk_publish_url_does_not_publish(client, lecturer, case):
    client.force_login(lecturer)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(f"{url}?id={case.pk}", {"include_descendants": ""})
    assert response.status_code in (200, 302)
    assert not _live(case)


def test_author_cannot_approve_own_case_by_the_workflow_action_url(client, lecturer, case):
    client.force_login(lecturer)
    submit_in_admin(client, case)
    response = client.post(workflow_action_url(case, "approve"), {"comment": ""})
    assert response.status_code in (302, 403)
    assert not _live(case)
    assert CasePage.objects.get(pk=case.pk).current_workflow_task.name == "审核员审核"


def test_author_cannot_unpublish_a_live_case(client, lecturer, reviewer, case):
    client.force_login(lecturer)
    submit_in_admin(client, case)
    client.force_login(reviewer)
    approve_in_admin(client, case)
    assert _live(case)

    client.force_login(lecturer)
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[case.pk]))
    assert response.status_code in (302, 403)
    assert _live(case)


def test_author_revision_revert_with_publish_does_not_publish(client, lecturer, case):
    client.force_login(lecturer)
    revision = case.get_latest_revision()
    data = case_edit_post_data(case)
    data["action-publish"] = "action-publish"
    client.post(reverse("wagtailadmin_pages:revisions_revert", args=[case.pk, revision.pk]), data)
    assert not _live(case)


# --- people with publish rights cannot go around the workflow either ---------------------


@pytest.mark.parametrize("who", ["reviewer", "district_admin", "superuser"])
def test_publish_action_of_the_editor_is_refused(client, request, who, case):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert case.permissions_for_user(user).can_publish()  # Wagtail alone would let them

    response = _publish_post(client, case)

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=[case.pk])
    assert _(REFUSAL) in messages_of(response)
    assert not _live(case)


def test_the_editor_offers_no_publish_button_on_cases(client, reviewer, case):
    client.force_login(reviewer)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[case.pk]))
    assert response.status_code == 200
    assert b'name="action-publish"' not in response.content
    assert b'name="action-submit"' in response.content


@pytest.mark.parametrize("who", ["district_admin", "superuser"])
def test_create_view_with_publish_is_refused_before_anything_is_saved(client, request, who, index):
    user = request.getfixturevalue(who)
    assert index.permissions_for_user(user).can_publish_subpage()
    client.force_login(user)
    data = _create_post_data(index)
    data["action-publish"] = "action-publish"
    url = reverse("wagtailadmin_pages:add", args=["casebank", "casepage", index.pk])

    response = client.post(url, data)

    assert response.status_code == 302
    assert _(REFUSAL) in messages_of(response)
    assert not CasePage.objects.filter(slug="brand-new-case").exists()


def test_revision_revert_with_publish_is_refused(client, reviewer, case):
    client.force_login(reviewer)
    revision = case.get_latest_revision()
    data = case_edit_post_data(case)
    data["action-publish"] = "action-publish"
    response = client.post(
        reverse("wagtailadmin_pages:revisions_revert", args=[case.pk, revision.pk]), data
    )
    assert response.status_code == 302
    assert not _live(case)


def test_bulk_publish_of_a_case_is_refused(client, reviewer, case):
    client.force_login(reviewer)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(f"{url}?id={case.pk}&next=/admin/", {})
    assert response.status_code == 302
    assert _(REFUSAL) in messages_of(response)
    assert not _live(case)


def test_bulk_publish_of_the_library_with_its_drafts_is_refused(
    client, district_admin, index, case
):
    client.force_login(district_admin)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(f"{url}?id={index.pk}&next=/admin/", {"include_descendants": "on"})
    assert response.status_code == 302
    assert _(REFUSAL) in messages_of(response)
    assert not _live(case)


def test_bulk_publish_of_other_pages_still_works(client, district_admin, index):
    """The guard is about cases only: a library page itself can still be bulk-published."""
    client.force_login(district_admin)
    index.save_revision(user=district_admin)
    Page.objects.filter(pk=index.pk).update(live=False)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(f"{url}?id={index.pk}&next=/admin/", {})
    assert response.status_code == 302
    assert Page.objects.get(pk=index.pk).live


def test_the_workflow_publishes_for_the_same_reviewer(client, lecturer, reviewer, case):
    client.force_login(lecturer)
    submit_in_admin(client, case)
    client.force_login(reviewer)
    approve_in_admin(client, case)
    assert _live(case)
