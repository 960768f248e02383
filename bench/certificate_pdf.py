"""Certificate PDF render time (issue 8): one 结业证书 rendered and stored RENDERS times
(warm: fonts and templates loaded by a first render), the mean per certificate.

`measure()` assumes Django is set up against a migrated database (bench/run.py calls it after
seed_demo); it issues one certificate inside a transaction it rolls back and deletes the
files it wrote, so it leaves nothing behind. Run as a script, it makes a throwaway SQLite
database and media folder in a temp dir (cms.settings.dev) and prints:
    certificate PDF: X ms per certificate (N renders)
No timing is asserted anywhere.
"""

import datetime
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RENDERS = int(os.environ.get("BENCH_CERTIFICATE_RENDERS", "20"))


def _holder():
    from people.models import School, User

    holder = (
        User.objects.filter(is_active=True, school__isnull=False)
        .select_related("school")
        .order_by("pk")
        .first()
    )
    if holder is None:  # an empty database: a school and a teacher, rolled back with the rest
        school = School.objects.create(
            code="BENCH01", name="青浦区基准测试学校", offers_primary=True
        )
        holder = User.objects.create(staff_no="BENCH0001", full_name="欧阳晓燕", school=school)
    return holder


def measure(renders: int = RENDERS) -> dict:
    from django.db import transaction

    from certification.models import CertificateKind
    from certification.pdf import CJKFontMissing
    from certification.services.certificate_pdf import certificate_render
    from certification.services.certificates import certificate_issue

    # WeasyPrint and fontTools log every step at DEBUG under the dev settings.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    written: list[str] = []
    storage = None
    timings: list[float] = []
    size = 0
    try:
        with transaction.atomic():
            certificate = certificate_issue(
                holder=_holder(),
                kind=CertificateKind.COURSE,
                subject_key="bench:certificate-pdf",
                title="家校沟通与家庭教育指导（基准测试）",
                issued_on=datetime.date.today(),
                hours=Decimal("4"),
                points=Decimal("1"),
            ).certificate
            storage = certificate.pdf.storage
            certificate = certificate_render(certificate, force=True)  # warm-up
            written.append(certificate.pdf.name)
            for _n in range(renders):
                start = time.perf_counter()
                certificate = certificate_render(certificate, force=True)
                timings.append((time.perf_counter() - start) * 1000)
                written.append(certificate.pdf.name)
            size = certificate.pdf.size
            transaction.set_rollback(True)
    except CJKFontMissing as error:
        return {"not_available": str(error)}
    finally:
        for name in written:
            storage.delete(name)
    return {
        "certificate_pdf_ms": round(statistics.mean(timings), 1),
        "renders": renders,
        "max_ms": round(max(timings), 1),
        "pdf_kb": round(size / 1024, 1),
    }


def main() -> int:
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix="certificate_pdf_bench_")
    os.environ["SQLITE_PATH"] = str(Path(workdir) / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(Path(workdir) / "media")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        result = measure()
    finally:
        connection.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if "certificate_pdf_ms" not in result:
        print(f"certificate PDF: not measured ({result})")
        return 1
    print(
        f"certificate PDF: {result['certificate_pdf_ms']} ms per certificate "
        f"({result['renders']} renders; max {result['max_ms']} ms, {result['pdf_kb']} KB each)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
