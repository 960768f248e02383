"""Per-kind precision and recall of the privacy scanner over the labelled corpus."""

from pathlib import Path

import pytest

from casebank.privacy import FindingKind
from casebank.privacy.evaluation import Corpus, evaluate

CORPUS = Path(__file__).with_name("privacy_corpus.jsonl")

RECALL_TARGETS = {"id_card": 0.98, "phone": 0.98, "email": 0.98, "person_name": 0.9}
PRECISION_TARGET = 0.9


@pytest.fixture(scope="module")
def corpus():
    return Corpus.load(CORPUS)


@pytest.fixture(scope="module")
def evaluation(corpus):
    return evaluate(corpus)


def test_corpus_is_large_and_covers_every_kind(corpus):
    assert len(corpus.rows) >= 260
    negatives = [row for row in corpus.rows if not row["spans"]]
    assert len(negatives) >= 40
    counts = {kind.value: 0 for kind in FindingKind}
    for row in corpus.rows:
        for span in row["spans"]:
            assert span["text"] in row["text"], span
            counts[span["kind"]] += 1
    assert counts["person_name"] >= 30
    for kind in FindingKind:
        minimum = 12 if kind == FindingKind.SCHOOL_NAME else 20
        assert counts[kind.value] >= minimum, (kind, counts[kind.value])


@pytest.mark.parametrize("kind", [kind.value for kind in FindingKind])
def test_precision_per_kind(evaluation, kind):
    score = evaluation.scores[kind]
    wrong = [e for e in evaluation.errors if e[0] == "false" and e[1] == kind]
    assert score.precision >= PRECISION_TARGET, wrong


@pytest.mark.parametrize("kind", sorted(RECALL_TARGETS))
def test_recall_targets(evaluation, kind):
    score = evaluation.scores[kind]
    missed = [e for e in evaluation.errors if e[0] == "missed" and e[1] == kind]
    assert score.recall >= RECALL_TARGETS[kind], missed


def test_negative_sentences_have_no_findings(corpus):
    from casebank.privacy import scan

    flagged = {
        row["text"]: [f.text for f in scan(row["text"], known=corpus.known)]
        for row in corpus.rows
        if not row["spans"]
    }
    assert {text: found for text, found in flagged.items() if found} == {}


def test_generated_names_in_case_sentences_are_found():
    from casebank.privacy.evaluation import generated_name_recall

    recall, names, missed = generated_name_recall(count=300, seed=2026)
    assert names >= 300
    assert recall >= 0.9, missed[:20]


def test_held_out_corpus_meets_the_same_targets():
    holdout = evaluate(Corpus.load(CORPUS.with_name("privacy_corpus_holdout.jsonl")))
    for kind, score in holdout.scores.items():
        assert score.precision >= PRECISION_TARGET, (kind, holdout.errors)
    for kind, target in RECALL_TARGETS.items():
        assert holdout.scores[kind].recall >= target, (kind, holdout.errors)
