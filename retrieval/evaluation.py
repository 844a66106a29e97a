"""Retrieval evaluation with gold given as article + substring (or span), not as passage ids.

A retrieved passage is relevant when it overlaps a gold span of the same article, so the scores
survive any change of chunking.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .answer import ask
from .config import MODES, NewsqaError
from .store import Index


@dataclass(frozen=True)
class GoldSpan:
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class EvalQuestion:
    qid: str
    kind: str  # speaker | fact | paraphrase
    question: str
    gold: tuple[GoldSpan, ...]


# ---------------------------------------------------------------- metrics (pure functions)


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


# ---------------------------------------------------------------- gold


def load_questions(path: Path, index: Index) -> list[EvalQuestion]:
    """Read a JSONL eval set; each gold item names an article by source and a substring or span.

    {"id", "type", "question", "gold": [{"source", "contains": str} | {"source", "start", "end"}]}
    A substring must occur exactly once in its article, so the gold span is unambiguous.
    """
    by_source = {doc.source: doc for doc in index.documents.values()}
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        gold = []
        for item in record["gold"]:
            doc = by_source.get(item["source"])
            if doc is None:
                raise NewsqaError(
                    f"{path}:{number}: no indexed article has source {item['source']}"
                )
            if "contains" in item:
                start = doc.text.find(item["contains"])
                if start < 0 or doc.text.count(item["contains"]) != 1:
                    raise NewsqaError(
                        f"{path}:{number}: gold text must occur exactly once in {doc.source}: "
                        f"{item['contains'][:60]!r}"
                    )
                gold.append(GoldSpan(doc.doc_id, start, start + len(item["contains"])))
            else:
                gold.append(GoldSpan(doc.doc_id, int(item["start"]), int(item["end"])))
        questions.append(
            EvalQuestion(record["id"], record["type"], record["question"], tuple(gold))
        )
    return questions


def is_relevant(doc_id: str, start: int, end: int, gold: Sequence[GoldSpan]) -> bool:
    return any(g.doc_id == doc_id and start < g.end and g.start < end for g in gold)


# ---------------------------------------------------------------- running


@dataclass
class EvalResult:
    mode: str
    metrics: dict[str, float]
    by_kind: dict[str, dict[str, float]]
    per_question: list[dict]  # id, first relevant rank, retrieved (source, start, end)


# Pure retrieval modes, plus the default route: hybrid with "what did X say?" answered from quotes.
EVAL_MODES = (*MODES, "hybrid+quotes")


def evaluate(
    index: Index, questions: list[EvalQuestion], modes=EVAL_MODES, k: int = 10
) -> list[EvalResult]:
    results = []
    for mode in modes:
        relevances, per_question = [], []
        for q in questions:
            retrieval, routed = mode.removesuffix("+quotes"), mode.endswith("+quotes")
            answer = ask(index, q.question, k=k, mode=retrieval, quotes=routed)
            rel = [is_relevant(h.doc_id, h.start, h.end, q.gold) for h in answer.hits]
            relevances.append(rel)
            per_question.append({
                "id": q.qid, "kind": q.kind, "rank": first_relevant_rank(rel),
                "retrieved": [f"{h.source}:{h.start}-{h.end}" for h in answer.hits[:3]],
            })  # fmt: skip
        kinds = sorted({q.kind for q in questions})
        by_kind = {
            kind: mean_metrics(
                [r for r, q in zip(relevances, questions, strict=True) if q.kind == kind]
            )
            for kind in kinds
        }
        results.append(EvalResult(mode, mean_metrics(relevances), by_kind, per_question))
    return results


def format_table(results: list[EvalResult]) -> str:
    names = list(METRICS)
    lines = ["| mode | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for r in results:
        lines.append(f"| {r.mode} | " + " | ".join(f"{r.metrics[n]:.3f}" for n in names) + " |")
    return "\n".join(lines)
