"""Whom a phrase of an article refers to: a name, a surname, a role, a body, a pronoun.

`_resolve` reads a noun phrase ("Senate Majority Leader Chuck Schumer", "the ministry", "he")
against the article's table of people and bodies (entities.py) and the reading state (who spoke
last, which bodies were quoted), and answers with a `_Who`: a speaker, or nobody for sure.
attribution.py decides which phrase of a sentence is the speaker.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .entities import (  # the package's own attribution modules
    _at_sentence_start,
    _is_initial,
    _np_word,
    _People,
    _tokens,
    _trim_phrase,
    spells,
)
from .lexicon import (  # the package's own attribution modules
    _BE_FORMS,
    _BODY_HEADS,
    _BODY_SUFFIXES,
    _CALENDAR_WORDS,
    _CAP_RUN,
    _CONNECTORS,
    _DETERMINERS,
    _FEMALE_TITLES,
    _FUNCTION_WORDS,
    _GROUP_WORDS,
    _INDEFINITES,
    _IRREGULAR_PASTS,
    _MEDIA_HEADS,
    _MEDIA_NAMES,
    _NATIONALITY_WORDS,
    _NOT_A_SPEAKER,
    _NOT_MODIFIERS,
    _NUMBER_WORDS,
    _PLACE_AND_BODY_WORDS,
    _POSSESSIVE_DETERMINERS,
    _TITLE_WORDS,
    POST_NOMINALS,
    PRONOUNS,
    QMASK,
    SOFT_HYPHEN,
    SPEECH_VERB,
    SUBORDINATORS,
    TITLE_ABBREVIATIONS,
)
from .roles import (  # the package's own attribution modules
    _has_role_head,
    _is_group,
    _resolve_role,
    _role_text,
    _strip_possessive,
    serves_another,
)


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
    masked: str = ""  # the article with quotations blanked (names inside them are not rivals)
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
        window = self.people.mentions_between(max(0, pos - _PRONOUN_WINDOW), pos)
        fits = {n for _, n in window if genders.get(n) == gender}
        return fits.pop() if len(fits) == 1 else None

    def rival_before(self, speaker: str, lo: int, pos: int) -> bool:
        """Whether someone else a reader could take for the speaker is, after the speaker's own
        last mention and within the pronoun window before pos, the subject of a clause ("a
        strategy Trump dismissed. “…,” he told" is not the Clinton of the sentence before).
        Someone named inside a quotation, as an object ("a loss to Dechy") or a possessive
        ("Sharif’s leadership"), a body, or a person of the other known gender is no rival."""
        people, masked = self.people, self.masked or self.text
        gender = people.genders.get(speaker)
        lo = max(lo, pos - _PRONOUN_WINDOW)
        offsets = people.mentions.get(speaker) or [  # "President Reagan": no table entry
            m.start() for m in re.compile(rf"\b{re.escape(speaker)}\b").finditer(masked, lo, pos)
        ]
        for at in reversed(offsets):
            if at < pos and masked[at] != QMASK:
                lo = max(lo, at + 1)
                break
        for at, name in people.mentions_between(lo, pos):
            if name == speaker or masked[at] == QMASK or name in people.bodies:
                continue
            if gender is not None and people.genders.get(name, gender) != gender:
                continue
            inverted = _INVERTED_BEFORE.search(masked, max(0, at - 60), at)
            if inverted and (not inverted.group(1) or _NAME_ENDS_CLAUSE.match(masked, at)):
                return True  # "“…,” said Thomas Ricks, a senior fellow": the subject, inverted
            if name not in people.genders and not people.roles.get(name):
                continue  # "the Nou Camp", "Imam Hussain": nothing says it is a person
            if _acts(masked, at, pos):
                return True
        for unnamed in _UNNAMED_PERSON.finditer(masked, lo, pos):
            # "A teenage girl, speaking on condition of anonymity, said ...": someone unnamed
            noun_gender = _NOUN_GENDERS.get(unnamed.group(1).lower())
            if gender and noun_gender and noun_gender != gender:
                continue
            if _verb_follows(masked, unnamed.end(), pos):
                return True
        return False

    def last_mentioned(self, pos: int) -> str | None:
        best = max(((self.people.last_mention_before(n, pos), n) for n in self.people.roles),
                   default=(-1, None))  # fmt: skip
        return best[1] if best[0] >= 0 else None


# Papers that "say" things: without an author named with them, their words are nobody's.
_DOCUMENTS = {
    "report", "fir", "affidavit", "indictment", "chargesheet", "complaint", "lawsuit",
    "petition", "memo", "memorandum", "filing", "dossier", "survey", "study", "communique",
}  # fmt: skip


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
    while len(words) > 2 and words[-1] in POST_NOMINALS:
        words = words[:-1]  # "Peter Ainsworth MP said"
    if words[-1].lower() in _DOCUMENTS and not (
        len(words) > 1 and _strip_possessive(words[-2])[1]
    ):  # "the FIR alleged", "the affidavit said": a paper whose author is not named
        return _Who(None, None, "explicit")  # (but "Moody's report said" may be Moody's)
    last = words[-1]
    low = last.lower()
    if indefinite and not last[0].isupper():
        return _Who(None, _role_text(words), "alias")  # "one analyst", "a spokesman": unnamed
    link = next((i for i, w in enumerate(words) if w in ("for", "of", "at", "with", "to")), None)
    if indefinite and link and _has_role_head(words[:link]):
        return _Who(None, _role_text(words), "alias")  # "a spokeswoman for Royal Mail": unnamed
    serving = next((i for i, w in enumerate(words) if w in ("for", "to") and i), None)
    if serving and _is_group(words[serving - 1]):
        return _Who(None, None, "explicit")  # "Lawyers for Jo Li": they serve her, unnamed
        # (but "Analysts at Capital Economics said" is the firm's research note)
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
    if len(words) > 1 and _strip_possessive(words[-2])[1] and low in people.aliases:
        return _resolve([last], pos, state)  # "the Bank of Tokyo's Honda": Honda, of that bank
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
    if (
        last in people.titled
        and len(words) > 1
        and _has_role_head(words[:-1])
        and all(w[0].isupper() for w in words[:-1])
    ):
        return _Who(last, _role_text(words[:-1]), "explicit")  # "President Reagan said"
    if _has_role_head(words):
        phrase = " ".join(words)
        return _Who(_resolve_role(phrase, pos, people), phrase, "alias")
    plural_role = _is_group(last) and low not in _GROUP_WORDS  # "MPs", "Older Germans"
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
            found = None
            for body in reversed(state.bodies):
                if low in body.lower().split():  # "the union": Union of Valencian Nurses
                    if recent is not None and recent != body:
                        return _Who(None, None, "alias")  # two bodies fit: neither for sure
                    found = body
                    break
            found = found or recent  # "Acme Air said ... “…,” the airline said."
            named = {b for b in people.bodies if low in b.lower().split()}
            if found is None and len(named) == 1:  # "The trust ..." after "Westbrook Learning
                found = named.pop()  # Trust" was named
            if found is not None:
                if _another_of_kind(state.text, low, found, pos):
                    return _Who(None, None, "alias")  # "the trial court" and "the high court"
                return _Who(found, None, "alias")
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
    if not all(w[0].isupper() or w.lower() in _CONNECTORS or w in ("and", "&") for w in words):
        # (an "and" is only here inside a body's name, where _phrase kept it)
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
    if len(words) == 1 and (body := _short_name_of(name, pos, state)) is not None:
        return _Who(body, None, "alias")
    if len(words) == 1 and name.lower() in _NOT_A_SPEAKER:
        vague = name.lower() in {"some", "many", "others", "it", "this", "that"}
        return _Who(None, None, "explicit") if vague else None
    if len(words) == 1 and _common_noun(name, pos, state):
        return None  # "Turnout was “…,” according to ...": capitalised only as a first word
    if len(words) == 1 and (name in people.acronyms or (name.isupper() and 2 <= len(name) <= 6)):
        # ("CoA", "MoD": an acronym in mixed case counts where the article defines it)
        body = people.acronyms.get(name) or _acronym_of(name, state)  # "AMC", "ISPR"
        if body is not None:
            return _Who(body, None, "alias")
    return _Who(name, None, "explicit")


def _short_name_of(word: str, pos: int, state: _State) -> str | None:
    """The one body named before pos whose name starts with this word ("United said" after
    "United Airlines", "Massy said" after "Massy Stores"): a body's short name is the body, so
    its quotes are not split between two speakers. A place is no short name ("China said" is
    China, not the China Daily named before)."""
    low = word.lower()
    if _is_place(word) and not (
        low in _NATIONALITY_WORDS
        and "the " not in (state.text[max(0, pos - 4) : pos] + state.text[pos : pos + 4]).lower()
    ):
        return None  # ("American said" after American Airlines is the airline; "the
        # Chinese said" is no Chinese Academy of Sciences)
    fits = {
        body
        for body in [*state.bodies, *state.people.bodies]
        if body.split()[0] == word and " " in body and 0 <= state.text.find(body) < pos
    }
    return fits.pop() if len(fits) == 1 else None


@functools.cache
def _place_names() -> frozenset[str]:
    """Countries' names, demonyms and capitals, lower-cased ("china", "chinese", "beijing")."""
    from .places import country_of_capital, country_of_name

    return frozenset({*country_of_name(), *country_of_name().values(), *country_of_capital()})


def _is_place(word: str) -> bool:
    return word.lower() in _place_names()


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


def _another_of_kind(text: str, head: str, body: str, pos: int) -> bool:
    """Whether the text before pos names another body of this kind than `body`: a word before
    the head that `body` lacks, itself after "the" or a name ("the trial court" beside "the
    Delhi high court"; not "an academy trust" or "one trust in one town")."""
    own = {w.lower() for w in body.split()}
    for at, before, word in _kinds_named(text, head):
        if at >= pos:
            break
        opens = before.lower() in _DETERMINERS or before.lower() in _POSSESSIVE_DETERMINERS
        if word in own or word in _DETERMINERS or word in _POSSESSIVE_DETERMINERS:
            continue
        if word.isalpha() and (opens or before[0].isupper()):
            return True
    return False


@functools.lru_cache(maxsize=32)
def _kinds_named(text: str, head: str) -> list[tuple[int, str, str]]:
    """Every "<word> <word> <head>" of a text, read once per article and head (a text with many
    "the court said" stays linear)."""
    pattern = re.compile(rf"\b([\w’'-]+)\s+([\w’'-]+)[ -]+{head}\b", re.IGNORECASE)
    return [(m.start(), m.group(1), m.group(2).lower()) for m in pattern.finditer(text)]


# A bare head noun names no body by itself ("the company said"); "the Kremlin said" does.
_GENERIC_BODIES = _BODY_HEADS - {"kremlin", "military", "army", "police"}


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


def _joining_ands(toks: list[tuple[int, int, str]]) -> set[int]:
    """Offsets of an "and" inside a body's name: "Department of Health and Human Services",
    "Joint Committee on Intelligence and Security" (a body's head word and "of", "on" or "for"
    a few words before it, capitals on both sides; "Smith and Jones" are two)."""
    found: set[int] = set()
    for i, tok in enumerate(toks[1:-1], 1):
        if tok[2] not in ("and", "&"):
            continue
        if not (toks[i - 1][2][0].isupper() and toks[i + 1][2][0].isupper()):
            continue
        before = [t[2].lower() for t in toks[max(0, i - 6) : i]]
        pairs = zip(before, before[1:], strict=False)  # each word with the one after it
        if any(w in _BODY_HEADS and n in ("of", "on", "for") for w, n in pairs):
            found.add(tok[0])
    return found


def _phrase(text: str, lo: int, hi: int, from_end: bool) -> list[tuple[int, int, str]]:
    """The noun phrase at the end (or start) of text[lo:hi]: names, roles, bodies, pronouns."""
    toks = _tokens(text, lo, hi)
    modifiers = _body_modifiers(toks) | _joining_ands(toks)
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


_FINITE_AUXILIARIES = _BE_FORMS | {
    "has", "had", "have", "will", "would", "could", "can", "may", "might", "should", "must",
    "did", "does", "do", "isn’t", "isn't", "wasn’t", "wasn't",
}  # fmt: skip


def looks_like_verb(word: str) -> bool:
    """A finite verb, roughly: a speech verb, an auxiliary, or a past-tense form ("Marcos
    associates", "the Tower report" are nouns; "Maryland-based" is a modifier)."""
    low = word.lower()
    if "-" in low:
        return False
    return (
        SPEECH_VERB.fullmatch(low) is not None
        or low in _FINITE_AUXILIARIES
        or low in _IRREGULAR_PASTS
        or (low.endswith("ed") and len(low) > 4)
    )


# `Ruki Fernando, who advocates ..., said` / `Dr. Robert Stern, a Boston dermatologist, said`
_APPOSITION = re.compile(r"\s*,[^,;:]{1,80},")


_PERSON_NOUNS = {
    "woman": "f", "girl": "f", "mother": "f", "daughter": "f", "wife": "f", "sister": "f",
    "man": "m", "boy": "m", "father": "m", "son": "m", "husband": "m", "brother": "m",
    "official": "", "resident": "", "trader": "", "analyst": "", "source": "", "diplomat": "",
    "witness": "", "worker": "", "employee": "", "student": "", "victim": "", "teenager": "",
    "villager": "", "banker": "", "dealer": "", "economist": "", "executive": "",
    "member": "", "lawyer": "", "doctor": "", "farmer": "", "investor": "", "spokesperson": "",
}  # fmt: skip
_NOUN_GENDERS = {noun: g for noun, g in _PERSON_NOUNS.items() if g}
# An unnamed person as a clause's subject: "A teenage girl", "one senior banking official",
# "The woman" (the noun within three words of its determiner).
_UNNAMED_PERSON = re.compile(
    r"\b(?:[Aa]n?|[Oo]ne|[Aa]nother|[Tt]he)\s+(?:[a-z][\w\-]*\s+){0,3}?("
    + "|".join(sorted(_PERSON_NOUNS, key=len, reverse=True))
    + r")\b"
)


def _verb_follows(masked: str, end: int, hi: int) -> bool:
    """A finite verb right after a subject phrase ending at `end`, after an apposition."""
    apposition = _APPOSITION.match(masked, end, hi)
    if apposition:
        end = apposition.end()
    word = _NEXT_WORD.match(masked, end, hi)
    if not word:
        return False
    return looks_like_verb(word.group(1))


def _acts(masked: str, at: int, hi: int) -> bool:
    """Whether the name at `at` is a clause's subject: a finite verb follows it ("Trump
    dismissed", "Max Lawson welcomed"), after an apposition if any."""
    run = _CAP_RUN.match(masked, at, hi)
    end = run.end() if run else at
    if masked.startswith(("'s", "’s", "' ", "’ "), end) or masked[at:end].endswith(("'s", "’s")):
        return False  # a possessive: "Sharif’s leadership"
    before = _WORDS_BEFORE.search(masked, max(0, at - 60), at)
    if before and before.group(1).lower() in _OBJECT_MARKERS:
        return False  # "sponsored by Congressman Richard Gephardt", "Holland said Sprint had"
    return _verb_follows(masked, end, hi)


_INVERTED_BEFORE = re.compile(  # "“…,” said Thomas Ricks": a speech verb right after a quote,
    # or after reported words ("The method may colour perceptions, said Sanjiv Bhasin")
    r"(?:\x00[,.?!]?\s+" + SPEECH_VERB.pattern + r"|(,)\s+(?:said|says|added|noted|argued))"
    r"\s+(?:(?:former|then|[A-Z][\w.’'\-]*)\s+)*$"
)
# The name after reported words ends the clause: ", said Sanjiv Bhasin, executive ..." (not
# ", said Jobs' departure has ..." nor ", said Cook is a good choice").
_NAME_ENDS_CLAUSE = re.compile(r"(?:[A-Z][\w.\-]*\s+){0,3}[A-Z][\w.\-]*\s*[,.]")
# The word before a name and its titles ("of former President Ferdinand Marcos"): after one of
# these, the name is an object, or the subject of words someone else reports.
_WORDS_BEFORE = re.compile(r"\b([a-z]+)\s+(?:(?:former|then|[A-Z][\w.’'\-]*)\s+)*$")
_OBJECT_MARKERS = _CONNECTORS | {
    "by", "with", "from", "against", "about", "in", "into", "than", "like", "said", "says",
    "that", "told", "tells",
}  # fmt: skip
_NEXT_WORD = re.compile(r"\s+([a-z][a-z’'\-]*)\b")


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


def _is_person(who: _Who | None, state: _State) -> bool:
    return who is not None and who.speaker in state.people.roles
