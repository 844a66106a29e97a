"""Split documents into paragraph-sized passages with exact character offsets.

Paragraphs are found on the original text (so offsets are exact by construction); paragraphs
longer than the limit are split by langchain's RecursiveCharacterTextSplitter, whose chunks are
then located in the text by us (its own `add_start_index` uses str.find and can be wrong).
Every passage is checked: `doc.text[start:end] == passage.text`, or the build fails.
Site furniture ("Comments are closed.", "CLICK HERE TO READ MORE ...") stays in the document
text but never becomes part of a passage.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .config import NewsqaError, Settings
from .documents import Document
from .sentences import paragraphs_between, sentence_spans

# Whole lines that are site chrome, not reporting. Matched case-insensitively on the stripped line.
_FURNITURE_LINES = [
    r"click here\b.*",
    r"comments are closed\.?",
    r"(read|see) (more|also)\b.{0,100}",
    r"(sign up|subscribe)\b.{0,100}(newsletter|updates|alerts).{0,40}",
    r"advertisement|sponsored( content)?|share this( article| story)?",
    r"(related|recommended)( articles?| stories| coverage)?:.{0,120}",
    r"follow (us|\w+ \w+) on .{0,60}",
    r"(copyright|©).{0,120}|all rights reserved\.?",
]
FURNITURE = re.compile("|".join(f"(?:{p})" for p in _FURNITURE_LINES), re.IGNORECASE)
# One match per line (its text without the line break); a bare "\n" yields one empty line, not
# two, so the lines of a hard-wrapped paragraph stay one paragraph.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


# Bump when paragraph or sentence splitting changes: indexes built before are then stale.
SPLITTER_VERSION = 4


class ChunkOffsetError(NewsqaError):
    """A passage's offsets do not reproduce its text: a bug, never stored."""


@dataclass(frozen=True)
class Passage:
    passage_id: int  # stable: derived from (doc_id, start, end), so other passages keep theirs
    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of a passage: the unit the dense index embeds (MiniLM is a sentence model)."""

    sentence_id: int  # FAISS id, stable like passage ids
    row: int  # position of its passage in the index
    start: int
    end: int


def passage_id_for(doc_id: str, start: int, end: int) -> int:
    digest = hashlib.sha256(f"{doc_id}:{start}:{end}".encode()).hexdigest()
    return int(digest[:15], 16)  # 60 bits: a positive int64, as FAISS ids must be


def is_furniture(line: str, learned: frozenset[str] = frozenset()) -> bool:
    """Site chrome: a known pattern, or a line that recurs across the corpus (`learned`, see
    recurring_lines). A line in capitals is a subheading or a wire headline, kept: searched,
    never an answer (sentences.is_heading)."""
    stripped = line.strip()
    if not stripped:
        return False
    return bool(FURNITURE.fullmatch(stripped)) or furniture_key(stripped) in learned


def furniture_key(line: str) -> str:
    return " ".join(line.split()).lower()


# A line is furniture when this many articles, and this share of them, carry it word for word:
# wire trailers ("Reuter"), comment notices, "Advertisement - scroll to continue reading".
RECURRING_MIN_ARTICLES = 5
RECURRING_MIN_SHARE = 0.01
RECURRING_MAX_CHARS = 80  # a long line repeated is a story repeated, not chrome


def recurring_lines(texts) -> frozenset[str]:
    """The short lines that recur across many articles of a corpus (learned furniture)."""
    counts: dict[str, int] = {}
    total = 0
    for text in texts:
        total += 1
        seen = {furniture_key(line) for line in text.splitlines()
                if 0 < len(line.strip()) <= RECURRING_MAX_CHARS}  # fmt: skip
        for key in seen:
            counts[key] = counts.get(key, 0) + 1
    floor = max(RECURRING_MIN_ARTICLES, RECURRING_MIN_SHARE * total)
    return frozenset(key for key, n in counts.items() if n >= floor and key)


def paragraphs(text: str, learned: frozenset[str] = frozenset()) -> list[tuple[int, int, bool]]:
    """(start, end, follows_break) of each paragraph (sentences.paragraphs_between), furniture
    lines left out; `follows_break` is true after a dropped line, so a short paragraph is never
    joined across furniture."""
    return paragraphs_between(text, lambda line: is_furniture(line, learned))


def _splitter(settings: Settings):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=settings.max_passage_chars,
        chunk_overlap=settings.passage_overlap_chars,
        separators=["\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
        keep_separator="end",
        strip_whitespace=True,
    )


def split_document(
    doc: Document, settings: Settings, splitter=None, furniture: frozenset[str] = frozenset()
) -> list[Passage]:
    """Passages of one article; `furniture` holds the corpus's recurring lines (left out)."""
    spans = _join_short(paragraphs(doc.text, furniture), settings)
    passages: list[Passage] = []
    for start, end in spans:
        if end - start <= settings.max_passage_chars:
            passages.append(_passage(doc, start, end))
            continue
        splitter = splitter or _splitter(settings)
        cursor = start
        for chunk in splitter.split_text(doc.text[start:end]):
            found = doc.text.find(chunk, cursor, end)
            if found < 0:
                raise ChunkOffsetError(
                    f"could not locate a passage of {doc.source} in its text "
                    f"(after offset {cursor}): {chunk[:60]!r}"
                )
            passages.append(_passage(doc, found, found + len(chunk)))
            cursor = found + 1
    return passages


def _join_short(paras: list[tuple[int, int, bool]], settings: Settings) -> list[tuple[int, int]]:
    """Join paragraphs shorter than min_passage_chars (headlines, one-liners) to the next one."""
    spans: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    pending_break = False  # the pending paragraph follows furniture: it joins nothing before
    for start, end, follows_break in paras:
        if pending and not follows_break and end - pending[0] <= settings.max_passage_chars:
            start = pending[0]
        elif pending:
            spans.append(pending)
        else:
            pending_break = follows_break
        pending = None
        if end - start < settings.min_passage_chars:
            pending = (start, end)
        else:
            spans.append((start, end))
    fits = pending and spans and pending[1] - spans[-1][0] <= settings.max_passage_chars
    if fits and not pending_break:
        spans[-1] = (spans[-1][0], pending[1])  # a short last line ("Reuter") joins the one before
    elif pending:
        spans.append(pending)
    return spans


def _passage(doc: Document, start: int, end: int) -> Passage:
    text = doc.text[start:end]
    passage = Passage(passage_id_for(doc.doc_id, start, end), doc.doc_id, start, end, text)
    check_offsets(doc, passage)
    return passage


def check_offsets(doc: Document, passage: Passage) -> None:
    if not (0 <= passage.start < passage.end <= len(doc.text)) or (
        doc.text[passage.start : passage.end] != passage.text
    ):
        raise ChunkOffsetError(
            f"passage {passage.start}:{passage.end} of {doc.source} does not match its text"
        )


# ---------------------------------------------------------------- sentences


def split_sentences(passages: list[Passage]) -> list[Sentence]:
    """Every sentence of every passage, in passage order, with document offsets."""
    # The id includes the passage: split passages overlap, and a sentence in the overlap is
    # one vector per passage, not one id shared (and overwritten) by two.
    return [
        Sentence(passage_id_for(str(p.passage_id), start, end), row, start, end)
        for row, p in enumerate(passages)
        for start, end in sentence_spans(p.text, p.start)
    ]
