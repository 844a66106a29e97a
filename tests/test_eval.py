"""Retrieval quality on the labelled seed-corpus questions (gold = article + substring)."""

import json
from pathlib import Path

from retrieval.evaluation import evaluate, format_table, load_questions

QUESTIONS = Path(__file__).parent / "eval" / "questions.jsonl"


def test_eval_set_is_big_enough_and_covers_every_quoted_person():
    records = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    assert len(records) >= 25
    kinds = {r["type"] for r in records}
    assert kinds == {"speaker", "fact", "paraphrase"}
    speakers = " ".join(r["question"] for r in records if r["type"] == "speaker")
    for person in ("Zhang", "Wang", "Blinken", "Zhao", "Russia"):
        assert person in speakers


def test_hybrid_quality_bar(seed_index):
    results = {r.mode: r for r in evaluate(seed_index, load_questions(QUESTIONS, seed_index))}
    print("\n" + format_table(list(results.values())))
    for r in results.values():
        misses = [(p["id"], p["rank"]) for p in r.per_question if p["rank"] != 1]
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


def test_substring_gold_must_be_unambiguous(seed_index, tmp_path):
    import pytest

    from retrieval import NewsqaError

    bad = tmp_path / "q.jsonl"
    source = "corpus/china-backs-russia-security-concerns.txt"
    gold = [{"source": source, "contains": "Ukraine"}]  # occurs many times
    bad.write_text(json.dumps({"id": "x", "type": "fact", "question": "q", "gold": gold}))
    with pytest.raises(NewsqaError, match="exactly once"):
        load_questions(bad, seed_index)
