"""Load articles from a corpus folder: .txt, .md (YAML front matter), .html, .jsonl.

A Document's `text` is what every offset in newsqa points into: citations are `text[start:end]`.
For .txt/.md it is the file's text (after any front matter); for .html, the article text that
trafilatura extracts; for .jsonl, the line's "text" field.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .config import PROJECT_ROOT

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".json", ".csv", ".sgm")
# One article over 20 MB is almost certainly not an article (a dump, a binary): skip it loudly.
MAX_FILE_BYTES = 20 * 1024 * 1024
# Bump when loading changes what text or metadata a file yields: indexes built before are stale.
LOADER_VERSION = 3

# Front matter is a few short fields; more is not an article header (and YAML is a language).
MAX_FRONT_MATTER_CHARS = 16 * 1024
# Longest accepted metadata values: a title is a headline, not a payload sent with every hit.
MAX_META_CHARS = {"title": 500, "publisher": 200, "url": 2048, "published": 64, "external_id": 200}

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Document:
    doc_id: str  # content hash of `text`: the same article gets the same id wherever it lives
    title: str
    source: str  # path relative to the project root (absolute outside it); .jsonl adds "#L<line>"
    text: str
    meta: dict = field(default_factory=dict)  # url, published, publisher when known


@dataclass
class CorpusLoad:
    documents: list[Document]
    warnings: list[str]


def doc_id_for(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def dedupe_key(text: str) -> str:
    """Equal for the same article saved with other whitespace or another Unicode form
    (NFC/NFD/NFKC): such copies are duplicates, although their exact texts (and ids) differ."""
    normal = unicodedata.normalize("NFKC", text)
    return hashlib.sha256(" ".join(normal.split()).encode("utf-8")).hexdigest()


def display_path(path: Path) -> str:
    path = path.resolve()
    try:
        return path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every supported, non-hidden file under corpus_dir, in a stable order."""
    if not corpus_dir.is_dir():
        return []
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Hash of every supported file's path and bytes: changes whenever the corpus does."""
    digest = hashlib.sha256(f"loader:{LOADER_VERSION}".encode())
    for path in corpus_files(corpus_dir):
        digest.update(path.relative_to(corpus_dir).as_posix().encode())
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError as err:  # unreadable or just deleted: the sync reports it, never a crash
            digest.update(f"unreadable:{err.errno}".encode())
    return digest.hexdigest()


def load_corpus(corpus_dir: Path) -> CorpusLoad:
    """Load every article; unreadable files are skipped with a warning, never fatal."""
    scan = scan_corpus(corpus_dir)
    return CorpusLoad(list(scan.documents.values()), scan.warnings)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A corpus file as last indexed: its bytes' hash and the articles it yielded."""

    path: str  # relative to the corpus folder
    sha256: str
    doc_ids: tuple[str, ...]


@dataclass
class CorpusScan:
    documents: dict[str, Document]  # doc_id -> article, in corpus order, duplicates left out
    files: dict[str, SourceFile]  # corpus path -> what it yielded
    warnings: list[str]


# What a parser is handed, and what it gives back for each file: its items (articles and
# warning strings), or the reason the file is unusable.
ParseJob = tuple[bytes, str, str]  # raw bytes, suffix, display path
Parsed = tuple[list, str | None]
# Files read before their batch is parsed: bounds the bytes held at once.
SCAN_BATCH_FILES = 256
SCAN_BATCH_BYTES = 64 << 20


def parse_each(jobs: list[ParseJob]) -> list[Parsed]:
    """Parse files one after another, in this process (the default parser of scan_corpus)."""
    parsed: list[Parsed] = []
    for raw, suffix, display in jobs:
        items: list = []
        try:
            items.extend(parse_file(raw, suffix, display))
            parsed.append((items, None))
        except ValueError as err:  # what it gave before the error still counts
            parsed.append((items, str(err)))
    return parsed


