"""Signal receivers of the review workflow: each only calls a service."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import WorkflowState
from wagtail.signals import page_published, workflow_approved, workflow_rejected

from ..models import CaseIndexPage, CasePage
from ..services import case_index_attach_workflow, case_publish_credit
from .services import case_review_notify_published, case_review_notify_returned


def _is_case_state(workflow_state: WorkflowState) -> bool:
    return issubclass(workflow_state.content_type.model_class() or object, CasePage)


@receiver(post_save, sender=CaseIndexPage)
def case_index_gets_review_workflow(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        case_index_attach_workflow(index=instance)


@receiver(page_published, sender=CasePage)
def case_publication_credits_authors(sender, instance, **kwargs):
    case_publish_credit(case=instance)


@receiver(workflow_rejected, sender=WorkflowState)
def case_returned_tells_the_submitter(sender, instance, **kwargs):
    if _is_case_state(instance):
        case_review_notify_returned(workflow_state=instance)


@receiver(workflow_approved, sender=WorkflowState)
def case_published_tells_the_submitter(sender, instance, **kwargs):
    if _is_case_state(instance):
        case_review_notify_published(workflow_state=instance)
