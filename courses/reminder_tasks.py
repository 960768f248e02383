"""Celery task of the lecture reminders (beat runs it every 10 minutes; see
CELERY_BEAT_SCHEDULE). A module of its own, registered from CoursesConfig.ready()."""

from celery import shared_task

from .services.reminders import lecture_reminders_send as reminders_send


@shared_task(name="courses.lecture_reminders_send", ignore_result=True)
def lecture_reminders_send() -> dict[str, int]:
    """Send the day-before and hour-before reminders due now; safe to run twice."""
    return reminders_send()
