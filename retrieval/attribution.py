"""Who said a quote: the speaker of a sentence (cue verb, source phrase), resolved through the
article's table (retrieval/entities.py). Precision first: when two readings fit, nobody.
"""

from __future__ import annotations

import re

from .entities import (  # the package's own attribution modules
    _tokens,
)
from .lexicon import (  # the package's own attribution modules
    _BE_FORMS,
    _BODY_SUFFIXES,
    _CUT_CHARS,
    _GROUP_WORDS,
    _INDEFINITES,
    _INTRO,
    _LEADING_CONJUNCTION,
    _MEDIA_NAMES,
    _POSSESSIVE_DETERMINERS,
    _PREPOSITION_END,
    _ROLE_WORDS,
    _TRAILING_ADVERBS,
    _WHEN_WORDS,
    ACCORDING_TO,
    QMASK,
    ROLE_HEADS,
    SPEECH_VERB,
)
from .referents import (  # the package's own attribution modules
    _is_person,
    _phrase,
    _resolve_span,
    _State,
    _Who,
    _word_before,
    looks_like_verb,
)
from .roles import (  # the package's own attribution modules
    _NATIONALITIES,
    _strip_possessive,
)


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
    if not any(ch.isalnum() for ch in stripped):
        return verb, verb  # nothing, or the stop a quote ended with: `“Over?” asked Zhang`
    first = offset + len(chunk) - len(chunk.lstrip())
    return first, first + len(stripped)


# A wire dateline opening a paragraph: "STOCKHOLM:", "NEW DELHI -", "LONDON (Reuters) -".
_DATELINE = re.compile(
    r"[A-Z]{2,}(?:[ .][A-Z]{2,})*\.?\s*(?:\([^()\n]{1,30}\)\s*)?(?::|—|–|--?)\s+"
)


def _sentence_subject(text: str, masked: str, s: int, e: int, state: _State) -> _Who | None:
    """The subject at the start of a sentence, after an introductory phrase."""
    hi = min(e, s + 240)
    start = s + len(masked[s:hi]) - len(masked[s:hi].lstrip())
    dateline = _DATELINE.match(masked, start, hi)
    if dateline and (start == 0 or masked[start - 1] == "\n"):
        start = dateline.end()  # "STOCKHOLM: Sweden's ABBA announced": the place is no subject
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
    if subject is not None and person is None and phrase:
        # The head of a subject is its last noun, as in _verb_subject: "Genentech Inc. Chairman
        # Art Levinson, in a statement issued on behalf of the board, said" is him, not the body
        # (only a noun phrase that ends with the name: "It was Schmidt who" is no subject).
        toks = _phrase(text, start, end, from_end=True)
        head = _resolve_span(toks, state)
        words = _tokens(text, start, end)
        lead = _tokens(text, start, toks[0][0]) if toks else []
        if (
            toks
            and _is_person(head, state)
            and words[-1][1] == toks[-1][1]
            and not any(looks_like_verb(t[2]) or t[2].lower() in _OBJECT_PREPOSITIONS for t in lead)
        ):
            return head
    return subject


def _joined_with_another(text: str, lo: int, hi: int, state: _State) -> bool:
    """Whether "and <another person>" follows the subject: a joint subject, nobody alone."""
    toks = _tokens(text, lo, min(hi, lo + 80))
    if not toks or toks[0][2] not in ("and", "&"):
        return False
    return state.people.first_mention(toks[0][1], min(hi, lo + 80)) is not None


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


# A participle's phrase between a subject and its verb: ", speaking on condition of anonymity,".
_PARTICIPLE_SEGMENT = re.compile(r"\s*[a-z]+ing\b")
# An appositive description of what a body is: ", a group of 900 employees that ...,".
_DESCRIPTION = re.compile(r"\s*(?:a|an|the)\s+[a-z]")


