"""The cms demo content: the parsers (structure and HTML escaping) and the seed steps
(idempotent, the policy page's headings and table)."""

import datetime

import pytest
from wagtail.models import Page

from cms import demo
from cms.models import HandbookChapterPage, HandbookPage, HomePage, LecturerIndexPage, StandardPage
from people.demo import SCALES, SeedContext
from people.models import LecturerProfile

SAMPLE = """# 测试手册
学段：小学,初中
简介：给导师的<b>简介</b>
更新：2025-09-01

## 第一章 开始
第一段 <script>alert(1)</script>
### 小节 & 标题
- 条目一
- 条目<二>
结尾段落

## 第二章 继续
只有一段。
"""


def test_handbook_parser_structure_and_escaping():
    spec = demo.parse_handbook(SAMPLE, slug="test")
    assert spec.title == "测试手册"
    assert spec.stages == ["primary", "junior"]
    assert spec.intro == "给导师的<b>简介</b>"  # plain text; the template escapes it
    assert spec.updated == datetime.date(2025, 9, 1)
    assert [c.title for c in spec.chapters] == ["第一章 开始", "第二章 继续"]
    first = spec.chapters[0].blocks
    assert [b["type"] for b in first] == ["paragraph", "heading", "paragraph"]
    assert first[0]["value"] == "<p>第一段 &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert first[1]["value"] == {"text": "小节 & 标题", "level": "2"}  # escaped on render
    assert first[2]["value"] == "<ul><li>条目一</li><li>条目&lt;二&gt;</li></ul><p>结尾段落</p>"


def test_policy_parser_headings_table_and_signature():
    intro, blocks = demo.parse_policy(demo.POLICY_FILE.read_text(encoding="utf-8"))
    assert "试行稿" in intro
    headings = [(b["value"]["level"], b["value"]["text"]) for b in blocks if b["type"] == "heading"]
    assert ("2", "一、指导思想") in headings and ("2", "五、进度安排") in headings
    assert ("3", "（一）建立组织架构") in headings and ("3", "（四）落实“教考一致”工作") in headings
    tables = [b["value"] for b in blocks if b["type"] == "table"]
    assert len(tables) == 1
    rows = tables[0]["data"]
    assert rows[0] == ["时间", "任务安排"]
    assert [row[0] for row in rows[1:]] == [
        "2021年4-6月",
        "2021年6-7月",
        "2021年7-8月",
        "2021年9-12月",
        "2022年1月",
    ]
    assert rows[2][1].count("\n") == 2  # three numbered tasks in one cell
    text = " ".join(str(b["value"]) for b in blocks)
    assert "[bookmark" not in text
    assert blocks[-1]["value"] == "<p>上海市青浦区教育局<br/>2021年6月23日</p>"


def _run_cms_steps():
    ctx = SeedContext(scale=SCALES["small"])
    for step in (
        demo.seed_policy_page,
        demo.seed_handbooks,
        demo.seed_lecturers,
        demo.seed_home_and_settings,
    ):
        step(ctx)
    return ctx


@pytest.mark.django_db
def test_seed_is_idempotent_and_builds_the_site(client):
    _run_cms_steps()
    counts = (Page.objects.count(), LecturerProfile.objects.count())
    _run_cms_steps()
    assert (Page.objects.count(), LecturerProfile.objects.count()) == counts

    handbooks = HandbookPage.objects.live()
    assert handbooks.count() == len(demo.handbook_specs()) >= 2
    for handbook in handbooks:
        assert handbook.show_in_menus
        assert HandbookChapterPage.objects.child_of(handbook).count() >= 3
        assert handbook.stages
    assert LecturerProfile.objects.filter(is_active=True).count() == len(demo.lecturer_rows()) > 0
    lecturers = LecturerIndexPage.objects.get()
    assert lecturers.show_in_menus and lecturers.live

    home = HomePage.objects.get()
    assert home.hero_cta_link_id == handbooks.order_by("path").first().pk

    policy = StandardPage.objects.get(slug=demo.POLICY_SLUG)
    assert policy.title == demo.POLICY_TITLE and policy.show_in_menus
    html = client.get(policy.url).content.decode()
    assert '<h2 class="block-heading">一、指导思想</h2>' in html
    assert '<h3 class="block-heading">（一）建立组织架构</h3>' in html
    assert "<table>" in html and '<th scope="col"' in html and "2021年9-12月" in html
    assert "<b>1.区域层面。</b>" in html

    html = client.get("/").content.decode()
    for handbook in handbooks:
        assert handbook.title in html
    assert "示例" in html  # footer contact is marked as sample data


@pytest.mark.django_db
def test_seed_adds_missing_chapters_without_touching_existing(monkeypatch):
    _run_cms_steps()
    handbook = HandbookPage.objects.order_by("path").first()
    chapter = HandbookChapterPage.objects.child_of(handbook).order_by("path").last()
    chapter.title = "编辑改过的标题"
    chapter.save_revision().publish()
    count = HandbookChapterPage.objects.child_of(handbook).count()
    HandbookChapterPage.objects.child_of(handbook).order_by("path").first().delete()
    _run_cms_steps()
    assert HandbookChapterPage.objects.child_of(handbook).count() == count
    assert HandbookChapterPage.objects.filter(title="编辑改过的标题").exists()
