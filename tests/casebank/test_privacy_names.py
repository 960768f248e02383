"""Person names: full names are findings, pseudonyms and ordinary words are not."""

import pytest

from casebank.privacy import scan
from casebank.privacy.known import EMPTY


def names(text):
    return [f.text for f in scan(text, known=EMPTY) if f.kind == "person_name"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("学生王小明最近情绪低落。", "王小明"),
        ("张伟上课经常走神。", "张伟"),
        ("她叫欧阳娜娜，是一个内向的女孩。", "欧阳娜娜"),
        ("学生司马雨晴被诊断为轻度抑郁。", "司马雨晴"),
        ("孩子的母亲李红告诉导师，孩子在家不说话。", "李红"),
        ("姓名：林晓雯，性别：女。", "林晓雯"),
        ("我找马天宇谈话，他说压力很大。", "马天宇"),
        ("孙雨桐同学这学期转入我班。", "孙雨桐"),
        ("家长赵建国来电话说孩子离家出走了。", "赵建国"),
    ],
)
def test_full_names_are_findings(text, name):
    assert names(text) == [name]


def test_several_names_in_one_sentence():
    text = "姚思琪、卢俊熙和姜雨萱三人组成了学习小组。"
    assert names(text) == ["姚思琪", "卢俊熙", "姜雨萱"]


@pytest.mark.parametrize(
    "pseudonym",
    [
        "小A",
        "学生甲",
        "王同学",
        "李妈妈",
        "张老师",
        "小王",
        "老李",
        "王某",
        "李某某",
        "某同学",
        "A同学",
    ],
)
def test_pseudonyms_are_allowed(pseudonym):
    assert scan(f"{pseudonym}最近情绪低落，导师与{pseudonym}谈了一次心。", known=EMPTY) == []


@pytest.mark.parametrize(
    "word",
    [
        "王道",
        "高度",
        "常常",
        "向前",
        "于是",
        "方法",
        "金钱",
        "林立",
        "程度",
        "周末",
        "和谐",
        "时间",
        "关心",
        "全面",
        "原因",
        "孔子",
        "黄金",
        "成绩",
        "安全",
        "顾虑",
        "焦虑",
        "纪律",
        "童年",
        "陆续",
        "莫名",
        "单亲",
        "温暖",
        "宁静",
        "方式",
        "江南",
    ],
)
def test_words_starting_with_a_surname_character_are_not_names(word):
    assert scan(f"我们谈到了{word}，{word}对孩子很重要。{word}。", known=EMPTY) == []


@pytest.mark.parametrize(
    "text",
    [
        "于是，导师决定先从关心孩子的生活入手，而不是急于谈成绩。",
        "这种方法在很大程度上缓解了孩子的焦虑情绪。",
        "学校周边高楼林立，孩子们课间活动的空间有限。",
        "孔子说“因材施教”，导师要根据每个孩子的特点调整方法。",
        "班主任常老师和心理老师一起制定了干预方案。",
        "小周的父亲常年在外地工作，母亲独自照顾两个孩子。",
        "他喜欢黄色和蓝色，画画时总是用很多金色。",
        "以分数、等第或百分比区间等形式，向学生、家长反馈学业情况。",
        "熟悉不同学段学生常见的情绪困扰。",
        "我们要全面了解学生的家庭背景，找到问题背后的原因。",
        "第五小学和第三中学的导师一起参加了研讨。",
        # 的 and object verbs before a surname-like word are no name by themselves
        "班上的高手很多，他的方向很明确。",
        "学校的安排很合理，孩子的成长需要家长的关心。",
        "导师的陪伴让孩子的情绪慢慢稳定下来，家长的焦虑也减轻了。",
        "期中考试后，王同学的成绩明显进步，石同学却退步了。",
        "问题的关键在于沟通方式，方法的选择要因人而异。",
        "周老师的建议很实用，曹老师的方法也很有效。",
        "他的钱包丢了，于是向同学借了十块钱。",
        "宋代的诗词、唐朝的历史都是他喜欢的内容。",
        "他问老师为什么要学数学，老师耐心地解释了学习的意义。",
        "导师带学生去参观了科技馆，陪孩子度过了愉快的下午。",
        "金秋时节，学校举办了运动会，孩子们的热情很高。",
        "冯老师提醒家长要注意孩子的网络使用。",
    ],
)
def test_ordinary_case_prose_has_no_names(text):
    assert scan(text, known=EMPTY) == []


def test_roster_name_is_found_without_any_context():
    findings = scan("这次陆建华去了。", known_people={"陆建华"}, known_schools=set())
    assert [(f.kind, f.text) for f in findings] == [("person_name", "陆建华")]
