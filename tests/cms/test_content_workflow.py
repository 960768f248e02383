"""The default content workflow on the root (courses, lectures, handbooks): its approval task
belongs to 审核员, so a reviewer — not only a superuser — can approve what a lecturer submits."""

import pytest
from wagtail.models import GroupApprovalTask, Page, Workflow

from people import roles

pytestmark = pytest.mark.django_db


def test_root_workflow_is_approved_by_reviewers():
    root = Page.get_first_root_node()
    workflow = root.get_workflow()
    assert workflow.name == "内容审核"
    tasks = [task.specific for task in workflow.tasks.all()]
    assert len(tasks) == 1 and isinstance(tasks[0], GroupApprovalTask)
    assert list(tasks[0].groups.values_list("name", flat=True)) == [roles.REVIEWER]


def test_a_reviewer_may_approve_a_page_submitted_to_it(make_user):
    from tests.factories.courses import course_index

    reviewer = make_user(roles.REVIEWER, None, staff_no="RV01", full_name="审核员甲")
    lecturer = make_user(roles.LECTURER, None, staff_no="LC01", full_name="讲师甲")
    page = course_index()
    workflow = Workflow.objects.get(name="内容审核")
    state = workflow.start(page, lecturer)
    task_state = state.current_task_state
    actions = [
        name for name, _label, _modal in task_state.task.specific.get_actions(page, reviewer)
    ]
    assert "approve" in actions
    assert task_state.task.specific.get_actions(page, lecturer) == []
