"""Retrieval quality on the labelled seed-corpus questions (gold = article + substring), and the
regression guard against the committed baseline (tests/eval/baseline.json).

Refresh the baseline after an intended change (the diff shows which questions moved):
    .venv/bin/newsqa eval tests/eval/questions.jsonl --write-baseline tests/eval/baseline.json
"""

import json
from pathlib import Path

import pytest

from retrieval.evaluation import (
    NEGATIVE,
    compare_to_baseline,
    evaluate_questions,
    format_table,
    format_text,
    load_questions,
    read_baseline,
)
from retrieval.evaluation.baseline import BASELINE_COMMAND

QUESTIONS = Path(__file__).parent / "eval" / "questions.jsonl"
BASELINE = Path(__file__).parent / "eval" / "baseline.json"
NO_GOLD = "a question has no gold exactly when"


@pytest.fixture(scope="module")
def seed_report(seed_index):
    return evaluate_questions(QUESTIONS, seed_index)


def test_eval_set_is_big_enough_and_covers_every_quoted_person():
    records = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    ranked = [r for r in records if r["type"] != NEGATIVE]
    assert len(ranked) >= 25
    kinds = {r["type"] for r in records}
    assert kinds == {"speaker", "fact", "paraphrase", NEGATIVE}
    speakers = " ".join(r["question"] for r in records if r["type"] == "speaker")
    for person in ("Zhang", "Wang", "Blinken", "Zhao", "Russia"):
        assert person in speakers
    negatives = [r for r in records if r["type"] == NEGATIVE]
    assert len(negatives) >= 4 and all(r["gold"] == [] for r in negatives)


def test_hybrid_quality_bar(seed_report):
    results = {r.mode: r for r in seed_report.results}
    print("\n" + format_table(list(results.values())))
    for r in results.values():
        misses = [(p["id"], p["rank"]) for p in r.per_question if p.get("rank", 1) != 1]
        print(f"{r.mode}: not at rank 1: {misses}")
    hybrid = results["hybrid"].metrics
    assert hybrid["hit@3"] == 1.0
    assert hybrid["hit@1"] >= 0.9
    for other in ("dense", "lexical"):
        for metric, value in results[other].metrics.items():
            assert hybrid[metric] >= value - 1e-9, (metric, other)
    # The default route (speaker questions answered from quotes) is at least as good again.
    routed = results["hybrid+quotes"]
    for metric, value in hybrid.items():
        assert routed.metrics[metric] >= value - 1e-9, metric


def test_negative_questions_are_scored_apart_and_refused_by_the_default_route(seed_report):
    for r in seed_report.results:
        negatives = [p for p in r.per_question if p["kind"] == NEGATIVE]
        assert len(negatives) == r.negative["n"] >= 4
        assert r.negative["correct"] == sum(not p["found"] for p in negatives)
        assert all("metrics" not in p and "rank" not in p for p in negatives)
        assert NEGATIVE not in r.by_kind
    routed = next(r for r in seed_report.results if r.mode == "hybrid+quotes")
    # "What did Boris Johnson say?" is answered "No quotes attributed to …" only when routed.
    assert routed.negative["rate"] == 1.0


def test_library_metrics_agree_with_the_first_relevant_rank(seed_report):
    # pytrec_eval computes the metrics; each question's rank comes from our own relevance flags.
    for r in seed_report.results:
        for p in r.per_question:
            if p["kind"] == NEGATIVE:
                continue
            rank, m = p["rank"], p["metrics"]
            assert m["hit@1"] == (rank == 1)
            assert m["hit@3"] == (rank is not None and rank <= 3)
            assert m["MRR@10"] == pytest.approx(1 / rank if rank else 0.0)


def test_no_regression_against_the_committed_baseline(seed_report):
    baseline = read_baseline(BASELINE)
    now_ids = {p["id"] for p in seed_report.results[0].per_question}
    base_ids = set(baseline["questions"]["hybrid"])
    assert now_ids == base_ids, f"questions changed since the baseline; run: {BASELINE_COMMAND}"
    regression = compare_to_baseline(seed_report, baseline, tolerance=0.02)
    print("\n" + format_text(seed_report) + "\n\n" + regression.format())
    assert not regression.failed, (
        f"retrieval got worse than {BASELINE.name}:\n{regression.format()}\n"
        f"if the change is intended, refresh the baseline: {BASELINE_COMMAND}"
    )


def test_substring_gold_must_be_unambiguous(seed_index, tmp_path):
    from retrieval import NewsqaError

    bad = tmp_path / "q.jsonl"
    source = "corpus/china-backs-russia-security-concerns.txt"
    gold = [{"source": source, "contains": "Ukraine"}]  # occurs many times
    bad.write_text(json.dumps({"id": "x", "type": "fact", "question": "q", "gold": gold}))
    with pytest.raises(NewsqaError, match="exactly once"):
        load_questions(bad, seed_index)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "x", "type": "fact", "question": "q", "gold": []}, NO_GOLD),
        ({"id": "x", "type": NEGATIVE, "question": "q",
          "gold": [{"source": "corpus/x.txt", "contains": "a"}]}, NO_GOLD),
        ({"id": "x", "type": "fact", "question": "q"}, "missing gold"),
        ({"id": "x", "type": "fact", "question": "q",
          "gold": [{"source": "corpus/nope.txt", "contains": "a"}]}, "no indexed article"),
    ],
)  # fmt: skip
def test_malformed_questions_are_clear_errors(seed_index, tmp_path, record, message):
    from retrieval import NewsqaError

    bad = tmp_path / "q.jsonl"
    bad.write_text("\n" + json.dumps(record) + "\n")
    with pytest.raises(NewsqaError, match=f"q.jsonl:2: {message}"):
        load_questions(bad, seed_index)
