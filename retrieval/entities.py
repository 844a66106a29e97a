"""Who is in an article: the per-article table of people and bodies, their aliases, roles and
genders, read from the article alone (never across articles).

Full names (2-4 capitalised words, initials and suffixes allowed) with the roles written before
or beside them ("Federal Reserve Chair Jerome Powell", "Jo Ng, the Danish envoy"); family names
(also written first, or with particles: De Croo, von der Leyen) and shorter forms as aliases;
bodies named with a company suffix; a person's gender from titles and subject pronouns.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .genders import article_genders, gender_of  # the package's own attribution modules
from .lexicon import (  # the package's own attribution modules
    _APPOSITIVE,
    _APPOSITIVE_RELATIVE,
    _BODY_HEADS,
    _BODY_SUFFIXES,
    _CAP_RUN,
    _CAP_WORD,
    _CAP_WORD_RE,
    _CLOSING_MARKS,
    _CONNECTORS,
    _DETERMINERS,
    _FUNCTION_WORDS,
    _GROUP_WORDS,
    _HONORIFICS,
    _INITIALS,
    _LOWER,
    _MEDIA_HEADS,
    _NAME_PARTICLES,
    _NAME_SUFFIXES,
    _NOT_INITIALS,
    _OPENING_MARKS,
    _ROLE_WORDS,
    _TITLE_WORDS,
    _TOKEN,
    _UPPER,
    EAST_ASIAN_FAMILY_NAMES,
    NON_NAME,
    POST_NOMINALS,
    QMASK,
    ROLE_HEADS,
    SOFT_HYPHEN,
    SUBORDINATORS,
    TITLE_ABBREVIATIONS,
)
from .roles import (  # the package's own attribution modules
    _NATIONALITIES,
    _misspelt_role_word,
    _one_typo_apart,
    _role_text,
    _strip_possessive,
    serves_another,
)


@dataclass
class _People:
    """Full names found in the article, their aliases, roles and where they are mentioned."""

    roles: dict[str, list[str]] = field(default_factory=dict)  # full name -> roles (in order)
    aliases: dict[str, set[str]] = field(default_factory=dict)  # "zhang" -> {"Zhang Jun"}
    mentions: dict[str, list[int]] = field(default_factory=dict)  # full name -> offsets
    role_fits: dict[str, list[str]] = field(default_factory=dict)  # cache: role phrase -> names
    ordered: list[tuple[int, str]] | None = None  # cache: every mention (offset, full name)
    midcaps: set[str] = field(default_factory=set)  # capitalised words seen inside sentences
    genders: dict[str, str] = field(default_factory=dict)  # full name -> "m" | "f", when known
    bodies: list[str] = field(default_factory=list)  # bodies named ("American Motors Corp")
    acronyms: dict[str, str] = field(default_factory=dict)  # "ISPR" -> its name, where defined
    # One-word names after a title ("President Reagan"), a person though never named in full:
    titled: dict[str, list[str]] = field(default_factory=dict)  # "Reagan" -> ["President"]

    def add_role(self, name: str, role: str | None) -> None:
        if role and role.lower() not in {r.lower() for r in self.roles[name]}:
            self.roles[name].append(role)

    def first_role(self, name: str | None) -> str | None:
        return self.roles[name][0] if name in self.roles and self.roles[name] else None

    def mention_order(self) -> list[tuple[int, str]]:
        """Every mention (offset, full name), in reading order; computed once."""
        if self.ordered is None:
            self.ordered = sorted((o, n) for n, offsets in self.mentions.items() for o in offsets)
        return self.ordered

    def mentions_between(self, lo: int, hi: int) -> list[tuple[int, str]]:
        """The mentions (offset, full name) in text[lo:hi], in reading order."""
        ordered = self.mention_order()
        return ordered[
            bisect.bisect_left(ordered, (lo, "")) : bisect.bisect_left(ordered, (hi, ""))
        ]

    def first_mention(self, lo: int, hi: int, masked: str = "") -> str | None:
        """The person mentioned first in text[lo:hi], by full name or alias; with `masked`,
        not one named inside a quotation (a programme "John McLaughlin: One on One")."""
        for pos, name in self.mentions_between(lo, hi):
            if not masked or masked[pos] != QMASK:
                return name
        return None

    def last_mention_before(self, name: str, pos: int) -> int:
        offsets = self.mentions.get(name, [])
        i = bisect.bisect_left(offsets, pos)
        return offsets[i - 1] if i else -1


# A hyphenated given name with a lower-case second part (Soo-jin, Min-seok) follows the family
# name; double-barrelled surnames (Smith-Jones, Jean-Pierre) capitalise both parts.
_HYPHENATED_GIVEN = re.compile(rf"[{_UPPER}][{_LOWER}]+-[{_LOWER}]+")


def family_name(name: str) -> str:
    """The word a later mention uses: "Blinken" for Antony Blinken, "Zhang" for Zhang Jun,
    "Gerstner" for Louis Gerstner Jr., "Clark" for E.H. Clark."""
    words = [w for w in name.split() if not _is_initial(w)]
    while len(words) > 1 and words[-1].lower().rstrip(".") in _NAME_SUFFIXES:
        words = words[:-1]
    if not words:
        return name.split()[-1]
    if words[0].lower() in EAST_ASIAN_FAMILY_NAMES or _HYPHENATED_GIVEN.fullmatch(words[-1]):
        return words[0]
    first = len(words) - 1  # "Herman De Croo": De Croo; "Ursula von der Leyen": von der Leyen
    while first > 1 and words[first - 1].lower() in _NAME_PARTICLES:
        first -= 1
    return " ".join(words[first:])


# Capitals that are acronyms, not a person's initials, before a name: "US Chargé", "UN Envoy".
_ACRONYMS_NOT_INITIALS = set(
    """US UK UN EU UAE USA CEO CFO COO MP PM CM FM AP BBC CNN NBC ABC CBS FBI CIA NSA IMF WHO
    GOP MEP MLA MNA SEC FDA EPA DOJ TV PR AFP ANC BJP PTI PPP""".split()
)


def _letter_initials(word: str) -> bool:
    """Two or three capitals written as a person's initials ("CK Mishra"), not an acronym."""
    return (
        2 <= len(word) <= 3
        and word.isalpha()
        and word.isupper()
        and (word not in _ACRONYMS_NOT_INITIALS)
    )


