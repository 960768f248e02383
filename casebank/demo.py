"""casebank demo content for `seed_demo`: the 案例库 under the home page and the anonymised
cases of casebank/demo_content/cases.json, published (seeding is a system action, not a
submission, so it does not go through the review workflow). Idempotent by slug: a re-run
creates what is missing and leaves the rest alone.

cases.json keeps the text compact: rich-text fields are lists of paragraphs ("- " lines
become a bulleted list), process blocks are {"type": "step" | "dialogue" | "paragraph" |
"callout" | "quote", …}; authors are demo staff numbers ("teacher", "lecturer") or "+", a
generated teacher of the case's first 学段 (chosen deterministically).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.db import transaction
from django.db.models import Case, DateTimeField, Value, When
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Page, Site

from people import roles
from people.demo import SeedContext, seed_step
from people.demo.write import DEMO_STAFF_NOS
from people.models import User

from .models import CaseAuthor, CaseIndexPage, CasePage, ProblemCategory

CONTENT_FILE = Path(__file__).resolve().parent / "demo_content" / "cases.json"
GENERATED_AUTHOR = "+"
PUBLISHED_EVERY_DAYS = 9  # demo cases appear published over the past months, oldest first


def case_content() -> dict:
    return json.loads(CONTENT_FILE.read_text(encoding="utf-8"))


# --- From the compact text of cases.json to page values ---------------------------------------


def rich_text(paragraphs: list[str]) -> str:
    """Paragraphs -> HTML; runs of "- " lines become one <ul>. Text is escaped."""
    html, items = [], []
    for line in paragraphs:
        if line.startswith("- "):
            items.append(f"<li>{escape(line[2:].strip())}</li>")
            continue
        if items:
            html.append(f"<ul>{''.join(items)}</ul>")
            items = []
        html.append(f"<p>{escape(line.strip())}</p>")
    if items:
        html.append(f"<ul>{''.join(items)}</ul>")
    return "".join(html)


def process_blocks(items: list[dict]) -> list[dict]:
    """cases.json process items -> CaseProcessStreamBlock data."""
    blocks = []
    for item in items:
        kind = item["type"]
        if kind == "step":
            value = {"heading": item["heading"], "text": rich_text(item["text"])}
        elif kind == "dialogue":
            value = {"lines": [{"speaker": who, "words": words} for who, words in item["lines"]]}
        elif kind == "paragraph":
            value = rich_text(item["text"])
        elif kind == "callout":
            value = {
                "kind": item.get("kind", "note"),
                "title": item.get("title", ""),
                "text": rich_text(item["text"]),
            }
        elif kind == "quote":
            value = {"text": item["text"], "attribution": item.get("attribution", "")}
        else:
            raise ValueError(f"unknown process block type {kind!r} in {CONTENT_FILE.name}")
        blocks.append({"type": kind, "value": value})
    return blocks


# --- Pages ------------------------------------------------------------------------------------


def _home():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page.specific if site else None


def _publish_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _authors(specs: list[dict]) -> dict[str, list[User]]:
    """Users for the author tokens of `specs`: the demo accounts by staff number and, per
    学段, the generated teachers a "+" picks from (a handful of queries whatever the count)."""
    demo = {user.staff_no: user for user in User.objects.filter(staff_no__in=DEMO_STAFF_NOS)}
    stages = {
        spec["stages"][0]
        for spec in specs
        if spec.get("stages") and GENERATED_AUTHOR in spec.get("authors", [])
    }
    generated = {
        stage: list(
            User.objects.filter(groups__name=roles.TEACHER, stage=stage, is_active=True)
            .exclude(staff_no__in=DEMO_STAFF_NOS)
            .order_by("staff_no")[:40]
        )
        for stage in sorted(stages)
    }
    return {"demo": demo, **{f"stage:{stage}": users for stage, users in generated.items()}}


def _case_authors(spec: dict, position: int, pool: dict) -> list[User]:
    users: list[User] = []
    for token in spec.get("authors", []):
        if token == GENERATED_AUTHOR:
            candidates = pool.get(f"stage:{spec['stages'][0]}", []) if spec.get("stages") else []
            user = candidates[(position * 7) % len(candidates)] if candidates else None
        else:
            user = pool["demo"].get(token)
        if user is not None and user not in users:
            users.append(user)
    return users


def _case_create(index: CaseIndexPage, spec: dict, categories: dict, authors: list[User]):
    case = CasePage(
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"],
        stages=spec.get("stages", []),
        grade_band=spec.get("grade_band", ""),
        background=rich_text(spec["background"]),
        process=json.dumps(process_blocks(spec.get("process", [])), ensure_ascii=False),
        strategies=rich_text(spec.get("strategies", [])),
        reflection=rich_text(spec.get("reflection", [])),
        outcome=rich_text(spec.get("outcome", [])),
        privacy_attested=True,
    )
    case.categories = [
        categories[slug] for slug in spec.get("categories", []) if slug in categories
    ]
    if spec.get("tags"):
        case.tags.set(spec["tags"])
    case.authors = [CaseAuthor(user=user, sort_order=n) for n, user in enumerate(authors)]
    return _publish_child(index, case)


def _spread_publication_dates(created: dict[str, int], order: list[str]) -> None:
    """New demo cases read as published over the past months (oldest first in cases.json
    order), in one UPDATE; cases seeded before keep their dates."""
    if not created:
        return
    now = timezone.now()
    total = len(order)
    dates = {
        created[slug]: now - datetime.timedelta(days=PUBLISHED_EVERY_DAYS * (total - n))
        for n, slug in enumerate(order)
        if slug in created
    }
    when = [When(pk=pk, then=Value(moment)) for pk, moment in dates.items()]
    Page.objects.filter(pk__in=list(dates)).update(
        first_published_at=Case(*when, output_field=DateTimeField()),
        last_published_at=Case(*when, output_field=DateTimeField()),
    )


@seed_step
def seed_case_library(ctx: SeedContext) -> None:
    """案例库 under the home page and the demo cases (a few dozen pages whatever the scale,
    written one by one through Wagtail's publish)."""
    home = _home()
    if home is None:
        return
    content = case_content()
    created: dict[str, int] = {}
    with transaction.atomic():
        index = CaseIndexPage.objects.first()
        if index is None:
            spec = content["library"]
            index = _publish_child(
                home,
                CaseIndexPage(
                    title=spec["title"], slug=spec["slug"], intro=spec["intro"], show_in_menus=True
                ),
            )
        existing = set(CasePage.objects.child_of(index).values_list("slug", flat=True))
        specs = [
            (position, spec)
            for position, spec in enumerate(content["cases"])
            if spec["slug"] not in existing
        ]
        if specs:
            categories = {category.slug: category for category in ProblemCategory.objects.all()}
            pool = _authors([spec for _position, spec in specs])
            for position, spec in specs:
                authors = _case_authors(spec, position, pool)
                created[spec["slug"]] = _case_create(index, spec, categories, authors).pk
        _spread_publication_dates(created, [spec["slug"] for spec in content["cases"]])
    ctx.stats["case_pages_created"] = len(created)


# Which problem category each demo lecture (courses/demo_content/lectures.json) teaches with.
LECTURE_CASE_CATEGORIES = {
    "lecture-01": "teacher-student",
    "lecture-02": "home-school",
    "lecture-03": "crisis",
    "lecture-04": "academic-pressure",
    "lecture-05": "emotions",
    "lecture-06": "habits",
    "lecture-07": "career",
    "lecture-08": "internet-use",
    "lecture-09": "special-needs",
    "lecture-10": "teacher-student",
    "lecture-11": "academic-pressure",
    "lecture-12": "peers",
}
CASES_PER_LECTURE = 2


@seed_step
def seed_lecture_case_links(ctx: SeedContext) -> None:
    """Each demo lecture links two cases of its category (案例教学), through the lecture's
    own revision so the editor shows them. The lecture models are reached by model string
    (DESIGN §3: casebank never imports courses); a lecture that already links cases is left
    as it is, so the step is idempotent and keeps an editor's choice."""
    from django.apps import apps

    LecturePage = apps.get_model("courses", "LecturePage")
    LectureCaseLink = apps.get_model("courses", "LectureCaseLink")
    lectures = list(
        LecturePage.objects.live().filter(slug__in=LECTURE_CASE_CATEGORIES).order_by("path")
    )
    if not lectures:
        return
    already = set(
        LectureCaseLink.objects.filter(lecture__in=lectures).values_list("lecture_id", flat=True)
    )
    cases_by_category: dict[str, list[int]] = {}
    for case_id, slug in (
        CasePage.objects.live()
        .filter(categories__slug__in=set(LECTURE_CASE_CATEGORIES.values()))
        .order_by("path")
        .values_list("pk", "categories__slug")
    ):
        ids = cases_by_category.setdefault(slug, [])
        if case_id not in ids:
            ids.append(case_id)
    linked = 0
    for lecture in lectures:
        if lecture.pk in already:
            continue
        case_ids = cases_by_category.get(LECTURE_CASE_CATEGORIES[lecture.slug], [])
        if not case_ids:
            continue
        with transaction.atomic():
            for order, case_id in enumerate(case_ids[:CASES_PER_LECTURE]):
                lecture.case_links.add(LectureCaseLink(case_id=case_id, sort_order=order))
            lecture.save_revision().publish()
        linked += 1
    ctx.stats["lectures_linked_to_cases"] = linked


# --- The generated cases of the larger scales ---------------------------------------------------

# District and city scales add `scale.generated_cases` cases composed from these parts, so the
# case list, its facets and search carry a district's volume (`small` generates none). Each
# has its own title; students are 小A … 小Z, as in the hand-written cases.
GENERATED_SLUG = "gen-case-{:04d}"
GENERATED_ISSUES = (
    ("emotions", "考试后情绪低落，常常一个人发呆"),
    ("internet-use", "周末沉迷手机游戏，作业一再拖欠"),
    ("academic-pressure", "成绩下滑后不愿再进课堂"),
    ("peers", "和同桌反复冲突，被同学孤立"),
    ("home-school", "家长对作业量意见很大"),
    ("parent-child", "和父亲冷战一个月不说话"),
    ("habits", "上课总是迟到，桌面一团乱"),
    ("teacher-student", "当众顶撞任课老师之后"),
    ("career", "选科时和家长意见不一"),
    ("special-needs", "注意力难以集中，作业常常漏写"),
    ("crisis", "在作文里流露出厌世的念头"),
)
GENERATED_STAGE_BANDS = (
    ("primary", "p_lower", "一年级"),
    ("primary", "p_upper", "四年级"),
    ("junior", "j_lower", "预备年级"),
    ("junior", "j_upper", "初二"),
    ("senior", "s_1", "高一"),
    ("senior", "s_2", "高二"),
)
GENERATED_APPROACHES = (
    "导师的三次谈心",
    "一次家访带来的转机",
    "从倾听开始的陪伴",
    "导师、班主任和家长的三方约谈",
)


def generated_case_specs(count: int) -> list[dict]:
    """The first `count` generated cases; the first n are the same for any count >= n."""
    specs = []
    for n in range(count):
        category, issue = GENERATED_ISSUES[n % len(GENERATED_ISSUES)]
        stage, band, grade = GENERATED_STAGE_BANDS[(n // len(GENERATED_ISSUES)) % 6]
        approach = GENERATED_APPROACHES[(n // (len(GENERATED_ISSUES) * 6)) % 4]
        student = f"小{chr(ord('A') + n % 26)}"
        number = n // (len(GENERATED_ISSUES) * 6 * 4)
        suffix = f"（{number + 1}）" if number else ""
        specs.append(
            {
                "slug": GENERATED_SLUG.format(n + 1),
                "title": f"{grade}{student}{issue}：{approach}{suffix}",
                "summary": f"{grade}学生{student}{issue}。导师通过{approach[2:]}了解原因，"
                "与家长和任课教师一起商量对策，学生逐步走出困境。",
                "stages": [stage],
                "grade_band": band,
                "categories": [category],
                "tags": ["导师工作", grade],
                "authors": [GENERATED_AUTHOR],
                "background": [
                    f"{student}是{grade}学生，最近{issue}。导师在日常观察和与班主任交流中注意到这一变化。"
                ],
                "process": [
                    {
                        "type": "step",
                        "heading": "观察与倾听",
                        "text": ["导师先记录事实，再找合适的时间单独谈话，听学生说出自己的想法。"],
                    },
                    {
                        "type": "step",
                        "heading": "家校协同",
                        "text": ["导师与家长沟通观察到的情况，约定在家和在校一致的做法。"],
                    },
                ],
                "strategies": ["- 先倾听再建议", "- 与家长统一口径", "- 给学生一个可完成的小目标"],
                "reflection": ["变化往往有看不见的原因，导师的耐心陪伴比说教更有力量。"],
                "outcome": ["一个月后，学生的状态明显好转，家长也更愿意与学校沟通。"],
            }
        )
    return specs


@seed_step
def seed_generated_cases(ctx: SeedContext) -> None:
    """The generated cases of the scale, published one by one (a few hundred pages at most,
    whatever the number of teachers); idempotent by slug."""
    count = getattr(ctx.scale, "generated_cases", 0)
    index = CaseIndexPage.objects.first()
    if not count or index is None:
        return
    specs = generated_case_specs(count)
    existing = set(
        CasePage.objects.child_of(index)
        .filter(slug__in=[spec["slug"] for spec in specs])
        .values_list("slug", flat=True)
    )
    new = [(n, spec) for n, spec in enumerate(specs) if spec["slug"] not in existing]
    if not new:
        return
    categories = {category.slug: category for category in ProblemCategory.objects.all()}
    pool = _authors([spec for _n, spec in new])
    created: dict[str, int] = {}
    for n, spec in new:
        with transaction.atomic():
            authors = _case_authors(spec, n, pool)
            created[spec["slug"]] = _case_create(index, spec, categories, authors).pk
    with transaction.atomic():
        _spread_publication_dates(created, [spec["slug"] for spec in specs])
    ctx.stats["generated_case_pages_created"] = len(created)
