"""Wagtail's default "Moderators approval" workflow sits on the root page, but its task lost its
group when 0002 removed the sample Moderators group, so a lecturer's submitted course or lecture
could only be approved by a superuser. Give that task to 审核员 (who approve courses as well
as cases, DESIGN §2) and name it in Chinese. Cases have their own 案例审核 workflow."""

from django.db import migrations

REVIEWER = "审核员"


def assign_reviewers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    reviewers = Group.objects.filter(name=REVIEWER).first()
    if reviewers is None:
        return
    for task in GroupApprovalTask.objects.filter(name="Moderators approval"):
        if not task.groups.exists():
            task.groups.add(reviewers)
        task.name = "审核员审核（内容）"
        task.save(update_fields=["name"])
    Workflow.objects.filter(name="Moderators approval").update(name="内容审核")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_standard_handbook_lecturer_pages_site_settings"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(assign_reviewers, migrations.RunPython.noop)]
