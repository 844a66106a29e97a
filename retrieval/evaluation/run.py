"""Running an evaluation: every question in every mode, scored per question and per mode."""

from __future__ import annotations

import dataclasses
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..answer import MAX_K, Answer, ask
from ..config import MODES, NewsqaError, Settings
from ..documents import excerpt
from ..records import Index
from ..stages import report_progress
from .datasets import (
    NEGATIVE,
    EvalQuestion,
    GoldSpan,
    is_relevant,
    load_beir,
    load_questions,
    load_quote_gold,
    quote_documents,
    text_key,
)
from .metrics import (
    CUTOFF,
    METRIC_NAMES,
    first_relevant_rank,
    match_spans,
    prf,
    ranking_metrics,
    score_attribution,
    score_quote_extraction,
)

# Pure retrieval modes, plus the default route: hybrid with "what did X say?" answered from quotes.
EVAL_MODES = (*MODES, "hybrid+quotes")


Log = Callable[[str], None]


@dataclass
class EvalResult:
    mode: str
    metrics: dict[str, float]  # mean over the ranked (non-negative) questions
    by_kind: dict[str, dict[str, float]]
    # id, kind, question, found, rank (None: not in the top 10), metrics, retrieved (top 3, shown),
    # ranked (every judged id); negative questions have correct instead of rank and metrics
    per_question: list[dict]
    negative: dict | None = None  # {"n", "correct", "rate"} when there are negative questions
    seconds: float = 0.0
    answer_chars: float | None = None  # median length of the answer text (answered questions)
    # share of ranked questions whose answer sentences (not just a passage) hold the gold span
    answer_hit: float | None = None


def _ask(index: Index, question: str, mode: str, k: int) -> tuple[Answer, str | None]:
    retrieval, routed = mode.removesuffix("+quotes"), mode.endswith("+quotes")
    try:
        return ask(index, question, k=k, mode=retrieval, quotes=routed), None
    except NewsqaError as err:  # e.g. an over-long BEIR query: scored as returning nothing
        return Answer(question, retrieval, "", [], False), str(err)


def _answer_overlaps(index: Index, answer: Answer, gold: Sequence[GoldSpan]) -> bool:
    """Does a sentence of the answer (as cited) overlap a gold span?"""
    for part in answer.parts:
        hit = answer.hits[part.citation - 1] if part.citation else None
        if hit is None:
            continue
        start = index.documents[hit.doc_id].text.find(part.text, hit.start)
        if start >= 0 and is_relevant(hit.doc_id, start, start + len(part.text), gold):
            return True
    return False


def _passage_qrels(index: Index, gold: Sequence[GoldSpan]) -> dict[str, int]:
    """Every indexed passage that overlaps a gold span (grade 1), keyed like the run."""
    qrels = {}
    for g in gold:
        for row in index.passages.rows_of(g.doc_id):
            p = index.passages[row]
            if p.start < g.end and g.start < p.end:
                qrels[f"{p.doc_id}:{p.start}"] = 1
    return qrels or {"(gold outside every passage)": 1}


def _corpus_ids(index: Index, aliases: Mapping[str, list[str]]) -> Callable[[str], list[str]]:
    """doc_id -> the corpus ids of that article: its own "_id" first, then those of its copies
    (the loader indexes one copy of a text; qrels may judge any). Memoised per evaluation."""
    memo: dict[str, list[str]] = {}

    def ids_of(doc_id: str) -> list[str]:
        if doc_id not in memo:
            doc = index.documents[doc_id]
            own = [doc.meta["external_id"]] if doc.meta.get("external_id") else []
            memo[doc_id] = own + [i for i in aliases.get(text_key(doc.text), []) if i not in own]
        return memo[doc_id]

    return ids_of


