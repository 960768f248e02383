"""Domain events of courses (DESIGN.md §3), sent inside the writing transaction.

course_completed: sender=CoursePage, kwargs user, course, enrollment, completed_at.
Sent once per enrolment, when the completion service first records it.
"""

from django.dispatch import Signal

course_completed = Signal()
