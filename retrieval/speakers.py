"""Questions about speakers: "What did X say (about Y)?" parsed, and X resolved to a speaker.

Why a parser over words and not regular expressions: a question is user input, and patterns
with lazy groups in sequence (`what did (.+?) say(.*?)( about (.+?))?$`) backtrack
super-linearly: one 2 KB question cost a second of CPU. Here every step scans the question's
words left to right a bounded number of times, so the cost is linear in its length.

The forms (case-insensitive; X stops at the first word that fits, Y starts at the first topic
word after it, as a reader would split them):
    what did|does|do|has|have|had|will|would X [have|had|has] VERB [REST] [about Y]
    did|has|have|does X VERB [REST] [about Y]
    what was|has been|had been|is said by X [about Y]
    [what was|were|is|are|have been | show|give|tell|list|find [me]] X's [main|key|latest] NOUN
        [about Y]
    [show|give|list|find [me]] [all|the|any] NOUN from|by X [about Y]
    according to X, Y?
"about" stands for about|on|regarding|concerning|over|of. Without "about Y", the words after
the verb narrow the answer instead ("tell reporters"); "anything"/"that" narrow nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import spells
from .lexicon import _CONNECTORS, _FUNCTION_WORDS, _NOT_A_SPEAKER, _ROLE_WORDS
from .roles import _ACRONYMS, _NATIONALITIES, CAPITALS, COUNTRY_OF, role_tokens, role_variants


@dataclass(frozen=True)
class SpeakerQuestion:
    """A "what did X say (about Y)?" question: X as asked, Y when given, and in "what did X tell
    Z?" the one told (Z is no topic: the quotes need not be about Z)."""

    speaker: str
    topic: str | None
    addressee: str | None = None


_VERBS = [
    tuple(phrase.split())
    for phrase in """say said tell told think thought mean meant claim claimed argue argued
    announce announced write wrote add added warn warned state stated declare declared comment
    commented mention mentioned suggest suggested urge urged stress stressed highlight highlighted
    respond responded reply replied believe believed propose proposed""".split()
] + [("call", "for"), ("called", "for"), ("have", "to", "say"), ("had", "to", "say")]
_NOUNS = set(
    """comment comments remark remarks statement statements words quote quotes quotation
    quotations message messages view views position stance response reaction take opinion
    thoughts argument arguments claim claims warning warnings""".split()
)
_TOPIC_WORDS = {"about", "on", "regarding", "concerning", "over", "of"}
_WHAT_AUXILIARIES = {"did", "does", "do", "has", "have", "had", "will", "would"}
_YES_NO_AUXILIARIES = {"did", "has", "have", "does"}
_PERFECT = {"have", "had", "has"}
_COPULAS = [("was",), ("were",), ("is",), ("are",), ("have", "been")]
_SAID_BY_COPULAS = [("was",), ("has", "been"), ("had", "been"), ("is",)]
_REQUESTS = {"show", "give", "tell", "list", "find"}
_POSSESSIVE_ENDS = ("'s", "’s", "'", "’")
_NOT_SPEAKERS = {"you", "i", "we", "they", "it", "he", "she", "people", "anyone", "someone",
                 "everyone", "nobody", "this", "that", "there"}  # fmt: skip
_QUESTION_WORD = re.compile(r"(?i)(?:what|who|how|why|when|where|which)\b")  # anchored: linear
_EMPTY_NARROWING = {"that", "anything", "something", "to", "it"}
_WORD_HEAD = re.compile(r"\w*")  # a word's leading letters: "say" of "say,"
_VERBS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in _VERBS:
    _VERBS_BY_FIRST.setdefault(_phrase[0], []).append(_phrase)


def parse_speaker_question(question: str) -> SpeakerQuestion | None:
    """("Zhang Jun", "the Olympics") for "What did Zhang Jun say about the Olympics?"; else None.

    Why: such questions are answered from extracted quotes, not from passage retrieval alone.
    """
    text = " ".join(question.split())
    body = text.rstrip("? ")
    if not body or "?" in body:  # a question mark inside: not one of these forms
        return None
    words = body.split(" ")
    lower = [w.lower() for w in words]
    for form in (_said_by, _what_did, _possessive, _quotes_from, _did_say, _according_to):
        found = form(words, lower)
        if found is not None and _plausible(found.speaker):
            return found
    return None


def _plausible(speaker: str) -> bool:
    return (
        bool(speaker)
        and speaker.lower() not in _NOT_SPEAKERS
        and len(speaker.split()) <= 8
        and not _QUESTION_WORD.match(speaker)
    )