def _is_initial(word: str) -> bool:
    return bool(_INITIALS.fullmatch(word)) and word not in _NOT_INITIALS


def _is_name_word(word: str) -> bool:
    low = word.lower()  # "Safety Board", "Pilots Association": bodies, not people
    if _is_initial(word) or low in _NAME_SUFFIXES:
        return True
    if low in _NAME_MONTHS:  # "Ruth May", "Theresa May": a month may be a family name
        return True
    return len(word) >= 2 and not word.isupper() and low not in NON_NAME and low not in _BODY_HEADS


_NAME_MONTHS = {"may", "june", "april", "august"}


# "Union of", "Ministry for": a body's name goes on after its head word and "of"/"for".
# ("Secretary of State Jane Doe" is a title before a name).
_OFFICE_OF = re.compile(r"(?<![\w’'\-])([A-Z][a-z]+)[ \t]+of[ \t]+$")


_BODY_OF = re.compile(rf"(?<![\w’'\-])([{_UPPER}][{_LOWER}]+)[ \t]+(?:of|for)(?:[ \t]+the)?[ \t]+$")


def _at_sentence_start(text: str, pos: int) -> bool:
    """Only a sentence end, a line break, a colon or an opening mark before pos."""
    j = pos - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j < 0 or text[j] in "“‘([" or (text[j] == '"' and j == pos - 1):
        return True
    while j >= 0 and text[j] in " \t”’\"')]":
        j -= 1
    return j < 0 or text[j] in ".!?…:\n"


def _is_role_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    if "-" in low and low not in _TITLE_WORDS:  # "Under-Secretary", "Co-Chair"
        low = low.rsplit("-", 1)[1]
    return low in _ROLE_WORDS or low in _TITLE_WORDS or low in _HONORIFICS