def _unnamed_segment(text: str, lo: int, hi: int) -> bool:
    """`a senior faculty member`: someone new and unnamed, described in lower case."""
    words = [t[2] for t in _tokens(text, lo, hi)]
    return (
        len(words) >= 2
        and words[0].lower() in _INDEFINITES
        and all(w.islower() for w in words[1:])
        and any(w in ROLE_HEADS for w in words[1:])
    )


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
        if named is None and _PARTICIPLE_SEGMENT.match(text, lo + 1, k):
            end = lo + 1  # `“…,” a senior official, speaking on condition of anonymity, told`
            continue
        if after_quote and named is None and _unnamed_segment(text, lo + 1, k):
            return _Who(None, None, "alias")  # `“…,” a senior faculty member, …, told`
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
    named = people.mentions_between(lo if after is None else max(lo, after), hi)
    if len({n for _, n in named}) != 1:
        return None
    at, name = named[0] if before_verb else named[-1]
    lead = _tokens(text, lo, at)
    tail = _tokens(text, at, hi)
    parts = set(name.split())
    size = next((k for k, t in enumerate(tail) if _strip_possessive(t[2])[0] not in parts), None)
    size = len(tail) if size is None else max(size, 1)
    gap = tail[size:] if before_verb else lead
    if len(gap) > _CLAUSE_REACH or any(looks_like_verb(t[2]) for t in gap):
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


def _name_before_role(text: str, masked: str, s: int, lo: int, state: _State) -> _Who | None:
    """`Full Name, analyst with Acme said`: the clause before the verb is a role in lower case,
    set off by a comma from a person of the article's table named just before it."""
    clause = _tokens(text, lo, min(len(text), lo + 60))[:4]
    if (
        not clause
        or not (clause[0][2][0].islower() or (clause[0][2].isupper() and len(clause[0][2]) <= 6))
        or not any(t[2] in _ROLE_WORDS for t in clause)
        or masked[max(s, lo - 2) : lo] != ", "
    ):  # ("paper analyst for Prudential Bache", "tax partner at EY India", "PTC president")
        return None
    toks = _phrase(text, max(s, lo - 80), lo - 2, from_end=True)
    if toks and clause[0][2].lower() in ("the", "a", "an"):
        # "aboard the destroyer USS Higgins, the Pentagon chief said": a name inside an
        # opening phrase is no appositive; only one that opens the sentence or follows the
        # quote is ("Jo Li, the firm's analyst said")
        lead = masked[s : toks[0][0]].replace(QMASK, " ").strip(" ,.\n\t")
        if lead:
            return None
    who = _resolve_span(toks, state)
    return who if _is_person(who, state) else None


_SUBORDINATE = re.compile(r"\b(?:if|that|whether|because|although|though)\b")


_COORDINATED = re.compile(r"\s(?:and|but)\s*$")


_WHO_VERB = re.compile(r",\s*who\s+(?:\w+\s+){0,2}?" + SPEECH_VERB.pattern)


_WHO_SAID = re.compile(_WHO_VERB.pattern + r"[^\x00]{0,40}$")


def _colon_speaker(text: str, masked: str, s: int, colon: int, state: _State) -> _Who | None:
    """`Jane Doe laid out her plan: “…”`: the subject of a sentence introducing a quote. With no
    verb before the colon it is a label or a topic ("But Hillary Clinton: “…”", "About his
    health: “…”"), and the quote stays unattributed."""
    before = _tokens(masked, s, colon)
    if not any(looks_like_verb(t[2]) for t in before):
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


# A name joined to the subject phrase before it: "Tom Smith and Jane Jones said".
_JOINT_SUBJECT = re.compile(r"[A-Z][\w.’'-]*(\s+(?:and|&)\s+)$")


