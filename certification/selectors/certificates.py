"""Who may see which certificates (download their PDFs, list them): the one access rule,
reused by the download view, the teacher's list and the admin pages."""

from django.db.models import Q, QuerySet

from people.selectors import user_is_district_admin, user_is_hr, user_is_school_admin

from ..models import Certificate


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """The holder sees their own; a school admin the certificates of their school's teachers
    (and their own); HR and district admins all; anyone else none."""
    certificates = Certificate.objects.all()
    if not getattr(user, "is_authenticated", False):
        return certificates.none()
    if user_is_district_admin(user) or user_is_hr(user):
        return certificates
    if user_is_school_admin(user):
        return certificates.filter(Q(holder__school_id=user.school_id) | Q(holder=user))
    return certificates.filter(holder=user)


def certificates_of_holder(user) -> list[Certificate]:
    """The holder's own certificates, newest first: one query."""
    return list(Certificate.objects.filter(holder=user).order_by("-issued_on", "-pk"))