def _find_people(text: str, titles: Sequence[tuple[int, int]] = ()) -> _People:
    """Alias table of the article: full names (2-3 capitalised words) with their roles.

    `titles`: sorted spans of quoted headlines and titles, whose capitalised words name nobody
    ("a Gawker post headlined “Remember When Dr. Dre Bashed a …”" has no Dre Bashed)."""
    people = _People()
    singles: list[tuple[int, str, str | None]] = []  # one-word mentions, resolved afterwards
    title_starts = [t[0] for t in titles]
    for run in _CAP_RUN.finditer(text):
        a, b = run.start(), run.end()
        if a and text[a - 1] in _OPENING_MARKS and text[b : b + 1] in _CLOSING_MARKS:
            continue  # a quoted title, “Annual Trade Outlook”, is nobody
        i = bisect.bisect_right(title_starts, a) - 1
        if i >= 0 and a < titles[i][1]:
            continue
        body_of = _BODY_OF.search(text, max(0, a - 40), a)
        titled = any(_is_role_word(w) for w in run.group().split()[:-1])
        if body_of and not _is_role_word(body_of.group(1)) and not titled:
            # "Union of Valencian Nurses": the end of a body's name, not a person (but "Bank of
            # England Governor Robin Leigh-Pemberton" goes on to a title and a name).
            continue
        if body_of and not titled and len(run.group().split()) == 2 and " for" in body_of.group():
            continue  # "High Commissioner for Human Rights": the office's field, no person
        words = []
        for n, m in enumerate(_CAP_WORD_RE.finditer(run.group())):
            base, possessive = _strip_possessive(m.group())
            if n or not _at_sentence_start(text, a):
                people.midcaps.add(base.lower())
            words.append((run.start() + m.start(), base))
            if possessive:  # "Russia’s Foreign Ministry": a name never runs past a possessive
                _name_in_run(text, words, people, singles)
                words = []
        if words:
            _name_in_run(text, words, people, singles)
    _merge_surname_mentions(people)
    _merge_role_noun_names(text, people)
    for name in people.roles:
        people.aliases.setdefault(family_name(name).lower(), set()).add(name)
        words = name.split()
        if " " in family_name(name):  # "von der Leyen" is also "Leyen" to the phrase reader
            people.aliases.setdefault(words[-1].lower(), set()).add(name)
        elif len(words) == 3 and _is_name_word(words[1]) and not _is_initial(words[1]):
            # "Juan Lechin Oquendo", "Mario Rodriguez Montero": the paternal surname is used.
            people.aliases.setdefault(words[1].lower(), set()).add(name)
        elif len(words) == 2 and words[-1].lower() in EAST_ASIAN_FAMILY_NAMES:
            # "Feng Zhang" in Western order: "Zhang says" means him too.
            people.aliases.setdefault(words[-1].lower(), set()).add(name)
        people.aliases.setdefault(name.lower(), set()).add(name)
    # A family name written first that no list knows ("Baek Soo-jin" ... "Baek said"): the first
    # word of exactly one full name, and the last word of none, is that person.
    firsts: dict[str, set[str]] = {}
    for name in people.roles:
        firsts.setdefault(name.split()[0].lower(), set()).add(name)
    lasts = {name.split()[-1].lower() for name in people.roles}
    for word, names in firsts.items():
        if len(names) == 1 and word not in lasts and word not in people.aliases:
            people.aliases[word] = set(names)
    _names_inside_skipped_runs(text, people, singles)
    _misspelt_surnames(text, people, singles)
    for pos, word, role in singles:  # "Zhang said", "President Putin": mentions by alias
        names = people.aliases.get(word.lower(), set())
        if role and not names and _is_role_word(role.split()[-1]):
            titles = people.titled.setdefault(word, [])  # ("the president said" may mean him)
            if role not in titles:
                titles.append(role)
        if len(names) == 1:
            name = next(iter(names))
            if gender_of([role] if role else []) not in ("", gender_of(people.roles[name])):
                if gender_of(people.roles[name]):
                    continue  # "Mr Ellis" is not Abigail Ellis: another Ellis, unnamed
            people.mentions[name].append(pos)
            people.add_role(name, role)
    for offsets in people.mentions.values():
        offsets.sort()
    people.acronyms = _acronyms_defined(text)
    _drop_bodies(people, set(people.acronyms.values()))
    people.genders = article_genders(text, people)
    for word, titles in people.titled.items():  # "Prince Harry", "Queen Rania": one word, a title
        if word not in people.genders and (gender := gender_of(titles)):
            people.genders[word] = gender
    return people


