"""Redaction: every finding becomes its placeholder, and the result scans clean."""

from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from casebank.privacy import PLACEHOLDERS, FindingKind, redact_html, redact_text, scan
from casebank.privacy.evaluation import Corpus
from casebank.privacy.html import html_to_text

CORPUS = Path(__file__).with_name("privacy_corpus.jsonl")


def test_redacting_every_corpus_sentence_leaves_no_finding():
    corpus = Corpus.load(CORPUS)
    redacted_count = 0
    for row in corpus.rows:
        findings = scan(row["text"], known=corpus.known)
        redacted = redact_text(row["text"], findings)
        assert scan(redacted, known=corpus.known) == [], (row["text"], redacted)
        redacted_count += len(findings)
    assert redacted_count >= 250


def test_each_kind_gets_its_placeholder():
    text = "学生王小明的家长手机13816204375，邮箱zhang@163.com。"
    findings = scan(text, known_people=set(), known_schools=set())
    assert redact_text(text, findings) == (
        f"学生{_('[name]')}的家长手机{_('[phone number]')}，邮箱{_('[e-mail]')}。"
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_placeholders_produce_no_findings(language):
    with translation.override(language):
        for placeholder in PLACEHOLDERS.values():
            text = f"孩子{placeholder}说，{placeholder}的母亲和{placeholder}。"
            assert scan(text, known_people=set(), known_schools=set()) == [], placeholder


@pytest.mark.parametrize(
    "placeholder",
    [
        "【姓名】",
        "【身份证号】",
        "【手机号】",
        "【电话】",
        "【邮箱】",
        "【账号】",
        "【学号】",
        "【号码】",
        "【地址】",
        "【班级】",
        "【学校】",
    ],
)
def test_the_chinese_placeholders_proposed_for_the_catalog_scan_clean(placeholder):
    text = f"学生{placeholder}的母亲{placeholder}告诉导师，家住{placeholder}。"
    assert scan(text, known_people=set(), known_schools=set()) == []


def test_stale_findings_are_ignored():
    findings = scan("手机13816204375", known_people=set(), known_schools=set())
    assert redact_text("手机已删除", findings) == "手机已删除"


def test_rich_text_keeps_its_markup_and_offsets_are_in_the_plain_text():
    html = "<p>孩子家住<b>华志路188弄</b>7号，妈妈说&ldquo;好&rdquo;</p><p>学生王小明</p>"
    text, _spans = html_to_text(html)
    assert text == "\n孩子家住华志路188弄7号，妈妈说“好”\n\n学生王小明\n"
    findings = scan(text, known_people=set(), known_schools=set())
    assert [(f.kind, f.text) for f in findings] == [
        (FindingKind.ADDRESS, "华志路188弄7号"),
        (FindingKind.PERSON_NAME, "王小明"),
    ]
    redacted = redact_html(html, findings)
    assert redacted == (
        f"<p>孩子家住<b>{_('[address]')}</b>，妈妈说&ldquo;好&rdquo;</p><p>学生{_('[name]')}</p>"
    )
    assert scan(html_to_text(redacted)[0], known_people=set(), known_schools=set()) == []


def test_placeholders_are_escaped_in_html():
    html = "<p>手机13816204375</p>"
    findings = scan(html_to_text(html)[0], known_people=set(), known_schools=set())
    with translation.override("en"):
        assert redact_html(html, findings) == "<p>手机[phone number]</p>"
