"""Scanning and redacting a whole Wagtail page: every text field, every StreamField block
(struct, list and stream children, rich text, tables), inline children and tags.

Generic over page models: it reads the model's fields, not a list of CasePage fields, so a
field added later is scanned without a change here.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import models
from django.utils.text import slugify
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.fields import RichTextField, StreamField

from .findings import FieldFinding, Finding
from .html import html_to_text
from .known import KnownNames, known_names
from .redact import redact_html, redact_text
from .scanner import scan

# Page fields that hold no author-written text (or only a copy of one that is scanned).
# The slug is scanned although it is not prose: Wagtail fills it from the title, in
# Chinese, so a title naming a child leaves the name in the page's public URL.
SKIPPED_FIELDS = frozenset({"url_path", "draft_title", "path", "translation_key"})


@dataclass
class _Slot:
    field: str
    field_label: str
    block_path: str
    is_html: bool
    get: Callable[[], str]
    set: Callable[[str], None]

    def text(self) -> str:
        value = self.get() or ""
        return html_to_text(value)[0] if self.is_html else value


def _item_setter(container, key) -> Callable[[str], None]:
    def _set(value):
        container[key] = value

    return _set


def _text_block_kind(block) -> str | None:
    """'html', 'text' or None (not author text: choices, URLs, numbers, choosers)."""
    if isinstance(block, blocks.RichTextBlock | blocks.RawHTMLBlock):
        return "html"
    if isinstance(block, blocks.ChoiceBlock | blocks.MultipleChoiceBlock | blocks.URLBlock):
        return None
    if isinstance(block, blocks.CharBlock | blocks.TextBlock | blocks.EmailBlock):
        return "text"
    if isinstance(block, blocks.RegexBlock | blocks.BlockQuoteBlock):
        return "text"
    return None


def _walk_block(block, container, key, path, make_slot) -> Iterator[_Slot]:
    value = container[key]
    if isinstance(block, blocks.BaseStreamBlock):
        for index, item in enumerate(value or []):
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is not None:
                yield from _walk_block(child, item, "value", f"{path}.{index}", make_slot)
    elif isinstance(block, blocks.ListBlock):
        for index, item in enumerate(value or []):
            if isinstance(item, dict) and "type" in item and "value" in item:
                yield from _walk_block(
                    block.child_block, item, "value", f"{path}.{index}", make_slot
                )
            else:
                yield from _walk_block(
                    block.child_block, value, index, f"{path}.{index}", make_slot
                )
    elif isinstance(block, blocks.BaseStructBlock):
        if isinstance(value, dict):
            for name, child in block.child_blocks.items():
                if name in value:
                    yield from _walk_block(child, value, name, f"{path}.{name}", make_slot)
    elif isinstance(block, TableBlock):
        if isinstance(value, dict):
            if isinstance(value.get("table_caption"), str):
                yield make_slot(value, "table_caption", f"{path}.table_caption", False)
            for row_index, row in enumerate(value.get("data") or []):
                for col_index, cell in enumerate(row or []):
                    if isinstance(cell, str):
                        yield make_slot(row, col_index, f"{path}.{row_index}.{col_index}", False)
    else:
        kind = _text_block_kind(block)
        if kind is not None and isinstance(value, str):
            yield make_slot(container, key, path, kind == "html")


def _is_text_field(field) -> bool:
    return (
        isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField | models.URLField)
        and field.editable
        and not field.choices
        and field.name not in SKIPPED_FIELDS
    )


def _attr_slot(obj, name, field_label, block_path, field_name, is_html) -> _Slot:
    return _Slot(
        field=field_name,
        field_label=field_label,
        block_path=block_path,
        is_html=is_html,
        get=lambda: getattr(obj, name) or "",
        set=lambda value: setattr(obj, name, value),
    )


class _PageWalk:
    """Collects the page's text slots; `commit()` writes StreamField, inline and tag edits
    back onto the page object (nothing is saved)."""

    def __init__(self, page):
        self.page = page
        self.slots: list[_Slot] = []
        self._commits: list[Callable[[], None]] = []
        self._collect()

    def commit(self) -> None:
        for action in self._commits:
            action()

    def _collect(self) -> None:
        page = self.page
        for field in page._meta.concrete_fields:
            label = str(field.verbose_name)
            if isinstance(field, StreamField):
                self._stream(field, label)
            elif isinstance(field, models.SlugField) and field.name == "slug":
                self.slots.append(self._slug_slot(field, label))
            elif _is_text_field(field):
                is_html = isinstance(field, RichTextField)
                self.slots.append(_attr_slot(page, field.attname, label, "", field.name, is_html))
        self._children()
        self._tags()

    def _slug_slot(self, field, label) -> _Slot:
        page = self.page

        def set_slug(value):
            # 王小明的故事 -> 【姓名】的故事 -> 姓名的故事: still a valid, readable slug.
            page.slug = slugify(value, allow_unicode=True)[: field.max_length] or page.slug

        return _Slot(
            field=field.name,
            field_label=label,
            block_path="",
            is_html=False,
            get=lambda: page.slug or "",
            set=set_slug,
        )

    def _stream(self, field, label) -> None:
        raw = field.stream_block.get_prep_value(getattr(self.page, field.name))
        holder = {"root": raw}

        def make_slot(container, key, path, is_html):
            return _Slot(
                field=field.name,
                field_label=label,
                block_path=path,
                is_html=is_html,
                get=lambda: container[key],
                set=_item_setter(container, key),
            )

        self.slots.extend(_walk_block(field.stream_block, holder, "root", field.name, make_slot))
        self._commits.append(lambda: setattr(self.page, field.name, holder["root"]))

    def _children(self) -> None:
        from modelcluster.models import get_all_child_relations

        for relation in get_all_child_relations(self.page):
            accessor = relation.get_accessor_name()
            child_model = relation.related_model
            if not any(_is_text_field(f) for f in child_model._meta.concrete_fields):
                continue
            manager = getattr(self.page, accessor)
            children = list(manager.all())
            label = str(child_model._meta.verbose_name_plural)
            for index, child in enumerate(children):
                for field in child_model._meta.concrete_fields:
                    if _is_text_field(field):
                        self.slots.append(
                            _attr_slot(
                                child,
                                field.attname,
                                label,
                                f"{accessor}.{index}.{field.name}",
                                accessor,
                                isinstance(field, RichTextField),
                            )
                        )
            self._commits.append(lambda manager=manager, children=children: manager.set(children))

    def _tags(self) -> None:
        from taggit.managers import TaggableManager

        for field in self.page._meta.get_fields():
            if not isinstance(field, TaggableManager):
                continue
            manager = getattr(self.page, field.name)
            names = [tag.name for tag in manager.all()]
            if not names:
                continue
            label = str(field.verbose_name)
            for index in range(len(names)):
                self.slots.append(
                    _Slot(
                        field=field.name,
                        field_label=label,
                        block_path=f"{field.name}.{index}",
                        is_html=False,
                        get=lambda names=names, index=index: names[index],
                        set=_item_setter(names, index),
                    )
                )
            original = list(names)
            self._commits.append(
                lambda manager=manager, names=names, original=original: (
                    manager.set(list(dict.fromkeys(names))) if names != original else None
                )
            )


def _findings(slot: _Slot, known: KnownNames) -> list[Finding]:
    return scan(slot.text(), known=known)


def scan_page(page, *, known: KnownNames | None = None) -> list[FieldFinding]:
    """Every finding in the page's current (unsaved included) content, field by field."""
    known = known_names() if known is None else known
    results = []
    for slot in _PageWalk(page).slots:
        for finding in _findings(slot, known):
            results.append(FieldFinding(slot.field, slot.field_label, slot.block_path, finding))
    return results


def redact_page(page, *, known: KnownNames | None = None) -> int:
    """Replace every finding in the page with its placeholder, in place and unsaved (the
    caller saves a revision). Returns how many were replaced."""
    known = known_names() if known is None else known
    walk = _PageWalk(page)
    count = 0
    for slot in walk.slots:
        findings = _findings(slot, known)
        if not findings:
            continue
        value = slot.get() or ""
        slot.set(redact_html(value, findings) if slot.is_html else redact_text(value, findings))
        count += len(findings)
    walk.commit()
    return count
