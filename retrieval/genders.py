"""A person's gender as the article itself tells it: titles and role words before a name, and
the subject pronouns after its mentions. Nothing outside the article is consulted (a table of
given names was tried and measured worse: it mis-genders names of other traditions).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (entities imports this module; the type is only for reading)
    from .entities import _People


_MALE_WORDS = {
    "mr",
    "sir",
    "lord",
    "he",
    "him",
    "his",
    "himself",
    "spokesman",
    "chairman",
    "king",
    "prince",
    "congressman",
    "councilman",
    "actor",
    "husband",
    "father",
}


_FEMALE_WORDS = {"mrs", "ms", "miss", "dame", "lady", "she", "her", "hers", "herself",
                 "spokeswoman", "chairwoman", "queen", "princess", "congresswoman",
                 "councilwoman", "actress", "wife", "mother"}  # fmt: skip


# Only subject pronouns vote: a possessive right after a name is often someone else's
# ("Tim Flesher, another of her private secretaries").
_GENDER_CUE = re.compile(r"\b(?:[Hh]e|[Ss]he)\b")


_GENDER_WINDOW = 160  # characters after a mention in which a pronoun can only mean that person


_PRONOUN_WORDS = {"he", "him", "his", "himself", "she", "her", "hers", "herself"}


# In a role, only titles and nouns tell a gender: "His mother" is a woman.
_MALE_ROLE_WORDS = _MALE_WORDS - _PRONOUN_WORDS


_FEMALE_ROLE_WORDS = _FEMALE_WORDS - _PRONOUN_WORDS


def gender_of(roles: list[str]) -> str:
    """ "m" or "f" when the titles and role words agree on one, else ""."""
    found = set()
    for role in roles:
        words = {w.lower().strip(".") for w in role.split()}
        if words & _MALE_ROLE_WORDS:
            found.add("m")
        if words & _FEMALE_ROLE_WORDS:
            found.add("f")
    return found.pop() if len(found) == 1 else ""


def article_genders(text: str, people: _People) -> dict[str, str]:
    """A person's gender, from the article's own words only: a title or role word before their
    name (Mrs Thatcher, the spokeswoman), else the pronouns that follow their mentions with no
    other person in between. Conflicting evidence leaves it unknown."""
    titled: dict[str, set[str]] = {}
    for name, roles in people.roles.items():
        for role in roles:
            words = {w.lower().strip(".") for w in role.split()}
            if words & _MALE_ROLE_WORDS:
                titled.setdefault(name, set()).add("m")
            if words & _FEMALE_ROLE_WORDS:
                titled.setdefault(name, set()).add("f")
    votes: dict[str, list[str]] = {}
    ordered = people.mention_order()
    for i, (pos, name) in enumerate(ordered):
        limit = min(pos + _GENDER_WINDOW, ordered[i + 1][0] if i + 1 < len(ordered) else len(text))
        cue = _GENDER_CUE.search(text, pos + len(name), limit)
        if cue:
            votes.setdefault(name, []).append("m" if cue.group().lower() in _MALE_WORDS else "f")
    genders = {}
    for name, found in votes.items():
        if len(set(found)) == 1:
            genders[name] = found[0]
    for name, found in titled.items():  # a title or role word outweighs pronouns
        if len(found) == 1:
            genders[name] = next(iter(found))
        else:
            genders.pop(name, None)
    return genders
