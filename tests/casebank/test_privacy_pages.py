"""scan_page / redact_page over real page models: fields, StreamField blocks, tags."""

import pytest
from django.utils.translation import gettext as _

from casebank.privacy import FieldFinding, redact_page, scan_page
from casebank.privacy.known import KnownNames
from cms.models import StandardPage
from tests.factories.cms import body, heading, home_page, paragraph, publish_child
from tests.factories.courses import make_course

NO_KNOWN = KnownNames.build()


def standard_page():
    return publish_child(
        home_page(),
        StandardPage(
            title="学生王小明的成长故事",
            slug="story",
            intro="家长手机13816204375，晚上联系。",
            body=body(
                heading("一、学生张伟的情况"),
                paragraph("<p>孩子家住<b>华志路188弄</b>7号，邮箱 zhang@163.com。</p>"),
                {
                    "type": "quote",
                    "value": {"text": "我觉得没有人喜欢我。", "attribution": "欧阳娜娜"},
                },
                {
                    "type": "callout",
                    "value": {
                        "kind": "note",
                        "title": "提示",
                        "text": "<p>小A和学生甲都是化名。</p>",
                    },
                },
                {
                    "type": "table",
                    "value": {
                        "data": [["称呼", "备注"], ["学生乙", "学号20230315"]],
                        "first_row_is_table_header": True,
                        "first_col_is_header": False,
                        "table_caption": "",
                    },
                },
            ),
        ),
    )


def located(findings):
    return {(f.field, f.block_path, f.finding.kind, f.finding.text) for f in findings}


@pytest.mark.django_db
def test_scan_page_walks_fields_and_every_stream_block():
    page = standard_page()
    findings = scan_page(page, known=NO_KNOWN)
    assert all(isinstance(f, FieldFinding) for f in findings)
    assert located(findings) == {
        ("title", "", "person_name", "王小明"),
        ("intro", "", "phone", "13816204375"),
        ("body", "body.0.text", "person_name", "张伟"),
        ("body", "body.1", "address", "华志路188弄7号"),
        ("body", "body.1", "email", "zhang@163.com"),
        ("body", "body.2.attribution", "person_name", "欧阳娜娜"),
        ("body", "body.4.1.1", "student_number", "20230315"),
    }
    labels = {f.field: f.field_label for f in findings}
    assert labels["intro"] == str(StandardPage._meta.get_field("intro").verbose_name)
    assert labels["body"] == str(StandardPage._meta.get_field("body").verbose_name)


@pytest.mark.django_db
def test_redact_page_replaces_everything_in_place_without_saving():
    page = standard_page()
    assert redact_page(page, known=NO_KNOWN) == 7
    assert scan_page(page, known=NO_KNOWN) == []
    assert page.title == f"学生{_('[name]')}的成长故事"
    assert StandardPage.objects.get(pk=page.pk).title == "学生王小明的成长故事"  # not saved
    paragraph_html = page.body[1].value.source
    assert "<b>" in paragraph_html and "华志路" not in paragraph_html
    assert page.body[2].value["attribution"] == _("[name]")
    assert page.body[4].value["data"][1] == ["学生乙", f"学号{_('[student number]')}"]
    assert page.body[3].value["text"].source == "<p>小A和学生甲都是化名。</p>"

    page.save_revision()
    latest = page.get_latest_revision_as_object()
    assert scan_page(latest, known=NO_KNOWN) == []
    assert latest.intro == f"家长手机{_('[phone number]')}，晚上联系。"


@pytest.mark.django_db
def test_redact_page_on_a_clean_page_changes_nothing():
    page = publish_child(
        home_page(),
        StandardPage(title="家校沟通要点", slug="clean", body=body(paragraph("<p>小A的进步</p>"))),
    )
    before = page.body.raw_data[0]["value"]
    assert redact_page(page, known=NO_KNOWN) == 0
    assert page.body.raw_data[0]["value"] == before


@pytest.mark.django_db
def test_tags_and_other_page_models_are_scanned():
    course = make_course(lessons=0, summary="主讲：学生家长李红的分享")
    course.tags.add("王小明", "心理健康")
    findings = scan_page(course, known=NO_KNOWN)
    tag_findings = [f for f in findings if f.field == "tags"]
    assert [(f.finding.kind, f.finding.text) for f in tag_findings] == [("person_name", "王小明")]
    assert tag_findings[0].block_path in {"tags.0", "tags.1"}
    assert ("summary", "", "person_name", "李红") in located(findings)
    assert redact_page(course, known=NO_KNOWN) == 2
    assert sorted(tag.name for tag in course.tags.all()) == sorted([_("[name]"), "心理健康"])
    assert scan_page(course, known=NO_KNOWN) == []


@pytest.mark.django_db
def test_scan_page_uses_the_roster_by_default(school_a, make_user):
    make_user(None, school_a, full_name="那日苏")
    page = publish_child(
        home_page(),
        StandardPage(title="案例", slug="roster", intro="那日苏来自青浦区实验小学。"),
    )
    assert located(scan_page(page)) == {
        ("intro", "", "person_name", "那日苏"),
        ("intro", "", "school_name", "青浦区实验小学"),
    }


@pytest.mark.django_db
def test_inline_children_are_scanned_and_redacted():
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from cms.models import StandardPageAttachment

    document = get_document_model().objects.create(
        title="作业", file=ContentFile(b"homework", name="homework.txt")
    )
    page = standard_page()
    page.attachments = [StandardPageAttachment(document=document, title="张伟的作业")]
    findings = [f for f in scan_page(page, known=NO_KNOWN) if f.field == "attachments"]
    assert [(f.block_path, f.finding.text) for f in findings] == [("attachments.0.title", "张伟")]
    redact_page(page, known=NO_KNOWN)
    assert page.attachments.all()[0].title == f"{_('[name]')}的作业"
    page.save_revision()
    latest = page.get_latest_revision_as_object()
    assert latest.attachments.all()[0].title == f"{_('[name]')}的作业"


@pytest.mark.django_db
def test_a_slug_made_from_a_title_with_a_name_is_scanned_and_redacted():
    page = publish_child(
        home_page(), StandardPage(title="王小明的故事", slug="王小明的故事", intro="")
    )
    assert located(scan_page(page, known=NO_KNOWN)) == {
        ("title", "", "person_name", "王小明"),
        ("slug", "", "person_name", "王小明"),
    }
    assert redact_page(page, known=NO_KNOWN) == 2
    assert "王小明" not in page.slug and page.slug.endswith("的故事")
    page.save_revision().publish()
    page.refresh_from_db()
    assert "王小明" not in page.url
