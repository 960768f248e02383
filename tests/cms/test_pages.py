"""Page tree rules, admin creation and rendering of every cms page type."""

import datetime

import pytest
from wagtail.documents.models import Document
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import (
    HandbookChapterPage,
    HandbookPage,
    HomePage,
    LecturerIndexPage,
    StandardPage,
    StandardPageAttachment,
)
from tests.factories.cms import (
    body,
    heading,
    home_page,
    make_handbook,
    make_lecturer_index,
    make_standard_page,
    paragraph,
)


class TestPageTree(WagtailPageTestCase):
    def test_standard_page_rules(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})

    def test_handbook_rules(self):
        self.assertAllowedParentPageTypes(HandbookPage, {HomePage})
        self.assertAllowedSubpageTypes(HandbookPage, {HandbookChapterPage})
        self.assertAllowedParentPageTypes(HandbookChapterPage, {HandbookPage})
        self.assertAllowedSubpageTypes(HandbookChapterPage, set())

    def test_lecturer_index_rules(self):
        self.assertAllowedParentPageTypes(LecturerIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(LecturerIndexPage, set())

    def test_home_accepts_the_site_sections(self):
        for model in (StandardPage, HandbookPage, LecturerIndexPage):
            self.assertCanCreateAt(HomePage, model)
        self.assertCanNotCreateAt(HomePage, HandbookChapterPage)


class TestCreateInAdmin(WagtailPageTestCase):
    def setUp(self):
        self.login()
        self.home = home_page()

    def test_create_standard_page(self):
        self.assertCanCreate(
            self.home,
            StandardPage,
            nested_form_data(
                {
                    "title": "工作方案",
                    "slug": "plan",
                    "intro": "简介",
                    "body": streamfield(
                        [
                            ("heading", {"text": "一、指导思想", "level": "2"}),
                            ("paragraph", rich_text("<p>正文</p>")),
                        ]
                    ),
                    "attachments": inline_formset([]),
                    "last_updated": "2021-06-23",
                }
            ),
        )

    def test_create_handbook_and_chapter(self):
        data = nested_form_data(
            {"title": "手册", "slug": "hb", "intro": "简介", "last_updated": ""}
        )
        data["stages"] = ["junior", "primary"]  # a multi-value field: not flattened
        self.assertCanCreate(self.home, HandbookPage, data)
        handbook = HandbookPage.objects.get(slug="hb")
        assert handbook.stages == ["primary", "junior"]  # kept in stage order
        self.assertCanCreate(
            handbook,
            HandbookChapterPage,
            nested_form_data(
                {
                    "title": "第一章",
                    "slug": "c1",
                    "body": streamfield([("paragraph", rich_text("<p>正文</p>"))]),
                }
            ),
        )

    def test_create_lecturer_index(self):
        self.assertCanCreate(
            self.home,
            LecturerIndexPage,
            nested_form_data({"title": "讲师团", "slug": "lecturers", "intro": ""}),
        )


class TestRendering(WagtailPageTestCase):
    def test_every_page_type_renders(self):
        handbook = make_handbook(2)
        pages = [
            home_page(),
            make_standard_page(),
            handbook,
            handbook.get_children().first().specific,
            make_lecturer_index(),
        ]
        for page in pages:
            self.assertPageIsRenderable(page)
        self.assertPageIsRoutable(handbook, "print/")
        self.assertPageIsRenderable(handbook, "print/")


@pytest.mark.django_db
def test_standard_page_shows_headings_last_updated_and_attachments(client, tmp_path, settings):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path)
    page = make_standard_page(
        intro="区教育局印发",
        last_updated=datetime.date(2021, 6, 23),
        body=body(heading("一、指导思想"), heading("（一）组织", 3), paragraph("<p>内容</p>")),
    )
    document = Document.objects.create(
        title="实施方案附件", file=ContentFile(b"%PDF-1.4", name="plan.pdf")
    )
    StandardPageAttachment.objects.create(page=page, document=document, sort_order=0)

    html = client.get(page.url).content.decode()
    assert '<h2 class="block-heading">一、指导思想</h2>' in html
    assert '<h3 class="block-heading">（一）组织</h3>' in html
    assert "2021年6月23日" in html
    assert "实施方案附件" in html and document.url in html


@pytest.mark.django_db
def test_every_page_type_answers_search_stages():
    handbook = make_handbook(1, stages=("junior", "senior"))
    chapter = handbook.get_children().first().specific
    assert [str(x) for x in handbook.search_result_stages()] == chapter.search_result_stages()
    assert len(chapter.search_result_stages()) == 2
    assert make_standard_page().search_result_stages() == []
    assert home_page().search_result_stages() == []
    assert make_lecturer_index().search_result_stages() == []
    for model in (HomePage, StandardPage, HandbookPage, HandbookChapterPage, LecturerIndexPage):
        names = {getattr(f, "field_name", None) for f in model.search_fields}
        assert "search_segmented" in names, model
    assert Page.objects.type(HandbookChapterPage).count() == 1
