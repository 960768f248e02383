"""Domain events of the case bank (DESIGN.md §3). `certification` subscribes.

case_published(sender=CasePage, case, author, points, hours, category, level, published_at)
    Sent once per author when a case is first published through the review workflow, inside
    the publishing transaction.
"""

from django.dispatch import Signal

case_published = Signal()
