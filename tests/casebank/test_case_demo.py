"""Case library demo content: cases.json covers every 学段, 年级段 and problem category with
complete, anonymised cases; the seed step builds the 案例库 and publishes them, a second run
changes nothing; every demo case passes the privacy scanner; the pages render."""

from importlib import import_module

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import autodiscover_modules

from casebank import demo
from casebank.models import CaseAuthor, CaseIndexPage, CasePage, GradeBand, ProblemCategory
from people.demo import (
    SCALES,
    SEED_STEPS,
    SeedContext,
    run_seed,
    seed_demo_accounts,
    seed_schools,
    seed_teachers,
)
from people.models import Stage, User

PSEUDONYMS = ("小A", "学生甲", "王同学", "李妈妈")


def content_cases() -> list[dict]:
    return demo.case_content()["cases"]


def test_content_covers_every_stage_band_and_category():
    cases = content_cases()
    assert len(cases) >= 30
    assert len({case["slug"] for case in cases}) == len(cases)
    assert {stage for case in cases for stage in case["stages"]} == set(Stage.values)
    assert {case["grade_band"] for case in cases} == set(GradeBand.values)
    # The eleven categories migration 0002 seeds.
    seeded = import_module("casebank.migrations.0002_problem_categories").CATEGORIES
    seeded_slugs = {slug for slug, _name in seeded}
    assert len(seeded_slugs) == 11
    assert {slug for case in cases for slug in case["categories"]} == seeded_slugs


def test_every_case_is_complete_and_uses_pseudonyms():
    text = ""
    for case in content_cases():
        for name in ("title", "summary"):
            assert case[name].strip(), (case["slug"], name)
        for name in ("background", "strategies", "reflection", "outcome"):
            assert case[name], (case["slug"], name)
        assert case["tags"] and case["categories"] and case["authors"], case["slug"]
        kinds = [block["type"] for block in case["process"]]
        assert "step" in kinds and "dialogue" in kinds, case["slug"]
        assert len(case["summary"]) <= CasePage._meta.get_field("summary").max_length
        text += str({key: value for key, value in case.items() if key != "grade_band"})
    for pseudonym in PSEUDONYMS:
        assert pseudonym in text, pseudonym
    # No digits that could be read as a phone, ID or student number.
    assert not any(char.isdigit() for char in text)


def test_text_becomes_rich_text_and_blocks():
    assert demo.rich_text(["第一段<b>", "- 甲", "- 乙", "结尾"]) == (
        "<p>第一段&lt;b&gt;</p><ul><li>甲</li><li>乙</li></ul><p>结尾</p>"
    )
    blocks = demo.process_blocks(
        [
            {"type": "step", "heading": "谈心", "text": ["先听"]},
            {"type": "dialogue", "lines": [["小A", "我紧张"], ["导师", "慢慢说"]]},
            {"type": "callout", "kind": "tip", "title": "提示", "text": ["保密"]},
            {"type": "paragraph", "text": ["随后"]},
            {"type": "quote", "text": "一句话"},
        ]
    )
    assert blocks[0] == {"type": "step", "value": {"heading": "谈心", "text": "<p>先听</p>"}}
    assert blocks[1]["value"]["lines"][0] == {"speaker": "小A", "words": "我紧张"}
    assert blocks[2]["value"]["kind"] == "tip"
    assert blocks[3] == {"type": "paragraph", "value": "<p>随后</p>"}
    with pytest.raises(ValueError):
        demo.process_blocks([{"type": "video"}])


@pytest.fixture
def people_seeded(db):
    """The people steps only (schools, demo accounts, generated teachers): what the case
    step needs, without the other apps' content."""
    ctx = SeedContext(scale=SCALES["small"])
    for step in (seed_schools, seed_demo_accounts, seed_teachers):
        step(ctx)
    return ctx


