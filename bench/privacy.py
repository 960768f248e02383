"""Privacy scanner numbers: per-kind precision / recall / F1 over the labelled corpus
(tests/casebank/privacy_corpus.jsonl), findings in real prose that holds no personal data
(the district policy and the handbooks), and throughput with and without a 10,000-name
roster. Part of `make bench`; also runs alone: `.venv/bin/python bench/privacy.py`.
No database needed: the corpus carries its own school and roster names.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "casebank" / "privacy_corpus.jsonl"
# Written after the scanner: its first measurement is the honest one (see the report).
HOLDOUT = ROOT / "tests" / "casebank" / "privacy_corpus_holdout.jsonl"
# Prose written for the platform with no personal data in it: every finding is a false one.
CLEAN_PROSE = [
    ROOT / "cms" / "demo_content" / "qingpu-mentor-policy-2021.txt",
    *sorted((ROOT / "cms" / "demo_content" / "handbooks").glob("*.md")),
    # The 33 anonymised demo cases, written by another hand: pseudonyms everywhere.
    ROOT / "casebank" / "demo_content" / "cases.json",
]
REPEAT = int(os.environ.get("BENCH_PRIVACY_REPEAT", "20"))


def _roster(size: int) -> list[str]:
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华红雪琳颖浩丹萍鹏辉玲斌宇婷"
    names = (f"{s}{a}{b}" for s in surnames for a in given for b in given)
    return [name for _, name in zip(range(size), names, strict=False)]


def _throughput(texts: list[str], known) -> dict:
    from casebank.privacy import scan

    scan(texts[0], known=known)  # warm jieba's dictionary
    chars = sum(len(t.encode("utf-8")) for t in texts) * REPEAT
    start = time.perf_counter()
    for _ in range(REPEAT):
        for text in texts:
            scan(text, known=known)
    seconds = time.perf_counter() - start
    return {
        "sentences": len(texts) * REPEAT,
        "seconds": round(seconds, 3),
        "sentences_per_s": round(len(texts) * REPEAT / seconds),
        "kb_per_s": round(chars / 1024 / seconds, 1),
    }


def _kinds(evaluation) -> dict:
    return {
        kind: {
            "precision": round(score.precision, 3),
            "recall": round(score.recall, 3),
            "f1": round(score.f1, 3),
            "expected": score.true_positive + score.false_negative,
            "found": score.true_positive + score.false_positive,
        }
        for kind, score in sorted(evaluation.scores.items())
    }


def privacy_benchmark() -> dict:
    from casebank.privacy import scan
    from casebank.privacy.evaluation import Corpus, evaluate, generated_name_recall
    from casebank.privacy.known import KnownNames

    corpus = Corpus.load(CORPUS)
    generated_recall, generated_names, generated_missed = generated_name_recall()
    evaluation = evaluate(corpus)
    kinds = _kinds(evaluation)
    total = evaluation.total()
    holdout = Corpus.load(HOLDOUT)
    holdout_evaluation = evaluate(holdout)
    holdout_total = holdout_evaluation.total()
    prose = [path.read_text("utf-8") for path in CLEAN_PROSE if path.exists()]
    prose_findings = [
        (finding.kind, finding.text)
        for text in prose
        for finding in scan(text, known=KnownNames.build())
    ]
    texts = [row["text"] for row in corpus.rows]
    roster = KnownNames.build(
        people=[*_roster(10_000), *corpus.known.people], schools=corpus.known.schools
    )
    return {
        "sentences": len(corpus.rows),
        "kinds": kinds,
        "micro": {
            "precision": round(total.precision, 3),
            "recall": round(total.recall, 3),
            "f1": round(total.f1, 3),
        },
        "errors": [list(error) for error in evaluation.errors],
        "holdout": {
            "sentences": len(holdout.rows),
            "kinds": _kinds(holdout_evaluation),
            "micro": {
                "precision": round(holdout_total.precision, 3),
                "recall": round(holdout_total.recall, 3),
                "f1": round(holdout_total.f1, 3),
            },
            "errors": [list(error) for error in holdout_evaluation.errors],
        },
        "generated_names": {
            "names": generated_names,
            "recall": round(generated_recall, 3),
            "missed_examples": generated_missed[:10],
        },
        "clean_prose_chars": sum(len(text) for text in prose),
        "clean_prose_findings": [list(f) for f in prose_findings],
        "throughput": _throughput(texts, corpus.known),
        "throughput_10k_roster": {"roster_names": len(roster.people), **_throughput(texts, roster)},
    }


def print_report(result: dict, indent: str = "  ") -> None:
    print(
        f"{indent}privacy scanner over {result['sentences']} labelled sentences "
        f"(micro P {result['micro']['precision']:.3f} R {result['micro']['recall']:.3f} "
        f"F1 {result['micro']['f1']:.3f})"
    )
    print(f"{indent}  {'kind':<16}{'expected':>9}{'found':>7}{'P':>7}{'R':>7}{'F1':>7}")
    for kind, row in result["kinds"].items():
        print(
            f"{indent}  {kind:<16}{row['expected']:>9}{row['found']:>7}"
            f"{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}"
        )
    for error in result["errors"]:
        print(f"{indent}  {error[0]} {error[1]} {error[2]!r} in {error[3]!r}")
    holdout = result["holdout"]
    print(
        f"{indent}  held-out corpus, {holdout['sentences']} sentences: micro "
        f"P {holdout['micro']['precision']:.3f} R {holdout['micro']['recall']:.3f}; "
        + ", ".join(
            f"{kind} P {row['precision']:.2f} R {row['recall']:.2f}"
            for kind, row in holdout["kinds"].items()
        )
    )
    for error in holdout["errors"]:
        print(f"{indent}  held-out {error[0]} {error[1]} {error[2]!r} in {error[3]!r}")
    generated = result["generated_names"]
    print(
        f"{indent}  generated names (demo roster pools, {generated['names']} names in "
        f"12 sentence templates): recall {generated['recall']:.3f}; missed e.g. "
        f"{generated['missed_examples'][:5]}"
    )
    print(
        f"{indent}  clean prose (policy, handbooks, demo cases; {result['clean_prose_chars']} "
        f"characters): "
        f"{len(result['clean_prose_findings'])} findings {result['clean_prose_findings']}"
    )
    for label, key in (("", "throughput"), (", 10k-name roster", "throughput_10k_roster")):
        t = result[key]
        print(
            f"{indent}  throughput{label}: {t['sentences_per_s']} sentences/s, "
            f"{t['kb_per_s']} KB/s ({t['sentences']} sentences in {t['seconds']} s)"
        )


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()
    print_report(privacy_benchmark(), indent="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