def _names_inside_skipped_runs(text: str, people: _People, singles) -> None:
    """A surname used alone whose full name was only written inside a longer run read as an
    office ("Acting U.S. Attorney for the District of Massachusetts Joshua Levy said ... Levy
    said"): the one given name written before it makes the full name."""
    for word in {w for _, w, _ in singles if w.lower() not in people.aliases}:
        if not _is_name_word(word) or word.lower() in NON_NAME or _is_role_word(word):
            continue
        given = {  # (only inside a longer capitalised run: "Massachusetts Joshua Levy")
            m.group(1)
            for m in re.finditer(
                rf"[{_UPPER}][\w.’'\-]*[ \t]+([{_UPPER}][{_LOWER}]+)[ \t]+{re.escape(word)}\b",
                text,
            )
        }
        if len(given) != 1:
            continue
        first = next(iter(given))
        low = first.lower()
        if _is_role_word(first) or low in NON_NAME | _FUNCTION_WORDS | SUBORDINATORS:
            continue
        name = f"{first} {word}"
        people.roles.setdefault(name, [])
        people.mentions.setdefault(name, []).append(text.index(name))
        people.aliases.setdefault(word.lower(), set()).add(name)
        people.aliases.setdefault(name.lower(), set()).add(name)


def _misspelt_surnames(text: str, people: _People, singles) -> None:
    """A surname used alone that misspells, by one typo, the family name of exactly one person
    named in full ("Clayton Yeutter ... Yuetter said", "Schlesinger ... Schelsinger said") is
    that person: wire copy has such typos, and the bare word otherwise becomes a speaker of its
    own. Only a rarer form is read so (at most twice, and less often than the family name), and
    only for long names, where two people one letter apart are least likely."""
    families: dict[str, set[str]] = {}
    for name in people.roles:
        if " " in name:
            families.setdefault(family_name(name), set()).add(name)
    for word in {w for _, w, _ in singles if w.lower() not in people.aliases}:
        if len(word) < 6 or not _is_name_word(word) or word.lower() in NON_NAME:
            continue
        near = [f for f in families if len(families[f]) == 1 and _one_typo_apart(word, f)]
        if len(near) != 1:
            continue
        seen = len(re.findall(rf"\b{re.escape(word)}\b", text))
        if seen <= 2 and seen < len(re.findall(rf"\b{re.escape(near[0])}\b", text)):
            people.aliases[word.lower()] = set(families[near[0]])


def _drop_bodies(people: _People, bodies: set[str]) -> None:
    """Names that are bodies after all ("Inter-Services Public Relations (ISPR)" spells an
    acronym: people are never written so) leave the table of people for the list of bodies."""
    for name in bodies & people.roles.keys():
        del people.roles[name]
        people.mentions.pop(name, None)
        people.bodies.append(name)
        for low in [k for k, names in people.aliases.items() if name in names]:
            people.aliases[low].discard(name)
            if not people.aliases[low]:
                del people.aliases[low]
    people.ordered = None


_ACRONYM_IN_PARENS = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")


def _acronyms_defined(text: str) -> dict[str, str]:
    """`Inter-Services Public Relations (ISPR)`: the acronym and the name right before it."""
    found: dict[str, str] = {}
    for m in _ACRONYM_IN_PARENS.finditer(text):
        acronym = m.group(1)
        before = text[max(0, m.start() - 90) : m.start()].rstrip()
        words = before.split()
        for n in range(min(len(words), 8), 1, -1):
            name = " ".join(words[-n:]).strip(",;:")
            if name[:1].isupper() and spells(acronym.upper(), name):
                found.setdefault(acronym, name.removeprefix("the ").removeprefix("The "))
                break
    return found


_ACRONYM_SKIP = {"of", "and", "the", "for", "on", "in", "&"}


def spells(acronym: str, name: str) -> bool:
    """Do the name's initials spell the acronym? Hyphenated parts count ("Inter-Services"), and
    linking words may count or not ("Department of Justice" is DOJ and DJ)."""
    words = [w for w in re.split(r"[\s\-]+", name) if w]
    if not words or not all(w[0].isupper() or w.lower() in _ACRONYM_SKIP for w in words):
        return False
    caps = "".join(w[0] for w in words if w[0].isupper())
    every = "".join(w[0].upper() for w in words if w != "&")
    return acronym in (caps, every)