def _named_as_object(lead: list[tuple[int, int, str]]) -> bool:
    """The words before a name make it a preposition's object inside the subject, whose head
    is a common noun: "The authors of the research published in the journal <JAMA Psychiatry>
    argued" (the authors, unnamed). Only a lower-case article or noun may stand between the
    preposition and the name ("The head of the Bank of England's unit Jo Li said" is Jo Li)."""
    if len(lead) < 3 or lead[0][2] not in ("The", "the"):
        return False
    words = [t[2] for t in lead]
    at = max((i for i, w in enumerate(words) if w in _OBJECT_PREPOSITIONS or w == "of"), default=0)
    between = words[at + 1 :]
    return (
        at >= 2
        and between[:1] == ["the"]
        and all(w.islower() and w.isalpha() and w not in _ROLE_WORDS for w in between)
        and not any(w in ("was", "were", "is", "are", "what", "who", "which") for w in words)
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
    if hi > lo and masked[lo:hi].lower() in ("one", "another"):
        # "“…,” one said" (one of the diplomats just mentioned): someone unnamed, whom a later
        # "he" may mean, so not the person named before
        return _Who(None, None, "alias")
    if hi > lo:
        named = _name_before_role(text, masked, s, lo, state)
        if named is not None:  # “…,” Sherman Chao, analyst with Salomon Inc said
            return named
        toks = _phrase(text, lo, hi, from_end=True)
        if toks and _PREPOSITION_END.search(text, lo, toks[0][0]):
            toks = _phrase(text, lo, hi, from_end=False)  # "Officials in Kyiv said"
        joint = _JOINT_SUBJECT.search(masked, lo, toks[0][0]) if toks else None
        if joint and toks[0][2].lower() not in _BODY_SUFFIXES:
            # "Smith and Jones said": both, nobody alone, and a later "he" neither for sure (not
            # "met on Wednesday and Citicorp said", nor "Pershing and Co analyst Jo Li said")
            other = _resolve_span(_phrase(text, lo, joint.start(1), from_end=True), state)
            if other is not None and other.speaker is not None:
                return _Who(None, None, "alias")
        # (No name right before the verb: "the Berlin wine merchant said" names nobody, so the
        # words at the clause's start are not taken instead.)
        lead = _tokens(text, lo, toks[0][0]) if toks else []
        if (
            lead
            and lead[0][2].lower() in _INDEFINITES
            and any(looks_like_verb(t[2]) or t[2] in _OBJECT_PREPOSITIONS for t in lead[1:])
        ):  # "A commission set up to unravel the affairs of Air Lanka says": the commission
            return _Who(None, None, "alias")  # (but "a smiling Clinton said" is Clinton)
        if _named_as_object(lead):
            return _Who(None, None, "explicit")
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
            first = next((i for i, t in enumerate(after[1:4], 1) if t[2][0].isupper()), None)
            if first is not None and all(
                t[2].isalpha() and t[2].islower() and t[2] not in _OBJECT_PREPOSITIONS
                for t in after[1:first]
            ):
                # “…,” said a skeptical Robert Wolfarth: a word or two, then a person's name
                # that ends the clause ("a senior Reagan aide" is the aide, unnamed)
                toks = _phrase(text, after[first][0], end, from_end=False)
                who = _resolve_span(toks, state)
                if toks and toks[-1][1] == after[-1][1] and _is_person(who, state):
                    return who
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


# A speech verb that opens the quote right after it: `declared, “`, `replied: “`, `said "`,
# or a word or two on: `then said it “categorically refutes”`.
_INTRODUCES = re.compile(r"\s*[,:]?\s*(?:[\w’'\-]+[,:]?\s+){0,2}$")


def introducing_speaker(
    text: str, masked: str, s: int, e: int, lo: int, opening: int, state: _State
) -> _Who | None:
    """The subject of a speech verb that directly introduces the quote opening at `opening`,
    read in masked[lo:opening]; None when no such verb. In "…,” Jerry Wexler said two decades
    after Ms. Franklin first declared, “R-E-S-P-E-C-T”" the second quote is Franklin's, and
    in "Wallace asked whether …, to which Trump replied, “No.”" the answer is Trump's."""
    if any(p.search(masked, s, opening) for p in _QUOTATIONS_OF_ANOTHER):
        return None  # "Quoting Casey Stengel, Schneider added, “…”": still Stengel's words
    verb = next(reversed(list(SPEECH_VERB.finditer(masked, lo, opening))), None)
    if verb is None or not _INTRODUCES.fullmatch(masked, verb.end(), opening):
        return None
    if _is_passive(masked, s, verb) or verb.group(0).startswith(("ask", "quest")):
        return None  # "when asked, “…”": the one asked, not the asker, speaks; nobody named
    if verb.group(0).endswith("ing"):
        return None  # "…,” he said, adding: “…”": the sentence's own speaker goes on
    return _verb_subject(text, masked, s, e, verb, state)


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
                    if _RELEASED_BY.search(masked, m.end(), tok[0]) and _MEDIA_NAMES & set(
                        who.speaker.lower().split()
                    ):  # "according to a joint communique released by Xinhua News Agency":
                        return _Who(None, None, "explicit")  # the agency only carried it
                    return who
    return None


_RELEASED_BY = re.compile(r"\b(?:released|issued|published|carried|distributed)\s+by\b")


def _is_passive(masked: str, s: int, verb: re.Match) -> bool:
    """`was told`, `were urged`, `when asked`: a speech verb whose subject is spoken to."""
    word = verb.group()
    if not (word.endswith("ed") or word == "told"):
        return False
    before = masked[max(s, verb.start() - 12) : verb.start()].split()
    prev = before[-1].lower() if before else ""
    return prev in _BE_FORMS or (word == "asked" and prev in _WHEN_WORDS)


def _spoken_to(masked: str, s: int, verb: re.Match) -> bool:
    """`was warned that “…”`, `were told: “…”`: a speech verb in the passive with a form of
    "be", right before a quote (not "when asked", whose one asked then speaks, nor "would be
    confirmed, the senator said")."""
    before = masked[max(s, verb.start() - 12) : verb.start()].split()
    return (
        _is_passive(masked, s, verb)
        and bool(before)
        and before[-1].lower() in _BE_FORMS
        and _PASSIVE_INTRODUCES.match(masked, verb.end()) is not None
    )


_PASSIVE_INTRODUCES = re.compile(r"\s*(?:that\s+)?[,:]?\s*\x00")


# "X quoted Y as saying": Y speaks, not X. Bounded (no backtracking beyond 100 characters).
_QUOTED_AS = re.compile(
    r"\bquot(?:ed|es|ing)\s+([^\x00,;:]{1,100}?)\s+as\s+"
    r"(?:saying|telling|stating|writing|stressing|warning|adding|noting|arguing|insisting)\b"
)


# "X quoted Mahatma Gandhi: “…”": the words are Gandhi's, not X's.
_QUOTED_COLON = re.compile(r"\bquot(?:ed|es|ing)\s+([^\x00,;:]{1,60}?)\s*:")
# "Quoting Casey Stengel, Schneider added, “…”": the words are Stengel's, not Schneider's.
_QUOTING_FIRST = re.compile(r"\b[Qq]uoting\s+([^\x00,;:]{1,80}?)\s*,")


# ("He was quoted by PAP as saying": he speaks; the agency only reports it.)
_QUOTED_PASSIVE = re.compile(
    r"\b(?:was|were|is|are|been)\s+quoted(?:\s+by\s+[^\x00,;:]{1,60}?)?\s+as\s+(?:saying|telling)\b"
)


_INVERTED_SPEECH = re.compile(
    r"(?:(?<=\x00\s)|(?<=\x00[,.]\s))"
    r"(?:agreed|continued|concluded|echoed|offered|recounted|conceded|went on)\b"
)
# An opening clause: "Asked if ...,", "When Winfrey asked ...,", "After Russia said ...,".
_LEADING_CLAUSE = re.compile(
    r"\s*(?:(?:When|After|As|While|Before|Once|Although|Though|Since|If)\s+"
    r"(?:[^\x00,;:]{0,160}?\b(asked)\b)?[^\x00,;:]{1,160}|([Aa]sked)\b[^\x00,;:]{1,160}),"
)
_PRONOUN_NEXT = re.compile(r"\s*(?:he|she|they|it|we|I)\b")
_QUOTATIONS_OF_ANOTHER = (_QUOTED_AS, _QUOTED_COLON, _QUOTING_FIRST, _QUOTED_PASSIVE)


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
    quoted = (
        _QUOTED_AS.search(masked, s, e)
        or _QUOTED_COLON.search(masked, s, e)
        or _QUOTING_FIRST.search(masked, s, e)
    )
    if quoted:  # "The Detroit Free Press quoted GM vice-president Alfred Warren as saying"
        toks = _phrase(text, quoted.start(1), quoted.end(1), from_end=True)
        lead = _tokens(text, quoted.start(1), toks[0][0]) if toks else []
        if lead and lead[0][2].lower() in _INDEFINITES:
            return _Who(None, None, "alias"), True  # "quoted a source close to Reagan as saying"
        who = _resolve_span(toks, state)
        return who or _Who(None, None, "explicit"), True
    reporting = False
    found: _Who | None = None
    # ("he was told", "when asked": the subject is not the one speaking)
    every = list(SPEECH_VERB.finditer(masked, s, e))
    verbs = [v for v in every if not _is_passive(masked, s, v)]
    if not verbs and any(_spoken_to(masked, s, v) for v in every):
        # "In one briefing note she was warned that “…”": the words are the warner's, unnamed,
        # not hers, nor the speaker's of the sentence before
        return _Who(None, None, "explicit"), True
    lead = _LEADING_CLAUSE.match(masked, s, e)
    if lead and not (lead.group(1) or lead.group(2)) and _PRONOUN_NEXT.match(masked, lead.end(), e):
        lead = None  # "When Ghani announced the swap, he said ...": he is the one who announced
    if lead and any(v.start() >= lead.end() for v in verbs):
        # "Asked if the president would say he erred, spokesman Marlin Fitzwater told
        # reporters", "When Winfrey asked if he could share it, he declined, saying": the
        # opening clause's verbs are not the sentence's
        verbs = [v for v in verbs if v.start() >= lead.end()]
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
    if found is None:
        # "“…,” agreed Elliot Platt of DLJ": verbs that report speech only right after a quote
        for verb in _INVERTED_SPEECH.finditer(masked, s, e):
            reporting = True
            found = _verb_subject(text, masked, s, e, verb, state)
            break
    if found is None or (
        found.speaker is None and found.attribution != "pronoun" and found.role is None
    ):
        # ("“…,” she said, according to PTI": the agency reports; she, unknown, speaks; so does
        # an office holder not resolved, "the president-elect said ..., according to NBC News")
        source = _according_to(text, masked, s, e, state)
        if source:
            return source, True
        reporting = reporting or bool(ACCORDING_TO.search(masked, s, e))
    return found, reporting


def carried_by_guess(text: str, masked: str, s: int, e: int, state, who, fragment: str) -> bool:
    """A lower-case fragment in a sentence that reports nobody's words ("GCSEs were meant to
    ensure a focus on “…”"), carried over from the paragraph's speaker: only a guess, unless
    the sentence is about that speaker ("He believes …, “but …”"). The guesses were 6 right and
    6 wrong on the dev sets, so such a fragment is nobody's."""
    return (
        who.attribution == "continuation"
        and fragment[:1].islower()
        and _subject_of(text, masked, s, e, state) != who.speaker
    )


def _subject_of(text: str, masked: str, s: int, e: int, state) -> str | None:
    """Who the sentence from s to e is about (its subject, a pronoun resolved), if anyone."""
    subject = _sentence_subject(text, masked, s, e, state)
    return subject.speaker if subject is not None else None


_SUBJECT_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t)\b")


def _pronoun_at(masked: str, s: int, quote_open: int) -> int:
    """Where "he said" stands when it comes before the quote, else the quote's opening: the
    end of the text in which another subject would compete with the speaker."""
    pronoun = _SUBJECT_PRONOUN.search(masked, s, quote_open)
    return pronoun.start() if pronoun else quote_open
