"""Person-name detection in Chinese prose: a surname, one or two given-name characters, and
enough evidence around them.

Surname characters are everywhere in ordinary words (高度, 常常, 于是, 周末, 关心), so a
candidate is scored, not matched: context words before (学生, 母亲, 名叫, 姓名：) and after
(同学, 说, 的母亲), the plausibility of the given-name characters, jieba's dictionary (a
candidate that is a dictionary word other than a name is prose) and its name tagging. Role
words and nicknames (王同学, 张老师, 李妈妈, 小王, 老李, 王某) never qualify.
"""

from dataclasses import dataclass
from functools import lru_cache

import rjieba

from .lexicon import (
    COMPOUND_SURNAMES,
    CUE_AFTER,
    CUE_BEFORE,
    FIRST_GIVEN_ONLY,
    GIVEN_CHARS,
    LONE_GIVEN_CHARS,
    NICKNAME_PREFIXES,
    PSEUDONYM_TAILS,
    SINGLE_SURNAMES,
    STOP_WORDS,
)

ACCEPT_SCORE = 3
# Between a context word and the name: 姓名：林晓雯, 真名是魏嘉诚, 家长 赵建国.
_CUE_GLUE = "：:是为 "
_BOUNDARY = set("，。、；：:,;.!?！？（）()“”\"'‘’「」《》【】[] \n\t—…")
# Words that often follow a name directly (王小明说, 张伟上课, 韩雪是, 冯涛叫到).
_FOLLOWERS = set("和与在是的说也都就把被对向跟同今昨最每总上叫因从已还又才曾却将要会没不来去一")
# Words that often precede a name directly (和张伟, 对朱佳怡, 找马天宇, 班上的杨帆).
_LEADERS = set("和与跟对把找约给让被向是见到了由及问请帮陪带教替的")
# Time words that open a clause whose subject follows (那天王浩没来, 后来李华说).
_TIME_WORDS = ("那天", "今天", "昨天", "后来", "当时", "其中", "只有", "还有", "直到")
# Verbs that take a person as their object (告诉王浩, 表扬李华).
_LEADER_WORDS = (
    "告诉",
    "通知",
    "提醒",
    "鼓励",
    "表扬",
    "批评",
    "安慰",
    "关注",
    "发现",
    "看到",
    "遇到",
    "联系",
    "邀请",
    "帮助",
    "陪伴",
    "推荐",
    "安排",
    "辅导",
    "劝",
    "叮嘱",
)


_ROLE_WORDS = frozenset(CUE_BEFORE) | frozenset(
    "学生 学校 学习 学期 学科 学业 学段 家长 家庭 家人 孩子 父母 老师 教师 同学 班级 年级 "
    "导师 校长 心理 成长 生活 生命 文化 文明 德育".split()
)


@dataclass(frozen=True)
class NameHit:
    start: int
    end: int
    score: int


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


@lru_cache(maxsize=20000)
def _dictionary_tag(word: str) -> str | None:
    """jieba's part-of-speech tag when `word` is a dictionary word, else None."""
    if not rjieba.has_word(word):
        return None
    tagged = rjieba.tag(word)
    return tagged[0][1] if len(tagged) == 1 else None


def is_prose_word(word: str) -> bool:
    """A dictionary word that jieba does not take for a person name (高度, 时间, 关心)."""
    if word in STOP_WORDS:
        return True
    tag = _dictionary_tag(word)
    return tag is not None and not tag.startswith("nr")


# 李家, 王子, 张文: after a surname these mean "the family", "prince", "Zhang's text".
_NOT_LONE = frozenset("家子文国学生")


def _given_ok(given: str) -> bool:
    if len(given) == 1:
        return given in GIVEN_CHARS and given not in _NOT_LONE
    first, second = given
    return (first in GIVEN_CHARS or first in FIRST_GIVEN_ONLY) and second in GIVEN_CHARS


def _cue_before(text: str, start: int) -> int:
    i = start
    while i > 0 and text[i - 1] in _CUE_GLUE and start - i < 2:
        i -= 1
    before = text[max(0, i - 6) : i]
    if any(before.endswith(cue) for cue in CUE_BEFORE):
        return 2
    if start == 0 or text[start - 1] in _BOUNDARY or text[start - 1] in _LEADERS:
        return 1
    if any(before.endswith(word) for word in _LEADER_WORDS):
        return 1
    if any(before.endswith(word) for word in _TIME_WORDS):
        return 1
    return 0


def _cue_after(text: str, end: int) -> int:
    after = text[end : end + 4]
    if any(after.startswith(cue) for cue in CUE_AFTER):
        return 2
    if end >= len(text) or text[end] in _BOUNDARY or text[end] in _FOLLOWERS:
        return 1
    return 0