def _rank_documents(
    answer: Answer, grades: Mapping[str, int], ids_of: Callable[[str], list[str]]
) -> list[dict]:
    """Hits -> documents in order of their best passage; each named by its best-graded id."""
    seen, ranked = set(), []
    for hit in answer.hits:
        if hit.doc_id in seen:
            continue
        seen.add(hit.doc_id)
        ids = ids_of(hit.doc_id)
        if not ids:
            raise NewsqaError(
                f"article {hit.source} has no corpus id: the index was not built from a BEIR "
                "corpus.jsonl (rebuild it, or drop --index)"
            )
        best = max(ids, key=lambda i: grades.get(i, 0))
        ranked.append({"id": best, "hit": hit, "relevant": grades.get(best, 0) > 0, "doc": True})
    return ranked


def evaluate(
    index: Index,
    questions: Sequence[EvalQuestion],
    modes: Sequence[str] = EVAL_MODES,
    k: int = CUTOFF,
    aliases: Mapping[str, list[str]] | None = None,
) -> list[EvalResult]:
    """Ask every question in every mode; score ranked questions with pytrec_eval.

    Project questions are judged per passage (overlap with a gold span), BEIR queries per
    document (qrels by corpus id, passages of one document deduplicated, best first).
    """
    for mode in modes:
        if mode not in EVAL_MODES:
            raise NewsqaError(f"unknown mode {mode!r}: choose from {', '.join(EVAL_MODES)}")
    qrels = {
        q.qid: dict(q.grades) if q.grades else _passage_qrels(index, q.gold)
        for q in questions
        if q.kind != NEGATIVE
    }
    ids_of = _corpus_ids(index, aliases or {})
    results = []
    for mode in modes:
        started = time.perf_counter()
        runs, rows = {}, []
        for number, q in enumerate(questions, start=1):
            answer, error = _ask(index, q.question, mode, MAX_K if q.grades else k)
            report_progress(f"ask {mode}", number, len(questions))
            if q.grades:
                items = _rank_documents(answer, qrels[q.qid], ids_of)[:k]
            else:
                items = [{"id": f"{h.doc_id}:{h.start}", "hit": h} for h in answer.hits[:k]]
                for item in items:
                    item["relevant"] = item["id"] in qrels.get(q.qid, {})
            row = {"id": q.qid, "kind": q.kind, "question": q.question, "found": answer.found}
            row["answer_chars"] = len(" ".join(part.text for part in answer.parts))
            if q.kind != NEGATIVE and not q.grades:
                row["answer_hit"] = answer.found and _answer_overlaps(index, answer, q.gold)
            row["retrieved"] = [_shown(i, item) for i, item in enumerate(items[:3], start=1)]
            row["ranked"] = [item["id"] for item in items]  # the judged run, best first
            if error:
                row["error"] = error
            if q.kind == NEGATIVE:
                row["correct"] = not answer.found
            else:
                runs[q.qid] = [item["id"] for item in items]
                row["rank"] = first_relevant_rank([item["relevant"] for item in items])
            rows.append(row)
        scores = ranking_metrics(qrels, runs, cutoff=k)
        for row in rows:
            if row["kind"] != NEGATIVE:
                row["metrics"] = scores[row["id"]]
        ranked = [r for r in rows if r["kind"] != NEGATIVE]
        kinds = sorted({r["kind"] for r in ranked})
        by_kind = {kind: _mean([r for r in ranked if r["kind"] == kind]) for kind in kinds}
        negatives = [r for r in rows if r["kind"] == NEGATIVE]
        negative = None
        if negatives:
            correct = sum(r["correct"] for r in negatives)
            negative = {"n": len(negatives), "correct": correct, "rate": correct / len(negatives)}
        lengths = [r["answer_chars"] for r in ranked if r["answer_chars"]]
        answered = [r["answer_hit"] for r in ranked if "answer_hit" in r]
        results.append(
            EvalResult(mode, _mean(ranked), by_kind, rows, negative,
                       round(time.perf_counter() - started, 3),
                       statistics.median(lengths) if lengths else None,
                       sum(answered) / len(answered) if answered else None)
        )  # fmt: skip
    return results


