"""Roles and titles: what an office is called, and whether two wordings name the same one.

"PM" is the prime minister, "envoy" an ambassador, "the Chinese envoy at the UN" the Chinese
Ambassador to the United Nations (`role_matches`). `_resolve_role` finds the one person of an
article whose role fits "the minister"; `serves_another` tells "a lawyer for surgeon X" (the
lawyer speaks) from "Ambassador to the United Nations Zhang Jun" (he does).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from .lexicon import (  # the package's own attribution modules
    _DETERMINERS,
    _GROUP_WORDS,
    _HONORIFICS,
    _LOWER,
    _NATIONALITY_WORDS,
    ROLE_HEADS,
)
from .places import capitals, country_of_capital, country_of_name

if TYPE_CHECKING:
    from .entities import _People

# Countries from the one table (places.py): a capital stands for its country in news copy
# ("Beijing said" is China speaking) and in roles ("Beijing's UN envoy"); so does a demonym.
CAPITALS = capitals()


COUNTRY_OF = country_of_capital()


_NATIONALITIES = country_of_name() | COUNTRY_OF


def _is_group(word: str) -> bool:
    """A plural of people, who speak together and none alone: "analysts", "lawyers", "MPs"."""
    low = word.lower()
    plural_of = low[:-1] if low.endswith("s") and len(low) >= 3 else ""
    return low in _GROUP_WORDS or plural_of in ROLE_HEADS or plural_of in _NATIONALITY_WORDS


def _strip_possessive(word: str) -> tuple[str, bool]:
    if word.endswith(("’s", "'s")) and len(word) > 2:
        return word[:-2], True
    return word, False


def _has_role_head(words: list[str]) -> bool:
    for word in words:
        base = _strip_possessive(word)[0].lower()
        if base in ROLE_HEADS or any(part in ROLE_HEADS for part in base.split("-")):
            return True
    return False


def _role_text(words: list[str]) -> str | None:
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    if words and all(w.lower().rstrip(".") in _HONORIFICS for w in words):
        return " ".join(words)  # "Dr", "Sir"
    return " ".join(words) if words and _has_role_head(words) else None


def serves_another(role: list[str]) -> bool:
    """`a lawyer for surgeon Pia Lund`, `an aide to State Comptroller Bob Bullock`: the name
    is whom the speaker serves, an office-holder named after "for"/"to" ("Ambassador to the
    United Nations Zhang Jun" names a body there, and the name is the ambassador's)."""
    low = [_strip_possessive(w)[0].lower() for w in role]
    at = max((i for i, w in enumerate(low) if w in ("for", "to")), default=-1)
    if at <= 0 or not any(w in ROLE_HEADS for w in low[:at]):
        return False
    return any(w in ROLE_HEADS for w in low[at + 1 :])


# How questions and articles abbreviate or vary a role: "PM" is the prime minister.
_ROLE_EXPANSIONS = {
    "pm": ["prime", "minister"], "cm": ["chief", "minister"], "fm": ["foreign", "minister"],
    "ceo": ["chief", "executive"], "cfo": ["chief", "financial", "officer"],
    "coo": ["chief", "operating", "officer"], "chair": ["chairman"], "chairwoman": ["chairman"],
    "chairperson": ["chairman"], "gov": ["governor"], "sen": ["senator"],
    "rep": ["representative"], "gen": ["general"], "envoy": ["ambassador"],
    "spokeswoman": ["spokesman"], "spokesperson": ["spokesman"], "minster": ["minister"],
    "secy": ["secretary"], "pres": ["president"],
}  # fmt: skip


# Spellings of the same body: U.N./UN/United Nations, U.S./US/United States ...
_ACRONYMS = [
    (re.compile(r"\bu\.\s?s\.(?:\s?a\.)?|\bunited states(?: of america)?\b|\busa\b"), " us "),
    (re.compile(r"\bu\.\s?n\.|\bunited nations\b"), " un "),
    (re.compile(r"\bu\.\s?k\.|\bunited kingdom\b|\bgreat britain\b"), " uk "),
    (re.compile(r"\be\.\s?u\.|\beuropean union\b"), " eu "),
]


_ROLE_STOPWORDS = {"the", "a", "an", "of", "to", "for", "at", "in", "s", "and"}


# "China’s top diplomat" is its foreign minister (the US one is the secretary of state).
_DIPLOMAT_ROLES = [{"foreign", "minister"}, {"secretary", "state"}, {"foreign", "secretary"}]


@functools.lru_cache(maxsize=65536)
def role_tokens(phrase: str) -> frozenset[str]:
    """Comparable words of a role: "China's Foreign Minister" -> {china, foreign, minister}.
    Cached: a question matched against every quoted person's roles (18k Reuters stories:
    131k roles) tokenized them all again each time, ~200 ms per speaker question."""
    s = phrase.lower().replace("’", "'").replace("-", " ")
    for pattern, replacement in _ACRONYMS:
        s = pattern.sub(replacement, s)
    s = re.sub(r"'s\b", "", s)
    words = re.findall(rf"[{_LOWER}]+", s)
    words = [e for w in words for e in _ROLE_EXPANSIONS.get(w, [w])]
    words = [_NATIONALITIES.get(w, w) for w in words]
    return frozenset(w for w in words if w not in _ROLE_STOPWORDS)


@functools.lru_cache(maxsize=4096)
def role_variants(phrase: str) -> tuple[frozenset[str], ...]:
    """The word sets a role must contain to fit `phrase`; () when the phrase names no role."""
    wanted = role_tokens(phrase)
    if not wanted or not _has_role_head(sorted(wanted)):
        return ()
    variants = [wanted]
    if "diplomat" in wanted:
        rest = wanted - {"diplomat", "top", "chief"}
        variants += [rest | alt for alt in _DIPLOMAT_ROLES]
    return tuple(variants)


def role_matches(phrase: str, role: str) -> bool:
    """Does a role phrase as written or asked ("the Chinese ambassador to the UN") fit a role?"""
    known = role_tokens(role)
    return any(v <= known for v in role_variants(phrase))


# Offices whose holders American news names by state and party ("the Illinois Democrat").
_PARTISAN_OFFICES = set(
    """rep sen senator representative congressman congresswoman gov governor lawmaker legislator
    assemblyman assemblywoman""".split()
)


def _party_members(people: _People) -> list[str]:
    """The people holding an office that "the <State> Democrat" may mean, when just one does."""
    holders = [
        n for n, roles in people.roles.items()
        if any(_PARTISAN_OFFICES & set(re.findall(r"[a-z]+", r.lower())) for r in roles)
    ]  # fmt: skip
    return holders if len(holders) == 1 else []


def _resolve_role(phrase: str, pos: int, people: _People) -> str | None:
    """The one person whose role fits; with several, the one mentioned last before pos."""
    fits = people.role_fits.get(phrase)
    if fits is None:
        fits = [n for n, rs in people.roles.items() if any(role_matches(phrase, r) for r in rs)]
        fits += [  # "President Reagan" ... "the president said"
            w for w, ts in people.titled.items()
            if w not in people.roles and any(role_matches(phrase, t) for t in ts)
        ]  # fmt: skip
        if not fits and phrase.lower().split()[-1:] in (["democrat"], ["republican"]):
            fits = _party_members(people)  # "said the Illinois Democrat": the one lawmaker
        people.role_fits[phrase] = fits
    if len(fits) <= 1:
        return fits[0] if fits else None
    latest = sorted((people.last_mention_before(n, pos), n) for n in fits)
    if latest[-1][0] < 0 or latest[-1][0] == latest[-2][0]:
        return None
    return latest[-1][1]


def _one_typo_apart(a: str, b: str) -> bool:
    """One letter changed, added, dropped, or two neighbours swapped ("Yuetter" / "Yeutter")."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )  # fmt: skip
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _misspelt_role_word(word: str) -> bool:
    """ "Economic Adivser Christopher Johnson": a long role word with one typo, before a name of
    two words or more, is still the role (wire copy has such typos)."""
    low = word.lower()
    return len(low) >= 7 and any(
        len(head) >= 7 and _one_typo_apart(low, head) for head in ROLE_HEADS
    )
