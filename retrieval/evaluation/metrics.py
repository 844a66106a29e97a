"""Scores: ranking metrics (pytrec_eval, and the hand-checkable definitions the tests hold it
to), span matching, quote extraction P/R/F1, and who-said-what.

Who-said-what is scored the way readers meet it: is a quote given to a speaker really theirs?
Precision first (the product's rule): every quote the extractor gives a speaker counts, also
one that matches no gold quote at all (a scare quote given to someone is words put in a mouth).
    speaker precision  = attributed quotes whose span matches a gold quote (IoU >= 0.5) of the
                         same speaker / all quotes given a speaker
    direct recall      = gold direct quotes with a named speaker that come back with that
                         speaker / all such gold quotes
Names compare after normalising case, a leading "the", dots and company suffixes ("Texaco Inc"
= "Texaco"), so a spelling convention is not an error; a wrong person is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

CUTOFF = 10  # every ranking metric looks at the first 10 results


def first_relevant_rank(relevance: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant result, or None."""
    return next((rank for rank, rel in enumerate(relevance, start=1) if rel), None)


def hit_at(relevance: Sequence[bool], k: int) -> float:
    """1.0 when any of the first k results is relevant."""
    return 1.0 if any(relevance[:k]) else 0.0


def reciprocal_rank(relevance: Sequence[bool], k: int = 10) -> float:
    """1/rank of the first relevant result within the first k, else 0 (MRR@k averages this)."""
    rank = first_relevant_rank(relevance[:k])
    return 1.0 / rank if rank else 0.0


METRICS = {
    "hit@1": lambda rel: hit_at(rel, 1),
    "hit@3": lambda rel: hit_at(rel, 3),
    "MRR@10": lambda rel: reciprocal_rank(rel, 10),
}


def mean_metrics(relevances: Sequence[Sequence[bool]]) -> dict[str, float]:
    n = len(relevances) or 1
    return {name: sum(fn(rel) for rel in relevances) / n for name, fn in METRICS.items()}


# Our name -> trec_eval's. recip_rank has no cutoff in trec_eval: runs are cut at CUTOFF first.
TREC_MEASURES = {
    "hit@1": "success_1",
    "hit@3": "success_3",
    "hit@10": "success_10",
    "recall@3": "recall_3",
    "recall@10": "recall_10",
    "MRR@10": "recip_rank",
    "nDCG@10": "ndcg_cut_10",
}


TREC_REQUEST = {"success.1,3,10", "recall.3,10", "recip_rank", "ndcg_cut.10"}


METRIC_NAMES = tuple(TREC_MEASURES)


def ranking_metrics(
    qrels: Mapping[str, Mapping[str, int]], runs: Mapping[str, Sequence[str]], cutoff: int = CUTOFF
) -> dict[str, dict[str, float]]:
    """Per-query metrics from pytrec_eval; runs list ids best first, qrels grade them (>0 relevant).

    trec_eval orders a run by score and breaks ties by id, so each id gets a score that follows
    our rank. A query missing from runs, or with an empty run, scores 0 everywhere.
    """
    import pytrec_eval

    trec_runs = {}
    for qid in qrels:
        ids = list(dict.fromkeys(runs.get(qid, ())))[:cutoff]
        trec_runs[qid] = {doc: float(len(ids) - i) for i, doc in enumerate(ids)}
    trec_qrels = {qid: {doc: int(g) for doc, g in grades.items()} for qid, grades in qrels.items()}
    scores = pytrec_eval.RelevanceEvaluator(trec_qrels, TREC_REQUEST).evaluate(trec_runs)
    return {
        qid: {
            name: float(scores.get(qid, {}).get(trec, 0.0)) for name, trec in TREC_MEASURES.items()
        }
        for qid in qrels
    }