def _mean(rows: list[dict]) -> dict[str, float]:
    if not rows:
        return {}
    return {name: sum(r["metrics"][name] for r in rows) / len(rows) for name in METRIC_NAMES}


def _shown(rank: int, item: dict) -> dict:
    hit = item["hit"]
    shown = {
        "rank": rank, "id": item["id"], "relevant": item.get("relevant", False),
        "source": hit.source, "start": hit.start, "end": hit.end, "text": excerpt(hit.text),
    }  # fmt: skip
    return _label(shown, by_document=item.get("doc", False))


def _label(shown: dict, by_document: bool = False) -> dict:
    """How a retrieved item is named in reports: its corpus id (BEIR), else source:start-end."""
    where = f"{shown['source']}:{shown['start']}-{shown['end']}"
    shown["label"] = f"{shown['id']} ({where})" if by_document else where
    return shown


@dataclass
class EvalReport:
    dataset: str
    format: str  # questions | beir | quotes
    model: str
    results: list[EvalResult]
    k: int = CUTOFF
    extraction: dict | None = None  # quote gold: score_quote_extraction(...)
    speaker_quotes: dict | None = None  # quote gold: quotes returned for "What did X say?"
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _display(path: Path) -> str:
    from ..documents import display_path

    return display_path(path)


def evaluate_questions(path: Path, index: Index, modes: Sequence[str] = EVAL_MODES) -> EvalReport:
    """The project's own format against an index of the corpus it was labelled on."""
    questions = load_questions(path, index)
    results = evaluate(index, questions, modes)
    notes = [
        f"{sum(q.kind != NEGATIVE for q in questions)} ranked questions and "
        f"{sum(q.kind == NEGATIVE for q in questions)} negative, over "
        f"{len(index.documents)} articles ({len(index.passages)} passages)"
    ]
    return EvalReport(_display(path), "questions", index.settings.model, results, notes=notes)


def _temporary_settings(settings: Settings, corpus_dir: Path, index_dir: Path) -> Settings:
    # A temporary index is always embedded: never written into the user's (Milvus) store.
    return dataclasses.replace(settings, corpus_dir=corpus_dir, index_dir=index_dir, store=None)


def evaluate_beir(
    folder: Path,
    settings: Settings,
    split: str = "test",
    modes: Sequence[str] = EVAL_MODES,
    index_dir: Path | None = None,
    log: Log = lambda _: None,
) -> EvalReport:
    """Index corpus.jsonl (in a temporary folder, or index_dir to keep it) and score the split."""
    from .. import build_index, open_index

    data = load_beir(folder, split)
    questions = [
        EvalQuestion(qid, "query", data.queries[qid], grades=tuple(sorted(grades.items())))
        for qid, grades in sorted(data.qrels.items())
        if any(score > 0 for score in grades.values())
    ]
    if not questions:
        raise NewsqaError(f"no query in {folder}/qrels/{split}.tsv has a relevant document")
    with tempfile.TemporaryDirectory(prefix="newsqa-beir-") as tmp:
        corpus_dir = Path(tmp) / "corpus"
        corpus_dir.mkdir()
        try:
            (corpus_dir / "corpus.jsonl").symlink_to(data.corpus.resolve())
        except OSError:
            shutil.copyfile(data.corpus, corpus_dir / "corpus.jsonl")
        if index_dir is not None:  # kept: rebuilt only when corpus.jsonl changes
            index = open_index(_temporary_settings(settings, corpus_dir, index_dir), log=log)
        else:
            temporary = _temporary_settings(settings, corpus_dir, Path(tmp) / "index")
            index = build_index(temporary, log=log)
        results = evaluate(index, questions, modes, aliases=data.ids_by_text)
    skipped = len(data.queries) - len(questions)
    notes = [
        f"{len(questions)} judged queries ({split} split; {skipped} without a relevant document "
        f"skipped), {data.documents} documents -> {len(index.documents)} indexed articles, "
        f"{len(index.passages)} passages",
        "documents are ranked by their best passage (passages of one document deduplicated); "
        "titles are not indexed, only each document's text",
        *data.notes,
    ]
    return EvalReport(_display(folder), "beir", settings.model, results, notes=notes)


