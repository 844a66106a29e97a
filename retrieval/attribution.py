"""Who said a quote: the speaker of a sentence (cue verb, source phrase), resolved through the
article's table (retrieval/entities.py). Precision first: when two readings fit, nobody.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .entities import (  # the package's own attribution modules
    _NATIONALITIES,
    _at_sentence_start,
    _has_role_head,
    _is_initial,
    _np_word,
    _People,
    _resolve_role,
    _role_text,
    _strip_possessive,
    _tokens,
    _trim_phrase,
    serves_another,
    spells,
)
from .lexicon import (  # the package's own attribution modules
    _BE_FORMS,
    _BODY_HEADS,
    _BODY_SUFFIXES,
    _CALENDAR_WORDS,
    _CONNECTORS,
    _CUT_CHARS,
    _DETERMINERS,
    _FEMALE_TITLES,
    _FUNCTION_WORDS,
    _GROUP_WORDS,
    _INDEFINITES,
    _INTRO,
    _IRREGULAR_PASTS,
    _LEADING_CONJUNCTION,
    _MEDIA_HEADS,
    _MEDIA_NAMES,
    _NATIONALITY_WORDS,
    _NOT_A_SPEAKER,
    _NOT_MODIFIERS,
    _NUMBER_WORDS,
    _PLACE_AND_BODY_WORDS,
    _POSSESSIVE_DETERMINERS,
    _PREPOSITION_END,
    _ROLE_WORDS,
    _TITLE_WORDS,
    _TRAILING_ADVERBS,
    _WHEN_WORDS,
    ACCORDING_TO,
    PRONOUNS,
    QMASK,
    ROLE_HEADS,
    SOFT_HYPHEN,
    SPEECH_VERB,
    SUBORDINATORS,
    TITLE_ABBREVIATIONS,
)

# ---------------------------------------------------------------- attribution


@dataclass(frozen=True)
class _Who:
    speaker: str | None
    role: str | None
    attribution: str


_UNSET = "\x00unset"  # no speaker seen yet (distinct from None, an unresolved one)


@dataclass
class _State:
    """Article context: the alias table and the most recent speakers (for pronouns).

    A pronoun means the most recent speaker, or a person who since became a sentence's subject.
    """

    people: _People
    last_person: str | None = _UNSET  # None once set means "someone we could not name"
    last_any: str | None = _UNSET
    bodies: list[str] = field(default_factory=list)  # bodies quoted so far, latest last
    text: str = ""  # the article (to tell a sentence's first word from a name)
    pos: int = 0  # start of the sentence being read
    body_at: dict[str, int] = field(default_factory=dict)  # body -> where it last spoke
    asker: str | None = None  # who last asked a question: the next "she said" is the answer

    def note(self, who: _Who) -> None:
        if who.speaker != self.asker:
            self.asker = None
        if who.speaker is None and who.attribution == "explicit":
            return  # "Western officials said": nobody a later "he" could mean
        if who.speaker in self.people.titled:
            self.last_person = self.last_any = who.speaker  # "President Reagan said": a person
            return
        if who.speaker not in self.people.roles and _maybe_person(who.speaker):
            self.last_person = None  # one word we cannot place: "he" may mean them, or not
        if who.speaker is not None and who.speaker not in self.people.roles:
            if who.speaker in self.bodies:
                self.bodies.remove(who.speaker)
            self.bodies.append(who.speaker)
            self.body_at[who.speaker] = self.pos
            del self.bodies[:-8]  # bounded: only recent bodies are meant
        self.last_any = who.speaker
        if who.speaker is None or who.speaker in self.people.roles:
            self.last_person = who.speaker

    def note_subject(self, who: _Who | None) -> None:
        if who and who.speaker in self.people.roles and who.attribution != "pronoun":
            self.last_person = who.speaker
        elif who and who.speaker is None and who.attribution == "alias":
            self.last_person = None  # "Zhang says ..." with two Zhangs: "he" is neither for sure
        elif who and who.speaker in self.people.titled and who.attribution != "pronoun":
            self.last_person = who.speaker  # "Reagan thinks ...": the Reagan titled elsewhere
        elif who and who.speaker is not None and who.attribution == "explicit":
            if _maybe_person(who.speaker):
                self.last_person = None  # "Harry said ...": a later "he" is not the one before
            self.last_any = who.speaker  # "The British Chambers of Commerce welcomed ...": it
            if who.speaker in self.bodies:  # and "the firm said" may mean it
                self.bodies.remove(who.speaker)
            self.bodies.append(who.speaker)
            self.body_at[who.speaker] = self.pos
            del self.bodies[:-8]

    def pronoun(self, word: str, pos: int) -> _Who:
        speaker = self.last_person if word in ("he", "she") else self.last_any
        if speaker is _UNSET:  # nobody has spoken yet: the person mentioned last
            speaker = self.last_mentioned(pos) if word in ("he", "she") else None
        if word in ("it", "they") and speaker in self.people.roles:
            speaker = None  # "it said" / "they said" is a body or a group, never one person
        if speaker is not None and speaker == self.asker:
            speaker = None  # "Winfrey asked about the visit. “…,” she said": not Winfrey
        if word in ("he", "she") and speaker is not None:
            gender = "m" if word == "he" else "f"
            speaker = self._compatible(speaker, gender, pos)
        return _Who(speaker, self.people.first_role(speaker), "pronoun")

    def _compatible(self, speaker: str, gender: str, pos: int) -> str | None:
        """The speaker a he/she means, checked against what the article says of genders: when
        the last speaker cannot be meant, the one person of that gender mentioned just before
        is; when none or two fit, nobody (unattributed beats a guess)."""
        genders = self.people.genders
        if genders.get(speaker, gender) == gender:
            return speaker
        window = self.people.ordered or []
        i = bisect.bisect_left(window, (max(0, pos - _PRONOUN_WINDOW), ""))
        fits = {n for o, n in window[i:] if o < pos and genders.get(n) == gender}
        return fits.pop() if len(fits) == 1 else None

    def last_mentioned(self, pos: int) -> str | None:
        best = max(((self.people.last_mention_before(n, pos), n) for n in self.people.roles),
                   default=(-1, None))  # fmt: skip
        return best[1] if best[0] >= 0 else None


def _resolve(words: list[str], pos: int, state: _State) -> _Who | None:
    """Who a subject phrase refers to, or None when it is not a speaker at all."""
    people = state.people
    words = [w.replace(SOFT_HYPHEN, "") for w in words]
    indefinite = (bool(words) and words[0].lower() in _INDEFINITES) or _word_before(
        state.text, pos
    ) in _INDEFINITES  # "a spokesman", "One government official"
    while words and words[0].lower() in _DETERMINERS:
        if words[0] == "A" and len(words) > 1 and not _at_sentence_start(state.text, pos):
            break  # "says A New University": a capital "A" inside a sentence opens a name
        words = words[1:]
    if not words:
        return None
    last = words[-1]
    low = last.lower()
    if indefinite and not last[0].isupper():
        return _Who(None, _role_text(words), "alias")  # "one analyst", "a spokesman": unnamed
    link = next((i for i, w in enumerate(words) if w in ("for", "of", "at", "with")), None)
    if indefinite and link and _has_role_head(words[:link]):
        return _Who(None, _role_text(words), "alias")  # "a spokeswoman for Royal Mail": unnamed
    if words[0].lower() in _NUMBER_WORDS and len(words) > 1:
        return _Who(None, None, "explicit")  # "Two Senate Republicans": a group, nobody alone
    if len(words) == 1 and low in PRONOUNS:
        return state.pronoun(low, pos)
    of = next((i for i, w in enumerate(words) if w in ("of", "at", "from", "on") and i), None)
    if of is not None:  # "Richard Pzena of Sanford C. Bernstein": the person, of that firm
        person = _resolve(words[:of], pos, state)
        if (
            person is not None
            and person.speaker in people.roles
            and words[of - 1].lower() not in _BODY_SUFFIXES
        ):
            return _Who(
                person.speaker, person.role or " ".join(words[of + 1 :]), person.attribution
            )
    for n in (5, 4, 3, 2):
        name = " ".join(words[-n:])
        if len(words) >= n and name in people.roles:
            if serves_another(words[:-n]):
                return _Who(None, _role_text(words[:-n]), "alias")
            return _Who(name, _role_text(words[:-n]) or people.first_role(name), "explicit")
    if _strip_possessive(last)[1]:
        return None  # "Wang’s" alone owns something; it does not speak
    if low in people.aliases and not any(w in _CONNECTORS for w in words[:-1]):
        # (not "Alpine Club of Pakistan": a word after "of" names no person)
        names = people.aliases[low]
        role = _role_text(words[:-1])
        title = words[-2].lower().rstrip(".") if len(words) > 1 else ""
        gender = "m" if title in ("mr", "sir", "lord") else "f" if title in _FEMALE_TITLES else ""
        if len(names) == 1:
            name = next(iter(names))
            if gender and people.genders.get(name, gender) != gender:
                return _Who(None, role, "alias")  # "Mr Ellis", but the Ellis we know is she
            return _Who(name, role or people.first_role(name), "alias")
        fits = [n for n in names if gender and people.genders.get(n) == gender]
        if len(fits) == 1:  # "Mr Ellis" when Abigail and Keith Ellis are both in the story
            return _Who(fits[0], role or people.first_role(fits[0]), "alias")
        return _Who(None, role, "alias")  # a surname two people share: not guessed
    if _has_role_head(words):
        phrase = " ".join(words)
        return _Who(_resolve_role(phrase, pos, people), phrase, "alias")
    plural_role = (
        low.endswith("s")
        and len(low) >= 3
        and (
            low[:-1] in ROLE_HEADS or low[:-1] in _NATIONALITY_WORDS  # "MPs", "Older Germans"
        )
    )
    if low in _MEDIA_HEADS and not last[0].isupper():  # "the newspaper warned"
        media = {
            b for b in [*state.bodies, *people.bodies] if _MEDIA_NAMES & set(b.lower().split())
        }
        return _Who(media.pop() if len(media) == 1 else None, None, "alias")
    if low in _GROUP_WORDS or (plural_role and not any(w in _CONNECTORS for w in words)):
        return _Who(None, None, "explicit")  # "MPs have warned", "Labour MPs said": a group
        # (but "the Union of Valencian Nurses" is one body)
    if low in _BODY_HEADS and not last[0].isupper():
        if len(words) == 1:  # "the agency said": the body of that kind quoted last
            recent = _recent_body(state, pos)
            if recent is not None and not _kind_fits(low, recent):
                recent = None
            for body in reversed(state.bodies):
                if low in body.lower().split():  # "the union": Union of Valencian Nurses
                    if recent is not None and recent != body:
                        return _Who(None, None, "alias")  # two bodies fit: neither for sure
                    return _Who(body, None, "alias")
            if recent is not None:  # "Acme Air said ... “…,” the airline said."
                return _Who(recent, None, "alias")
            named = {b for b in people.bodies if low in b.lower().split()}
            if len(named) == 1:  # "The trust ..." after "Westbrook Learning Trust" was named
                return _Who(named.pop(), None, "alias")
            if low in _GENERIC_BODIES:
                return _Who(None, None, "alias")  # "the company said", none named: unknown
        return _Who(_body_name(words), None, "explicit")
    while len(words) > 1 and (
        words[0].lower() in _FUNCTION_WORDS
        or words[0].lower() in _CALENDAR_WORDS
        or words[0].lower() in SUBORDINATORS
    ):
        if words[0] == "New" and words[1][:1].isupper():
            break  # "New Zealand", "New York Times": part of the name
        words = words[1:]  # "But Russia", "In Beijing", "Today Reagan"
    if not all(w[0].isupper() or w.lower() in _CONNECTORS for w in words):
        return None
    title = []
    while (
        len(words) > 1
        and (
            words[0].lower().rstrip(".") in _TITLE_WORDS
            or (  # "CA Yunus": letters of an office before a name the article knows
                words[0].isupper()
                and 2 <= len(words[0]) <= 4
                and " ".join(words[1:]).lower() in people.aliases
            )
        )
        and words[-1].lower() not in _BODY_HEADS  # "State Department" is a body, no title
    ):
        title.append(words.pop(0))  # "PM Shehbaz": a title, then the name
    if title and len(words) == 1 and words[0].lower() in people.aliases:
        names = people.aliases[words[0].lower()]
        who = next(iter(names)) if len(names) == 1 else None
        return _Who(who, " ".join(title), "alias")
    if title:
        return _Who(" ".join(words), " ".join(title), "explicit")
    name = " ".join(words)
    if len(words) == 1 and name.lower() in _NOT_A_SPEAKER:
        vague = name.lower() in {"some", "many", "others", "it", "this", "that"}
        return _Who(None, None, "explicit") if vague else None
    if len(words) == 1 and _common_noun(name, pos, state):
        return None  # "Turnout was “…,” according to ...": capitalised only as a first word
    if len(words) == 1 and name.isupper() and 2 <= len(name) <= 6:
        body = people.acronyms.get(name) or _acronym_of(name, state)  # "AMC", "ISPR"
        if body is not None:
            return _Who(body, None, "alias")
    return _Who(name, None, "explicit")


def _acronym_of(acronym: str, state: _State) -> str | None:
    """The one body quoted so far, or named, whose capitalised words' initials spell the
    acronym ("NBC" after "National Broadcasting Co")."""
    fits = {body for body in [*state.bodies, *state.people.bodies] if spells(acronym, body)}
    return fits.pop() if len(fits) == 1 else None


def _common_noun(word: str, pos: int, state: _State) -> bool:
    """A word capitalised only where a sentence starts is a common noun, not a name."""
    return (
        word.lower() not in state.people.midcaps
        and word.lower() not in _PLACE_AND_BODY_WORDS
        and not word.isupper()
        and _at_sentence_start(state.text, pos)
    )


_COMPANY_HEADS = {"company", "firm", "group", "carrier", "airline", "bank", "insurer", "network"}


def _kind_fits(head: str, body: str) -> bool:
    """May "the <head>" mean this body? A company word means a body named without a public
    body's head word ("Meridian Capital", "Acme Air"); any other head must be in its name."""
    words = {w.lower() for w in body.split()}
    if head in words:
        return True
    return head in _COMPANY_HEADS and not words & (_BODY_HEADS - _COMPANY_HEADS)


