"""Precision and recall of the scanner over a labelled corpus (tests and `make bench`).

Corpus format (JSON lines): a first line {"meta": {"known_schools": [...],
"known_people": [...]}}, then one {"text": ..., "spans": [{"kind", "text"}, ...]} per
sentence. A finding counts as correct when a labelled span has the same kind and text.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .known import KnownNames
from .scanner import scan


@dataclass
class Corpus:
    known: KnownNames
    rows: list[dict]

    @classmethod
    def load(cls, path: str | Path) -> "Corpus":
        lines = Path(path).read_text("utf-8").splitlines()
        meta = json.loads(lines[0])["meta"]
        rows = [json.loads(line) for line in lines[1:] if line.strip()]
        known = KnownNames.build(people=meta["known_people"], schools=meta["known_schools"])
        return cls(known=known, rows=rows)


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    scores: dict[str, Score] = field(default_factory=dict)
    errors: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # (fp|fn, kind, text, sentence)

    def total(self) -> Score:
        total = Score()
        for score in self.scores.values():
            total.true_positive += score.true_positive
            total.false_positive += score.false_positive
            total.false_negative += score.false_negative
        return total


def evaluate(corpus: Corpus) -> Evaluation:
    result = Evaluation()
    for row in corpus.rows:
        expected = Counter((span["kind"], span["text"]) for span in row["spans"])
        found = Counter((f.kind, f.text) for f in scan(row["text"], known=corpus.known))
        for kind, text in expected | found:
            score = result.scores.setdefault(kind, Score())
            hit = min(expected[(kind, text)], found[(kind, text)])
            score.true_positive += hit
            score.false_negative += expected[(kind, text)] - hit
            score.false_positive += found[(kind, text)] - hit
            if expected[(kind, text)] > hit:
                result.errors.append(("missed", kind, text, row["text"]))
            if found[(kind, text)] > hit:
                result.errors.append(("false", kind, text, row["text"]))
    return result


# Sentences a mentor writes about a child; {} is a name. Names come from the demo roster
# generator's pools (people/demo/data.py), which the scanner's lists were not built from.
NAME_TEMPLATES = (
    "学生{}最近情绪低落。",
    "{}的母亲来学校找我。",
    "我和{}谈了一次心。",
    "{}说他不想上学了。",
    "班上的{}成绩下滑明显。",
    "导师发现{}经常一个人吃饭。",
    "家长{}打来了电话。",
    "{}同学主动帮助了同桌。",
    "那天{}没有来上课。",
    "心理老师约{}下周再谈一次。",
    "她叫{}，今年十四岁。",
    "{}和{}是好朋友。",
)


def generated_name_recall(count: int = 600, seed: int = 6) -> tuple[float, int, list[str]]:
    """(recall, names, missed) for generated full names in NAME_TEMPLATES (no roster)."""
    import random

    from people.demo.data import GIVEN_FEMALE, GIVEN_MALE, SURNAMES

    from .known import EMPTY

    rng = random.Random(seed)

    def name() -> str:
        pool = GIVEN_FEMALE if rng.random() < 0.5 else GIVEN_MALE
        given = "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.3 else 2))
        return rng.choice(SURNAMES) + given

    missed, total = [], 0
    for _ in range(count):
        template = rng.choice(NAME_TEMPLATES)
        names = [name() for _ in range(template.count("{}"))]
        text = template.format(*names)
        found = {f.text for f in scan(text, known=EMPTY) if f.kind == "person_name"}
        for person in names:
            total += 1
            if person not in found:
                missed.append(text)
    return 1 - len(missed) / total, total, missed
