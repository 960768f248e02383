"""Signal receivers of courses: each only calls a service."""

from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from .models import LessonPage
from .services.lessons import lesson_packages_sync


@receiver(page_published, sender=LessonPage)
@receiver(page_unpublished, sender=LessonPage)
def lesson_packages_follow_body(sender, instance, **kwargs):
    lesson_packages_sync(lesson=instance)