def _recent_body(state: _State, pos: int) -> str | None:
    """The body that spoke just before pos (not a place standing for a country)."""
    if not state.bodies:
        return None
    body = state.bodies[-1]
    near = 0 <= pos - state.body_at.get(body, -10_000) <= _NEAR_BODY
    return body if near and body.lower() not in _PLACE_AND_BODY_WORDS else None


_PRONOUN_WINDOW = 400  # characters back in which a he/she looks for a person of its gender
# A bare head noun names no body by itself ("the company said"); "the Kremlin said" does.
_GENERIC_BODIES = _BODY_HEADS - {"kremlin", "government", "military", "army", "police"}
_NEAR_BODY = 600  # characters: a bare "the company" means a body named this close before


def _body_name(words: list[str]) -> str:
    """A body named by common nouns, title-cased: "the health ministry" -> "Health Ministry"."""
    return " ".join(
        w if w[0].isupper() or w.lower() in _CONNECTORS else w[0].upper() + w[1:] for w in words
    )


def _body_modifiers(toks: list[tuple[int, int, str]]) -> set[int]:
    """Offsets of lower-case words naming a body with its head: the *housing* department."""
    found: set[int] = set()
    for i, tok in enumerate(toks):
        if tok[2] not in _BODY_HEADS:
            continue
        j, mods = i - 1, []
        while j >= 0 and i - j <= 2:
            word = toks[j][2]
            if not (word.isalpha() and word.islower()) or word in _NOT_MODIFIERS:
                break
            mods.append(toks[j][0])
            j -= 1
        if mods and j >= 0:
            before = toks[j][2]
            low = before.lower()
            if low in _DETERMINERS or low in _POSSESSIVE_DETERMINERS or before[0].isupper():
                found.update(mods)  # "the city council", "Acme’s legal department"
    return found


