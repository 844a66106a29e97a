"""pytrec_eval (the metrics library) against tiny cases worked out by hand, and against our own
hit_at / reciprocal_rank definitions (tests/test_metrics.py proves those by hand)."""

import math
import random

import pytest

from retrieval.evaluation.metrics import (
    METRIC_NAMES,
    hit_at,
    mean_metrics,
    ranking_metrics,
    reciprocal_rank,
)


def test_binary_relevance_by_hand():
    # Relevant a and b; the run is x, a, y, b.
    # hit@1 0 (x), hit@3 1 (a at 2), hit@10 1; recall@3 = 1/2 (a), recall@10 = 2/2;
    # MRR = 1/2; DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161,
    # ideal DCG = 1/log2(2) + 1/log2(3) = 1.63093, nDCG@10 = 1.06161 / 1.63093 = 0.65092.
    m = ranking_metrics({"q": {"a": 1, "b": 1}}, {"q": ["x", "a", "y", "b"]})["q"]
    assert (m["hit@1"], m["hit@3"], m["hit@10"]) == (0.0, 1.0, 1.0)
    assert (m["recall@3"], m["recall@10"]) == (0.5, 1.0)
    assert m["MRR@10"] == 0.5
    assert m["nDCG@10"] == pytest.approx(0.65092, abs=1e-5)


def test_graded_relevance_by_hand():
    # BEIR qrels are graded: c = 2, d = 1, e = 0 (judged, not relevant). The run is d, e, c.
    # hit@1 1 (d is relevant, grade > 0); recall@3 = 2/2; MRR = 1;
    # DCG (linear gain, as trec_eval and BEIR) = 1/log2(2) + 0 + 2/log2(4) = 1 + 1 = 2,
    # ideal = 2/log2(2) + 1/log2(3) = 2.63093, nDCG@10 = 2 / 2.63093 = 0.76019.
    m = ranking_metrics({"q": {"c": 2, "d": 1, "e": 0}}, {"q": ["d", "e", "c"]})["q"]
    assert (m["hit@1"], m["recall@3"], m["MRR@10"]) == (1.0, 1.0, 1.0)
    assert m["nDCG@10"] == pytest.approx(0.76019, abs=1e-5)
    # A run holding only the grade-0 document scores 0 everywhere.
    zero = ranking_metrics({"q": {"c": 2, "e": 0}}, {"q": ["e"]})["q"]
    assert set(zero.values()) == {0.0}


def test_cutoff_missing_and_empty_runs_score_zero():
    # Relevant only at rank 11: outside every cutoff (trec_eval's recip_rank has no cutoff of
    # its own, so the run is cut at 10 first: MRR@10 = 0, not 1/11).
    late = [f"n{i}" for i in range(10)] + ["r"]
    qrels = {"late": {"r": 1}, "empty": {"r": 1}, "missing": {"r": 1}}
    scores = ranking_metrics(qrels, {"late": late, "empty": []})
    for qid in qrels:
        assert scores[qid] == dict.fromkeys(METRIC_NAMES, 0.0), qid


def test_ties_never_reorder_the_run():
    # trec_eval sorts by score and breaks ties by document id; we give every position its own
    # score, so "z" at rank 1 stays first although "a" sorts first by name.
    assert ranking_metrics({"q": {"z": 1}}, {"q": ["z", "a"]})["q"]["hit@1"] == 1.0
    assert ranking_metrics({"q": {"a": 1}}, {"q": ["z", "a"]})["q"]["MRR@10"] == 0.5
    # A repeated id counts once, at its first rank.
    assert ranking_metrics({"q": {"a": 1}}, {"q": ["z", "z", "a"]})["q"]["MRR@10"] == 0.5


def test_library_matches_the_hand_worked_means_of_test_metrics():
    # Same three queries as tests/test_metrics.py: relevant at rank 2, at rank 1, at rank 11.
    # Means: hit@1 = 1/3, hit@3 = 2/3, MRR@10 = (0.5 + 1 + 0) / 3 = 0.5.
    a, b, c = [False, True, False], [True, False], [False] * 10 + [True]
    runs, qrels = {}, {}
    for qid, rel in zip("abc", (a, b, c), strict=True):
        runs[qid] = [f"{qid}{i}" for i in range(len(rel))]
        qrels[qid] = {doc: 1 for doc, r in zip(runs[qid], rel, strict=True) if r}
    scores = ranking_metrics(qrels, runs)
    own = mean_metrics([a, b, c])
    for name in ("hit@1", "hit@3", "MRR@10"):
        library = sum(s[name] for s in scores.values()) / 3
        assert library == pytest.approx(own[name]), name
    assert own["MRR@10"] == pytest.approx(0.5)


def test_library_matches_our_definitions_on_random_runs():
    rng = random.Random(7)
    for trial in range(200):
        rel = [rng.random() < 0.15 for _ in range(rng.randint(0, 15))]
        ids = [f"d{i}" for i in range(len(rel))]
        relevant = {d: 1 for d, r in zip(ids, rel, strict=True) if r} or {"unretrieved": 1}
        extra = rng.randint(0, 2)  # relevant documents the run never returns
        relevant.update({f"missing{i}": 1 for i in range(extra)})
        m = ranking_metrics({"q": relevant}, {"q": ids})["q"]
        for k in (1, 3, 10):
            assert m[f"hit@{k}"] == hit_at(rel, k), (trial, k)
            if k > 1:  # recall@3 and recall@10
                found = sum(rel[:k])
                assert m[f"recall@{k}"] == pytest.approx(found / len(relevant)), (trial, k)
        assert m["MRR@10"] == pytest.approx(reciprocal_rank(rel, 10)), trial
        dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(rel[:10]) if r)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
        assert m["nDCG@10"] == pytest.approx(dcg / ideal, abs=1e-4), trial