def _what_did(words: list[str], lower: list[str]) -> SpeakerQuestion | None:
    if len(words) < 4 or lower[0] != "what" or lower[1] not in _WHAT_AUXILIARIES:
        return None
    return _speaker_then_verb(words, lower, 2, allow_perfect=True)


def _did_say(words: list[str], lower: list[str]) -> SpeakerQuestion | None:
    if len(words) < 3 or lower[0] not in _YES_NO_AUXILIARIES:
        return None
    return _speaker_then_verb(words, lower, 1, allow_perfect=False)


def _speaker_then_verb(words, lower, first: int, allow_perfect: bool) -> SpeakerQuestion | None:
    """X = words[first:i] for the first i where a speech verb starts (after "has" if allowed)."""
    for i in range(first + 1, len(words)):
        if words[i][:1].isupper():
            continue  # "the State Department", "Edward Said": a capitalised verb is a name
        after = _verb_end(lower, i)
        if after is None and allow_perfect and lower[i] in _PERFECT:
            after = _verb_end(lower, i + 1)
        if after is None:
            continue
        verb_end, leftover = after
        rest, topic = _split_topic(words, lower, verb_end, allow_empty_head=True)
        rest_words = ([leftover] if leftover else []) + rest
        speaker = _clean(words[first:i])
        verb = _WORD_HEAD.match(lower[verb_end - 1]).group()
        if verb in _TELLING and rest_words and not leftover:
            # "What did Wang Yi tell Blinken?": Blinken was told; he is not what it was about.
            return SpeakerQuestion(speaker, _clean(topic or []) or None, _clean(rest_words))
        return SpeakerQuestion(speaker, _topic(topic, rest_words))
    return None


_TELLING = {"tell", "told"}


def _according_to(words: list[str], lower: list[str]) -> SpeakerQuestion | None:
    """ "According to Beijing's UN envoy, does Moscow intend to attack?": the envoy's quotes
    about the rest of the question."""
    if len(words) < 4 or lower[:2] != ["according", "to"]:
        return None
    for i in range(2, min(len(words), 12)):
        if words[i].endswith(","):
            speaker = _clean([*words[2:i], words[i].rstrip(",")])
            return SpeakerQuestion(speaker, _clean(words[i + 1 :]) or None)
    return None


def _verb_end(lower: list[str], i: int) -> tuple[int, str] | None:
    """(index after the speech verb starting at word i, what its last word has left over),
    or None. The verb ends at a word boundary: "say," fits, "sayings" does not."""
    if i >= len(lower):
        return None
    for phrase in _VERBS_BY_FIRST.get(_WORD_HEAD.match(lower[i]).group(), ()):
        last = i + len(phrase) - 1
        if last >= len(lower) or any(lower[i + j] != phrase[j] for j in range(len(phrase) - 1)):
            continue
        head = _WORD_HEAD.match(lower[last]).group()
        if head == phrase[-1]:
            return last + 1, lower[last][len(head) :]
    return None


def _split_topic(words, lower, start: int, allow_empty_head: bool):
    """(head words, topic words or None): the topic follows the first topic word that has a word
    after it; the head is what comes before (it may be empty only where allowed)."""
    first = start if allow_empty_head else start + 1
    for m in range(first, len(words) - 1):
        inside_name = (
            lower[m] == "of" and words[m - 1][:1].isupper() and words[m + 1][:1].isupper()
        )  # "the Secretary of State", "the Bank of England" (but "Zhang Jun on Ukraine")
        if lower[m] in _TOPIC_WORDS and not (inside_name and not allow_empty_head):
            return words[start:m], words[m + 1 :]  # (not "the Secretary of State")
    return words[start:], None


def _topic(topic_words: list[str] | None, rest_words: list[str]) -> str | None:
    topic = _clean(topic_words or [])
    if topic:
        return topic
    rest = [w for w in rest_words if w]
    if rest and rest[0].lower() in _EMPTY_NARROWING:
        rest = rest[1:]
    return _clean(rest) or None


def _said_by(words: list[str], lower: list[str]) -> SpeakerQuestion | None:
    if not words or lower[0] != "what":
        return None
    for copula in _SAID_BY_COPULAS:
        at = 1 + len(copula)
        if tuple(lower[1:at]) == copula and lower[at : at + 2] == ["said", "by"]:
            return _speaker_and_topic(words, lower, at + 2)
    return None


