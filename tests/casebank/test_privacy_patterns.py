"""Scanner unit tests per kind of number, contact, address and class."""

import itertools

import pytest

from casebank.privacy import Finding, FindingKind, scan
from casebank.privacy.known import EMPTY
from casebank.privacy.patterns import id_check_character, is_resident_id


def found(text):
    return [(f.kind, f.text) for f in scan(text, known=EMPTY)]


def make_id(region="310118", birth="20090314", sequence="021"):
    body = f"{region}{birth}{sequence}"
    return body + id_check_character(body)


def wrong_check(number):
    return number[:-1] + ("1" if number[-1] != "1" else "2")


# --- resident IDs ----------------------------------------------------------------------


def test_check_character_follows_iso_7064():
    # GB 11643-1999's worked example.
    assert id_check_character("11010519491231002") == "X"
    assert is_resident_id("11010519491231002X")
    assert is_resident_id("11010519491231002x")


def test_valid_id_is_an_id_card_finding():
    number = make_id()
    assert found(f"学生身份证号为{number}，户籍在本区。") == [("id_card", number)]


def test_checksum_invalid_id_is_only_a_long_digit_run():
    number = wrong_check(make_id())
    assert not is_resident_id(number)
    assert found(f"家长填写的身份证号{number}有误。") == [("long_digits", number)]


@pytest.mark.parametrize("birth", ["20091345", "20250230", "18500101", "20990101"])
def test_id_with_impossible_birth_date_is_a_long_digit_run(birth):
    number = make_id(birth=birth)
    assert found(f"号码{number}。") == [("long_digits", number)]


def test_id_with_unknown_province_is_not_an_id():
    number = make_id(region="990101")
    assert found(f"号码{number}。") == [("long_digits", number)]


def test_legacy_fifteen_digit_id():
    assert found("爷爷的老身份证号是310229460512123。") == [("id_card", "310229460512123")]
    assert found("号码310229461312123。") == [("long_digits", "310229461312123")]


def test_id_inside_a_longer_number_is_not_an_id():
    number = make_id()
    assert found(f"卡号{number}7。") == [("long_digits", f"{number}7")]


# --- numbers in ordinary prose ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026年3月5日下午，导师团开展了第3次案例研讨，共有15名教师参加。",
        "本学期我共完成了32学时的培训，获得3.5学分，其中区级课程占60%。",
        "会议在2026-03-05 08:30开始，16:45结束，详见第12页至第18页。",
        "期末考试语文87分、数学91分，总分256分，排名年级第120名。",
        "全校共有1200名学生、86名导师，师生比为1:15。",
        "2025-2026学年第二学期，第1至第18周，每周2课时。",
        "孩子每月零花钱500元，身高165厘米，体重52公斤。",
        "编号2026-03-0015的记录存档于教导处，电话会议定于20260305召开。",
        "学生于2019年9月入学，2025年6月毕业，学制6年。",
    ],
)
def test_numbers_in_normal_text_are_not_flagged(text):
    assert found(text) == []


# --- telephones ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "13816204375",
        "139 1621 8842",
        "186-2103-5567",
        "+86 158 0172 3309",
        "+8613916075521",
        "0086-13761549920",
        "+86-138-1745-2209",
        "(+86)13671620458",
    ],
)
def test_mobile_numbers_in_their_usual_spellings(number):
    assert found(f"家长手机{number}，晚上可以联系。") == [("phone", number)]


def test_mobile_with_wrong_prefix_or_length_is_not_a_phone():
    assert found("编号12816204375和1381620437的记录") == []


@pytest.mark.parametrize(
    "number", ["021-59726413", "(021)59210786", "0571-87654321", "021 5972 6418", "010-82346157"]
)
def test_landlines_with_area_code(number):
    assert found(f"家里的座机是{number}。") == [("landline", number)]


def test_local_landline_needs_a_telephone_word():
    assert found("奶奶家的固定电话是59731826。") == [("landline", "59731826")]
    assert found("本次活动共有59731826人次浏览。") == []


# --- e-mail, QQ, WeChat ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["zhangwei1982@163.com", "wang.jianjun@sh-trade.com.cn", "xiaoyu_2010@qq.com", "a@b.cn"],
)
def test_email(address):
    assert found(f"邮箱：{address}。") == [("email", address)]


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("孩子把QQ号1048573921告诉了网友", "1048573921"),
        ("母亲的QQ号码为376451289", "376451289"),
        ("同学们在QQ群736152498里传播照片", "736152498"),
        ("家长的微信号是zhangmama_1983", "zhangmama_1983"),
        ("他用vx：tianyu0921和网友联系", "tianyu0921"),
        ("孩子的VX是lucky_boy_1107", "lucky_boy_1107"),
        ("请加家长微信wxid_lhm2020", "wxid_lhm2020"),
    ],
)
def test_qq_and_wechat_need_their_context_word(text, account):
    assert found(text) == [("qq_wechat", account)]