def scan_corpus(
    corpus_dir: Path,
    known: Mapping[str, SourceFile] | None = None,
    known_documents: Mapping[str, Document] | None = None,
    parse: Callable[[list[ParseJob]], list[Parsed]] = parse_each,
) -> CorpusScan:
    """The one corpus scan (ingest and tests). A file whose bytes hash as in `known` gives its
    articles from `known_documents` without being parsed again; unreadable or unusable files
    are skipped with a warning, never fatal; an article seen before is a duplicate. Files are
    parsed in batches by `parse` (elsewhere, e.g. on Ray workers), kept in corpus order."""
    known, known_documents = known or {}, known_documents or {}
    scan = CorpusScan({}, {}, [])
    seen: dict[str, str] = {}
    batch: list[tuple[str, str, list | None, ParseJob | None]] = []  # rel, digest, found, job
    held = 0

    def settle() -> None:
        jobs = [job for *_, job in batch if job is not None]
        results = iter(parse(jobs) if jobs else [])
        for rel, digest, found, job in batch:
            if job is not None:
                items, problem = next(results)
                scan.warnings.extend(item for item in items if isinstance(item, str))
                if problem is not None:
                    scan.warnings.append(f"skipped {job[2]}: {problem}")
                found = [item for item in items if not isinstance(item, str)]
            for doc in found:
                problem = keep_unique(doc, seen)
                if problem:
                    scan.warnings.append(problem)
                else:
                    scan.documents[doc.doc_id] = doc
            # Every article the file yielded, kept or skipped: a skipped one is re-read later.
            scan.files[rel] = SourceFile(rel, digest, tuple(doc.doc_id for doc in found))
        batch.clear()

    for path in corpus_files(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            raw = path.read_bytes()
        except OSError as err:
            scan.warnings.append(f"skipped {rel}: cannot read it ({err.strerror})")
            continue
        digest = hashlib.sha256(raw).hexdigest()
        before = known.get(rel)
        if before and before.sha256 == digest and all(d in known_documents for d in before.doc_ids):
            batch.append((rel, digest, [known_documents[d] for d in before.doc_ids], None))
        else:  # new, changed, or holding an article skipped as a duplicate last time
            batch.append((rel, digest, None, (raw, path.suffix.lower(), display_path(path))))
            held += len(raw)
        if len(batch) >= SCAN_BATCH_FILES or held >= SCAN_BATCH_BYTES:
            settle()
            held = 0
    settle()
    return scan


def keep_unique(doc: Document, seen: dict[str, str]) -> str | None:
    """Register doc in seen (dedupe key -> source), or return why it is skipped: the same
    article (ignoring whitespace and Unicode form) was already kept."""
    key = dedupe_key(doc.text)
    if key in seen:
        return (
            f"skipped {doc.source}: same text as {seen[key]} "
            "(duplicate article, ignoring whitespace and Unicode form)"
        )
    seen[key] = doc.source
    return None


def load_file(path: Path) -> Iterator[Document | str]:
    """Yield the documents in one file (or warning strings); raise ValueError if it is unusable."""
    return parse_file(path.read_bytes(), path.suffix.lower(), display_path(path))


def size_problem(size: int) -> str | None:
    """Why a file of this many bytes is refused (the one size rule), or None."""
    if size > MAX_FILE_BYTES:
        return (
            f"{size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit for one article file; "
            "split it into smaller files"
        )
    return None


def parse_file(raw: bytes, suffix: str, source: str) -> Iterator[Document | str]:
    """The documents in a file's bytes (uploads are checked with this before being stored)."""
    too_big = size_problem(len(raw))
    if too_big:
        raise ValueError(too_big)
    text = decode_text(raw, latin1_fallback=suffix == ".sgm")
    if not text.strip():
        raise ValueError("the file is empty")
    return _parse_text(text, suffix, source)


def _parse_text(text: str, suffix: str, source: str) -> Iterator[Document | str]:
    if suffix == ".txt":
        yield make_document(text, source)
    elif suffix == ".md":
        yield _load_markdown(text, source)
    elif suffix in (".html", ".htm"):
        yield _load_html(text, source)
    elif suffix == ".json":
        yield from _load_json_array(text, source)
    elif suffix == ".csv":
        yield from _load_csv(text, source)
    elif suffix == ".sgm":
        yield from _load_reuters_sgml(text, source)
    else:
        yield from _load_jsonl(text, source)


def decode_text(raw: bytes, latin1_fallback: bool = False) -> str:
    """Strict UTF-8 (a BOM is dropped); binary or other encodings raise ValueError. With
    latin1_fallback (the Reuters-21578 archive, Latin-1 where it is not ASCII) bytes that are
    not UTF-8 are read as Latin-1."""
    if b"\x00" in raw:  # anywhere: NUL bytes after the first 8 KB are no text either
        raise ValueError("it looks binary (contains NUL bytes); only text articles are indexed")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if latin1_fallback:
            return raw.decode("latin-1")
        raise ValueError(
            f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start}); "
            "re-save it as UTF-8"
        ) from err