def _quotes_from(words: list[str], lower: list[str]) -> SpeakerQuestion | None:
    i = 0
    if lower and lower[0] in _REQUESTS - {"tell"}:
        i = 2 if len(lower) > 1 and lower[1] == "me" else 1
    if i < len(lower) and lower[i] in {"all", "the", "any"}:
        i += 1
    if i + 1 < len(lower) and lower[i] in _NOUNS and lower[i + 1] in {"from", "by"}:
        return _speaker_and_topic(words, lower, i + 2)
    return None


def _speaker_and_topic(words, lower, start: int) -> SpeakerQuestion | None:
    if start >= len(words):
        return None
    speaker, topic = _split_topic(words, lower, start, allow_empty_head=False)
    return SpeakerQuestion(_clean(speaker), _clean(topic or []) or None)


def _possessive(words: list[str], lower: list[str]) -> SpeakerQuestion | None:
    """X's [main|key|latest] NOUN [about Y], after an optional "what was" / "show me"."""
    starts = []
    if lower and lower[0] in ("what", "which"):
        for copula in _COPULAS:
            if tuple(lower[1 : 1 + len(copula)]) == copula:
                starts.append(1 + len(copula))
                break
    elif lower and lower[0] in _REQUESTS:
        starts.append(2 if len(lower) > 1 and lower[1] == "me" else 1)
    starts.append(0)
    for start in starts:
        for i in range(start, len(words) - 1):
            owner = _without_possessive(words[i])
            if owner is None or (i == start and not owner):
                continue
            j = i + 1 + (lower[i + 1] in {"main", "key", "latest"})
            if j >= len(words) or lower[j] not in _NOUNS:
                continue
            topic_at = j + 1
            if topic_at == len(words):
                topic = None
            elif lower[topic_at] in _TOPIC_WORDS and topic_at + 1 < len(words):
                topic = _clean(words[topic_at + 1 :]) or None
            else:
                continue
            return SpeakerQuestion(_clean([*words[start:i], owner]), topic)
    return None


def _without_possessive(word: str) -> str | None:
    for end in _POSSESSIVE_ENDS:
        if word.endswith(end):
            return word[: -len(end)]
    return None


def _clean(words: list[str]) -> str:
    return " ".join(words).strip(" ,.?")


# ---------------------------------------------------------------- who the question means


def _name_key(phrase: str) -> str:
    s = phrase.strip().strip("?.!,").replace("’", "'")
    s = re.sub(r"'s?$", "", s).lower()
    for pattern, replacement in _ACRONYMS:
        s = pattern.sub(replacement, s)
    s = re.sub(r"^the\s+", "", s.strip()).replace(".", " ")  # "Sen. Warren", "J. Hugh Liedtke"
    return " ".join(s.split())


# Titles a question may put before a name: "PM Sharif", "Dr Lopes", "Sen. Warren".
_QUESTION_TITLES = {"pm", "cm", "fm", "dr", "mr", "mrs", "ms", "miss", "sir", "dame", "lord",
                    "lady", "sen", "senator", "rep", "gov", "gen", "prof", "president", "judge",
                    "justice", "minister", "chancellor", "premier", "ceo", "mayor"}  # fmt: skip


_KEYS: list[tuple[dict, dict[str, str], dict[str, list[str]]]] = []  # last few tables


def _keys_of(speakers: dict[str, list[str]]) -> dict[str, str]:
    """Every speaker's comparable key, computed once per speaker table (an index's table is
    fixed once loaded; at 1M passages it holds ~100k names, and each question reads it)."""
    return _cached(speakers)[0]


def _by_key(speakers: dict[str, list[str]]) -> dict[str, list[str]]:
    """Key -> the speakers with that key: an exact match without a pass over every name."""
    return _cached(speakers)[1]


_SPELLINGS: list[tuple[dict, dict[str, list[str]]]] = []  # last few tables


def _spelling(speakers: dict[str, list[str]]) -> dict[str, list[str]]:
    """Acronym -> the speakers whose initials spell it, built once per table when a question
    first asks by acronym (a pass of `spells` over 43k names cost ~100 ms per question)."""
    for table, spelled in _SPELLINGS:
        if table is speakers:
            return spelled
    spelled: dict[str, list[str]] = {}
    for name in speakers:
        words = [w for w in re.split(r"[\s\-]+", name) if w]
        candidates = {"".join(w[0] for w in words if w[0].isupper()),
                      "".join(w[0].upper() for w in words if w != "&")}  # fmt: skip
        for acronym in candidates:
            if 2 <= len(acronym) <= 6 and spells(acronym, name):
                spelled.setdefault(acronym, []).append(name)
    _SPELLINGS.insert(0, (speakers, spelled))
    del _SPELLINGS[4:]
    return spelled


