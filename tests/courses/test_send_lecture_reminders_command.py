"""The command sends due reminders once, like the beat task."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from courses.services.registration import lecture_register
from tests.factories.lectures import make_lecture

pytestmark = pytest.mark.django_db


def test_command_sends_due_reminders_once(teacher_a):
    teacher_a.email = "teacher@example.org"
    teacher_a.save()
    lecture = make_lecture(starts_in=timedelta(minutes=40))
    lecture_register(user=teacher_a, lecture=lecture)
    call_command("send_lecture_reminders", stdout=None)
    call_command("send_lecture_reminders", stdout=None)
    assert len(mail.outbox) == 1
    assert teacher_a.notifications.count() == 1