def _merge_surname_mentions(people: _People) -> None:
    """A two-word "name" that is the family name of exactly one fuller name in the article
    ("De Croo" after "Herman De Croo") is a mention of that person, not someone new."""
    by_family: dict[str, list[str]] = {}
    for name in people.roles:
        if len(family_name(name).split()) > 1 and family_name(name) != name:
            by_family.setdefault(family_name(name).lower(), []).append(name)
        words = name.split()
        if len(words) >= 3:  # "Ortiz Mena" after "Antonio Ortiz Mena" (two family names)
            by_family.setdefault(" ".join(words[-2:]).lower(), []).append(name)
        if len(words) >= 4:  # "Rana Mashhood" before or after "Rana Mashhood Ahmad Khan"
            for n in range(2, len(words)):
                by_family.setdefault(" ".join(words[:n]).lower(), []).append(name)
    firm_words = {b.split()[0].lower() for b in people.bodies}
    for name in list(people.roles):
        fuller = sorted(set(by_family.get(name.lower(), []))) or _with_middle_names(name, people)
        words = name.split()
        if not fuller and len(words) == 2 and words[0].lower() in firm_words:
            # "Elders O'Neill" after "William O'Neill, analyst with Elders Futures": the firm's
            # first word, then the surname of one person named in full
            fuller = sorted(
                n for n in people.roles if n != name and n.split()[-1] == words[1] and " " in n
            )
        if len(fuller) == 1:
            target = fuller[0]
            people.mentions[target] = sorted(people.mentions[target] + people.mentions.pop(name))
            for role in people.roles.pop(name):
                people.add_role(target, role)


def _merge_role_noun_names(text: str, people: _People) -> None:
    """ "Realtor Ghulam" where the article wrote "realtor Shaun Ghulam": the first word is his
    role, in lower case before his full name, capitalised only to start a sentence; not a
    second Ghulam."""
    for name in list(people.roles):
        words = name.split()
        if len(words) != 2:
            continue
        role = words[0].lower()
        fuller = [
            n for n in people.roles
            if n != name and n.split()[-1] == words[1] and f"{role} {n}" in text
        ]  # fmt: skip
        if len(fuller) == 1:
            target = fuller[0]
            people.mentions[target] = sorted(people.mentions[target] + people.mentions.pop(name))
            people.roles.pop(name)
            people.add_role(target, words[0])


def _with_middle_names(name: str, people: _People) -> list[str]:
    """Fuller forms of the same name: "Te Kaurinui Parata" in "Te Kaurinui Robert Parata"
    (same first and last words, the others in order)."""
    words = name.split()
    if len(words) < 2:
        return []
    found = []
    for other in people.roles:
        longer = other.split()
        if len(longer) > len(words) and longer[0] == words[0] and longer[-1] == words[-1]:
            rest = iter(longer[1:-1])
            if all(w in rest for w in words[1:-1]):
                found.append(other)
    return found


