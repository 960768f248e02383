"""Helpers that build the case library (案例库) and its cases under the home page.

index = case_index()
case = make_case(categories=["emotions"], tags=["考试焦虑"], authors=[teacher_a])
draft = make_case(live=False, background="<p>…</p>")
"""

import itertools
import json

from casebank.models import CaseAuthor, CaseIndexPage, CasePage, GradeBand, ProblemCategory

from .cms import home_page, publish_child

_numbers = itertools.count(1)


def case_index(**fields) -> CaseIndexPage:
    """The case library (made on first use; `fields` only apply when it is made)."""
    index = CaseIndexPage.objects.first()
    if index is None:
        fields.setdefault("title", "案例库")
        fields.setdefault("slug", "cases")
        fields.setdefault("intro", "全员导师制育人案例")
        index = publish_child(home_page(), CaseIndexPage(**fields))
    return index


def category(slug: str) -> ProblemCategory:
    """One of the eleven categories migration 0002 seeds (academic-pressure, emotions, …)."""
    return ProblemCategory.objects.get(slug=slug)


# --- process blocks (StreamField data) ------------------------------------------------------


def step_block(heading: str, html: str) -> dict:
    return {"type": "step", "value": {"heading": heading, "text": html}}


def dialogue_block(*lines: tuple[str, str]) -> dict:
    return {
        "type": "dialogue",
        "value": {"lines": [{"speaker": who, "words": words} for who, words in lines]},
    }


def paragraph_block(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def process(*blocks: dict) -> str:
    return json.dumps(list(blocks), ensure_ascii=False)


def make_case(
    *,
    live: bool = True,
    parent: CaseIndexPage | None = None,
    categories=(),
    tags=(),
    authors=(),
    **fields,
) -> CasePage:
    """A case under the case library: published (a revision, then publish) or, with
    `live=False`, a draft with one revision. `categories` are slugs or ProblemCategory
    objects, `tags` names, `authors` users (credited in this order); other keyword
    arguments are CasePage fields (`process` may be a list of block dicts)."""
    number = next(_numbers)
    fields.setdefault("title", f"测试案例{number}")
    fields.setdefault("slug", f"case-{number}")
    fields.setdefault("summary", "小A在期中考试前情绪紧张，导师通过谈心和家校合作帮助他调整。")
    fields.setdefault("stages", ["junior"])
    fields.setdefault("grade_band", GradeBand.JUNIOR_UPPER)
    fields.setdefault("background", "<p>小A是一名八年级学生，近期作业拖延，上课注意力不集中。</p>")
    fields.setdefault("strategies", "<p>先倾听，再共同制定小目标。</p>")
    fields.setdefault("reflection", "<p>导师的耐心陪伴是关键。</p>")
    fields.setdefault("outcome", "<p>一个月后，小A能按时完成作业。</p>")
    fields.setdefault("privacy_attested", True)
    if isinstance(fields.get("process"), list):
        fields["process"] = process(*fields["process"])
    page = CasePage(**fields)
    page.categories = [c if isinstance(c, ProblemCategory) else category(c) for c in categories]
    if tags:
        page.tags.set(list(tags))
    page.authors = [CaseAuthor(user=user, sort_order=order) for order, user in enumerate(authors)]
    parent = parent or case_index()
    if live:
        return publish_child(parent, page)
    page.live = False
    parent.add_child(instance=page)
    page.save_revision()
    page.refresh_from_db()
    return page
