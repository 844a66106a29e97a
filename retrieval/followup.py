"""Follow-up questions: rewrite "what else did he say?" or "and Wang Yi?" into a standalone query.

No language model: pronouns resolve to the previous turn's speaker (or its main name), and an
elliptical "and X?" / "what about X?" re-asks the previous question about X.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .contract import Answer
from .speakers import parse_speaker_question


@dataclass
class Turn:
    """What a follow-up may refer back to: the standalone question and who it was about."""

    question: str
    speaker: str | None = None  # resolved speaker name when the answer came from quotes
    topic: str | None = None
    shown_quotes: set[tuple[str, int]] = field(default_factory=set)  # (doc_id, start)
    shown_passages: set[tuple[str, int]] = field(default_factory=set)  # (doc_id, start)
    answer: Answer | None = field(default=None, repr=False, compare=False)  # its own sources


@dataclass(frozen=True)
class Rewrite:
    question: str  # standalone: what is actually asked
    changed: bool  # true when it differs from what the user typed (show it to them)
    wants_more: bool  # "what else ...": skip what the previous answers already showed
    clarify: str | None = None  # ask this back instead of answering (no one to refer to)
    more_results: bool = False  # "tell me more": the previous question, past what was shown


# Only a person's pronouns ask "who?": "what did they agree?" can mean the articles' parties.
CLARIFY_WHO = "Who do you mean? Ask with the name, e.g. “What did Zhang Jun say?”"

_ELLIPSIS = re.compile(
    r"^\s*(?:and|what about|how about|and what about|same for|and for)\s+(?P<x>[^?]+?)\s*\??\s*$",
    re.IGNORECASE,
)
_MORE = re.compile(
    r"^\s*(?:(?:please\s+)?(?:tell|show|give)\s+me\s+more|more|more\s+please|go\s+on|"
    r"anything\s+else|what\s+else)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_PRONOUNS = {
    "he": "{}", "she": "{}", "him": "{}", "her": "{}", "they": "{}", "them": "{}",
    "his": "{}’s", "hers": "{}’s", "their": "{}’s",
}  # fmt: skip
_PRONOUN = re.compile(r"\b(" + "|".join(_PRONOUNS) + r")\b", re.IGNORECASE)
_PERSONAL = re.compile(r"\b(he|she|him|her|his|hers)\b", re.IGNORECASE)
_ELSE = re.compile(r"\s+else\b|\bother\s+(?=things?\b)|\s+more\b(?=\s+(?:did|does|has))", re.I)
# A run of capitalised words not at the start of the question: the name a question is about.
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)*)")
# What a question asks about, without its question words: the topic "and X?" asks X about.
_QUESTION_WORDS = re.compile(
    r"^(?:how\s+(?:many|much|long|far|often)|what|which|who|whom|whose|when|where|why|how)\b\s*"
    r"|\b(?:has|have|had|did|does|do|is|are|was|were|will|would|can|could)\b\s*",
    re.IGNORECASE,
)


def rewrite(question: str, previous: Turn | None, is_person=None) -> Rewrite:
    """A standalone form of `question`, given the previous turn (None: the first question).
    `is_person(name)` says whether a name is someone quoted in the articles: "and Wang Yi?"
    after a fact question then asks what Wang Yi said about it."""
    typed = " ".join(question.split())
    if previous is None:
        if _PERSONAL.search(typed) and not _NAME.search(typed):
            return Rewrite(typed, False, False, clarify=CLARIFY_WHO)
        return Rewrite(typed, False, False)
    if _MORE.match(typed):
        return Rewrite(previous.question, True, True, more_results=True)
    wants_more = bool(_ELSE.search(typed))

    ellipsis = _ELLIPSIS.match(typed)
    if ellipsis:
        subject = ellipsis.group("x")
        about = re.match(r"about\s+(?P<topic>.+)$", subject, re.IGNORECASE)
        spoke = previous.speaker or (
            parse_speaker_question(previous.question).speaker
            if parse_speaker_question(previous.question) else None
        )  # fmt: skip
        if about and spoke:  # "and about NATO?": the same speaker, another topic
            return Rewrite(f"What did {spoke} say about {about.group('topic')}?", True, False)
        if about:
            return Rewrite(f"{_topic_of(previous.question)} {about.group('topic')}?", True, False)
        if spoke:
            topic = f" about {previous.topic}" if previous.topic else ""
            standalone = f"What did {subject} say{topic}?"
        elif is_person is not None and is_person(subject):  # a person, asked about the topic
            standalone = f"What did {subject} say about {_topic_of(previous.question)}?"
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
    if not referent and _PERSONAL.search(typed) and not _NAME.search(typed):
        return Rewrite(typed, False, False, clarify=CLARIFY_WHO)
    return Rewrite(typed, False, False)


def _topic_of(question: str) -> str:
    """The question without its question words: "How many troops has Russia amassed near
    Ukraine?" -> "troops Russia amassed near Ukraine"."""
    return " ".join(_QUESTION_WORDS.sub(" ", question.rstrip(" ?")).split()) or question


def _main_name(question: str) -> str | None:
    """The first capitalised name after the question word: usually its subject
    ("How many troops has Russia amassed near Ukraine?" → Russia)."""
    names = _NAME.findall(question)
    return names[0] if names else None


@dataclass(frozen=True)
class Conversation:
    """One chat's turns so far, kept on the server (one per browser session). Each step returns
    a new Conversation, so a refused question leaves the one before it as it was."""

    turns: tuple[Turn, ...] = ()

    # Answers whose sources a chat keeps on the server (older turns still steer follow-ups).
    KEPT_ANSWERS = 10

    @property
    def answered(self) -> list[Turn]:
        """The turns whose answers the sources panel shows, newest first."""
        return [t for t in reversed(self.turns) if t.answer is not None][: self.KEPT_ANSWERS]

    @property
    def previous(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def understand(self, message: str, is_person=None) -> tuple[Rewrite, set, set]:
        """The standalone question, and what to skip: the quotes ("what else": all shown so
        far) and the passages ("tell me more": all shown for this question so far)."""
        asked = rewrite(message, self.previous, is_person)
        shown = set().union(*(t.shown_quotes for t in self.turns)) if asked.wants_more else set()
        passages = set()
        if asked.more_results:
            for turn in reversed(self.turns):  # the run of turns that asked this question
                if turn.question != asked.question:
                    break
                passages |= turn.shown_passages
        return asked, shown, passages

    def remember(self, asked: Rewrite, answer: Answer) -> Conversation:
        """The conversation with this answered turn added."""
        previous = self.previous
        speaker = answer.speaker.name if answer.speaker else None
        routed = parse_speaker_question(asked.question)
        topic = routed.topic if routed else None
        if speaker and previous and asked.wants_more and not topic:
            topic = previous.topic
        turn = Turn(
            asked.question,
            speaker=speaker or (previous.speaker if previous and asked.changed else None),
            topic=topic,
            shown_quotes={(q.doc_id, q.start) for q in answer.quotes},
            shown_passages={(h.doc_id, h.start) for h in answer.hits},
            answer=answer,
        )
        older = tuple(replace(t, answer=None) if n >= self.KEPT_ANSWERS - 1 else t
                      for n, t in enumerate(reversed(self.turns)))[::-1]  # fmt: skip
        return Conversation((*older, turn))
