"""Roster and school names from the database: cached, invalidated when they change."""

import pytest
from django.db import DatabaseError

from casebank.privacy import known as known_module
from casebank.privacy import known_names, scan
from casebank.privacy.known import KnownNames


def found(text, **kwargs):
    return [(f.kind, f.text) for f in scan(text, **kwargs)]


@pytest.mark.django_db
def test_school_and_roster_names_come_from_the_database(school_a, make_user):
    make_user(None, school_a, full_name="陆建华")
    text = "这次陆建华在青浦区实验小学做了分享。"
    assert found(text) == [("person_name", "陆建华"), ("school_name", "青浦区实验小学")]


@pytest.mark.django_db
def test_inactive_schools_count_too(school_b):
    school_b.is_active = False
    school_b.save()
    assert found("孩子原来在青浦区第一中学就读。") == [("school_name", "青浦区第一中学")]


@pytest.mark.django_db
def test_second_scan_reads_the_cache_not_the_database(
    school_a, make_user, django_assert_num_queries
):
    make_user(None, school_a, full_name="陆建华")
    scan("陆建华")
    with django_assert_num_queries(0):
        assert found("陆建华") == [("person_name", "陆建华")]


@pytest.mark.django_db
def test_adding_a_user_invalidates_the_cache(school_a, make_user):
    # A Mongolian name: no surname from the list, so only the roster can know it.
    text = "那日苏这次参加了会商。"
    assert found(text) == []
    make_user(None, school_a, full_name="那日苏")
    assert found(text) == [("person_name", "那日苏")]


@pytest.mark.django_db
def test_renaming_a_school_and_deleting_a_user_invalidate_the_cache(school_a, make_user):
    user = make_user(None, school_a, full_name="沈卫东")
    assert found("沈卫东来了") == [("person_name", "沈卫东")]
    school_a.name = "青浦区新城实验小学"
    school_a.save()
    user.delete()
    assert found("沈卫东来了，青浦区新城实验小学") == [("school_name", "青浦区新城实验小学")]


@pytest.mark.django_db
def test_a_login_stamp_does_not_invalidate_the_cache(school_a, make_user):
    user = make_user(None, school_a, full_name="陆建华")
    known_names()
    token = known_module._version()
    user.save(update_fields=["last_login"])
    assert known_module._version() == token
    user.save(update_fields=["full_name"])
    assert known_module._version() != token


@pytest.mark.django_db
def test_roster_labels_that_are_pseudonyms_are_not_names(teacher_a, teacher_b):
    # The fixtures' users are called 张老师 and 王老师: labels, not real names.
    assert known_names().people.isdisjoint({"张老师", "王老师"})
    assert found("张老师和王老师一起家访。") == []


@pytest.mark.django_db
def test_without_a_usable_database_there_are_no_known_names(monkeypatch):
    def broken():
        raise DatabaseError("no such table: people_school")

    monkeypatch.setattr(known_module, "_load_from_database", broken)
    assert known_names() == known_module.EMPTY
    assert found("手机13816204375") == [("phone", "13816204375")]


def test_explicit_sets_replace_the_provider():
    findings = found("张三丰与白鹤中学", known_people={"张三丰"}, known_schools={"白鹤中学"})
    assert findings == [("person_name", "张三丰"), ("school_name", "白鹤中学")]


def test_ten_thousand_roster_names_are_looked_up_by_window():
    surnames = "王李张刘陈杨黄赵吴周"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
    roster = [f"{s}{a}{b}" for s in surnames for a in given for b in given] + [
        f"{s}{a}" for s in surnames for a in given
    ]
    roster = roster[:10_000]
    known = KnownNames.build(people=roster, schools=[])
    assert len(known.people) >= 4000
    assert known.people_lengths == (3, 2)
    text = "会上，" + "，".join(roster[:50:7]) + "。" * 3
    hits = [f.text for f in scan(text, known=known)]
    assert hits == roster[:50:7]


def test_roster_names_that_are_everyday_words_need_a_person_context():
    known = KnownNames.build(people=["高峰", "陆建华"], schools=[])
    assert known.word_like_people == frozenset({"高峰"})
    assert found("早高峰期间交通拥堵，高峰时段要注意安全。", known=known) == []
    assert found("学生高峰说他不想来了。", known=known) == [("person_name", "高峰")]
    assert found("高峰老师参加了会商。", known=known) == [("person_name", "高峰")]


def test_school_names_are_also_found_without_their_city_and_district():
    known = KnownNames.build(people=[], schools=["上海市青浦区实验小学", "朱家角中学"])
    assert found("孩子在实验小学读书，后来去了青浦区实验小学本部。", known=known) == [
        ("school_name", "实验小学"),
        ("school_name", "青浦区实验小学"),
    ]
    assert "中学" not in known.schools


def test_before_the_app_registry_is_ready_there_are_no_known_names(monkeypatch):
    from django.apps import apps

    monkeypatch.setattr(apps, "ready", False)
    assert known_names() == known_module.EMPTY