def _name_in_run(text, words, people: _People, singles) -> None:
    """Split one capitalised run into (role words, name) and record the name."""
    while len(words) > 2 and words[-1][1] in POST_NOMINALS:
        words = words[:-1]  # "Peter Ainsworth MP": the name, then an office
    k = len(words)
    while k > 0 and _is_name_word(words[k - 1][1]):
        k -= 1
    if k == len(words) - 1 and k > 0 and _letter_initials(words[k - 1][1]):
        k -= 1  # "CK Mishra", "JP Nadda": initials written without stops
    # "Chief Executive Priya Natarajan": role and title words before a name belong to the role,
    # also after a body's name ("Treasury Under-Secretary Alan Brook"), when two words remain.
    while k < len(words) and (
        _is_role_word(words[k][1]) or (len(words) - k > 2 and _misspelt_role_word(words[k][1]))
    ):
        k += 1
    if len(words) - k > 2:
        last_role = max((i for i in range(k, len(words) - 2)
                         if _is_role_word(words[i][1]) or _misspelt_role_word(words[i][1])),
                        default=-1)  # fmt: skip
        if last_role >= 0:
            k = last_role + 1
    # "Top-ranked Aryna Sabalenka": a hyphenated word with a lower-case part opens no name
    # (a Korean given name like Soo-jin follows the family name, never precedes it).
    while len(words) - k > 2 and _HYPHENATED_GIVEN.fullmatch(words[k][1]):
        k += 1
    while len(words) - k > 2 and words[k][1].lower() in _BODY_SUFFIXES:
        k += 1  # "Professor of Medicine Carl Leier": the field ends the title
    if (
        k == 0
        and len(words) >= 4
        and (office := _OFFICE_OF.search(text, max(0, words[0][0] - 40), words[0][0]))
        and _is_role_word(office.group(1))
        and not any(_is_initial(w) for _, w in words[-3:])
    ):  # "Deputy Director of Public Prosecution Eva-Marie Persson": after "<office> of" the
        k = len(words) - 2  # field comes first; the name is the last two words
    while len(words) - k > 1 and words[k][1].lower() in SUBORDINATORS | _FUNCTION_WORDS:
        k += 1  # "Although Citicorp", "But Jones": a clause opener, capitalised, then the name
    while len(words) - k > 1 and words[k][1].lower() in _NAME_MONTHS:
        k += 1  # "since last August Smart": a month opens no name (it may end one: Ruth May)
    name_words = words[k:]
    if words[-1][1].lower() in ROLE_HEADS:
        return  # "Delaware Democrat", "Kuwaiti Tourist": a description, not a person's name
    if words[-1][1].lower().rstrip(".") in _BODY_SUFFIXES:
        # "American Motors Corp", "United Automobile Workers": a body, not a person
        named = text[words[0][0] : words[-1][0] + len(words[-1][1])].split()
        if named[0] == "The":
            named = named[1:]
        people.bodies.append(" ".join(named))
        return
    last = words[-1][1].lower()
    if last.endswith("s") and (last[:-1] in ROLE_HEADS or last[:-1] in _NATIONALITIES):
        return  # "Older Germans", "Senate Democrats": a group, not a person's name
    plural = next(
        (i for i, (_, w) in enumerate(words[:-1]) if i and w.endswith("s") and w[1:].islower()
         and re.search(rf"(?<![\w-]){re.escape(w.lower())}\b", text)),
        None,
    )  # fmt: skip
    if plural is not None:
        # "Staff at Massy Stores Westmoorings wait": a plural inside the run that the article
        # also writes in lower case ("all stores") names things, so the run is a body and its
        # place, not a person (a last word may be a surname: Maxine Waters in "waters")
        people.bodies.append(" ".join(w for _, w in words[: plural + 1]))
        return
    # Initials and suffixes do not count: "Martin Luther King Jr", "John D. Dingell"; four
    # words are a name in South Asian and Arabic traditions ("Rana Mashhood Ahmad Khan").
    full_words = [
        w
        for _, w in name_words
        if not (_is_initial(w) or _letter_initials(w)) and w.lower() not in _NAME_SUFFIXES
    ]
    if not full_words or len(full_words) > 4:
        return  # five capitalised words: a title we do not know, or a body; nobody for sure
    start = name_words[0][0]
    role = _role_before(text, start)
    if len(full_words) == 1 and len(name_words) == 1:
        singles.append((start, name_words[0][1], role))
        return
    first = name_words[0][1]
    if len(full_words) == 1 and not (_is_initial(first) or _letter_initials(first)):
        return  # "Gerstner Jr": a surname and a suffix name nobody new
    end = name_words[-1][0] + len(name_words[-1][1])
    # Keeps particles ("Ursula von der Leyen"); drops soft hyphens ("Jessica Peg\u00adula").
    name = " ".join(text[start:end].replace(SOFT_HYPHEN, "").split())
    people.roles.setdefault(name, [])
    people.mentions.setdefault(name, []).append(start)
    if role is not None and serves_another(role.split()):
        role = None  # "a lawyer for psychiatrist Jane Doe": his role, not hers
    people.add_role(name, role)
    people.add_role(name, _appositive_role(text, end))
    if role is None:
        people.add_role(name, _comma_role_before(text, start, end))


def _np_word(word: str) -> bool:
    """Can this word be part of a name, body or role phrase?"""
    low = word.lower()
    return (
        word[0].isupper()
        or low in _ROLE_WORDS
        or low in _GROUP_WORDS
        or low in _BODY_HEADS
        or low in _MEDIA_HEADS
        or low in _CONNECTORS
        or low in _DETERMINERS
        or low in _NAME_PARTICLES
        or word.endswith(("’s", "'s"))
    )


