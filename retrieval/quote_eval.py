"""Who-said-what scored the way readers meet it: is a quote given to a speaker really theirs?

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
    from .evaluation import match_spans

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
