"""Domain events of courses (DESIGN.md §3), sent inside the writing transaction.

course_completed: sender=CoursePage, kwargs user, course, enrollment, completed_at.
Sent once per enrolment, when the completion service first records it.
lecture_attended: see below.
"""

from django.dispatch import Signal

course_completed = Signal()

# lecture_attended: sender=LecturePage, kwargs user, lecture, attendance, hours. Sent once per
# attendance, when it becomes creditable (at check-in, or after the feedback when the series
# requires it).
lecture_attended = Signal()
