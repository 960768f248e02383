"""`python manage.py send_lecture_reminders`: send the due lecture reminders once now.

Celery beat runs the same service every 10 minutes in production; this command is for the
embedded default (no beat without a broker) and for cron. Safe to run any number of times."""

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from courses.services.reminders import lecture_reminders_send


class Command(BaseCommand):
    help = "Send due lecture reminders (the day before, one hour before); each only once."

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            counts = lecture_reminders_send()
            self.stdout.write(
                _("Lecture reminders sent: %(counts)s")
                % {"counts": ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "0"}
            )
