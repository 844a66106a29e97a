"""Quote gold evaluation: extraction P/R/F1 worked out by hand on a tiny synthetic gold, the
same numbers as tests/test_quotes.py on the real gold, and `newsqa eval` on a quote gold file."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from retrieval import NewsqaError, Settings
from retrieval.evaluation import (
    evaluate_quote_gold,
    format_text,
    load_quote_gold,
    score_quote_extraction,
)
from retrieval.evaluation.metrics import match_spans, span_iou

PROJECT = Path(__file__).resolve().parent.parent
GOLD = PROJECT / "tests" / "eval" / "quotes_gold.jsonl"


def quote(start, end, speaker, kind="direct", attribution="explicit"):
    fields = dict(start=start, end=end, speaker=speaker, kind=kind, attribution=attribution)
    return SimpleNamespace(**fields)


def gold(source, start, end, speaker, kind="direct", attribution="explicit"):
    return dict(source=source, start=start, end=end, speaker=speaker, kind=kind,
                attribution=attribution)  # fmt: skip


def test_span_iou_and_one_to_one_matching_by_hand():
    assert span_iou((0, 10), (0, 20)) == 0.5  # 10 shared / 20 covered
    assert span_iou((0, 10), (5, 15)) == pytest.approx(5 / 15)
    assert span_iou((0, 10), (10, 20)) == 0.0  # touching is not overlapping
    # Two predictions on gold 0-10: 0-20 (IoU 10/20 = 0.5) and 2-10 (IoU 8/10 = 0.8); only the
    # better one is matched, one to one.
    assert match_spans([(0, 20), (2, 10)], [(0, 10)]) == [(1, 0)]
    assert match_spans([(0, 20)], [(0, 10)]) == [(0, 0)]  # 0.5 is enough
    assert match_spans([(0, 10)], [(5, 15)]) == []  # IoU 1/3 < 0.5


def test_extraction_precision_recall_f1_by_hand():
    # Source s: gold A@0-10, B@20-30, None@40-50. Predicted: A@0-10 (exact, right speaker),
    # C@21-30 (IoU 9/10 with B's span, wrong speaker, kind partial), A@60-70 (no gold there).
    # Source t: gold D@5-15, nothing predicted.  So 3 predicted, 4 gold:
    #   exact:      1 match  -> P 1/3, R 1/4, F1 2*(1/12)/(7/12) = 2/7
    #   overlap:    2 matches -> P 2/3, R 2/4, F1 2*(1/3)/(7/6)  = 4/7
    #   attributed: exact span and speaker: 1 -> 2/7 again
    #   speaker accuracy over the 2 overlap matches: 1/2; kind accuracy 1/2; attribution 2/2.
    rows = [gold("s", 0, 10, "A"), gold("s", 20, 30, "B"), gold("s", 40, 50, None),
            gold("t", 5, 15, "D")]  # fmt: skip
    predicted = {"s": [quote(0, 10, "A"), quote(21, 30, "C", kind="partial"), quote(60, 70, "A")]}
    scores = score_quote_extraction(predicted, rows)
    assert scores["exact"] == pytest.approx((1 / 3, 1 / 4, 2 / 7))
    assert scores["overlap"] == pytest.approx((2 / 3, 1 / 2, 4 / 7))
    assert scores["attributed"] == pytest.approx((1 / 3, 1 / 4, 2 / 7))
    assert scores["speaker_accuracy"] == 0.5
    assert scores["kind_accuracy"] == 0.5
    assert scores["attribution_accuracy"] == 1.0
    assert scores["counts"]["pred"] == 3 and scores["counts"]["gold"] == 4
    # Nothing predicted and nothing expected is perfect; nothing predicted for a gold is R 0.
    assert score_quote_extraction({}, [])["exact"] == (1.0, 1.0, 1.0)
    assert score_quote_extraction({}, [gold("t", 5, 15, "D")])["exact"] == (1.0, 0.0, 0.0)


def test_quote_gold_rows_are_checked(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text(json.dumps({"source": "corpus/x.txt", "start": "1", "end": 2, "text": "a",
                               "speaker": None}) + "\n")  # fmt: skip
    with pytest.raises(NewsqaError, match="gold.jsonl:1: start and end must be whole numbers"):
        load_quote_gold(bad)


def test_quote_gold_text_must_match_the_article(tmp_path):
    row = json.loads(GOLD.read_text().splitlines()[0])
    row["text"] = "not what the article says"
    bad = tmp_path / "gold.jsonl"
    bad.write_text(json.dumps(row) + "\n")
    with pytest.raises(NewsqaError, match=r"gold.jsonl:1: text\[179:207\]"):
        evaluate_quote_gold(bad, Settings.from_env())


def test_quote_gold_end_to_end_on_two_articles(tmp_path):
    # The seed article with Wang Yi's and Beijing's quotes and one hard-case fixture.
    keep = ("corpus/china-backs-russia-security-concerns.txt",
            "tests/fixtures/quotes/addressee-and-continuation.txt")  # fmt: skip
    lines = [line for line in GOLD.read_text().splitlines() if json.loads(line)["source"] in keep]
    subset = tmp_path / "gold.jsonl"
    subset.write_text("\n".join(lines) + "\n")
    report = evaluate_quote_gold(subset, Settings.from_env(), modes=("lexical", "hybrid+quotes"))
    print("\n" + format_text(report))
    assert report.format == "quotes"
    counts = report.extraction["counts"]
    assert counts["gold"] == len(lines) == 18
    assert report.extraction["exact"][2] >= 0.9  # the dev gold: extraction is tuned on it
    speakers = {json.loads(line)["speaker"] for line in lines} - {None}
    results = {r.mode: r for r in report.results}
    routed = results["hybrid+quotes"]
    assert {p["id"] for p in routed.per_question} == {f"speaker:{s}" for s in speakers}
    # Answered from the attributed quotes, every speaker question finds a quote first.
    assert routed.metrics["hit@1"] == 1.0
    assert routed.metrics["hit@1"] >= results["lexical"].metrics["hit@1"]
    assert report.speaker_quotes["recall"] >= 0.9
    for p in routed.per_question:  # sources are the gold's, not the temporary copies
        assert all(not s["source"].startswith("/tmp") for s in p["retrieved"])
