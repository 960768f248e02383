"""The demo default mentor standard (DESIGN.md §6); the district admin edits it afterwards.

Courses are named by code (courses/demo_content/courses.json) and resolved when statuses are
computed, so this runs before the demo courses exist."""

import datetime
from decimal import Decimal

from django.db import migrations

REQUIREMENTS = [
    # code, label, kind, course code, stages, minimum, window (months)
    (
        "mental-health",
        "心理健康教育基础（4 学时）",
        "course_completed",
        "QP-XL-2026-01",
        [],
        0,
        None,
    ),
    (
        "home-school",
        "家校沟通与家庭教育指导（4 学时）",
        "course_completed",
        "QP-JX-2026-01",
        [],
        0,
        None,
    ),
    (
        "crisis",
        "学生心理危机识别与上报（2 学时）",
        "course_completed",
        "QP-WJ-2026-01",
        [],
        0,
        None,
    ),
    (
        "crisis-score",
        "学生心理危机识别与上报 考核成绩",
        "course_score",
        "QP-WJ-2026-01",
        [],
        80,
        None,
    ),
    ("lectures", "近 12 个月参加月度专题讲座", "lectures_attended", "", [], 2, 12),
    (
        "adolescence",
        "青春期教育",
        "course_completed",
        "QP-QC-2026-01",
        ["junior", "senior"],
        0,
        None,
    ),
    ("career", "生涯指导", "course_completed", "QP-SY-2026-01", ["senior"], 0, None),
]


def seed(apps, schema_editor):
    QualificationStandard = apps.get_model("certification", "QualificationStandard")
    StandardRequirement = apps.get_model("certification", "StandardRequirement")
    if QualificationStandard.objects.filter(code="mentor").exists():
        return
    standard = QualificationStandard.objects.create(
        code="mentor",
        version=1,
        name="导师上岗资格",
        description="青浦区全员导师制导师上岗资格（演示默认标准，区管理员可修改）。",
        is_current=True,
        stages=[],
        validity_months=36,
        renewal_hours=Decimal("8"),
        expiring_days=90,
        effective_from=datetime.date(2026, 1, 1),
    )
    StandardRequirement.objects.bulk_create(
        StandardRequirement(
            standard=standard,
            code=code,
            label=label,
            kind=kind,
            course_code=course_code,
            stages=stages,
            min_value=Decimal(minimum),
            window_months=window,
            sort_order=index * 10,
        )
        for index, (code, label, kind, course_code, stages, minimum, window) in enumerate(
            REQUIREMENTS
        )
    )


class Migration(migrations.Migration):
    dependencies = [("certification", "0004_qualification")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