def make_document(text: str, source: str, title=None, **meta) -> Document:
    if not text.strip():
        raise ValueError("no article text")
    title = _meta_value("title", title) or ""
    meta = {k: _meta_value(k, v) for k, v in meta.items()}
    meta = {k: v for k, v in meta.items() if v}
    return Document(doc_id_for(text), title.strip() or derive_title(text), source, text, meta)


def _meta_value(name: str, value) -> str | None:
    """A metadata field as a short string: scalars only (a date is a scalar), bounded length."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | date):
        raise ValueError(f"its {name!r} is a {type(value).__name__}; give it as plain text")
    text = str(value)
    limit = MAX_META_CHARS.get(name, 500)
    if len(text) > limit:
        raise ValueError(f"its {name!r} is {len(text):,} characters long; the limit is {limit:,}")
    return text


def derive_title(text: str) -> str:
    """The headline line when the article starts with one, else a clean excerpt."""
    first = text.strip().splitlines()[0].strip().lstrip("#").strip()
    is_headline = (
        0 < len(first) <= 160
        and len(first.split()) <= 25
        and not first.endswith((".", "!", "?", ":", ",", ";", '"', "”"))
        and first != text.strip()
    )
    if is_headline:
        return first
    return excerpt(first)


def excerpt(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0].rstrip(",;:—-")
    return cut + "…"


def _load_markdown(text: str, source: str) -> Document:
    match = _FRONT_MATTER.match(text)
    if not match:
        return make_document(text, source)
    front = parse_front_matter(match.group(1))
    return make_document(
        text[match.end() :],
        source,
        title=front.get("title"),
        url=front.get("url"),
        published=front.get("published"),
        publisher=front.get("source"),
    )


def parse_front_matter(block: str) -> dict:
    """The YAML mapping of a front-matter block; ValueError for anything but a small mapping
    without anchors or aliases (`&a` / `*a`: 440 bytes of them expand to gigabytes)."""
    import yaml

    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise ValueError(
            f"its front matter is {len(block):,} characters; the limit is "
            f"{MAX_FRONT_MATTER_CHARS:,} (title, source, url, published are enough)"
        )
    try:
        front = yaml.load(block, Loader=_no_alias_loader()) or {}
    except yaml.YAMLError as err:
        raise ValueError(
            f"its YAML front matter does not parse ({err.__class__.__name__})"
        ) from err
    except RecursionError:  # "[[[[…": nesting deeper than Python's stack
        raise ValueError("its YAML front matter is nested too deeply") from None
    if not isinstance(front, dict):
        raise ValueError("its front matter is not a YAML mapping (key: value lines)")
    return front


@functools.cache
def _no_alias_loader():
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        """SafeLoader that refuses anchors and aliases before anything is expanded."""

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ValueError(
                    "its YAML front matter uses anchors or aliases (& or *), which are refused; "
                    "write each value out"
                )
            return super().compose_node(parent, index)

    return NoAliasLoader


def _load_html(html: str, source: str) -> Document:
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if extracted is None or not (extracted.text or "").strip():
        raise ValueError("no article text could be extracted from the HTML")
    return make_document(
        extracted.text,
        source,
        title=extracted.title or "",
        url=extracted.url,
        published=extracted.date,
        publisher=extracted.sitename,
    )


def _record_document(record, where: str) -> Document | str:
    """One article from a JSON object or CSV row: "text" (or "body"), optional title, url,
    source or publisher, published (or date), _id. A warning string when it has no text."""
    if not isinstance(record, dict):
        return f'skipped {where}: an article must be an object with a "text" string'
    body = record.get("text") if record.get("text") is not None else record.get("body")
    if not isinstance(body, str):
        return f'skipped {where}: it needs a "text" (or "body") string'
    try:
        return make_document(
            body,
            where,
            title=record.get("title") or record.get("headline"),
            url=record.get("url"),
            published=record.get("published") or record.get("date"),
            publisher=record.get("source") or record.get("publisher"),
            external_id=record.get("_id"),  # BEIR corpus.jsonl: qrels name documents by it
        )
    except ValueError as err:
        return f"skipped {where}: {err}"


def _load_json_array(text: str, source: str) -> Iterator[Document | str]:
    """A scraper's or CMS's export: an array of article objects, or {"articles": [...]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON ({err.msg} at line {err.lineno})") from err
    except RecursionError as err:
        raise ValueError("JSON nested too deeply") from err
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if not isinstance(data, list):
        raise ValueError('expected an array of articles, or {"articles": [...]}')
    for number, record in enumerate(data, start=1):
        yield _record_document(record, f"{source}#{number}")


def _load_csv(text: str, source: str) -> Iterator[Document | str]:
    """A spreadsheet export: a header row naming a "text" (or "body") column, and optionally
    title, url, source, published; any column order, any case."""
    import csv
    import io

    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    names = [h.strip().lower() for h in header or []]
    if "text" not in names and "body" not in names:
        raise ValueError('its header row has no "text" (or "body") column')
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        yield _record_document(dict(zip(names, row, strict=False)), f"{source}#L{number}")


# Reuters-21578 SGML: one <REUTERS ... NEWID="n"> record per story, the text in <BODY>.
_SGML_RECORD = re.compile(r'<REUTERS\b[^>]*?NEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
_SGML_FIELD = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S)
               for name in ("TITLE", "BODY", "DATE", "DATELINE")}  # fmt: skip


