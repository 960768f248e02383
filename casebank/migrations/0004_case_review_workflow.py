"""The 案例审核 workflow: 隐私检查 (automatic privacy check) then 审核员审核 (the 审核员 group
approves), assigned to every case library; and the roles' page rights on each library
(讲师 add and edit but never publish; 审核员 edit and publish, which finishing the workflow
needs; 区管理员 everything). Case libraries created later get the same from
`casebank.services.case_index_attach_workflow` (a post_save receiver)."""

from django.db import migrations

WORKFLOW_NAME = "案例审核"
PRIVACY_TASK_NAME = "隐私检查"
REVIEW_TASK_NAME = "审核员审核"
REVIEWER_GROUP = "审核员"

CASE_INDEX_PAGE_PERMISSIONS = {
    "讲师": ["add_page", "change_page"],
    "审核员": ["change_page", "publish_page"],
    "区管理员": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    PrivacyCheckTask = apps.get_model("casebank", "PrivacyCheckTask")
    CaseReviewTask = apps.get_model("casebank", "CaseReviewTask")
    CaseIndexPage = apps.get_model("casebank", "CaseIndexPage")

    privacy_type, _ = ContentType.objects.get_or_create(
        app_label="casebank", model="privacychecktask"
    )
    review_type, _ = ContentType.objects.get_or_create(app_label="casebank", model="casereviewtask")

    privacy_task = PrivacyCheckTask.objects.filter(name=PRIVACY_TASK_NAME).first()
    if privacy_task is None:
        privacy_task = PrivacyCheckTask.objects.create(
            name=PRIVACY_TASK_NAME, content_type=privacy_type, active=True
        )
    review_task = CaseReviewTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if review_task is None:
        review_task = CaseReviewTask.objects.create(
            name=REVIEW_TASK_NAME, content_type=review_type, active=True
        )
    reviewers, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
    review_task.groups.add(reviewers)

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    for order, task in enumerate([privacy_task, review_task]):
        WorkflowTask.objects.update_or_create(
            workflow=workflow, task_id=task.pk, defaults={"sort_order": order}
        )

    for index_id in CaseIndexPage.objects.values_list("pk", flat=True):
        WorkflowPage.objects.update_or_create(page_id=index_id, defaults={"workflow": workflow})
        for role, codenames in CASE_INDEX_PAGE_PERMISSIONS.items():
            group = Group.objects.filter(name=role).first()
            if group is None:
                continue
            for permission in Permission.objects.filter(
                content_type__app_label="wagtailcore", codename__in=codenames
            ):
                GroupPagePermission.objects.get_or_create(
                    group=group, page_id=index_id, permission=permission
                )


class Migration(migrations.Migration):
    dependencies = [
        ("casebank", "0003_review_workflow_models"),
        ("cms", "0002_home_page_and_site"),
        ("people", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_workflow, migrations.RunPython.noop)]
