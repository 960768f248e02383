"""Seed the district's eleven problem categories (editable afterwards)."""

from django.db import migrations

CATEGORIES = [
    ("academic-pressure", "学业压力"),
    ("emotions", "情绪心理"),
    ("parent-child", "亲子关系"),
    ("peers", "同伴关系"),
    ("teacher-student", "师生关系"),
    ("internet-use", "网络使用"),
    ("habits", "行为习惯"),
    ("home-school", "家校沟通"),
    ("career", "生涯规划"),
    ("special-needs", "特殊需要"),
    ("crisis", "危机干预"),
]


def seed(apps, schema_editor):
    ProblemCategory = apps.get_model("casebank", "ProblemCategory")
    for order, (slug, name) in enumerate(CATEGORIES):
        ProblemCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "sort_order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("casebank", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
