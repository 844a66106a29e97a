"""Follow-up questions: rewrite "what else did he say?" or "and Wang Yi?" into a standalone query.

No language model: pronouns resolve to the previous turn's speaker (or its main name), and an
elliptical "and X?" / "what about X?" re-asks the previous question about X.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .contract import Answer
from .speakers import parse_speaker_question


@dataclass
class Turn:
    """What a follow-up may refer back to: the standalone question and who it was about."""

    question: str
    speaker: str | None = None  # resolved speaker name when the answer came from quotes
    topic: str | None = None
    shown_quotes: set[tuple[str, int]] = field(default_factory=set)  # (doc_id, start)


@dataclass(frozen=True)
class Rewrite:
    question: str  # standalone: what is actually asked
    changed: bool  # true when it differs from what the user typed (show it to them)
    wants_more: bool  # "what else ...": skip what the previous answers already showed


_ELLIPSIS = re.compile(
    r"^\s*(?:and|what about|how about|and what about|same for|and for)\s+(?P<x>[^?]+?)\s*\??\s*$",
    re.IGNORECASE,
)
_PRONOUNS = {
    "he": "{}", "she": "{}", "him": "{}", "her": "{}", "they": "{}", "them": "{}",
    "his": "{}’s", "hers": "{}’s", "their": "{}’s",
}  # fmt: skip
_PRONOUN = re.compile(r"\b(" + "|".join(_PRONOUNS) + r")\b", re.IGNORECASE)
_ELSE = re.compile(r"\s+else\b|\bother\s+(?=things?\b)|\s+more\b(?=\s+(?:did|does|has))", re.I)
# A run of capitalised words not at the start of the question: the name a question is about.
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)*)")


@dataclass(frozen=True)
class Conversation:
    """One chat's turns so far, kept on the server (one per browser session). Each step returns
    a new Conversation, so a refused question leaves the one before it as it was."""

    turns: tuple[Turn, ...] = ()

    @property
    def previous(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def understand(self, message: str) -> tuple[Rewrite, set[tuple[str, int]]]:
        """The standalone question, and the quotes to skip ("what else": all shown so far)."""
        asked = rewrite(message, self.previous)
        shown = set().union(*(t.shown_quotes for t in self.turns)) if asked.wants_more else set()
        return asked, shown

    def remember(self, asked: Rewrite, answer: Answer) -> Conversation:
        """The conversation with this answered turn added."""
        previous = self.previous
        speaker = answer.speaker.name if answer.speaker else None
        turn = Turn(
            asked.question,
            speaker=speaker or (previous.speaker if previous and asked.changed else None),
            topic=previous.topic if speaker and previous and asked.wants_more else None,
            shown_quotes={(q.doc_id, q.start) for q in answer.quotes},
        )
        return Conversation((*self.turns, turn))


def rewrite(question: str, previous: Turn | None) -> Rewrite:
    """A standalone form of `question`, given the previous turn (None: the first question)."""
    typed = " ".join(question.split())
    if previous is None:
        return Rewrite(typed, False, False)
    wants_more = bool(_ELSE.search(typed))

    ellipsis = _ELLIPSIS.match(typed)
    if ellipsis:
        subject = ellipsis.group("x")
        if previous.speaker or parse_speaker_question(previous.question):
            topic = f" about {previous.topic}" if previous.topic else ""
            standalone = f"What did {subject} say{topic}?"
        else:
            referent = _main_name(previous.question)
            standalone = (
                previous.question.replace(referent, subject, 1)
                if referent
                else f"{previous.question.rstrip('?')} ({subject})?"
            )
        return Rewrite(standalone, True, False)

    referent = previous.speaker or _main_name(previous.question)
    if referent and _PRONOUN.search(typed):
        standalone = _PRONOUN.sub(lambda m: _PRONOUNS[m.group(1).lower()].format(referent), typed)
        standalone = _ELSE.sub("", standalone)
        standalone = standalone[0].upper() + standalone[1:]
        return Rewrite(standalone, standalone != typed, wants_more)
    return Rewrite(typed, False, False)


def _main_name(question: str) -> str | None:
    """The first capitalised name after the question word: usually its subject
    ("How many troops has Russia amassed near Ukraine?" → Russia)."""
    names = _NAME.findall(question)
    return names[0] if names else None