def _phrase(text: str, lo: int, hi: int, from_end: bool) -> list[tuple[int, int, str]]:
    """The noun phrase at the end (or start) of text[lo:hi]: names, roles, bodies, pronouns."""
    toks = _tokens(text, lo, hi)
    modifiers = _body_modifiers(toks)
    if from_end:
        toks.reverse()
    kept: list[tuple[int, int, str]] = []
    for tok in toks:
        if kept:
            gap = text[tok[1] : kept[-1][0]] if from_end else text[kept[-1][1] : tok[0]]
            first = tok if from_end else kept[-1]  # the word before the gap, in text order
            titled = gap.strip() == "." and (
                first[2].lower() in TITLE_ABBREVIATIONS or _is_initial(first[2] + ".")
            )  # "Sen. Orrin G. Hatch"
            if (gap.strip() and not titled) or "\n" in gap:
                break
        is_pronoun = tok[2].lower() in PRONOUNS and not kept
        is_np = _np_word(tok[2]) or is_pronoun or tok[0] in modifiers
        if not is_np or len(kept) >= 12:
            break
        kept.append(tok)
        if is_pronoun:
            break
    if from_end:
        kept.reverse()
    return _trim_phrase(kept)


def _clause_before(masked: str, s: int, verb: int) -> tuple[int, int]:
    """The verb's own clause before it, without adverbs and a leading conjunction."""
    lo = max(s, verb - 160)
    cut = lo
    for i in range(verb - 1, lo - 1, -1):
        if masked[i] in _CUT_CHARS:
            cut = i + 1
            break
    chunk = " " + masked[cut:verb]
    chunk = _TRAILING_ADVERBS.sub("", chunk)
    conj = _LEADING_CONJUNCTION.match(chunk)
    offset = cut - 1
    if conj:
        offset += conj.end()
        chunk = chunk[conj.end() :]
    stripped = chunk.strip()
    if not stripped:
        return verb, verb
    first = offset + len(chunk) - len(chunk.lstrip())
    return first, first + len(stripped)


