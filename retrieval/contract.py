"""The answer, typed: what `ask` returns and what `to_dict` turns into the JSON contract.

Front ends read these fields, never keys of loose dicts. `Answer.to_dict()` is the JSON that
`newsqa ask --json`, `/api/ask` and Gradio's "ask" return; tests/test_contract.py holds it to
the shape the eval questions' answers had before the types existed (fields, order, values).
Optional fields that were absent from that JSON stay absent (None is not written).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of an article's text (document offsets)."""

    start: int
    end: int

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True)
class Scores:
    """What each retriever gave the passage: cosine (dense) and BM25 (lexical), when it ran."""

    dense: float | None = None
    lexical: float | None = None

    def to_dict(self) -> dict:
        return {name: value for name, value in (("dense", self.dense), ("lexical", self.lexical))
                if value is not None}  # fmt: skip


@dataclass
class Hit:
    rank: int
    score: float
    doc_id: str
    title: str
    source: str
    start: int
    end: int
    text: str
    highlights: list[Span] = field(default_factory=list)  # the answering sentences or quotes
    scores: Scores = field(default_factory=Scores)
    match: str = "search"  # search | quote (holds the speaker's quotes) | mention (names them)

    @property
    def focus(self) -> Span:
        """Where a link to this hit points: its first highlight, else the whole passage."""
        return self.highlights[0] if self.highlights else Span(self.start, self.end)

    def to_dict(self) -> dict:
        return {
            "rank": self.rank, "score": self.score, "doc_id": self.doc_id, "title": self.title,
            "source": self.source, "start": self.start, "end": self.end, "text": self.text,
            "highlights": [span.to_dict() for span in self.highlights],
            "scores": self.scores.to_dict(), "match": self.match,
        }  # fmt: skip


@dataclass(frozen=True)
class Part:
    """One cited piece of the answer text: a sentence, or a quote (shown in quotation marks)."""

    text: str
    citation: int | None  # the rank of the hit it comes from
    quote: bool = False

    def to_dict(self) -> dict:
        return {"text": self.text, "citation": self.citation, "quote": self.quote}


@dataclass(frozen=True)
class QuoteRef:
    """A quote attributed to the speaker asked about, with the hit that cites it."""

    speaker: str | None
    text: str
    doc_id: str
    start: int
    end: int
    kind: str
    attribution: str
    role: str | None
    citation: int | None  # None: its passage did not make the k hits

    def to_dict(self) -> dict:
        return {
            "speaker": self.speaker, "text": self.text, "doc_id": self.doc_id,
            "start": self.start, "end": self.end, "kind": self.kind,
            "attribution": self.attribution, "role": self.role, "citation": self.citation,
        }  # fmt: skip


@dataclass(frozen=True)
class Speaker:
    """Whom a "what did X say?" question was resolved to."""

    name: str
    roles: list[str] = field(default_factory=list)
    includes: list[str] | None = None  # a group: "China" answers for Beijing and its ministry

    def to_dict(self) -> dict:
        data = {"name": self.name, "roles": list(self.roles)}
        if self.includes is not None:
            data["includes"] = list(self.includes)
        return data


@dataclass(frozen=True)
class Answer:
    question: str
    mode: str
    answer: str  # exactly lead + each part followed by " [citation]" (see compose)
    hits: list[Hit]
    found: bool  # false when nothing in the corpus matches the question
    speaker: Speaker | None = None
    quotes: list[QuoteRef] = field(default_factory=list)
    # Front ends render citations from the parts, never by parsing `answer` (articles contain
    # "[2]" themselves).
    lead: str = ""
    parts: list[Part] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "mode": self.mode, "answer": self.answer,
            "hits": [hit.to_dict() for hit in self.hits], "found": self.found,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "quotes": [quote.to_dict() for quote in self.quotes], "lead": self.lead,
            "parts": [part.to_dict() for part in self.parts],
        }  # fmt: skip


def compose(lead: str, parts: list[Part]) -> str:
    """The answer text: the lead, then each part followed by its citation marker."""
    cited = [(f"“{p.text}”" if p.quote else p.text) + f" [{p.citation}]" for p in parts]
    return " ".join(piece for piece in [lead.strip(), *cited] if piece)


def answer_of(question: str, mode: str, lead: str, hits: list[Hit], found: bool,
              parts: list[Part] = (), speaker: Speaker | None = None,
              quotes: list[QuoteRef] = ()) -> Answer:  # fmt: skip
    """An Answer whose text is composed from its lead and parts (the one way answers are made)."""
    parts = list(parts)
    return Answer(question, mode, compose(lead, parts), hits, found, speaker, list(quotes),
                  lead=lead, parts=parts)  # fmt: skip
