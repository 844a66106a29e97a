"""Speaker questions: parsed in time linear in their length, whatever a hostile client sends."""

import itertools
import time

from retrieval.config import MAX_QUESTION_CHARS
from retrieval.followup import Turn, rewrite
from retrieval.speakers import SpeakerQuestion, parse_speaker_question

NORMAL = [
    "What did Zhang Jun say about the Olympics?",
    "Zhang Jun's comments on Ukraine",
    "quotes from Zhao Lijian",
    "What was said by Blinken about Russia?",
    "Did Wang Yi say anything about NATO?",
]
# Pieces of the forms the parser knows, repeated: what makes backtracking patterns explode.
_PREFIXES = ["what did ", "did ", "what was said by ", "quotes from ", "show me ", "and "]
_UNITS = ["say on ", "a ", "has ", "x's ", "about ", "comments of ", "call ", "said by "]
_TAILS = ["?x", "?", " say", " comments about"]


def adversarial_questions(count: int = 50, length: int = MAX_QUESTION_CHARS) -> list[str]:
    shapes = itertools.islice(itertools.cycle(itertools.product(_PREFIXES, _UNITS, _TAILS)), count)
    out = []
    for prefix, unit, tail in shapes:
        body = unit * ((length - len(prefix) - len(tail)) // len(unit))
        out.append(prefix + body + tail)
    return out


def _seconds(parse, questions, repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        for q in questions:
            parse(q)
    return time.perf_counter() - started


def _per_char(parse) -> float:
    """Seconds per character of parsing normal questions (best of 5, so noise cannot inflate
    the budget below)."""
    chars = sum(map(len, NORMAL)) * 200
    return min(_seconds(parse, NORMAL, repeat=200) for _ in range(5)) / chars


def test_repro_from_the_attack_is_refused_cheaply():
    q = "what did " + "say on " * 283 + "?x"
    assert len(q) <= MAX_QUESTION_CHARS
    assert parse_speaker_question(q) is None


def test_parse_cost_is_linear_in_question_length():
    """50 adversarial 2,000-character questions cost no more than 30x the per-character price of
    normal questions, measured in the same run (the old regexes: ~1 s each, ~10,000x)."""
    questions = adversarial_questions()
    assert len(questions) == 50 and all(1900 <= len(q) <= MAX_QUESTION_CHARS for q in questions)
    budget = 30 * _per_char(parse_speaker_question) * sum(map(len, questions))
    spent = _seconds(parse_speaker_question, questions)
    assert spent <= max(budget, 0.05), f"{spent:.3f} s for 50 questions (budget {budget:.3f} s)"


def test_follow_up_rewrite_cost_is_linear_too():
    previous = Turn("What did Zhang Jun say?", speaker="Zhang Jun")

    def parse(q):
        return rewrite(q, previous)

    questions = adversarial_questions() + [
        "and " + "what about " * 190,
        "what else did " + "he " * 600,
        "tell me " + "more " * 390,
    ]
    budget = 30 * _per_char(parse) * sum(map(len, questions))
    spent = _seconds(parse, questions)
    assert spent <= max(budget, 0.05), f"{spent:.3f} s (budget {budget:.3f} s)"


def test_long_but_honest_questions_still_parse():
    speaker = SpeakerQuestion("Zhang Jun", "the " + "very " * 300 + "long topic")
    assert parse_speaker_question("What did Zhang Jun say about " + speaker.topic + "?") == speaker
    assert parse_speaker_question("What did Zhang Jun say ??") == SpeakerQuestion("Zhang Jun", None)
    assert parse_speaker_question("What did Zhang Jun say? And Wang Yi?") is None


def test_names_with_capitalised_verbs_and_of_stay_whole():
    assert parse_speaker_question("What did the State Department say?").speaker == (
        "the State Department"
    )
    assert parse_speaker_question("What did Edward Said say?").speaker == "Edward Said"
    assert parse_speaker_question("What was said by the Secretary of State?") == SpeakerQuestion(
        "the Secretary of State", None
    )
    assert parse_speaker_question("What has been said by Zhang Jun about Ukraine?") == (
        SpeakerQuestion("Zhang Jun", "Ukraine")
    )
