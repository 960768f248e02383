"""Helpers that build cms pages under the home page the migrations create."""

import json

from cms.models import HandbookChapterPage, HandbookPage, HomePage, LecturerIndexPage, StandardPage


def home_page() -> HomePage:
    return HomePage.objects.get()


def publish_child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def body(*blocks) -> str:
    return json.dumps(list(blocks), ensure_ascii=False)


def heading(text, level=2):
    return {"type": "heading", "value": {"text": text, "level": str(level)}}


def paragraph(html):
    return {"type": "paragraph", "value": html}


def make_handbook(
    chapters=3, *, title="家校沟通指导手册", slug="handbook", stages=("primary",), **fields
):
    handbook = publish_child(
        home_page(),
        HandbookPage(title=title, slug=slug, intro="手册简介", stages=list(stages), **fields),
    )
    for number in range(1, chapters + 1):
        publish_child(
            handbook,
            HandbookChapterPage(
                title=f"第{number}章 章节标题{number}",
                slug=f"chapter-{number}",
                body=body(heading(f"小节{number}"), paragraph(f"<p>第{number}章正文</p>")),
            ),
        )
    return handbook


def make_standard_page(title="政策文件", slug="policy", **fields):
    fields.setdefault("body", body(heading("一、总则"), paragraph("<p>正文</p>")))
    return publish_child(home_page(), StandardPage(title=title, slug=slug, **fields))


def make_lecturer_index(title="讲师团", slug="lecturers"):
    return publish_child(home_page(), LecturerIndexPage(title=title, slug=slug, show_in_menus=True))