@pytest.mark.django_db
def test_seed_builds_the_library_and_a_second_run_changes_nothing(people_seeded):
    demo.seed_case_library(people_seeded)
    index = CaseIndexPage.objects.get()
    assert index.live and index.show_in_menus and index.title == "案例库"
    cases = list(CasePage.objects.child_of(index).order_by("first_published_at"))
    assert len(cases) == len(content_cases())
    assert people_seeded.stats["case_pages_created"] == len(cases)
    assert all(case.live and case.latest_revision_id for case in cases)
    assert [case.slug for case in cases] == [spec["slug"] for spec in content_cases()]
    assert not CasePage.objects.filter(has_unpublished_changes=True).exists()
    first = cases[0]
    assert first.process[0].block_type == "step"
    assert set(first.categories.values_list("slug", flat=True)) == set(
        content_cases()[0]["categories"]
    )
    assert set(first.tags.names()) == set(content_cases()[0]["tags"])
    # Authors: the demo 讲师 / teacher accounts and generated teachers of the case's stage.
    staff = set(CaseAuthor.objects.values_list("user__staff_no", flat=True))
    assert {"teacher", "lecturer"} <= staff
    generated = CaseAuthor.objects.exclude(user__staff_no__in=["teacher", "lecturer"])
    assert generated.exists()
    for author in generated.select_related("user", "page"):
        assert author.user.stage in author.page.stages
    assert not CasePage.objects.filter(authors__isnull=True).exists()

    before = (
        CasePage.objects.count(),
        CaseAuthor.objects.count(),
        ProblemCategory.objects.count(),
        list(CasePage.objects.order_by("pk").values_list("first_published_at", flat=True)),
    )
    demo.seed_case_library(people_seeded)
    after = (
        CasePage.objects.count(),
        CaseAuthor.objects.count(),
        ProblemCategory.objects.count(),
        list(CasePage.objects.order_by("pk").values_list("first_published_at", flat=True)),
    )
    assert after == before
    assert people_seeded.stats["case_pages_created"] == 0

    # A case removed by hand comes back on the next run; the others are left alone.
    CasePage.objects.get(slug=content_cases()[5]["slug"]).delete()
    demo.seed_case_library(people_seeded)
    assert CasePage.objects.count() == len(content_cases())
    assert people_seeded.stats["case_pages_created"] == 1


@pytest.mark.django_db
def test_demo_cases_have_no_privacy_findings(people_seeded):
    from casebank.privacy import scan_page

    demo.seed_case_library(people_seeded)
    findings = {
        case.slug: [(f.field, f.block_path, f.finding.kind, f.finding.text) for f in found]
        for case in CasePage.objects.all()
        if (found := scan_page(case))
    }
    assert findings == {}


@pytest.mark.django_db
def test_demo_pages_render(people_seeded):
    demo.seed_case_library(people_seeded)
    client = Client()
    client.force_login(User.objects.get(staff_no="teacher"))
    index = CaseIndexPage.objects.get()
    response = client.get(index.url)
    assert response.status_code == 200
    assert response.context["paginator"].count == len(content_cases())
    assert len(response.context["cards"]) == 12
    case = CasePage.objects.get(slug="self-harm-marks-found-and-reported")
    response = client.get(case.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "校服袖口下的划痕" in html and "学生丁" in html
    assert response.context["related_cases"]
    assert client.get(reverse("casebank:case_print", args=[case.pk])).status_code == 200
    home = client.get("/").content.decode()
    assert content_cases()[-1]["title"] in home  # the newest demo case


@pytest.mark.django_db
def test_full_seed_includes_the_cases_and_stays_idempotent(settings, tmp_path):
    autodiscover_modules("demo")
    names = [step.__name__ for step in SEED_STEPS]
    # The case step needs only the people steps (accounts and teachers as authors).
    assert names.index("seed_teachers") < names.index("seed_case_library")
    settings.MEDIA_ROOT = str(tmp_path)
    run_seed(SCALES["small"])
    count = CasePage.objects.live().count()
    assert count == len(content_cases())
    run_seed(SCALES["small"])
    assert CasePage.objects.count() == count
    # Each demo lecture links two cases of its category, once: the second run adds nothing.
    from django.apps import apps

    LectureCaseLink = apps.get_model("courses", "LectureCaseLink")
    LecturePage = apps.get_model("courses", "LecturePage")
    assert names.index("seed_case_library") < names.index("seed_lecture_case_links")
    links = LectureCaseLink.objects.count()
    lectures = LecturePage.objects.filter(slug__in=demo.LECTURE_CASE_CATEGORIES).count()
    assert links == lectures * demo.CASES_PER_LECTURE
    lecture = LecturePage.objects.get(slug="lecture-03")
    linked = CasePage.objects.filter(
        pk__in=LectureCaseLink.objects.filter(lecture=lecture).values("case_id")
    )
    assert all(case.categories.filter(slug="crisis").exists() for case in linked)
    # The links are in the lecture's latest revision, so editing the lecture keeps them.
    assert len(lecture.get_latest_revision_as_object().case_links.all()) == 2
