"""Registers the certification admin screens (see `certification.admin`)."""

from . import (
    audit,  # noqa: F401  (audit log actions)
    me,  # noqa: F401  (the /me/ qualification section)
)
from .admin import (  # noqa: F401  (their hooks register on import)
    certificate_batches,
    cycles,
    dashboards,
    hr_reports,
    imports,
    ledger,
    standards,
    tokens,
)
from .admin import certificates as admin_certificates  # noqa: F401  (证书 in the admin)
from .admin import transcripts as admin_transcripts  # noqa: F401  (学时证明 in the admin)
from .views import credits  # noqa: F401  (the /me/ link to 我的学分)
from .views import transcripts as transcript_views  # noqa: F401  (the /me/ link to 学时证明)