def _maybe_person(name: str | None) -> bool:
    """A single capitalised word that no table knows, not a place or a body: a person named by
    one word (Harry) or a body; either way a later "he" cannot be pinned on whoever spoke before.
    (Taking it for the person measured worse: companies are "he" nowhere, and were given the
    quotes of the people who spoke for them.)"""
    return (
        name is not None
        and " " not in name
        and not name.isupper()
        and name.lower() not in _PLACE_AND_BODY_WORDS
        and name.lower().rstrip(".") not in _BODY_SUFFIXES
    )


def _word_before(text: str, pos: int) -> str:
    """The lower-case word just before pos (within 16 characters), or ""."""
    words = text[max(0, pos - 16) : pos].split()
    return words[-1].lower() if words else ""


def _resolve_span(toks: list[tuple[int, int, str]], state: _State) -> _Who | None:
    if not toks:
        return None
    return _resolve([t[2] for t in toks], toks[0][0], state)


def _sentence_subject(text: str, masked: str, s: int, e: int, state: _State) -> _Who | None:
    """The subject at the start of a sentence, after an introductory phrase."""
    hi = min(e, s + 240)
    start = s + len(masked[s:hi]) - len(masked[s:hi].lstrip())
    intro = _INTRO.match(masked, start, hi)
    if intro:
        start = intro.end()
    end = start
    while end < hi and masked[end] not in _CUT_CHARS:
        end += 1
    first = masked[start:end].split()[:6]
    speaks = SPEECH_VERB.search(masked, start, min(end, start + 80)) is not None
    if (
        first
        and first[0].lower() in _INDEFINITES
        and (
            speaks or any(w.lower() in _ROLE_WORDS or w.lower() in _GROUP_WORDS for w in first[1:])
        )
    ):
        # "A fund manager at a trust bank made a gloomier prediction.": someone new and unnamed,
        # whom a following "he said" means (so not the person named before).
        return _Who(None, None, "alias")
    phrase = _phrase(text, start, end, from_end=False)
    subject = _resolve_span(phrase, state)
    person = subject.speaker if subject is not None and _is_person(subject, state) else None
    if person is not None and phrase and _joined_with_another(text, phrase[-1][1], end, state):
        return _Who(None, None, "explicit")  # "Speaker Tim Moore and Phil Berger said": both
    by_alias = subject is not None and subject.attribution == "alias"
    if end < hi and masked[end] == "," and (person is None or by_alias):
        close = end + 1  # `Peru’s envoy, Jane Doe, said`: the name in the appositive
        while close < hi and masked[close] not in _CUT_CHARS:
            close += 1
        if close < hi and masked[close] == ",":
            named = _noun_phrase_segment(text, end + 1, close, state)
            same = named is not None and person in (None, named.speaker)
            if named is not None and _is_person(named, state) and same:
                role = subject.role if subject is not None and subject.role else named.role
                return _Who(named.speaker, role, named.attribution)
    return subject


