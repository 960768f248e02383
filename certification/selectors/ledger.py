"""Reads of the credit ledger and its imports, with the one rule of who sees whose records."""

from django.db.models import QuerySet

from certification.models import CreditEntry, TrainingImport
from people import selectors as people_selectors


def credit_entries_visible_to(user) -> QuerySet[CreditEntry]:
    """Ledger rows a person may list in the admin: district admins and HR all, school admins
    their own school's teachers', everyone else none."""
    entries = CreditEntry.objects.all()
    if not user.has_perm("certification.view_creditentry"):
        return entries.none()
    if people_selectors.user_is_district_admin(user) or people_selectors.user_is_hr(user):
        return entries
    if people_selectors.user_is_school_admin(user):
        return entries.filter(user__school_id=user.school_id)
    return entries.none()


def training_imports_visible_to(user) -> QuerySet[TrainingImport]:
    """Imports a person may open: district admins all, school admins their school's only."""
    jobs = TrainingImport.objects.select_related("uploaded_by", "applied_by", "school_scope")
    if not user.has_perm("certification.view_trainingimport"):
        return jobs.none()
    if people_selectors.user_is_district_admin(user):
        return jobs
    if people_selectors.user_is_school_admin(user):
        return jobs.filter(school_scope_id=user.school_id)
    return jobs.none()
