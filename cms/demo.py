"""cms demo content for `seed_demo`: the district plan as a StandardPage, the handbooks from
cms/demo_content/handbooks/*.md, the 讲师团 from lecturers.json, the home hero, the menu and
the footer contact. Every step creates what is missing and leaves existing pages alone, so
editors' changes survive a re-seed."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.html import escape
from wagtail.models import Page, Site

from people.demo import SeedContext, seed_step
from people.models import LecturerProfile, Stage

CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"
POLICY_FILE = CONTENT_DIR / "qingpu-mentor-policy-2021.txt"
POLICY_TITLE = "青浦区中小学全员导师制工作实施方案"
POLICY_SLUG = "mentor-policy-2021"
LECTURERS_SLUG = "lecturers"
STAGE_BY_LABEL = {"小学": Stage.PRIMARY, "初中": Stage.JUNIOR, "高中": Stage.SENIOR}

_H2 = re.compile(r"^[一二三四五六七八九十]+、")
_H3 = re.compile(r"^（[一二三四五六七八九十]+）")
_LEAD = re.compile(r"^(\d+[.．、]\s*[^。：]{1,14}[。：])(.*)$")
_WORD_ARTIFACT = re.compile(r"\[bookmark: [^\]]*\]")


def _heading(text: str, level: int) -> dict:
    return {"type": "heading", "value": {"text": text, "level": str(level)}}


def _paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def _p(text: str) -> str:
    """One paragraph of plain text; a short numbered lead such as 1.区域层面。 is bolded."""
    match = _LEAD.match(text)
    if match:
        return f"<p><b>{escape(match.group(1))}</b>{escape(match.group(2))}</p>"
    return f"<p>{escape(text)}</p>"


# --- The district plan ---------------------------------------------------------------------


def parse_policy(text: str) -> tuple[str, list[dict]]:
    """The plan's plain text -> (intro, StreamField raw data).

    一、… become h2, （一）… h3, the tab-indented 进度安排 becomes a table (a row per blank-line
    group; a tab starts a cell, untabbed lines continue it), the rest paragraphs.
    """
    lines = [_WORD_ARTIFACT.sub("", line).rstrip() for line in text.splitlines()]
    # The first lines are the document's own title and status, e.g. （试行稿）.
    status = ""
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines:
        lines.pop(0)
    if lines and lines[0].strip().startswith("（"):
        status = lines.pop(0).strip()

    blocks: list[dict] = []
    paragraphs: list[str] = []
    i = 0

    def flush():
        if paragraphs:
            blocks.append(_paragraph("".join(paragraphs)))
            paragraphs.clear()

    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        if raw.startswith("\t"):
            flush()
            rows, i = _parse_tab_table(lines, i)
            if rows:
                blocks.append(
                    {
                        "type": "table",
                        "value": {
                            "data": rows,
                            "first_row_is_table_header": True,
                            "first_col_is_header": True,
                            "table_header_choice": "both",
                            "table_caption": "",
                        },
                    }
                )
            continue
        i += 1
        if not line:
            continue
        if _H2.match(line):
            flush()
            blocks.append(_heading(line, 2))
        elif _H3.match(line):
            flush()
            blocks.append(_heading(line, 3))
        elif line in {"附件：", "附件:"}:
            flush()
            items = []
            while i < len(lines) and re.match(r"^\d+[.．]", lines[i].strip()):
                items.append(re.sub(r"^\d+[.．]\s*", "", lines[i].strip()))
                i += 1
            html = "<p><b>附件：</b></p>"
            if items:
                html += "<ol>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ol>"
            blocks.append(_paragraph(html))
        else:
            paragraphs.append(_p(line))
    flush()
    _merge_signature(blocks)
    intro = "上海市青浦区教育局印发" + (f"{status}" if status else "")
    return intro, blocks


def _parse_tab_table(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    rows: list[list[str]] = []
    current: list[str] = []
    while i < len(lines):
        raw = lines[i]
        if not raw.strip():
            if current:
                rows.append(current)
                current = []
            i += 1
            continue
        if raw.startswith("\t"):
            current.append(raw.strip())
        elif current:
            current[-1] = current[-1] + "\n" + raw.strip()
        else:
            break  # an untabbed line after a blank line ends the table
        i += 1
    if current:
        rows.append(current)
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    return rows, i


def _merge_signature(blocks: list[dict]) -> None:
    """The issuer and date at the end read as one right-aligned signature, not two paragraphs."""
    if not blocks or blocks[-1]["type"] != "paragraph":
        return
    html = blocks[-1]["value"]
    parts = re.findall(r"<p>(.*?)</p>", html)
    if len(parts) >= 2 and re.match(r"^\d{4}年\d{1,2}月\d{1,2}日$", parts[-1]):
        head = "".join(f"<p>{part}</p>" for part in parts[:-2])
        blocks[-1]["value"] = head + f"<p>{parts[-2]}<br/>{parts[-1]}</p>"
        if not head:
            blocks[-1]["value"] = f"<p>{parts[-2]}<br/>{parts[-1]}</p>"


# --- Handbooks ------------------------------------------------------------------------------


@dataclass
class ChapterSpec:
    title: str
    blocks: list[dict] = field(default_factory=list)


@dataclass
class HandbookSpec:
    slug: str
    title: str = ""
    stages: list[str] = field(default_factory=list)
    intro: str = ""
    updated: datetime.date | None = None
    chapters: list[ChapterSpec] = field(default_factory=list)


def parse_handbook(text: str, *, slug: str) -> HandbookSpec:
    """Our handbook format: `# 标题`, `学段：`, `简介：`, `更新：`, then `## ` chapters with
    `### ` subheadings, `- ` list items and paragraphs. All text is escaped."""
    spec = HandbookSpec(slug=slug)
    chapter: ChapterSpec | None = None
    paragraphs: list[str] = []
    items: list[str] = []

    def flush_list():
        if items:
            paragraphs.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in items) + "</ul>")
            items.clear()

    def flush():
        flush_list()
        if paragraphs and chapter is not None:
            chapter.blocks.append(_paragraph("".join(paragraphs)))
        paragraphs.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("### "):
            flush()
            if chapter is not None:
                chapter.blocks.append(_heading(line[4:].strip(), 2))
        elif line.startswith("## "):
            flush()
            chapter = ChapterSpec(title=line[3:].strip())
            spec.chapters.append(chapter)
        elif line.startswith("# ") and not spec.title:
            spec.title = line[2:].strip()
        elif chapter is None and _meta(line, "学段"):
            labels = re.split(r"[,，、\s]+", _meta(line, "学段"))
            spec.stages = [STAGE_BY_LABEL[x].value for x in labels if x in STAGE_BY_LABEL]
        elif chapter is None and _meta(line, "简介"):
            spec.intro = _meta(line, "简介")
        elif chapter is None and _meta(line, "更新"):
            try:
                spec.updated = datetime.date.fromisoformat(_meta(line, "更新"))
            except ValueError:
                spec.updated = None
        elif chapter is None:
            spec.intro = f"{spec.intro}\n{line}".strip()
        elif line.startswith("- "):
            items.append(line[2:].strip())
        else:
            flush_list()
            paragraphs.append(f"<p>{escape(line)}</p>")
    flush()
    return spec


def _meta(line: str, key: str) -> str:
    for sep in ("：", ":"):
        if line.startswith(key + sep):
            return line[len(key) + 1 :].strip()
    return ""


def handbook_specs() -> list[HandbookSpec]:
    specs = []
    for path in sorted((CONTENT_DIR / "handbooks").glob("*.md")):
        # 01-jiaxiao-goutong.md -> jiaxiao-goutong: ASCII slugs keep shared links short.
        slug = re.sub(r"^\d+[-_]", "", path.stem).lower() or path.stem
        spec = parse_handbook(path.read_text(encoding="utf-8"), slug=slug)
        if spec.title and spec.chapters:
            specs.append(spec)
    return specs


# --- Lecturers ------------------------------------------------------------------------------


def lecturer_rows() -> list[dict]:
    path = CONTENT_DIR / "lecturers.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("lecturers", [])
    rows = []
    for order, item in enumerate(data):
        name = (item.get("full_name") or item.get("name") or "").strip()
        if not name:
            continue
        bio = item.get("bio") or ""
        if isinstance(bio, list):
            bio = "\n".join(bio)
        tags = item.get("expertise") or item.get("tags") or []
        if isinstance(tags, str):
            tags = [t for t in re.split(r"[,，、]+", tags) if t.strip()]
        rows.append(
            {
                "full_name": name,
                "title": (item.get("title") or "").strip(),
                "unit": (item.get("unit") or item.get("school") or "").strip(),
                "bio": "".join(
                    f"<p>{escape(p.strip())}</p>" for p in bio.splitlines() if p.strip()
                ),
                "tags": [t.strip() for t in tags if t and t.strip()],
                "sort_order": int(item.get("sort_order", (order + 1) * 10)),
                "is_active": bool(item.get("active", item.get("is_active", True))),
            }
        )
    return rows


# --- Writing pages --------------------------------------------------------------------------


def _home():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page.specific if site else None


def _child_by_slug(parent: Page, slug: str):
    return parent.get_children().filter(slug=slug).specific().first()


def _add_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@seed_step
def seed_policy_page(ctx: SeedContext) -> None:
    from cms.models import StandardPage

    home = _home()
    if home is None or not POLICY_FILE.exists() or _child_by_slug(home, POLICY_SLUG):
        return
    intro, blocks = parse_policy(POLICY_FILE.read_text(encoding="utf-8"))
    with transaction.atomic():
        _add_child(
            home,
            StandardPage(
                title=POLICY_TITLE,
                slug=POLICY_SLUG,
                intro=intro,
                body=json.dumps(blocks, ensure_ascii=False),
                last_updated=datetime.date(2021, 6, 23),
                show_in_menus=True,
            ),
        )
    ctx.stats["cms_policy_pages_created"] = 1


@seed_step
def seed_handbooks(ctx: SeedContext) -> None:
    from cms.models import HandbookChapterPage, HandbookPage

    home = _home()
    if home is None:
        return
    created = 0
    for spec in handbook_specs():
        with transaction.atomic():
            handbook = _child_by_slug(home, spec.slug)
            if handbook is None:
                handbook = _add_child(
                    home,
                    HandbookPage(
                        title=spec.title,
                        slug=spec.slug,
                        intro=spec.intro,
                        stages=spec.stages,
                        last_updated=spec.updated,
                        show_in_menus=True,
                    ),
                )
                created += 1
            existing = set(handbook.get_children().values_list("slug", flat=True))
            for number, chapter in enumerate(spec.chapters, start=1):
                slug = f"chapter-{number}"
                if slug in existing:
                    continue
                _add_child(
                    handbook,
                    HandbookChapterPage(
                        title=chapter.title,
                        slug=slug,
                        body=json.dumps(chapter.blocks, ensure_ascii=False),
                    ),
                )
                created += 1
    ctx.stats["cms_handbook_pages_created"] = created


@seed_step
def seed_lecturers(ctx: SeedContext) -> None:
    from cms.models import LecturerIndexPage

    home = _home()
    if home is None:
        return
    rows = lecturer_rows()
    existing = set(LecturerProfile.objects.values_list("full_name", flat=True))
    new_rows = [row for row in rows if row["full_name"] not in existing]
    with transaction.atomic():
        for row in new_rows:
            tags = row.pop("tags")
            profile = LecturerProfile(**row)
            profile.save()
            if tags:
                profile.expertise.set(tags)
                profile.save()
        if not LecturerIndexPage.objects.exists():
            _add_child(
                home,
                LecturerIndexPage(
                    title="讲师团",
                    slug=LECTURERS_SLUG,
                    intro=(
                        "青浦区全员导师制讲师团由专家学者和区内骨干教师组成，每月开展一次专题培训与"
                        "案例教学，内容涵盖心理健康教育、青春期教育、家校沟通与家庭教育指导等。"
                    ),
                    show_in_menus=True,
                ),
            )
    ctx.stats["cms_lecturers_created"] = len(new_rows)


@seed_step
def seed_home_and_settings(ctx: SeedContext) -> None:
    from cms.models import HandbookPage, SiteSettings

    home = _home()
    if home is None:
        return
    site = Site.objects.get(is_default_site=True)
    with transaction.atomic():
        if not home.hero_cta_link_id:
            first_handbook = HandbookPage.objects.child_of(home).live().order_by("path").first()
            home.hero_title = "让每一位教师都成为学生成长的导师"
            home.hero_intro = (
                "<p>青浦区教师进修学院全员导师制研修平台：阅读指导手册与政策文件，参加讲师团每月专题培训，"
                "在线学习课程、积累研修学分，达到导师上岗条件。</p>"
            )
            if first_handbook is not None:
                home.hero_cta_text = "阅读指导手册"
                home.hero_cta_link = first_handbook
            home.save_revision().publish()
        contact = SiteSettings.for_site(site)
        if not contact.phone:
            contact.address = "上海市青浦区（示例地址，请在后台“设置 → 站点设置”中修改）"
            contact.phone = "021-0000 0000（示例）"
            contact.email = "mentor@example.org"
            contact.office_hours = "工作日 8:30–16:30"
            contact.icp_text = "沪ICP备00000000号（示例）"
            contact.save()