def _joined_with_another(text: str, lo: int, hi: int, state: _State) -> bool:
    """Whether "and <another person>" follows the subject: a joint subject, nobody alone."""
    toks = _tokens(text, lo, min(hi, lo + 80))
    if not toks or toks[0][2] not in ("and", "&"):
        return False
    return state.people.first_mention(toks[0][1], min(hi, lo + 80)) is not None


def _is_person(who: _Who | None, state: _State) -> bool:
    return who is not None and who.speaker in state.people.roles


def _noun_phrase_segment(text: str, lo: int, hi: int, state: _State) -> _Who | None:
    """Who a whole segment names when it is nothing but a noun phrase: `, his lawyer Jane Doe,`."""
    toks = _tokens(text, lo, hi)
    if toks and toks[0][2].lower() in _POSSESSIVE_DETERMINERS:
        toks = toks[1:]
    if not toks:
        return None
    phrase = _phrase(text, toks[0][0], hi, from_end=False)
    if not phrase or phrase[0][0] != toks[0][0] or phrase[-1][1] != toks[-1][1]:
        return None
    return _resolve_span(phrase, state)


# An appositive description of what a body is: ", a group of 900 employees that ...,".
_DESCRIPTION = re.compile(r"\s*(?:a|an|the)\s+[a-z]")


def _appositive_subject(text: str, masked: str, s: int, pos: int, state: _State) -> _Who | None:
    """`“…,” her lawyer, Jane Doe, said`: a person named between commas right before the verb."""
    end = pos
    for _ in range(3):  # at most three comma-separated noun phrases, each short
        k = end - 1
        while k >= max(s, end - 8) and masked[k] in " \t":
            k -= 1
        if k < s or masked[k] != ",":
            return None
        floor = max(s, k - 120)
        lo = k - 1
        while lo >= floor and masked[lo] not in _CUT_CHARS:
            lo -= 1
        if lo < floor and floor > s:
            return None  # too long for an appositive
        named = _noun_phrase_segment(text, lo + 1, k, state)
        after_quote = lo >= s and (
            masked[lo] == QMASK or (masked[lo] in ",." and lo > s and masked[lo - 1] == QMASK)
        )
        if named is None:
            if end == pos and _DESCRIPTION.match(text, lo + 1, k):
                end = lo + 1  # `“…,” Acme Union, a group of 900 staff that ..., said`
                continue
            return None  # not a noun phrase: "Beijing has signaled its support, saying"
        if _is_person(named, state):
            return named
        if after_quote and named.speaker is not None and end < pos:
            return named  # a body set off by a description: `“…,” Acme Union, a group ...,`
        end = lo + 1
    return None