def _cached(speakers):
    """(keys, by_key, each key's words, each speaker's roles as word sets) of a table."""
    for table, *cached in _KEYS:
        if table is speakers and len(cached[0]) == len(speakers):
            return cached
    keys = {c: _name_key(c) for c in speakers}
    by_key: dict[str, list[str]] = {}
    for name, key in keys.items():
        by_key.setdefault(key, []).append(name)
    words = {c: frozenset(k.split()) for c, k in keys.items()}
    roles = {c: [role_tokens(r) for r in rs] for c, rs in speakers.items() if rs}
    _KEYS.insert(0, (speakers, keys, by_key, words, roles))
    del _KEYS[4:]
    return keys, by_key, words, roles


def resolve_speaker(phrase: str, speakers: dict[str, list[str]]) -> str | None:
    """The canonical speaker a question means, or None when nothing (or more than one) fits.

    Tries, in order: the full name or body as written, a name part ("zhang", "Blinken"), a
    country for its capital ("China" for "Beijing"), then a role ("the Chinese ambassador to the
    UN"). Two people sharing the asked surname make it ambiguous: None, not a guess.
    """
    key = _name_key(phrase)
    if not key:
        return None
    exact = _by_key(speakers).get(key, [])
    if exact:
        return exact[0] if len(exact) == 1 else None
    keys = _keys_of(speakers)
    acronym = phrase.strip(" ?.!,").removeprefix("the ").removeprefix("The ")
    if acronym.isupper() and 2 <= len(acronym) <= 6 and acronym.isalpha():
        spelled = _spelling(speakers).get(acronym, [])  # "the WHO": World Health Org.
        if len(spelled) == 1:
            return spelled[0]
    words = key.split()
    plain = list(words)  # "President Putin" -> "putin": leading titles dropped
    while plain and (
        plain[0] in _ROLE_WORDS
        or plain[0] in _QUESTION_TITLES
        or plain[0] in _NOT_A_SPEAKER - _FUNCTION_WORDS
    ):
        plain = plain[1:]
    for wanted in (set(words), set(plain) if plain and plain[0] not in _CONNECTORS else set()):
        if not wanted:
            continue
        parts = [c for c, k in _cached(speakers)[2].items() if wanted <= k]
        if parts:
            return parts[0] if len(parts) == 1 else None
    capital = CAPITALS.get(key)
    country = COUNTRY_OF.get(key)
    for other in (capital, country):
        matches = [c for c, k in keys.items() if other and k == other]
        if len(matches) == 1:
            return matches[0]
    variants = role_variants(phrase)  # () when the phrase names no role: no pass at all
    fits = [c for c, roles in _cached(speakers)[3].items()
            if any(v <= role for v in variants for role in roles)] if variants else []  # fmt: skip
    return fits[0] if len(fits) == 1 else None


_STATE_BODIES = {"ministry", "government", "embassy", "mission", "military", "army", "navy",
                 "cabinet", "foreign", "defence", "defense", "office", "presidency"}  # fmt: skip


def speaker_group(phrase: str, speakers: dict[str, list[str]]) -> list[str]:
    """A country asked about speaks through its capital and its state bodies: "What did China
    say?" means China, Beijing and the Chinese Foreign Ministry (not its people: they speak for
    themselves). Empty when the phrase is no country, or only one of them is quoted."""
    key = _name_key(phrase)
    country = COUNTRY_OF.get(key, key)
    adjectives = {a for a, c in _NATIONALITIES.items() if c == country}
    if not adjectives and country not in CAPITALS:
        return []
    capital = CAPITALS.get(country)
    group = []
    for name, name_key in _keys_of(speakers).items():
        words = name_key.split()
        if words in ([country], [capital]) or (
            len(words) > 1
            and (words[0] in adjectives or words[0] == country)
            and set(words[1:]) & _STATE_BODIES
        ):
            group.append(name)
    return group if len(group) > 1 else []


def speaker_candidates(phrase: str, speakers: dict[str, list[str]]) -> list[str]:
    """Everyone a name part fits when it fits several ("Zhang": Zhang Jun, Zhang Wei): listed
    apart for the reader to choose, never merged. Empty when the phrase fits one or none."""
    key = _name_key(phrase)
    words = [w for w in key.split() if w not in _QUESTION_TITLES and w not in _ROLE_WORDS]
    if not words or resolve_speaker(phrase, speakers) is not None:
        return []
    wanted = set(words)
    fits = [c for c, k in _cached(speakers)[2].items() if wanted <= k]
    return fits if len(fits) > 1 else []