def _load_reuters_sgml(text: str, source: str) -> Iterator[Document | str]:
    """Each story with a body becomes an article: its title line, a blank line, then the body
    as the archive has it (hard wraps kept; entities such as &lt; decoded; the end-of-text mark
    dropped). Offsets are into that decoded text, the document's own."""
    import html

    found = False
    for match in _SGML_RECORD.finditer(text):
        found = True
        newid, record = match.groups()
        where = f"{source}#{newid}"
        fields = {name: pattern.search(record) for name, pattern in _SGML_FIELD.items()}
        if fields["BODY"] is None:
            yield f"skipped {where}: no <BODY> (a story without text)"
            continue
        title = html.unescape(fields["TITLE"].group(1)).strip() if fields["TITLE"] else ""
        body = html.unescape(fields["BODY"].group(1)).replace("\x03", "").rstrip()
        date_text = fields["DATE"].group(1).strip() if fields["DATE"] else None
        try:
            yield make_document(f"{title}\n\n{body}\n" if title else f"{body}\n", where,
                                title=title or None, published=date_text,
                                publisher="Reuters", external_id=newid)  # fmt: skip
        except ValueError as err:
            yield f"skipped {where}: {err}"
    if not found:
        raise ValueError("no <REUTERS> records (is it a Reuters-21578 .sgm file?)")


def _load_jsonl(text: str, source: str) -> Iterator[Document | str]:
    # Only "\n" ends a JSON Lines record: splitlines() would also split inside strings that hold
    # U+2028, U+0085 or form feeds, and misnumber every line after them.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"{source}#L{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield f"skipped {where}: not valid JSON ({err.msg})"
            continue
        except RecursionError:
            yield f"skipped {where}: JSON nested too deeply"
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield f'skipped {where}: each line needs an object with a "text" string'
            continue
        try:
            yield make_document(
                record["text"],
                where,
                title=record.get("title"),
                url=record.get("url"),
                published=record.get("published"),
                publisher=record.get("source"),
                external_id=record.get("_id"),  # BEIR corpus.jsonl: qrels name documents by it
            )
        except ValueError as err:
            yield f"skipped {where}: {err}"