# Words before a name that make it the object, not the speaker: "an aide to Senator X said".
_OBJECT_PREPOSITIONS = {
    "to", "for", "with", "against", "by", "representing", "about", "like", "in", "at", "from",
    "on", "after", "before", "over", "than", "near", "during", "and", "or", "but",
}  # fmt: skip
_CLAUSE_REACH = 6  # words between the verb and a name for the name to be its subject


def _person_in_clause(
    text: str, lo: int, hi: int, state: _State, before_verb: bool, after: int | None = None
) -> _Who | None:
    """The one person of the article's table named next to the verb in a clause the phrase
    reader took for a body or nobody: "Kleinwort Benson Ltd financial analyst Simon Smithson",
    "England fast bowler Brydon Carse said". A name after "to"/"for" is whom the speaker
    serves ("a lawyer for psychiatrist Jane Doe told reporters"): the speaker is unnamed."""
    people = state.people
    if people.ordered is None:
        people.ordered = sorted((o, n) for n, offsets in people.mentions.items() for o in offsets)
    i = bisect.bisect_left(people.ordered, (lo if after is None else max(lo, after), ""))
    named = []
    while i < len(people.ordered) and people.ordered[i][0] < hi:
        named.append(people.ordered[i])
        i += 1
    if len({n for _, n in named}) != 1:
        return None
    at, name = named[0] if before_verb else named[-1]
    lead = _tokens(text, lo, at)
    tail = _tokens(text, at, hi)
    parts = set(name.split())
    size = next((k for k, t in enumerate(tail) if _strip_possessive(t[2])[0] not in parts), None)
    size = len(tail) if size is None else max(size, 1)
    gap = tail[size:] if before_verb else lead
    if len(gap) > _CLAUSE_REACH or any(_looks_like_verb(t[2]) for t in gap):
        return None  # "Gros met bankers and Citicorp said": Citicorp's verb, not his
    if _strip_possessive(tail[size - 1][2])[1] or any(t[2].lower() in _INDEFINITES for t in lead):
        return None  # "Trump’s tweets", "a Los Angeles-based attorney": not the name's words
    if before_verb and any(_strip_possessive(t[2])[0].lower() in ROLE_HEADS for t in gap):
        return _Who(None, None, "explicit")  # "a Wright aide said": the aide, unnamed
    if any(t[2].lower() in _OBJECT_PREPOSITIONS for t in lead):
        return _Who(None, None, "explicit")
    return _Who(name, people.first_role(name), "explicit")


def _name_after_quote(text: str, masked: str, s: int, verb: int, state: _State) -> _Who | None:
    """`“…,” Full Name, <descriptions>, said`: a person of the article's table named right after
    the quote's comma, with only commas and descriptions between them and the verb."""
    window = masked[s:verb]
    at = window.rfind(QMASK + ",")
    if at < 0:
        return None
    start = s + at + 2
    comma = masked.find(",", start, verb)
    if comma < 0:
        return None
    who = _resolve_span(_phrase(text, start, comma, from_end=False), state)
    if who is not None and who.speaker in state.people.roles and "said" not in masked[start:comma]:
        return who
    return None


_SUBORDINATE = re.compile(r"\b(?:if|that|whether|because|although|though)\b")
_COORDINATED = re.compile(r"\s(?:and|but)\s*$")
_WHO_VERB = re.compile(r",\s*who\s+(?:\w+\s+){0,2}?" + SPEECH_VERB.pattern)
_WHO_SAID = re.compile(_WHO_VERB.pattern + r"[^\x00]{0,40}$")