class _Tokens:
    """jieba's reading of the text: which token covers each character, and its tag."""

    def __init__(self, text: str):
        self.cover_start = [0] * len(text)
        self.tag_at: dict[int, str] = {}
        position = 0
        for word, tag in rjieba.tag(text):
            for offset in range(len(word)):
                if position + offset < len(text):
                    self.cover_start[position + offset] = position
            self.tag_at[position] = tag
            position += len(word)

    def inside_earlier_word(self, index: int) -> bool:
        start = self.cover_start[index]
        return start < index and not self.tag_at.get(start, "").startswith("nr")

    def name_token_at(self, index: int) -> bool:
        return self.tag_at.get(index, "").startswith("nr")

    def on_boundaries(self, start: int, end: int) -> bool:
        """jieba's words start at `start` and at `end`: the span is whole words."""
        starts_word = self.cover_start[start] == start
        return starts_word and (end == len(self.cover_start) or self.cover_start[end] == end)

    def name_token_exactly(self, start: int, end: int) -> bool:
        """jieba cut exactly this span as a name (its HMM found it, or its dictionary)."""
        if not self.name_token_at(start):
            return False
        return end == len(self.cover_start) or self.cover_start[end] == end


def _surname_lengths(text: str, i: int) -> list[int]:
    lengths = []
    if text[i : i + 2] in COMPOUND_SURNAMES:
        lengths.append(2)
    if text[i] in SINGLE_SURNAMES:
        lengths.append(1)
    return lengths


def _score(text: str, i: int, surname: int, given: int, tokens: _Tokens) -> int | None:
    end = i + surname + given
    name = text[i:end]
    if end > len(text) or not all(_is_han(c) for c in name):
        return None
    if not _given_ok(name[surname:]):
        return None
    tail = text[i + surname : i + surname + 2]
    if any(tail.startswith(word) for word in PSEUDONYM_TAILS):
        return None
    if name in STOP_WORDS or is_prose_word(name):
        return None
    if name[surname:] in _ROLE_WORDS:  # 向学生, 段学生, 于家长: a surname-like word + role
        return None
    score = _cue_before(text, i) + _cue_after(text, end)
    if surname == 2:
        score += 2
    if given == 1 and name[surname:] not in LONE_GIVEN_CHARS:
        score -= 1  # 黄林, 刘勤: a rarer one-character given name needs more context
    if given == 2:
        score += 1
        # Two given-name characters that make no prose word with their neighbours (马天宇,
        # 何思远) are a name more often than not.
        joint = name[surname - 1 : surname + 1]
        if not is_prose_word(joint) and not is_prose_word(name[surname:]):
            score += 1
    if tokens.on_boundaries(i, end) and not tokens.name_token_at(i):
        score += 1  # jieba split it off as whole (unknown) words: 我和段伟谈了
    if tokens.name_token_at(i):
        score += 1
        # An exact name token that is no dictionary word: jieba recognised an unknown name.
        if tokens.name_token_exactly(i, end) and _dictionary_tag(name) is None:
            score += 1
    # 3-character candidates whose first two characters make a prose word (叶子墨, 时间管)
    # need the context to carry them.
    if given == 2 and surname == 1 and is_prose_word(name[:2]):
        score -= 3
    if surname == 1 and i > 0 and tokens.inside_earlier_word(i):
        score -= 3
    return score


def find_names(text: str) -> list[NameHit]:
    """Likely full names in `text`, non-overlapping, in order."""
    if not text:
        return []
    tokens = None
    hits: list[NameHit] = []
    i, n = 0, len(text)
    while i < n:
        lengths = _surname_lengths(text, i)
        if not lengths:
            i += 1
            continue
        if i > 0 and text[i - 1] in NICKNAME_PREFIXES and lengths == [1]:
            i += 1
            continue
        if tokens is None:
            tokens = _Tokens(text)
        best: NameHit | None = None
        for surname in lengths:
            for given in (2, 1):
                score = _score(text, i, surname, given, tokens)
                if score is not None and score >= ACCEPT_SCORE:
                    if best is None or score > best.score:
                        best = NameHit(i, i + surname + given, score)
                    break  # the longer given name wins when both qualify
        if best is not None:
            hits.append(best)
            i = best.end
        else:
            i += 1
    return hits


def has_name_context(text: str, start: int, end: int) -> bool:
    """Whether the words around text[start:end] say a person is meant (学生高峰说, 高峰老师),
    for roster names that are everyday words too."""
    if start > 0 and _Tokens(text).inside_earlier_word(start):
        return False
    return _cue_before(text, start) + _cue_after(text, end) >= 3