def span_iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two character ranges."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def prf(tp: int, predicted: int, expected: int) -> tuple[float, float, float]:
    """Precision, recall, F1; nothing predicted (or nothing expected) counts as perfect."""
    p = tp / predicted if predicted else 1.0
    r = tp / expected if expected else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def match_spans(
    predicted: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]], threshold: float = 0.5
) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs with IoU >= threshold, best IoU first."""
    pairs = sorted(
        ((span_iou(p, g), i, j) for i, p in enumerate(predicted) for j, g in enumerate(gold)),
        reverse=True,
    )
    used_p, used_g, matched = set(), set(), []
    for iou, i, j in pairs:
        if iou < threshold or i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        matched.append((i, j))
    return matched


def score_quote_extraction(predicted: Mapping[str, Sequence], gold: Sequence[dict]) -> dict:
    """Span P/R/F1 (exact, and IoU >= 0.5 one-to-one), speaker accuracy, attributed P/R/F1.

    predicted maps each gold source to its extracted quotes (objects with start, end, speaker,
    kind, attribution); gold rows are {source, start, end, speaker, kind, attribution}. A quote
    is "attributed" when its span is exact and its speaker equals the gold one (None == None).
    Accuracies are over the overlap-matched pairs.
    """
    counts = dict.fromkeys(("pred", "gold", "exact", "overlap", "speaker_ok", "attributed"), 0)
    counts.update(kind_ok=0, attribution_ok=0)
    for source in sorted({r["source"] for r in gold}):
        rows = [r for r in gold if r["source"] == source]
        pred = list(predicted.get(source, ()))
        counts["pred"] += len(pred)
        counts["gold"] += len(rows)
        exact = {(q.start, q.end) for q in pred} & {(g["start"], g["end"]) for g in rows}
        counts["exact"] += len(exact)
        spans = [(q.start, q.end) for q in pred]
        for i, j in match_spans(spans, [(g["start"], g["end"]) for g in rows]):
            q, g = pred[i], rows[j]
            counts["overlap"] += 1
            counts["speaker_ok"] += q.speaker == g["speaker"]
            counts["kind_ok"] += q.kind == g["kind"]
            counts["attribution_ok"] += q.attribution == g["attribution"]
            exact_span = (q.start, q.end) == (g["start"], g["end"])
            counts["attributed"] += exact_span and q.speaker == g["speaker"]
    n, m = counts["pred"], counts["gold"]
    matched = counts["overlap"] or 1
    return {
        "exact": prf(counts["exact"], n, m),
        "overlap": prf(counts["overlap"], n, m),
        "attributed": prf(counts["attributed"], n, m),
        "speaker_accuracy": counts["speaker_ok"] / matched,
        "kind_accuracy": counts["kind_ok"] / matched,
        "attribution_accuracy": counts["attribution_ok"] / matched,
        "counts": counts,
    }


_SUFFIXES = {"inc", "corp", "corporation", "co", "ltd", "plc", "llc", "company", "group"}


_NON_WORD = re.compile(r"[^\w\s-]")


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    return predicted is not None and gold is not None and _key(predicted) == _key(gold)


def _key(name: str) -> str:
    words = _NON_WORD.sub("", name.lower().replace("’", "'")).split()
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words = words[:-1]
    return " ".join(words)


def score_attribution(predicted: Mapping[str, Sequence], gold: Sequence[dict]) -> dict:
    """Speaker precision, direct-quote recall and every misattribution, per the module rule.

    predicted: gold source -> quotes (objects with start, end, speaker, kind, text);
    gold rows: {source, start, end, text, speaker, kind}.
    """
    attributed = correct = 0
    direct_gold = direct_found = 0
    mistakes: list[dict] = []
    for source in sorted({r["source"] for r in gold}):
        rows = [r for r in gold if r["source"] == source]
        pred = list(predicted.get(source, ()))
        pairs = dict(
            match_spans([(q.start, q.end) for q in pred], [(g["start"], g["end"]) for g in rows])
        )
        for i, quote in enumerate(pred):
            if quote.speaker is None:
                continue
            attributed += 1
            row = rows[pairs[i]] if i in pairs else None
            if row is not None and same_speaker(quote.speaker, row["speaker"]):
                correct += 1
                continue
            mistakes.append({
                "source": source, "start": quote.start, "end": quote.end,
                "text": quote.text[:80], "given_to": quote.speaker,
                "really": None if row is None else row["speaker"],
                "why": "not a gold quote" if row is None else (
                    "anonymous or unclear in the article" if row["speaker"] is None
                    else "another speaker"),
            })  # fmt: skip
        matched_gold = {j: i for i, j in pairs.items()}
        for j, row in enumerate(rows):
            if row["kind"] != "direct" or row["speaker"] is None:
                continue
            direct_gold += 1
            i = matched_gold.get(j)
            direct_found += i is not None and same_speaker(pred[i].speaker, row["speaker"])
    precision = correct / attributed if attributed else 1.0
    recall = direct_found / direct_gold if direct_gold else 1.0
    return {
        "speaker_precision": precision,
        "direct_recall": recall,
        "attributed": attributed,
        "correct": correct,
        "direct_gold": direct_gold,
        "direct_found": direct_found,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "misattributions": mistakes,
    }