def evaluate_quote_gold(
    path: Path, settings: Settings, modes: Sequence[str] = EVAL_MODES, log: Log = lambda _: None
) -> EvalReport:
    """Quote extraction P/R/F1 on the gold articles, then "What did X say?" per gold speaker."""
    from .. import build_index
    from ..quotes import extract_quotes

    rows = load_quote_gold(path)
    if not rows:
        raise NewsqaError(f"{path} has no quotes")
    documents = quote_documents(path, rows)
    predicted = {source: extract_quotes(doc) for source, (_, doc) in documents.items()}
    extraction = score_quote_extraction(predicted, rows)

    extraction["who_said_what"] = score_attribution(predicted, rows)
    spans: dict[str, list[GoldSpan]] = {}
    for row in rows:
        if row["speaker"] is not None:
            doc = documents[row["source"]][1]
            spans.setdefault(row["speaker"], []).append(
                GoldSpan(doc.doc_id, row["start"], row["end"])
            )
    speakers = sorted(spans, key=lambda name: (-len(spans[name]), name))
    questions = [
        EvalQuestion(f"speaker:{name}", "speaker", f"What did {name} say?", tuple(spans[name]))
        for name in speakers
    ]
    with tempfile.TemporaryDirectory(prefix="newsqa-quotes-") as tmp:
        corpus_dir = Path(tmp) / "corpus"
        corpus_dir.mkdir()
        for number, file in enumerate(sorted({f for f, _ in documents.values()}), start=1):
            shutil.copyfile(file, corpus_dir / f"{number:03d}-{file.name}")
        index = build_index(_temporary_settings(settings, corpus_dir, Path(tmp) / "index"), log=log)
        missing = {g.doc_id for q in questions for g in q.gold} - set(index.documents)
        if missing:
            raise NewsqaError(f"{len(missing)} gold articles were not indexed (duplicates?)")
        results = evaluate(index, questions, modes)
        speaker_quotes = _speaker_quotes(index, questions)
        original = {index.documents[doc.doc_id].source: source for source, (_, doc) in
                    documents.items()}  # fmt: skip
    for shown in (s for r in results for p in r.per_question for s in p["retrieved"]):
        shown.update(_label({**shown, "source": original.get(shown["source"], shown["source"])}))
    notes = [
        f"{len(rows)} gold quotes in {len(documents)} articles; {len(questions)} speaker "
        'questions ("What did X say?"), relevant = a passage holding one of X\'s gold quotes',
    ]
    return EvalReport(
        _display(path), "quotes", settings.model, results, extraction=extraction,
        speaker_quotes=speaker_quotes, notes=notes,
    )  # fmt: skip


def _speaker_quotes(index: Index, questions: Sequence[EvalQuestion]) -> dict:
    """P/R/F1 of the quotes the routed answer lists for X against X's gold quotes (IoU >= 0.5)."""
    tp = predicted = expected = 0
    for q in questions:
        answer = ask(index, q.question, k=CUTOFF, mode="hybrid", quotes=True)
        for doc_id in {g.doc_id for g in q.gold} | {x.doc_id for x in answer.quotes}:
            pred = [(x.start, x.end) for x in answer.quotes if x.doc_id == doc_id]
            gold = [(g.start, g.end) for g in q.gold if g.doc_id == doc_id]
            tp += len(match_spans(pred, gold))
            predicted += len(pred)
            expected += len(gold)
    p, r, f = prf(tp, predicted, expected)
    return {"precision": p, "recall": r, "f1": f, "returned": predicted, "gold": expected}
