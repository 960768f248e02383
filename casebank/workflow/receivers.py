"""Signal receivers of the review workflow: each only calls a service."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from ..models import CaseIndexPage, CasePage
from ..services import case_index_attach_workflow, case_publish_credit


@receiver(post_save, sender=CaseIndexPage)
def case_index_gets_review_workflow(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        case_index_attach_workflow(index=instance)


@receiver(page_published, sender=CasePage)
def case_publication_credits_authors(sender, instance, **kwargs):
    case_publish_credit(case=instance)