def test_account_like_strings_without_context_are_not_flagged():
    assert found("她习惯用QQ沟通，也常在微信上留言，作业编号hw_2026_03。") == []


# --- student numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("学生学号20230315，就读于初二年级", "20230315"),
        ("学号为2023-0419的学生", "2023-0419"),
        ("考号2026031802的考生", "2026031802"),
        ("学生证号QP20210936丢失", "QP20210936"),
        ("学号（2021150322）和成绩单", "2021150322"),
    ],
)
def test_student_numbers_after_their_word(text, number):
    assert found(text) == [("student_number", number)]


def test_registration_number_is_a_student_number_even_without_context():
    registration = "G" + make_id()
    assert found(f"表格里写着{registration}。") == [("student_number", registration)]


# --- addresses and classes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("孩子家住青浦区华新镇华志路188弄7号302室，离学校不远", "青浦区华新镇华志路188弄7号302室"),
        ("孩子的家在青浦新城一品苑小区12号楼1单元503室。", "青浦新城一品苑小区12号楼1单元503室"),
        ("她说自己住在胜利路21号二楼", "胜利路21号"),
        ("外婆住在朱家角镇祥凝浜路88号", "朱家角镇祥凝浜路88号"),
    ],
)
def test_street_addresses(text, address):
    assert found(text) == [("address", address)]


def test_road_names_and_numbers_alone_are_not_addresses():
    assert found("路上3个同学一起回家，公交71路很挤，第3号题不会做。") == []


@pytest.mark.parametrize(
    "klass", ["高二(3)班", "初一3班", "三年级2班", "七年级（5）班", "预初(4)班", "初一（10）班"]
)
def test_explicit_classes(klass):
    assert found(f"青浦某中学{klass}的学生") == [("school_class", klass)]


def test_platform_school_before_a_class_is_part_of_it():
    findings = scan("朱家角中学高一（2）班的学生", known_schools={"朱家角中学"}, known_people=set())
    assert [(f.kind, f.text) for f in findings] == [("school_class", "朱家角中学高一（2）班")]


def test_grades_without_class_are_not_flagged():
    assert found("初三学生普遍压力大，三年级的孩子、高二年级和本班同学都参加了。") == []


# --- the findings themselves -----------------------------------------------------------


def test_findings_are_sorted_non_overlapping_and_point_at_their_text():
    number = make_id()
    text = f"家长手机13816204375，身份证{number}，邮箱a.b@163.com，学号20230315。"
    findings = scan(text, known=EMPTY)
    assert [f.kind for f in findings] == ["phone", "id_card", "email", "student_number"]
    for before, after in itertools.pairwise(findings):
        assert before.end <= after.start
    for finding in findings:
        assert isinstance(finding, Finding)
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == FindingKind(finding.kind).label


def test_finding_is_frozen():
    finding = scan("手机13816204375", known=EMPTY)[0]
    with pytest.raises(AttributeError):
        finding.kind = "email"


def test_empty_text():
    assert scan("", known=EMPTY) == []
    assert scan(None, known=EMPTY) == []


def test_id_written_in_groups():
    number = make_id()
    grouped = f"{number[:6]} {number[6:14]} {number[14:]}"
    assert found(f"身份证号 {grouped}，请核对。") == [("id_card", grouped)]
    wrong = wrong_check(number)
    grouped_wrong = f"{wrong[:6]} {wrong[6:14]} {wrong[14:]}"
    assert found(f"身份证号 {grouped_wrong}，请核对。") == [("long_digits", grouped_wrong)]


def test_village_address_with_team_number():
    assert found("孩子住在练塘镇东庄村12组5号，离学校很远。") == [
        ("address", "练塘镇东庄村12组5号")
    ]


def test_full_width_digits_and_letters_are_read_as_ascii():
    text = "家长手机１３８１６２０４３７５，微信ｗｘｉｄ＿ｌｈｍ２０２０。"
    assert found(text) == [
        ("phone", "１３８１６２０４３７５"),
        ("qq_wechat", "ｗｘｉｄ＿ｌｈｍ２０２０"),
    ]


@pytest.mark.parametrize("number", ["+86 21 5972 6413", "+86-21-59726413", "0086 (021) 59726413"])
def test_landlines_in_international_form(number):
    assert found(f"办公室电话{number}。") == [("landline", number)]


def test_grade_written_with_nian_ji_and_estate_phases():
    assert found("她在初二年级3班。") == [("school_class", "初二年级3班")]
    assert found("孩子家在青浦新城某某花园3期5号楼201室。") == [
        ("address", "青浦新城某某花园3期5号楼201室")
    ]
