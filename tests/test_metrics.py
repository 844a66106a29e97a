"""Metrics checked against tiny cases worked out by hand."""

import pytest

from retrieval.evaluation import GoldSpan, hit_at, is_relevant, mean_metrics, reciprocal_rank
from retrieval.search import reciprocal_rank_fusion


def test_hit_and_reciprocal_rank_by_hand():
    # Query A: relevant at rank 2 -> hit@1 0, hit@3 1, RR 1/2.
    # Query B: relevant at rank 1 -> hit@1 1, hit@3 1, RR 1.
    # Query C: relevant only at rank 11 -> outside every cutoff: 0, 0, 0.
    a = [False, True, False]
    b = [True, False]
    c = [False] * 10 + [True]
    assert (hit_at(a, 1), hit_at(a, 3), reciprocal_rank(a)) == (0.0, 1.0, 0.5)
    assert (hit_at(b, 1), hit_at(b, 3), reciprocal_rank(b)) == (1.0, 1.0, 1.0)
    assert (hit_at(c, 3), reciprocal_rank(c, 10)) == (0.0, 0.0)
    # Means: hit@1 = 1/3, hit@3 = 2/3, MRR@10 = (0.5 + 1 + 0) / 3 = 0.5.
    means = mean_metrics([a, b, c])
    assert means["hit@1"] == pytest.approx(1 / 3)
    assert means["hit@3"] == pytest.approx(2 / 3)
    assert means["MRR@10"] == pytest.approx(0.5)


def test_relevance_is_span_overlap_within_the_same_article():
    gold = [GoldSpan("doc", 100, 120)]
    assert is_relevant("doc", 90, 101, gold)  # overlaps by one character
    assert not is_relevant("doc", 120, 200, gold)  # touches, no overlap
    assert not is_relevant("other", 100, 120, gold)


def test_reciprocal_rank_fusion_by_hand():
    # k = 60. x: ranks 1 and 2 -> 1/61 + 1/62; y: rank 2 and 1 -> same; z: rank 3 only -> 1/63.
    fused = dict(reciprocal_rank_fusion([["x", "y", "z"], ["y", "x"]]))
    assert fused["x"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["y"] == pytest.approx(fused["x"])
    assert fused["z"] == pytest.approx(1 / 63)
    # Weight 2 on the second list: y = 1/62 + 2/61 beats x = 1/61 + 2/62.
    weighted = reciprocal_rank_fusion([["x", "y"], ["y", "x"]], weights=[1.0, 2.0])
    assert [item for item, _ in weighted] == ["y", "x"]