def _tokens(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Word tokens with offsets; a final period stays only on abbreviations (U.S.)."""
    toks = []
    for m in _TOKEN.finditer(text, lo, hi):
        word = m.group()
        if word.endswith(".") and "." not in word[:-1]:
            word = word[:-1]
        toks.append((m.start(), m.start() + len(word), word))
    return toks


def _trim_phrase(toks: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop connectors at either edge and determiners at the right edge."""
    while toks and toks[0][2].lower() in _CONNECTORS - {"the"}:
        toks = toks[1:]
    while toks and toks[-1][2].lower() in _CONNECTORS | _DETERMINERS:
        toks = toks[:-1]
    return toks


_FORMS_OF_ADDRESS = {"mr", "mrs", "ms", "dr", "prof", "rev", "hon", "fr", "st"}


def _role_before(text: str, start: int) -> str | None:
    """Title words right before a name: `Chinese Foreign Ministry spokesman Zhao Lijian`."""
    j = start - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j == start - 1 or j < 0:
        return None
    if text[j] == ".":  # "Rep. Cardiss Collins", "Sen. Bob Dole": an abbreviated title
        word = re.match(r"[A-Za-z]+", text[max(0, j - 5) : j][::-1])
        title = word.group()[::-1] if word else ""
        office = title.lower() in TITLE_ABBREVIATIONS - _FORMS_OF_ADDRESS
        return f"{title}." if office else None  # (an office, not "Dr." or "Mr.": no role)
    if not text[j].isalnum():
        return None  # nothing but punctuation before the name: no title (and no work)
    return _role_ending_at(text, start, adjacent=False)


def _comma_role_before(text: str, start: int, end: int) -> str | None:
    """A role set off by commas before a name: `Peru’s trade envoy, Jane Doe, said`."""
    j = start - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j < 1 or text[j] != "," or text[end : end + 1] != "," or not text[j - 1].isalpha():
        return None
    role = _role_ending_at(text, j, adjacent=True)
    if role and all(w[0].isupper() for w in role.split()):
        head = text.rfind(role.split()[0], max(0, j - 100), j)
        if text[max(0, head - 2) : head] == ", ":
            return None  # `Cameron Green, Travis Head, Josh Inglis,`: a list of names
    return role


def _role_ending_at(text: str, edge: int, adjacent: bool) -> str | None:
    """Role words ending at edge (separated from it by spaces unless adjacent)."""
    toks = _tokens(text, max(0, edge - 100), edge)
    kept: list[tuple[int, int, str]] = []
    for tok in reversed(toks):
        gap = text[tok[1] : edge]
        if (not gap and not (adjacent and not kept)) or gap.strip() or "\n" in gap:
            break
        if tok[2].endswith(".") or not _np_word(tok[2]):
            break
        if tok[2].lower() in _GROUP_WORDS or len(kept) >= 10:
            break
        kept.insert(0, tok)
        edge = tok[0]
    if kept and kept[-1][2].lower() in _CONNECTORS - {"the"}:
        return None  # "economist at Acme Bank": the name is not the one holding the role
    kept = _trim_phrase(kept)
    return _role_text([t[2] for t in kept])


def _appositive_role(text: str, end: int) -> str | None:
    """Role after a name: `Wang Yi, Chinese Foreign Minister,`, `Jo Ng, the envoy who ...`."""
    limit = min(len(text), end + 120)
    for pattern in (_APPOSITIVE, _APPOSITIVE_RELATIVE):
        m = pattern.match(text, end, limit)
        words = m.group(1).split() if m else []
        if words and all(_np_word(w) for w in words) and not _listed_name(text, m, words):
            return _role_text(words)
    return None


_NEXT_IN_LIST = re.compile(rf"\s*,\s*{_CAP_WORD}[ \t]+{_CAP_WORD}\s*[,(]")


def _listed_name(text: str, m: re.Match, words: list[str]) -> bool:
    """`Cameron Green, Travis Head, Josh Inglis,`: a list of names, not a name and its role."""
    if len(words) != 2 or not all(w[0].isupper() for w in words):
        return False
    return bool(_NEXT_IN_LIST.match(text, m.end(1)))
