"""The three dataset formats, read and checked: project questions, BEIR folders, quote gold."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import PROJECT_ROOT, NewsqaError
from ..records import Index

NEGATIVE = "negative"


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
        raise NewsqaError(f"cannot read {path}: {err}") from err
    return enumerate(text.splitlines(), start=1)


def _json_record(path: Path, number: int, line: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise NewsqaError(f"{path}:{number}: not valid JSON ({err.msg})") from err
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


def quote_documents(path: Path, rows: list[dict]) -> dict[str, object]:
    """The article of every gold source (project-relative, or relative to the gold file)."""
    from ..documents import load_file

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
            raise NewsqaError(f"{path}: cannot load {source}: {err}") from err
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
