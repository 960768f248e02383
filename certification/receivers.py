"""Receivers of the domain events of courses and the case bank: each is one ledger service
call, inside the sender's transaction; a repeated signal finds the entry already recorded."""

from django.dispatch import receiver
from django.utils import timezone

from casebank.signals import case_published
from courses.signals import course_completed, lecture_attended

# Imported here so the render task registers with Celery wherever the app loads.
from . import certificate_tasks
from .services import certificates, ledger


@receiver(course_completed, dispatch_uid="certification.credit_course_completed")
def credit_course_completed(sender, *, user, course, completed_at, **kwargs):
    ledger.credit_for_course_completion(user=user, course=course, completed_at=completed_at)


@receiver(course_completed, dispatch_uid="certification.certificate_course_completed")
def certificate_course_completed(sender, *, user, course, completed_at, **kwargs):
    # The 结业证书; its PDF renders after the completion commits (a repeat issues nothing).
    issued = certificates.course_certificate_issue(
        user=user, course=course, completed_on=timezone.localdate(completed_at)
    )
    if issued.created:
        certificate_tasks.certificate_render_after_issue([issued.certificate.pk])


@receiver(lecture_attended, dispatch_uid="certification.credit_lecture_attended")
def credit_lecture_attended(sender, *, user, lecture, attendance, hours, **kwargs):
    ledger.credit_for_lecture_attendance(
        user=user, lecture=lecture, attendance=attendance, hours=hours
    )


@receiver(case_published, dispatch_uid="certification.credit_case_published")
def credit_case_published(
    sender, *, case, author, points, hours, category, level, published_at, **kwargs
):
    ledger.credit_for_case(
        author=author,
        case=case,
        points=points,
        hours=hours,
        category=category,
        level=level,
        published_at=published_at,
    )