def _colon_speaker(text: str, masked: str, s: int, colon: int, state: _State) -> _Who | None:
    """`Jane Doe laid out her plan: “…”`: the subject of a sentence introducing a quote. With no
    verb before the colon it is a label or a topic ("But Hillary Clinton: “…”", "About his
    health: “…”"), and the quote stays unattributed."""
    before = _tokens(masked, s, colon)
    if not any(_looks_like_verb(t[2]) for t in before):
        return None
    relative = _WHO_SAID.search(masked, s, colon)
    if relative:  # "... and Prime Minister Keir Starmer, who said: “…”": the one before "who"
        who = _resolve_span(_phrase(text, s, relative.start(), from_end=True), state)
        return who if _is_person(who, state) else None
    who = _sentence_subject(text, masked, s, colon, state)
    if _is_person(who, state) or (who is not None and who.attribution == "pronoun"):
        return who
    if who is not None and who.speaker is None and who.attribution == "alias":
        return None  # a subject we read but cannot pin down ("Mr Ellis", two Ellises): nobody
    clause = _SUBORDINATE.search(masked, s + 1, colon)  # not "if he thought Gates would ..."
    hi = min(colon, s + 160, clause.start() if clause else colon)
    name = state.people.first_mention(s, hi, masked)  # "A resident, Jane Doe, 80, said:"
    if name is not None:
        return _Who(name, state.people.first_role(name), "explicit")
    return who if who is not None and who.speaker is not None else None


def _looks_like_verb(word: str) -> bool:
    """A finite verb, roughly: a speech verb, an auxiliary, or a past-tense form."""
    low = word.lower()
    return (
        bool(SPEECH_VERB.fullmatch(low))
        or low in _BE_FORMS
        or low in {"has", "have", "had", "did", "does", "do", "will", "would", "can", "could"}
        or (low.endswith("ed") and len(low) > 4)
        or low in _IRREGULAR_PASTS
    )


def _verb_subject(text, masked, s, e, verb: re.Match, state: _State) -> _Who | None:
    """Speaker of one speech verb: subject before it, after it (inverted), or the sentence's."""
    lo, hi = _clause_before(masked, s, verb.start())
    if hi > lo and _COORDINATED.search(masked, lo, hi):
        # "Max Lawson welcomed the statement and said ...": the sentence's subject speaks
        return _sentence_subject(text, masked, s, e, state) or _Who(None, None, "explicit")
    relative = _WHO_VERB.search(masked, max(s, verb.start() - 30), verb.end())
    if relative and relative.start() > s and relative.end() == verb.end():
        # "Prime Minister Keir Starmer, who said": him
        who = _resolve_span(_phrase(text, s, relative.start(), from_end=True), state)
        return who if _is_person(who, state) else _Who(None, None, "explicit")
    if hi > lo and _word_before(masked, verb.start()) in ("that", "which", "who", "whom"):
        return _Who(None, None, "explicit")  # "a nonprofit formed in May that says": not named
    if hi > lo:
        toks = _phrase(text, lo, hi, from_end=True)
        if toks and _PREPOSITION_END.search(text, lo, toks[0][0]):
            toks = _phrase(text, lo, hi, from_end=False)  # "Officials in Kyiv said"
        # (No name right before the verb: "the Berlin wine merchant said" names nobody, so the
        # words at the clause's start are not taken instead.)
        lead = _tokens(text, lo, toks[0][0]) if toks else []
        if (
            lead
            and lead[0][2].lower() in _INDEFINITES
            and any(_looks_like_verb(t[2]) or t[2] in _OBJECT_PREPOSITIONS for t in lead[1:])
        ):  # "A commission set up to unravel the affairs of Air Lanka says": the commission
            return _Who(None, None, "alias")  # (but "a smiling Clinton said" is Clinton)
        who = _resolve_span(toks, state)
        # The head of a subject is its last noun: a person named after the phrase read, or
        # in a clause read as a body, is who speaks ("Acme Corp vice-president Jo Li said").
        ends = toks[-1][1] if toks and _is_person(who, state) else None
        who = _person_in_clause(text, lo, hi, state, before_verb=True, after=ends) or who
        return who or _Who(None, None, "explicit")  # a subject we cannot name
    named = _appositive_subject(text, masked, s, verb.start(), state)
    if named is not None:
        return named
    named = _name_after_quote(text, masked, s, verb.start(), state)
    if named is not None:  # “…,” George Miller, vice-president of ..., an association ..., said
        return named
    before = masked[max(s, verb.start() - 4) : verb.start()].rstrip()
    if before.endswith((QMASK, QMASK + ",", QMASK + ".")):  # “…,” said Antony Blinken
        end = verb.end()
        while end < min(e, verb.end() + 120) and masked[end] not in _CUT_CHARS:
            end += 1
        after = _tokens(text, verb.end(), end)
        if after and (
            after[0][2] in ("a", "an") or after[0][2].lower() in _INDEFINITES - {"a", "an"}
        ):  # “…,” said a Wall Street arbitrageur / one analyst who ...
            return _Who(None, None, "alias")  # “…,” said one analyst who ...: unnamed
        toks = _phrase(text, verb.end(), end, from_end=False)
        if not toks:  # "said reviewer Jane Doe": start at the name, a word or two on
            first = next((i for i, t in enumerate(after[:3]) if t[2][0].isupper()), None)
            skipped = {t[2].lower() for t in after[: first or 0]}
            if first is not None and not skipped & {"who", "which", "that", "whose"}:
                toks = _phrase(text, after[first][0], end, from_end=False)
        who = _resolve_span(toks, state)
        ends = toks[-1][1] if toks and _is_person(who, state) else None
        return _person_in_clause(text, verb.end(), end, state, False, after=ends) or who
    # "..., saying" / "..., but suggested": the verb shares the sentence's subject
    return _sentence_subject(text, masked, s, e, state)


