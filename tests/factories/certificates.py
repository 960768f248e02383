"""Certificates made the way production makes them: through `certificate_issue`, so every
test certificate has a real per-year serial and a random verification code.

    CertificateFactory(holder=teacher, kind=CertificateKind.QUALIFICATION, expires_on=...)

Fields `certificate_issue` does not take (e.g. `revoked_at`, `pdf`) are written afterwards
with one UPDATE, for tests that need a state without going through its service.
"""

import datetime

import factory

from certification.models import Certificate, CertificateKind
from certification.services.certificates import certificate_issue

from .people import UserFactory

ISSUE_FIELDS = {
    "holder",
    "kind",
    "subject_key",
    "title",
    "issued_on",
    "expires_on",
    "hours",
    "points",
    "course",
    "cycle",
    "standard_code",
    "details",
}


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    holder = factory.SubFactory(UserFactory)
    kind = CertificateKind.COURSE
    subject_key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"心理健康教育基础（第{n}期）")
    issued_on = datetime.date(2026, 6, 1)
    expires_on = None
    hours = None
    points = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        issue_kwargs = {key: kwargs.pop(key) for key in list(kwargs) if key in ISSUE_FIELDS}
        certificate = certificate_issue(**issue_kwargs).certificate
        if kwargs:
            model_class.objects.filter(pk=certificate.pk).update(**kwargs)
            certificate.refresh_from_db()
        return certificate
