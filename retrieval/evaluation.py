"""Retrieval evaluation: metrics, the three dataset formats, reports, baselines, `newsqa eval`.

Datasets (the format is read off the path):
- project questions (.jsonl, e.g. tests/eval/questions.jsonl): gold is an article plus a
  substring or span. A passage is relevant when it overlaps a gold span of the same article, so
  the scores survive any re-chunking. "negative" questions (gold []) ask what the articles
  cannot answer: they are right when the answer says nothing matches (Answer.found is False)
  and are scored apart from the ranking metrics.
- BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv): gold keyed by document id. A
  temporary index is built from corpus.jsonl (each document keeps its "_id" as
  meta["external_id"]); documents are ranked by their best passage.
- quote gold (.jsonl of {source, start, end, text, speaker, kind, attribution}): quote
  extraction precision/recall/F1, and "What did X say?" for every gold speaker, scored as
  retrieval against X's gold quotes.

Ranking metrics come from pytrec_eval (trec_eval itself, the code BEIR reports with): hit@k is
trec_eval's success@k. hit_at and reciprocal_rank below are the hand-checkable definitions the
tests hold the library to.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .answer import MAX_K, Answer, ask
from .config import MODES, PROJECT_ROOT, NewsqaError, Settings
from .store import Index

NEGATIVE = "negative"
# Pure retrieval modes, plus the default route: hybrid with "what did X say?" answered from quotes.
EVAL_MODES = (*MODES, "hybrid+quotes")
CUTOFF = 10  # every ranking metric looks at the first 10 results
DEFAULT_TOLERANCE = 0.02
BASELINE_COMMAND = (
    "newsqa eval tests/eval/questions.jsonl --write-baseline tests/eval/baseline.json"
)
Log = Callable[[str], None]


@dataclass(frozen=True)
class GoldSpan:
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class EvalQuestion:
    qid: str
    kind: str  # speaker | fact | paraphrase | negative (project); query (BEIR)
    question: str
    gold: tuple[GoldSpan, ...] = ()  # project format: relevant = overlaps one of these
    grades: tuple[tuple[str, int], ...] = ()  # BEIR: (external doc id, qrel score)


# ---------------------------------------------------------------- metrics: own definitions


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


# ---------------------------------------------------------------- metrics: pytrec_eval

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


# ---------------------------------------------------------------- quote extraction P/R/F1


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


# ---------------------------------------------------------------- datasets


def detect_format(path: Path) -> str:
    """'beir' (a folder), 'questions' or 'quotes' (.jsonl), from the files and first record."""
    if not path.exists():
        raise NewsqaError(f"no dataset at {path}: give a BEIR folder or a .jsonl gold file")
    if path.is_dir():
        if any((path / name).exists() for name in ("corpus.jsonl", "queries.jsonl", "qrels")):
            return "beir"
        raise NewsqaError(
            f"unknown dataset format: the folder {path} is not a BEIR dataset (it needs "
            "corpus.jsonl, queries.jsonl and qrels/test.tsv)"
        )
    if path.suffix.lower() != ".jsonl":
        raise NewsqaError(
            f"unknown dataset format: {path} is neither a BEIR folder nor a .jsonl gold file"
        )
    first = next((line for line in _lines(path) if line[1].strip()), None)
    if first is None:
        raise NewsqaError(f"{path} is empty: it needs one JSON object per line")
    record = _json_record(path, *first)
    if {"question", "gold"} <= record.keys():
        return "questions"
    if {"source", "start", "end", "speaker"} <= record.keys():
        return "quotes"
    raise NewsqaError(
        f"unknown dataset format: the first record of {path} has keys {sorted(record)}; "
        'questions need "id", "type", "question", "gold"; quote gold needs "source", "start", '
        '"end", "text", "speaker"'
    )


def _lines(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise NewsqaError(f"cannot read {path}: {err}") from None
    return enumerate(text.splitlines(), start=1)


def _json_record(path: Path, number: int, line: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise NewsqaError(f"{path}:{number}: not valid JSON ({err.msg})") from None
    if not isinstance(record, dict):
        raise NewsqaError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
    return record


def load_questions(path: Path, index: Index) -> list[EvalQuestion]:
    """Read a JSONL eval set; each gold item names an article by source and a substring or span.

    {"id", "type", "question", "gold": [{"source", "contains": str} | {"source", "start", "end"}]}
    A substring must occur exactly once in its article, so the gold span is unambiguous.
    Negative questions have "type": "negative" and "gold": [].
    """
    by_source = {doc.source: doc for doc in index.documents.values()}
    questions = []
    for number, line in _lines(path):
        if not line.strip():
            continue
        record = _json_record(path, number, line)
        missing = [key for key in ("id", "type", "question", "gold") if key not in record]
        if missing:
            raise NewsqaError(f"{path}:{number}: missing {', '.join(missing)}")
        if (record["type"] == NEGATIVE) != (not record["gold"]):
            raise NewsqaError(
                f"{path}:{number}: a question has no gold exactly when its type is "
                f'"{NEGATIVE}" (type {record["type"]!r}, {len(record["gold"])} gold items)'
            )
        gold = []
        for item in record["gold"]:
            doc = by_source.get(item.get("source"))
            if doc is None:
                raise NewsqaError(
                    f"{path}:{number}: no indexed article has source {item.get('source')}; "
                    "is the dataset labelled for another corpus? (--corpus DIR)"
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
            EvalQuestion(str(record["id"]), record["type"], record["question"], tuple(gold))
        )
    return questions


def is_relevant(doc_id: str, start: int, end: int, gold: Sequence[GoldSpan]) -> bool:
    return any(g.doc_id == doc_id and start < g.end and g.start < end for g in gold)


@dataclass
class BeirData:
    corpus: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id -> corpus id -> score
    ids_by_text: dict[str, list[str]]  # text key -> corpus ids (duplicates share one article)
    documents: int
    notes: list[str]


def load_beir(folder: Path, split: str = "test") -> BeirData:
    """Read and check a BEIR dataset folder; malformed lines are errors naming file and line."""
    paths = [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / f"{split}.tsv"]
    missing = [p.relative_to(folder).as_posix() for p in paths if not p.is_file()]
    if missing:
        raise NewsqaError(f"the BEIR dataset {folder} lacks {', '.join(missing)}")
    corpus, queries_path, qrels_path = paths
    ids_by_text: dict[str, list[str]] = {}
    documents = 0
    for number, line in _lines(corpus):
        if line.strip():
            record = _json_record(corpus, number, line)
            if "_id" not in record or not isinstance(record.get("text"), str):
                raise NewsqaError(f'{corpus}:{number}: each document needs "_id" and "text"')
            ids_by_text.setdefault(text_key(record["text"]), []).append(str(record["_id"]))
            documents += 1
    queries = {}
    for number, line in _lines(queries_path):
        if line.strip():
            record = _json_record(queries_path, number, line)
            if "_id" not in record or not isinstance(record.get("text"), str):
                raise NewsqaError(f'{queries_path}:{number}: each query needs "_id" and "text"')
            queries[str(record["_id"])] = record["text"]
    qrels: dict[str, dict[str, int]] = {}
    for number, line in _lines(qrels_path):
        fields = line.rstrip("\r\n").split("\t")
        if not line.strip() or (number == 1 and fields[:2] == ["query-id", "corpus-id"]):
            continue
        if len(fields) != 3:
            fields = line.split()
        try:
            query_id, corpus_id, score = fields
            qrels.setdefault(query_id, {})[corpus_id] = int(score)
        except ValueError:
            raise NewsqaError(
                f"{qrels_path}:{number}: expected 'query-id<TAB>corpus-id<TAB>score' with a "
                f"whole-number score, got {line.strip()[:80]!r}"
            ) from None
    notes = []
    known = {i for ids in ids_by_text.values() for i in ids}
    unknown_queries = sorted(set(qrels) - set(queries))
    if unknown_queries:
        notes.append(f"{len(unknown_queries)} qrels queries are not in queries.jsonl (skipped)")
    unknown_docs = {d for grades in qrels.values() for d in grades} - known
    if unknown_docs:
        notes.append(f"{len(unknown_docs)} judged documents are not in corpus.jsonl")
    for q in unknown_queries:
        del qrels[q]
    return BeirData(corpus, queries, qrels, ids_by_text, documents, notes)


def text_key(text: str) -> str:
    """Same for copies of one text with other whitespace or Unicode form (loaders dedupe them)."""
    normal = " ".join(unicodedata.normalize("NFKC", text).split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def load_quote_gold(path: Path) -> list[dict]:
    """Quote gold rows {source, start, end, text, speaker, kind, attribution}, checked."""
    rows = []
    for number, line in _lines(path):
        if not line.strip():
            continue
        row = _json_record(path, number, line)
        missing = [k for k in ("source", "start", "end", "text", "speaker") if k not in row]
        if missing:
            raise NewsqaError(f"{path}:{number}: missing {', '.join(missing)}")
        if not (isinstance(row["start"], int) and isinstance(row["end"], int)):
            raise NewsqaError(f"{path}:{number}: start and end must be whole numbers")
        rows.append({"kind": None, "attribution": None, **row, "line": number})
    return rows


def _quote_documents(path: Path, rows: list[dict]) -> dict[str, object]:
    """The article of every gold source (project-relative, or relative to the gold file)."""
    from .documents import load_file

    documents = {}
    for source in sorted({r["source"] for r in rows}):
        name = source.split("#L")[0]
        candidates = [Path(name), PROJECT_ROOT / name, path.parent / name]
        file = next((p for p in candidates if p.is_file()), None)
        if file is None:
            raise NewsqaError(f"{path}: the gold source {source} is not a file")
        try:
            docs = [d for d in load_file(file) if not isinstance(d, str)]
        except ValueError as err:
            raise NewsqaError(f"{path}: cannot load {source}: {err}") from None
        line = source.partition("#L")[2]
        doc = next((d for d in docs if not line or d.source.endswith(f"#L{line}")), None)
        if doc is None:
            raise NewsqaError(f"{path}: no article at {source}")
        documents[source] = (file, doc)
    for row in rows:
        text = documents[row["source"]][1].text
        if text[row["start"] : row["end"]] != row["text"]:
            raise NewsqaError(
                f"{path}:{row['line']}: text[{row['start']}:{row['end']}] of {row['source']} is "
                f"{text[row['start'] : row['end']][:40]!r}, not {row['text'][:40]!r}"
            )
    return documents


# ---------------------------------------------------------------- running


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
        hit = answer.hits[part["citation"] - 1] if part.get("citation") else None
        if hit is None:
            continue
        start = index.documents[hit.doc_id].text.find(part["text"], hit.start)
        if start >= 0 and is_relevant(hit.doc_id, start, start + len(part["text"]), gold):
            return True
    return False


def _excerpt(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
        for q in questions:
            answer, error = _ask(index, q.question, mode, MAX_K if q.grades else k)
            if q.grades:
                items = _rank_documents(answer, qrels[q.qid], ids_of)[:k]
            else:
                items = [{"id": f"{h.doc_id}:{h.start}", "hit": h} for h in answer.hits[:k]]
                for item in items:
                    item["relevant"] = item["id"] in qrels.get(q.qid, {})
            row = {"id": q.qid, "kind": q.kind, "question": q.question, "found": answer.found}
            row["answer_chars"] = len(" ".join(part["text"] for part in answer.parts))
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
        "source": hit.source, "start": hit.start, "end": hit.end, "text": _excerpt(hit.text),
    }  # fmt: skip
    return _label(shown, by_document=item.get("doc", False))


def _label(shown: dict, by_document: bool = False) -> dict:
    """How a retrieved item is named in reports: its corpus id (BEIR), else source:start-end."""
    where = f"{shown['source']}:{shown['start']}-{shown['end']}"
    shown["label"] = f"{shown['id']} ({where})" if by_document else where
    return shown


# ---------------------------------------------------------------- the three datasets


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
    from .documents import display_path

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
    return dataclasses.replace(settings, corpus_dir=corpus_dir, index_dir=index_dir)


def evaluate_beir(
    folder: Path,
    settings: Settings,
    split: str = "test",
    modes: Sequence[str] = EVAL_MODES,
    index_dir: Path | None = None,
    log: Log = lambda _: None,
) -> EvalReport:
    """Index corpus.jsonl (in a temporary folder, or index_dir to keep it) and score the split."""
    from . import build_index, open_index

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
    from . import build_index
    from .quotes import extract_quotes

    rows = load_quote_gold(path)
    if not rows:
        raise NewsqaError(f"{path} has no quotes")
    documents = _quote_documents(path, rows)
    predicted = {source: extract_quotes(doc) for source, (_, doc) in documents.items()}
    extraction = score_quote_extraction(predicted, rows)
    from .quote_eval import score_attribution

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
        for doc_id in {g.doc_id for g in q.gold} | {x["doc_id"] for x in answer.quotes}:
            pred = [(x["start"], x["end"]) for x in answer.quotes if x["doc_id"] == doc_id]
            gold = [(g.start, g.end) for g in q.gold if g.doc_id == doc_id]
            tp += len(match_spans(pred, gold))
            predicted += len(pred)
            expected += len(gold)
    p, r, f = prf(tp, predicted, expected)
    return {"precision": p, "recall": r, "f1": f, "returned": predicted, "gold": expected}


# ---------------------------------------------------------------- output

_HEADERS = {"recall@3": "rec@3", "recall@10": "rec@10"}


def _rank(value) -> str:
    return "-" if value is None else str(value)


def format_table(results: Sequence[EvalResult]) -> str:
    """Markdown table: one row per mode (overall), then one per mode and question type."""
    names = list(METRIC_NAMES)
    lines = ["| mode | type | n | " + " | ".join(names) + " |", "|---" * (len(names) + 3) + "|"]
    for r in results:
        groups = [("all", r.metrics, _count(r))]
        if len(r.by_kind) > 1:
            groups += [(kind, m, _count(r, kind)) for kind, m in r.by_kind.items()]
        for kind, metrics, n in groups:
            values = " | ".join(f"{metrics[m]:.3f}" if metrics else "-" for m in names)
            lines.append(f"| {r.mode} | {kind} | {n} | {values} |")
    return "\n".join(lines)


def _count(result: EvalResult, kind: str | None = None) -> int:
    return sum(
        1 for p in result.per_question
        if p["kind"] != NEGATIVE and (kind is None or p["kind"] == kind)
    )  # fmt: skip


def _problems(report: EvalReport) -> list[tuple[dict, list[tuple[str, dict]]]]:
    """Questions that are not at rank 1 (or, negative, not refused) in some mode."""
    by_id: dict[str, tuple[dict, list]] = {}
    for r in report.results:
        for p in r.per_question:
            bad = not p["correct"] if p["kind"] == NEGATIVE else p["rank"] != 1
            entry = by_id.setdefault(p["id"], (p, []))
            if bad:
                entry[1].append((r.mode, p))
    return [entry for entry in by_id.values() if entry[1]]


def _outcome(p: dict) -> str:
    if p["kind"] == NEGATIVE:
        return "refused" if p["correct"] else "answered"
    return _rank(p["rank"])


def format_text(report: EvalReport) -> str:
    """The terminal report: metrics per mode and type, negatives, and what went wrong."""
    modes = [r.mode for r in report.results]
    lines = [f"newsqa eval {report.dataset} ({report.format}; model {report.model})"]
    lines += [f"  {note}" for note in report.notes]
    if report.extraction:
        lines += ["", "quote extraction", f"  {'match':<24}{'P':>7}{'R':>7}{'F1':>7}"]
        for name, label in (("exact", "exact span"), ("overlap", "overlap >= 0.5"),
                            ("attributed", "exact span + speaker")):  # fmt: skip
            p, r, f = report.extraction[name]
            lines.append(f"  {label:<24}{p:7.3f}{r:7.3f}{f:7.3f}")
        for name in ("speaker_accuracy", "kind_accuracy", "attribution_accuracy"):
            label = name.replace("_", " ") + " (matched)"
            lines.append(f"  {label:<31}{report.extraction[name]:7.3f}")
        who = report.extraction.get("who_said_what")
        if who:
            lines.append(
                f"  speaker precision {who['speaker_precision']:.3f} ({who['correct']}/"
                f"{who['attributed']} quotes given a speaker are theirs), direct-quote recall "
                f"{who['direct_recall']:.3f} ({who['direct_found']}/{who['direct_gold']})"
            )
            for m in who["misattributions"]:
                where = f"{m['source']}:{m['start']}"
                lines.append(f"    misattributed {where}: given to {m['given_to']!r}, "
                             f"{m['why']} ({m['really']!r}): “{m['text']}”")  # fmt: skip
    if report.speaker_quotes:
        s = report.speaker_quotes
        lines.append(
            f'  "What did X say?" quotes returned (hybrid+quotes): P {s["precision"]:.3f} '
            f"R {s['recall']:.3f} F1 {s['f1']:.3f} ({s['returned']} returned, {s['gold']} gold)"
        )
    headers = [_HEADERS.get(m, m) for m in METRIC_NAMES]
    widths = [max(6, len(h)) for h in headers]
    lines += ["", f"{'mode':<14}{'type':<12}{'n':>4}  "
              + " ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]  # fmt: skip
    for r in report.results:
        groups = [("all", r.metrics, _count(r))]
        if len(r.by_kind) > 1:
            groups += [(kind, m, _count(r, kind)) for kind, m in r.by_kind.items()]
        for i, (kind, metrics, n) in enumerate(groups):
            cells = [
                (f"{metrics[m]:.3f}" if metrics else "-").rjust(w)
                for m, w in zip(METRIC_NAMES, widths, strict=True)
            ]
            mode = r.mode if i == 0 else ""
            lines.append(f"{mode:<14}{kind:<12}{n:>4}  " + " ".join(cells))
    if any(r.answer_chars for r in report.results):
        lines += [
            "",
            "answer length (median characters, answered questions): "
            + ", ".join(f"{r.mode} {r.answer_chars:.0f}" for r in report.results if r.answer_chars),
        ]
    if any(r.answer_hit is not None for r in report.results):
        lines += [
            "answer sentences hold the gold span: "
            + ", ".join(
                f"{r.mode} {r.answer_hit:.3f}" for r in report.results if r.answer_hit is not None
            )
        ]
    if any(r.negative for r in report.results):
        lines += ["", "negative questions (right when the answer says nothing matches)"]
        for r in report.results:
            neg = r.negative
            lines.append(f"  {r.mode:<14}{neg['correct']}/{neg['n']} refused  {neg['rate']:.3f}")
    problems = _problems(report)
    if problems:
        lines += ["", f"questions not at rank 1 in some mode (rank per mode: {', '.join(modes)}; "
                  "- = not in the top 10)"]  # fmt: skip
        width = max(len(first["id"]) for first, _ in problems) + 2
        for first, bad in problems:
            outcome = {r.mode: next(p for p in r.per_question if p["id"] == first["id"])
                       for r in report.results}  # fmt: skip
            ranks = " ".join(f"{_outcome(outcome[m]):>8}" for m in modes)
            lines.append(f"  {first['id']:<{width}}{first['kind']:<11}{ranks}  {first['question']}")
            for mode, p in bad:
                got = p["retrieved"][0] if p["retrieved"] else None
                shown = f"[1] {got['label']} “{got['text']}”" if got else "nothing"
                lines.append(f"      {mode}: got {shown}")
    lines += ["", "time: " + ", ".join(f"{r.mode} {r.seconds:.1f}s" for r in report.results)]
    return "\n".join(lines)


def format_markdown(report: EvalReport, chart: str | None = None) -> str:
    """The --report markdown: tables, the chart, and every question's rank per mode."""
    modes = [r.mode for r in report.results]
    lines = [f"# Retrieval evaluation: `{report.dataset}`", ""]
    lines += [f"- format: {report.format}; model `{report.model}`; cutoff {report.k}"]
    lines += [f"- {note}" for note in report.notes]
    lines += ["", "## Metrics per mode and question type", "", format_table(report.results)]
    if chart:
        lines += ["", f"![metrics per mode]({chart})"]
    if any(r.negative for r in report.results):
        lines += ["", "## Negative questions", "",
                  "Right when the answer says nothing matches (`found` is false).", "",
                  "| mode | refused | n | rate |", "|---|---|---|---|"]  # fmt: skip
        for r in report.results:
            neg = r.negative
            lines.append(f"| {r.mode} | {neg['correct']} | {neg['n']} | {neg['rate']:.3f} |")
    if report.extraction:
        lines += ["", "## Quote extraction", "", "| match | P | R | F1 |", "|---|---|---|---|"]
        for name in ("exact", "overlap", "attributed"):
            p, r, f = report.extraction[name]
            lines.append(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} |")
        accuracy = report.extraction["speaker_accuracy"]
        lines += ["", f"Speaker accuracy (matched quotes): {accuracy:.3f}"]
        who = report.extraction.get("who_said_what")
        if who:
            lines += [
                "",
                f"Speaker precision {who['speaker_precision']:.3f} "
                f"({who['correct']}/{who['attributed']}), direct-quote recall "
                f"{who['direct_recall']:.3f} ({who['direct_found']}/{who['direct_gold']})",
                "",
            ]
            lines += ["| misattributed | given to | really | why |", "|---|---|---|---|"]
            lines += [f"| {m['source']}:{m['start']} “{m['text']}” | {m['given_to']} | "
                      f"{m['really']} | {m['why']} |" for m in who["misattributions"]]  # fmt: skip
    if report.speaker_quotes:
        s = report.speaker_quotes
        lines += [f'"What did X say?" quotes returned: P {s["precision"]:.3f}, '
                  f'R {s["recall"]:.3f}, F1 {s["f1"]:.3f}']  # fmt: skip
    lines += ["", "## Per question", "", "Rank of the first relevant result (- = not in the top "
              f"{report.k}; negative questions: refused or answered), and the top result when a "
              "mode misses rank 1.", "",
              "| id | type | question | " + " | ".join(modes) + " |",
              "|---" * (len(modes) + 3) + "|"]  # fmt: skip
    per_mode = {r.mode: {p["id"]: p for p in r.per_question} for r in report.results}
    for p in report.results[0].per_question:
        cells = []
        for mode in modes:
            q = per_mode[mode][p["id"]]
            cell = _outcome(q)
            bad = not q["correct"] if q["kind"] == NEGATIVE else q["rank"] != 1
            if bad and q["retrieved"]:
                cell += f" (got {q['retrieved'][0]['label']})"
            cells.append(cell)
        question = p["question"].replace("|", "\\|")
        lines.append(f"| {p['id']} | {p['kind']} | {question} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot_metrics(report: EvalReport, path: Path) -> Path:
    """Grouped bar chart: each metric (and the negative refusal rate) per mode, as a PNG."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise NewsqaError("the chart needs matplotlib: .venv/bin/pip install matplotlib") from None
    groups = [m for m in METRIC_NAMES if any(r.metrics for r in report.results)]
    values = {r.mode: [r.metrics.get(m, 0.0) for m in groups] for r in report.results}
    if any(r.negative for r in report.results):
        groups.append("negatives refused")
        for r in report.results:
            values[r.mode].append(r.negative["rate"] if r.negative else 0.0)
    panels = 2 if report.extraction else 1
    figure = Figure(figsize=(11, 4.2 * panels), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(panels, 1, squeeze=False)[:, 0]
    width = 0.8 / max(len(values), 1)
    for i, (mode, heights) in enumerate(values.items()):
        xs = [g + (i - (len(values) - 1) / 2) * width for g in range(len(groups))]
        axes[0].bar(xs, heights, width, label=mode)
    axes[0].set_xticks(range(len(groups)), groups)
    axes[0].set_ylim(0, 1.05)
    axes[0].set_title(f"retrieval on {report.dataset}")
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(values))
    if report.extraction:
        names = ("exact", "overlap", "attributed")
        for i, label in enumerate(("precision", "recall", "F1")):
            xs = [g + (i - 1) * 0.27 for g in range(len(names))]
            axes[1].bar(xs, [report.extraction[n][i] for n in names], 0.27, label=label)
        axes[1].set_xticks(range(len(names)), names)
        axes[1].set_ylim(0, 1.05)
        axes[1].set_title("quote extraction")
        axes[1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    figure.tight_layout()
    figure.savefig(path, format="png")
    return path


def write_report(report: EvalReport, folder: Path) -> list[Path]:
    """report.md and metrics.png in folder (created if needed)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise NewsqaError(f"cannot create the report folder {folder}: {err.strerror}") from None
    chart = plot_metrics(report, folder / "metrics.png")
    markdown = folder / "report.md"
    markdown.write_text(format_markdown(report, chart.name), encoding="utf-8")
    return [markdown, chart]


# ---------------------------------------------------------------- baseline (regression guard)


def baseline_of(report: EvalReport) -> dict:
    """Flat metrics ("mode/type/metric") and each question's outcome per mode, for a JSON file."""
    metrics: dict[str, float] = {}
    questions: dict[str, dict] = {}
    for r in report.results:
        for kind, values in [("all", r.metrics), *r.by_kind.items()]:
            for name, value in values.items():
                metrics[f"{r.mode}/{kind}/{name}"] = round(value, 6)
        if r.negative:
            metrics[f"{r.mode}/{NEGATIVE}/refused"] = round(r.negative["rate"], 6)
        questions[r.mode] = {p["id"]: _outcome(p) for p in r.per_question}
    if report.extraction:
        for name in ("exact", "overlap", "attributed"):
            for label, value in zip(("P", "R", "F1"), report.extraction[name], strict=True):
                metrics[f"extraction/{name}/{label}"] = round(value, 6)
        metrics["extraction/speaker/accuracy"] = round(report.extraction["speaker_accuracy"], 6)
    return {
        "dataset": report.dataset, "format": report.format, "model": report.model,
        "cutoff": report.k, "written_by": BASELINE_COMMAND if report.format == "questions"
        else f"newsqa eval {report.dataset} --write-baseline FILE",
        "metrics": metrics, "questions": questions,
    }  # fmt: skip


def write_baseline(report: EvalReport, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(baseline_of(report), indent=1, ensure_ascii=False) + "\n")
    return path


def read_baseline(path: Path) -> dict:
    try:
        baseline = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NewsqaError(f"no baseline at {path}; write one with --write-baseline") from None
    except (OSError, ValueError) as err:
        raise NewsqaError(f"cannot read the baseline {path}: {err}") from None
    if not isinstance(baseline, dict) or not isinstance(baseline.get("metrics"), dict):
        raise NewsqaError(f"{path} is not a newsqa eval baseline (no metrics)")
    return baseline


@dataclass
class Regression:
    drops: list[tuple[str, float, float]]  # (metric key, baseline, now) beyond the tolerance
    moves: list[tuple[str, str, str, str]]  # (mode, question id, baseline outcome, now)
    tolerance: float

    @property
    def failed(self) -> bool:
        return bool(self.drops)

    def format(self) -> str:
        lines = []
        if self.drops:
            lines.append(f"metrics that dropped by more than {self.tolerance}:")
            lines += [f"  {key}: {old:.3f} -> {new:.3f} ({new - old:+.3f})"
                      for key, old, new in self.drops]  # fmt: skip
        else:
            lines.append(f"no metric dropped by more than {self.tolerance}")
        if self.moves:
            lines.append("questions that moved (baseline rank -> now; - = not in the top 10):")
            lines += [f"  {mode:<14}{qid:<28}{old} -> {new}" for mode, qid, old, new in self.moves]
        return "\n".join(lines)


def compare_to_baseline(
    report: EvalReport, baseline: dict, tolerance: float = DEFAULT_TOLERANCE
) -> Regression:
    """Metrics that fell more than `tolerance` below the baseline, and every question that moved."""
    now = baseline_of(report)
    drops = [
        (key, old, now["metrics"][key])
        for key, old in baseline["metrics"].items()
        if key in now["metrics"] and now["metrics"][key] < old - tolerance - 1e-9
    ]
    moves = []
    for mode, outcomes in now["questions"].items():
        before = baseline.get("questions", {}).get(mode, {})
        for qid, outcome in outcomes.items():
            old = before.get(qid, "new")
            if old != outcome:
                moves.append((mode, qid, str(old), outcome))
        moves += [(mode, qid, str(old), "removed") for qid, old in before.items()
                  if qid not in outcomes]  # fmt: skip
    return Regression(drops, moves, tolerance)


# ---------------------------------------------------------------- `newsqa eval`


def parse_modes(value: str | None) -> tuple[str, ...]:
    if not value:
        return EVAL_MODES
    modes = tuple(m.strip() for m in value.split(",") if m.strip())
    unknown = [m for m in modes if m not in EVAL_MODES]
    if unknown or not modes:
        raise NewsqaError(
            f"unknown mode {', '.join(unknown) or repr(value)}: choose from {', '.join(EVAL_MODES)}"
        )
    return modes


def run_eval_cli(args, settings: Settings) -> int:
    """`newsqa eval DATASET`: print the table (or --json), write --report/--write-baseline, and
    with --baseline exit 1 when a metric dropped by more than --tolerance."""

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    path = Path(args.dataset)
    modes = parse_modes(getattr(args, "modes", None))
    tolerance = getattr(args, "tolerance", DEFAULT_TOLERANCE)
    if not 0 <= tolerance < 1:
        raise NewsqaError(f"--tolerance must be from 0 to 1, got {tolerance}")
    baseline_path = getattr(args, "baseline", None)
    baseline = read_baseline(Path(baseline_path)) if baseline_path else None
    kind = detect_format(path)
    if kind == "beir":
        keep = Path(args.index).expanduser().resolve() if getattr(args, "index", None) else None
        report = evaluate_beir(path, settings, getattr(args, "split", "test"), modes, keep, log)
    elif kind == "quotes":
        report = evaluate_quote_gold(path, settings, modes, log)
    else:
        from . import open_index

        report = evaluate_questions(path, open_index(settings, log=log), modes)
    if getattr(args, "json", False):
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(format_text(report))
    if getattr(args, "report", None):
        written = write_report(report, Path(args.report))
        log("report: " + ", ".join(str(p) for p in written))
    if getattr(args, "write_baseline", None):
        log(f"baseline written to {write_baseline(report, Path(args.write_baseline))}")
    if baseline is None:
        return 0
    regression = compare_to_baseline(report, baseline, tolerance)
    log(f"against the baseline {baseline_path}:\n{regression.format()}")
    return 1 if regression.failed else 0