def _according_to(text: str, masked: str, s: int, e: int, state: _State) -> _Who | None:
    """`according to X`: the first named person or body in the phrase."""
    for m in ACCORDING_TO.finditer(masked, s, e):
        end = m.end()
        while end < min(e, m.end() + 120) and masked[end] not in _CUT_CHARS:
            end += 1
        for tok in _tokens(text, m.end(), end):
            if tok[2][0].isupper() and tok[2].lower() not in _NATIONALITIES:
                who = _resolve_span(_phrase(text, tok[0], end, from_end=False), state)
                if who and who.speaker:
                    return who
    return None


def _is_passive(masked: str, s: int, verb: re.Match) -> bool:
    """`was told`, `were urged`, `when asked`: a speech verb whose subject is spoken to."""
    word = verb.group()
    if not (word.endswith("ed") or word == "told"):
        return False
    before = masked[max(s, verb.start() - 12) : verb.start()].split()
    prev = before[-1].lower() if before else ""
    return prev in _BE_FORMS or (word == "asked" and prev in _WHEN_WORDS)


# "X quoted Y as saying": Y speaks, not X. Bounded (no backtracking beyond 100 characters).
_QUOTED_AS = re.compile(
    r"\bquot(?:ed|es|ing)\s+([^\x00,;:]{1,100}?)\s+as\s+"
    r"(?:saying|telling|stating|writing|stressing|warning|adding|noting|arguing|insisting)\b"
)


# "X quoted Mahatma Gandhi: “…”": the words are Gandhi's, not X's.
_QUOTED_COLON = re.compile(r"\bquot(?:ed|es|ing)\s+([^\x00,;:]{1,60}?)\s*:")
_QUOTED_PASSIVE = re.compile(r"\b(?:was|were|is|are|been)\s+quoted\s+as\s+(?:saying|telling)\b")


# An interviewer's question: "asked about", "asked Trump what he would do", "asked whether".
# ("asked the nation to pray", "asked not to be named" are requests: the asker still speaks.)
_QUESTION = re.compile(
    r"(?:asked|asks|pressed|quizzed)\s+(?:[A-Z][\w.’'-]*\s+){0,3}"
    r"(?:about|whether|if|what|how|why|who|when|where|which)\b"
)


def _sentence_who(text, masked, s, e, state: _State) -> tuple[_Who | None, bool]:
    """The sentence's speaker (if any) and whether it reports speech at all."""
    passive = _QUOTED_PASSIVE.search(masked, s, e)
    if passive:  # "“…,” Reagan was quoted as telling" / "The minister, Anna Berg, was quoted as"
        lo, hi = _clause_before(masked, s, passive.start())
        who = _resolve_span(_phrase(text, lo, hi, from_end=True), state) if hi > lo else None
        if who is None or who.speaker is None:
            who = _sentence_subject(text, masked, s, e, state)
        return who or _Who(None, None, "explicit"), True
    quoted = _QUOTED_AS.search(masked, s, e) or _QUOTED_COLON.search(masked, s, e)
    if quoted:  # "The Detroit Free Press quoted GM vice-president Alfred Warren as saying"
        toks = _phrase(text, quoted.start(1), quoted.end(1), from_end=True)
        who = _resolve_span(toks, state)
        return who or _Who(None, None, "explicit"), True
    reporting = False
    found: _Who | None = None
    # ("he was told", "when asked": the subject is not the one speaking)
    verbs = [v for v in SPEECH_VERB.finditer(masked, s, e) if not _is_passive(masked, s, v)]
    for verb in verbs:
        reporting = True
        who = _verb_subject(text, masked, s, e, verb, state)
        if who is not None:
            found = who
            if (
                who.speaker is not None
                and _QUESTION.match(masked, verb.start(), e)
                and not masked[s : verb.start()].rstrip().endswith(",")
            ):  # "Winfrey asked about the visit": she asks ("Lukman, asked about ..., said")
                state.asker = who.speaker
            break
    if found is None or found.speaker is None:
        source = _according_to(text, masked, s, e, state)
        if source:
            return source, True
        reporting = reporting or bool(ACCORDING_TO.search(masked, s, e))
    return found, reporting
