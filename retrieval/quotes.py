"""Who said what: every quotation in a news article, with its speaker and exact offsets.

Why: "What did Zhang Jun say?" is best answered with the words Zhang Jun actually said, cited
exactly. Retrieval finds passages *about* a person; this module finds what they *said*.

Everything is read from `doc.text` itself (no normalised copy whose offsets could drift), so every
Quote satisfies `doc.text[q.start:q.end] == q.text`. Pure standard library, rule based, linear in
the article length (every look-back is a bounded window).

How it works, in order:
1. Paragraphs: blank-line separated blocks when the article has blank lines, else lines.
2. Marks are paired per paragraph: “…” and straight "…" first, then ‘…’ (a ’ between letters is
   an apostrophe). What cannot be paired is skipped. A quote left open at the end of a paragraph
   and re-opened at the start of the next one is the news-style multi-paragraph quote.
3. Quoted regions are masked, so sentence splitting and reporting-clause search only see the
   reporter's words, never the speaker's.
4. A sentence's speaker is the subject of its first speech verb (`X said`, `“…,” said X`,
   `X, ..., adding that`, `“…,” her lawyer, Jane Doe, said`), else the source of `according to
   X`, else, for a quote introduced by a colon (`Jane Doe laid out her plan: “…”`), the sentence's
   subject or the first person it names. Passive verbs (`was told`, `when asked`) name no speaker.
   Quotes without one continue the paragraph's (or the previous paragraph's) speaker.

Decisions worth knowing:
- Quote text excludes the marks, surrounding whitespace and a trailing comma (the comma of
  `“…,” he said` belongs to the attribution, not to the speech).
- Places and bodies are speakers as named: `Beijing has signaled ..., saying Moscow has
  “reasonable security concerns”` is Beijing's, not "China's" (no metonymy at extraction;
  resolve_speaker maps a country to its capital when asked). A body named by common nouns is
  title-cased without "the": `the health ministry said` -> "Health Ministry"; a bare `the
  agency said` is the agency quoted last, if any.
- Names never keep titles or forms of address: `Judge Jane Doe`, `Dr Jane Doe`, `Chief
  Executive Jane Doe` -> "Jane Doe" with role "Judge" / "Dr" / "Chief Executive". Roles are also
  read from `Peru’s envoy, Jane Doe,` and `Jane Doe, the envoy who ...`.
- Names are Latin letters with diacritics (`Marta Ibáñez`, `Łukasz Żak`). A family name written
  first is known from a list, from a hyphenated given name after it (`Baek Soo-jin`), or because
  it is the first word of exactly one full name and the last word of none.
- A capitalised word seen only where sentences start ("Turnout was “…,” according to X") is a
  common noun, never a speaker. A run after "<Word> of" (`Union of Valencian Nurses`) ends a
  body's name and is nobody. A generic `the union` / `the airline` is the body quoted before whose
  name holds that word, else the body that spoke just before; a body set off by a description
  after a quote (`“…,” Acme United, a group of ..., said`) speaks, and a colon-introduced quote
  with no subject of its own continues the paragraph's reported speaker.
- Titles in quotation marks (`the agency’s “Annual Outlook Report”`, every word capitalised) are
  not quotations, nor is a capitalised run in quotation marks a person.
- attribution is "explicit" (full name or body), "alias" (surname, role or generic description),
  "pronoun", "continuation", or "none": a quotation with no reporting clause and nothing to
  continue (its speaker is None).
- A surname shared by two people in the article leaves the speaker None rather than a guess.
- Pronouns (`he said`) mean the most recent speaker, or a person who has since been the subject
  of a sentence ("Viktor Orban disagreed. “…,” he said.").
- Straight single quotes ('…') are not read as quotation marks: too often apostrophes.
  HTML-like tags are blanked (same length) before reading, so attribute values never pair up.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .sentences import paragraph_spans, sentence_ends, soft_text

if TYPE_CHECKING:  # only for annotations: the module stays importable on its own
    from .documents import Document

# Bump when extraction rules change: indexes built before are stale and get rebuilt.
QUOTES_VERSION = 4


@dataclass(frozen=True, slots=True)  # ~800k of them at 1M passages: no per-object dict
class Quote:
    """One quotation and who said it; `text` is exactly doc.text[start:end] (no quote marks)."""

    speaker: str | None  # canonical name ("Zhang Jun", "Russia"); None = unresolved
    role: str | None  # title/role seen with the speaker ("Chinese Foreign Minister")
    text: str
    start: int
    end: int
    kind: str  # "direct" | "partial" (embedded in the reporter's sentence)
    attribution: str  # "explicit" | "alias" | "pronoun" | "continuation" | "none"
    doc_id: str


# ---------------------------------------------------------------- vocabulary

QMASK = "\x00"  # stands in for quoted words in the masked copy of the text

_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"

# Speech verbs, lower case only (so "States" in "United States" never reads as a verb). Nouns that
# double as verbs ("note", "claim") are left out: "according to a note from" is not a clause.
_SPEECH_VERB_WORDS = """
say says said saying tell tells told telling add adds added adding urge urges urged urging
warn warns warned warning highlight highlights highlighted highlighting suggest suggests
suggested suggesting claimed claiming stated stating noted noting ask asks asked asking
explain explains explained explaining insist insists insisted insisting argue argues argued
arguing announce announced announcing declare declared declaring stress stressed stressing
emphasised emphasized emphasising emphasizing wrote writes tweeted replied responded answered
acknowledged admitted remarked commented predicted vowed pledged promised demanded accused
criticised criticized denied cautioned conceded recalled reiterated observed confirmed
assured complained countered writing describe describes described describing
retorted quipped chimed exclaimed shouted yelled whispered joked lamented mused boasted revealed
disclosed contended asserted alleged testified posted tweets tweeting texted responds counters
""".split()
SPEECH_VERB = re.compile(
    r"\b(?:(?:call|calls|called|calling)\s+(?:on|for)|point(?:s|ed|ing)?\s+out|"
    + "|".join(sorted(_SPEECH_VERB_WORDS, key=len, reverse=True))
    + r")\b"
)
# Before a participle they make it passive: "he was told", "when asked about".
_BE_FORMS = {"is", "are", "was", "were", "be", "been", "being", "get", "gets", "got"}
_WHEN_WORDS = {"when", "if", "once", "after", "before", "unless", "until", "while"}
# `according to X`: the source of the sentence when no speech verb names one.
ACCORDING_TO = re.compile(r"\b[Aa]ccording\s+to\s+")

# Words between a subject and its verb: "Wang also called on", "Zhang on Tuesday said".
_TRAILING_ADVERBS = re.compile(
    r"(?:\s+(?:also|later|then|again|further|previously|once|earlier|separately|publicly|"
    r"privately|recently|reportedly|repeatedly|subsequently|has|had|have|was|were|is|are|would|"
    r"will|did|does|do|not|never|yesterday|today|tonight|"
    rf"(?:on|last|this|late|early)\s+(?:{_DAYS})|{_DAYS}))+\s*$"
)
# A noun phrase right after a preposition is no subject: "Officials in Kyiv said".
_PREPOSITION_END = re.compile(
    r"\b(?:in|from|at|of|with|near|by|for|across|inside|outside|over|to|into|about)\s+$",
    re.IGNORECASE,
)
# A clause that starts with a conjunction has no subject of its own: "..., but suggested".
_LEADING_CONJUNCTION = re.compile(
    r"^\s*(?:but|and|or|while|as|when|who|which|then|yet|so|where|although|though)\b"
)
# Introductory phrase before a sentence's subject: "According to ..., Blinken highlighted".
_INTRO = re.compile(
    r"(?:According|In|On|At|After|Before|During|Asked|Speaking|Earlier|Later|Meanwhile|"
    r"However|Separately|Still|Yet|Also|Last|This|For)\b[^,\x00]{0,120},\s*"
)
# A clause break: the subject of a verb never reaches back across one.
_CUT_CHARS = frozenset(',;:()[]"“”‘—–' + QMASK)
# Latin letters, diacritics included (Marta Ibáñez, Łukasz Nowak): names are matched with these.
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de" + "".join(
    c for c in map(chr, range(0x100, 0x180)) if c.isupper()
)
_LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff" + "".join(
    c for c in map(chr, range(0x100, 0x180)) if not c.isupper()
)
_ALNUM = f"{_UPPER}{_LOWER}0-9"
_TOKEN = re.compile(rf"[{_ALNUM}][\w’'.\-]*")
_WORD = re.compile(rf"[{_ALNUM}]+(?:[’'\-][{_ALNUM}]+)*")

PRONOUNS = {"he", "she", "they", "it"}
_DETERMINERS = {"the", "a", "an"}
_POSSESSIVE_DETERMINERS = {"his", "her", "its", "their", "our", "my", "your"}
_CONNECTORS = {"of", "to", "for", "the", "at", "on"}  # "Ambassador to the United Nations"
# Head words of a role or title: a phrase with one refers to a person by office.
ROLE_HEADS = set(
    """minister ambassador secretary secretary-general president premier chancellor spokesman
    spokeswoman spokesperson diplomat envoy official general director chief chairman chairwoman
    chair governor senator mayor leader king queen prince ceo commissioner adviser advisor
    representative lawmaker professor commander deputy negotiator prosecutor judge economist
    analyst counterpart head justice barrister lawyer attorney solicitor coach captain manager
    executive boss founder campaigner activist delegate legislator teacher bishop inspector
    detective officer sergeant colonel admiral councillor councilor councilman councilwoman
    congressman congresswoman investigator actor actress singer director producer author writer
    columnist editor reporter journalist correspondent novelist artist musician rapper comedian
    player striker goalkeeper midfielder defender forward quarterback pitcher athlete scientist
    researcher doctor physician surgeon nurse engineer architect historian curator chef pastor
    rabbi imam cardinal archbishop pope sheriff constable trooper marshal warden superintendent
    principal dean provost chancellor counsel litigator plaintiff defendant witness trustee
    treasurer mp mla mna senator-elect advocate investor strategist trader broker banker
    economist-in-chief""".split()
)
# Other words that may appear inside a role: "China’s top diplomat", "former ministry official".
_ROLE_WORDS = ROLE_HEADS | set(
    """top senior former foreign defence defense state affairs interior finance trade commerce
    prime vice acting national security ministry department general assistant special
    permanent executive""".split()
)
# Plural or vague subjects that are speakers we cannot name: "Western officials said".
_GROUP_WORDS = set(
    """officials analysts experts critics diplomats sources people residents witnesses observers
    lawmakers reporters media some many others several""".split()
)
# Generic descriptions of a body, kept as written: "the ministry said" -> "the ministry".
_BODY_HEADS = set(
    """ministry government kremlin embassy agency department company administration office
    military army police alliance bloc council committee commission authority union association
    federation court tribunal board regulator watchdog institute airline carrier firm bank insurer
    group campaign party hospital university charity organisation organization network guild
    society coalition league foundation corporation""".split()
)
# Last words that make a capitalised run a body, never a person: "American Motors Corp".
_BODY_SUFFIXES = _BODY_HEADS | set(
    """corp co inc ltd plc llc ag sa nv bv gmbh spa holdings industries enterprises partners
    workers brothers associates services systems technologies airlines airways motors press
    times post news journal telegraph herald tribune museum gallery library zoo theatre theater
    school college academy clinic centre center system network channel broadcasting
    service""".split()
)
# Forms of address: a role of their own ("Dr", "Sir"), never part of the name.
_HONORIFICS = set("mr mrs ms miss dr sir dame lord lady prof rev reverend".split())
# Lower-case words that never describe a body: "the said ministry" is no "Said Ministry".
_NOT_MODIFIERS = set(
    """a an the and or but of to in on at for by with from as is are was were be been has have had
    said says told also its his her their our this that these those which who""".split()
)
# Capitalised words that never belong to a person's name. Keeps "United States", "Cold War" and
# "Beijing Winter Olympics" out of the alias table.
_FUNCTION_WORDS = set(
    """the a an in on at for but and or if as when while after before during according asked
    speaking some many most other others this that these those it he she they we i you his her
    their our its there here what who why how where which meanwhile however still yet also even
    now then earlier later last next new western eastern northern southern central north south
    east west comments click read analysts critics officials not no""".split()
)
_TITLE_WORDS = set(
    """president minister foreign secretary secretary-general general ambassador spokesman
    spokeswoman chancellor premier prime vice deputy chief state senator governor mayor king queen
    prince commander director chairman mr mrs ms dr sir lord lady pope judge justice prosecutor
    coach captain dame rev reverend bishop archbishop cardinal rabbi imam sheikh detective
    inspector sergeant colonel lieutenant admiral marshal professor prof madam councillor councilor
    councilman councilwoman alderman congressman congresswoman assemblyman assemblywoman""".split()
)
_NATIONALITY_WORDS = set(
    """chinese russian american ukrainian german french british european japanese korean indian
    israeli iranian turkish polish taiwanese african asian arab italian spanish canadian""".split()
)
_CALENDAR_WORDS = set(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
_PLACE_AND_BODY_WORDS = set(
    """united states nations kingdom china russia ukraine beijing moscow washington kyiv kiev
    taiwan taipei europe asia america germany france britain berlin paris london brussels geneva
    japan tokyo korea seoul india israel iran xinjiang tianjin hong kong syria crimea donbas africa
    nato eu un ministry department council committee house white kremlin pentagon congress senate
    parliament party union organization organisation group bank fund agency office commission
    court affairs commerce defence defense security cold war winter summer olympics olympic games
    examiner times post news press reuters street sea ocean river university institute alliance
    forces army navy air force republic federation democrats republicans communist""".split()
)
# Alone, these are no speaker: "Western said", "Tuesday said" are misreadings.
_NOT_A_SPEAKER = _FUNCTION_WORDS | _TITLE_WORDS | _NATIONALITY_WORDS | _CALENDAR_WORDS
NON_NAME = _NOT_A_SPEAKER | _PLACE_AND_BODY_WORDS
# Family names written first (Chinese, Korean, Vietnamese): "Zhang Jun" is "Zhang", not "Jun".
EAST_ASIAN_FAMILY_NAMES = set(
    """zhang wang li liu chen yang zhao huang zhou wu xu sun ma zhu hu guo lin luo gao xi qin
    zheng liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du
    ye cheng wei su lu ding ren shen yao jin fu zhong cui tan shi shu mao lei lai hou qian bai
    wen xue yan jia kim park lee choi jung kang cho yoon jang lim moon nguyen tran pham hoang
    phan vu dang bui ngo duong""".split()
)
# Words that make a short quoted phrase a label, not speech: so-called “peace initiative”.
_LABEL_BEFORE = re.compile(
    r"(?:so-called|dubbed|called|titled|entitled|named|nicknamed|termed|labell?ed|known as|"
    r"the (?:term|word|words|phrase|slogan|motto|hashtag))\s+(?:(?:the|a|an|its|their)\s+)?$",
    re.IGNORECASE,
)
# Last words that can end a label phrase (checked before the regex, which is slower).
_LABEL_TRIGGERS = set(
    """so-called dubbed called titled entitled named nicknamed termed labelled labeled as term
    word words phrase slogan motto hashtag the a an its their""".split()
)
# Lower-case words inside a title: “A Path to Lasting Security”, “War and Peace”.
_TITLE_LINKS = set("a an the of to in on at for and or nor but with by from as vs".split())
# A determiner right before a short quoted noun phrase marks a scare quote: a “draft treaty”.
_DETERMINER_WORDS = set("a an the this these those its their his her our your my whose".split())
_AUXILIARIES = set(
    """is are was were be been being am will would can could should must may might shall do does
    did have has had stop go make let get take give keep leave""".split()
)
_IRREGULAR_PARTICIPLES = {"taken", "given", "broken", "spoken", "chosen", "written", "seen", "done"}
# After a sentence-final quote, text that is its attribution: `“Is it?” Zhang asked.`
# Narration is no attribution: "“…” Yukos had argued that ..." starts a sentence of its own.
_ATTRIBUTION_AHEAD = re.compile(
    r"\s+(?:(?!(?:had|has|have|was|were|is|would|will)\b)[\w’'\-]+\s+){0,5}?"
    r"(?:said|says|told|added|asked|wrote|explained|insisted|argued|"
    r"replied|warned|stressed|noted|continued)\b(?!\s+that\b)"
)
_OPENING_MARKS = frozenset('“"‘')
_CLOSING_MARKS = frozenset('”"’')
_MARKUP = re.compile(r"</?[A-Za-z][^<>]{0,300}>")  # bounded: never scans far for a ">"
_DOUBLE_MARK = re.compile(r"[“”\"]")
_SINGLE_MARK = re.compile(r"[‘’]")
# A capitalised word, a word in capitals, or initials before another capitalised word
# ("J. Hugh Liedtke", "E.H. Clark", "John D. Dingell").
_CAP_WORD = (
    rf"(?:[{_UPPER}][{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?(?:[\-’'][{_UPPER}{_LOWER}]+)*"
    rf"|[{_UPPER}]{{2,}}(?![{_LOWER}])"
    rf"|[{_UPPER}]\.(?:[{_UPPER}]\.)*(?=[ \t]+[{_UPPER}]))"
)
_INITIALS = re.compile(rf"[{_UPPER}]\.(?:[{_UPPER}]\.)*")
_NOT_INITIALS = {"U.S.", "U.N.", "U.K.", "E.U.", "U.S.A.", "N.Y.", "D.C."}
# Generational suffixes end a name but are never the name a later mention uses.
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
# Lower-case particles inside names: Ursula von der Leyen, Charles de Gaulle.
_NAME_PARTICLES = {"von", "van", "der", "den", "de", "da", "di", "del", "bin", "al", "ibn", "le"}
_PARTICLE = "(?:" + "|".join(sorted(_NAME_PARTICLES)) + r")[ \t]+"
_CAP_RUN = re.compile(rf"(?<![\w’'\-]){_CAP_WORD}(?:[ \t]+(?:{_PARTICLE})*{_CAP_WORD})*")
_CAP_WORD_RE = re.compile(_CAP_WORD)
# `Wang Yi, Chinese Foreign Minister,` / `Li Wei, a spokesman for the Ministry of Commerce,`
_APPOSITIVE = re.compile(
    r",\s+(?:(?:the|a|an)\s+)?((?:[\w’'.\-]+[ \t]+){0,7}?[\w’'\-]+(?:\.[\w’'\-]+)*)\s*(?=[,.;)]|$)"
)

# `Jo Ng, the Danish envoy who leads the talks`: the role ends at the relative pronoun.
_APPOSITIVE_RELATIVE = re.compile(
    r",\s+(?:(?:the|a|an)\s+)?((?:[\w’'\-]+[ \t]+){0,6}?[\w’'\-]+)[ \t]+(?:who|whose|which)\b"
)


# ---------------------------------------------------------------- people in an article


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

    def add_role(self, name: str, role: str | None) -> None:
        if role and role.lower() not in {r.lower() for r in self.roles[name]}:
            self.roles[name].append(role)

    def first_role(self, name: str | None) -> str | None:
        return self.roles[name][0] if name in self.roles and self.roles[name] else None

    def first_mention(self, lo: int, hi: int) -> str | None:
        """The person mentioned first in text[lo:hi], by full name or alias."""
        if self.ordered is None:
            self.ordered = sorted((o, n) for n, offsets in self.mentions.items() for o in offsets)
        i = bisect.bisect_left(self.ordered, (lo, ""))
        return self.ordered[i][1] if i < len(self.ordered) and self.ordered[i][0] < hi else None

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


def _is_initial(word: str) -> bool:
    return bool(_INITIALS.fullmatch(word)) and word not in _NOT_INITIALS


def _strip_possessive(word: str) -> tuple[str, bool]:
    if word.endswith(("’s", "'s")) and len(word) > 2:
        return word[:-2], True
    return word, False


def _is_name_word(word: str) -> bool:
    low = word.lower()  # "Safety Board", "Pilots Association": bodies, not people
    if _is_initial(word) or low in _NAME_SUFFIXES:
        return True
    return len(word) >= 2 and not word.isupper() and low not in NON_NAME and low not in _BODY_HEADS


# "Union of", "Ministry for": a body's name goes on after its head word and "of"/"for".
# ("Secretary of State Jane Doe" is a title before a name).
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
    return low in _ROLE_WORDS or low in _TITLE_WORDS or low in _HONORIFICS


def _find_people(text: str) -> _People:
    """Alias table of the article: full names (2-3 capitalised words) with their roles."""
    people = _People()
    singles: list[tuple[int, str, str | None]] = []  # one-word mentions, resolved afterwards
    for run in _CAP_RUN.finditer(text):
        a, b = run.start(), run.end()
        if a and text[a - 1] in _OPENING_MARKS and text[b : b + 1] in _CLOSING_MARKS:
            continue  # a quoted title, “Annual Trade Outlook”, is nobody
        body_of = _BODY_OF.search(text, max(0, a - 40), a)
        if body_of and not _is_role_word(body_of.group(1)):
            continue  # "Union of Valencian Nurses": the end of a body's name, not a person
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
    for name in people.roles:
        people.aliases.setdefault(family_name(name).lower(), set()).add(name)
        if " " in family_name(name):  # "von der Leyen" is also "Leyen" to the phrase reader
            people.aliases.setdefault(name.split()[-1].lower(), set()).add(name)
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
    for pos, word, role in singles:  # "Zhang said", "President Putin": mentions by alias
        names = people.aliases.get(word.lower(), set())
        if len(names) == 1:
            name = next(iter(names))
            people.mentions[name].append(pos)
            people.add_role(name, role)
    for offsets in people.mentions.values():
        offsets.sort()
    people.genders = _genders(text, people)
    return people


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


def _genders(text: str, people: _People) -> dict[str, str]:
    """A person's gender, from the article's own words only: a title or role word before their
    name (Mrs Thatcher, the spokeswoman), else the pronouns that follow their mentions with no
    other person in between. Conflicting evidence leaves it unknown."""
    titled: dict[str, set[str]] = {}
    for name, roles in people.roles.items():
        for role in roles:
            words = {w.lower().strip(".") for w in role.split()}
            if words & _MALE_WORDS:
                titled.setdefault(name, set()).add("m")
            if words & _FEMALE_WORDS:
                titled.setdefault(name, set()).add("f")
    votes: dict[str, list[str]] = {}
    if people.ordered is None:
        people.ordered = sorted((o, n) for n, offsets in people.mentions.items() for o in offsets)
    ordered = people.ordered
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


def _merge_surname_mentions(people: _People) -> None:
    """A two-word "name" that is the family name of exactly one fuller name in the article
    ("De Croo" after "Herman De Croo") is a mention of that person, not someone new."""
    by_family: dict[str, list[str]] = {}
    for name in people.roles:
        if len(family_name(name).split()) > 1 and family_name(name) != name:
            by_family.setdefault(family_name(name).lower(), []).append(name)
        words = name.split()
        if len(words) >= 4:  # "Rana Mashhood" before or after "Rana Mashhood Ahmad Khan"
            for n in range(2, len(words)):
                by_family.setdefault(" ".join(words[:n]).lower(), []).append(name)
    for name in list(people.roles):
        fuller = by_family.get(name.lower(), [])
        if len(fuller) == 1:
            target = fuller[0]
            people.mentions[target] = sorted(people.mentions[target] + people.mentions.pop(name))
            for role in people.roles.pop(name):
                people.add_role(target, role)


def _name_in_run(text, words, people: _People, singles) -> None:
    """Split one capitalised run into (role words, name) and record the name."""
    k = len(words)
    while k > 0 and _is_name_word(words[k - 1][1]):
        k -= 1
    # "Chief Executive Priya Natarajan": role and title words before a name belong to the role.
    while k < len(words) and _is_role_word(words[k][1]):
        k += 1
    name_words = words[k:]
    if words[-1][1].lower().rstrip(".") in _BODY_SUFFIXES:
        # "American Motors Corp", "United Automobile Workers": a body, not a person
        named = text[words[0][0] : words[-1][0] + len(words[-1][1])].split()
        if named[0] == "The":
            named = named[1:]
        people.bodies.append(" ".join(named))
        return
    # Initials and suffixes do not count: "Martin Luther King Jr", "John D. Dingell"; four
    # words are a name in South Asian and Arabic traditions ("Rana Mashhood Ahmad Khan").
    full_words = [
        w for _, w in name_words if not _is_initial(w) and w.lower() not in _NAME_SUFFIXES
    ]
    if not full_words or len(full_words) > 4:
        return
    start = name_words[0][0]
    role = _role_before(text, start)
    if len(full_words) == 1 and len(name_words) == 1:
        singles.append((start, name_words[0][1], role))
        return
    if len(full_words) == 1 and not _is_initial(name_words[0][1]):
        return  # "Gerstner Jr": a surname and a suffix name nobody new
    end = name_words[-1][0] + len(name_words[-1][1])
    name = " ".join(text[start:end].split())  # keeps particles: "Ursula von der Leyen"
    people.roles.setdefault(name, [])
    people.mentions.setdefault(name, []).append(start)
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


def _role_before(text: str, start: int) -> str | None:
    """Title words right before a name: `Chinese Foreign Ministry spokesman Zhao Lijian`."""
    j = start - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j == start - 1 or j < 0 or not text[j].isalnum():
        return None  # nothing but punctuation before the name: no title (and no work)
    return _role_ending_at(text, start, adjacent=False)


def _comma_role_before(text: str, start: int, end: int) -> str | None:
    """A role set off by commas before a name: `Peru’s trade envoy, Jane Doe, said`."""
    j = start - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j < 1 or text[j] != "," or text[end : end + 1] != "," or not text[j - 1].isalpha():
        return None
    return _role_ending_at(text, j, adjacent=True)


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
        if words and all(_np_word(w) for w in words):
            return _role_text(words)
    return None


# ---------------------------------------------------------------- roles


_NATIONALITIES = {
    "chinese": "china", "russian": "russia", "ukrainian": "ukraine", "german": "germany",
    "french": "france", "japanese": "japan", "indian": "india", "israeli": "israel",
    "iranian": "iran", "turkish": "turkey", "polish": "poland", "korean": "korea",
    "taiwanese": "taiwan", "british": "uk", "britain": "uk", "american": "us", "america": "us",
    "european": "europe", "italian": "italy", "spanish": "spain", "canadian": "canada",
    "dutch": "netherlands", "pakistani": "pakistan", "afghan": "afghanistan", "saudi": "saudi",
    "egyptian": "egypt", "brazilian": "brazil", "mexican": "mexico", "australian": "australia",
    "swiss": "switzerland", "swedish": "sweden", "belgian": "belgium", "greek": "greece",
    # Capitals stand for their countries in roles too: "Beijing's UN envoy".
    "beijing": "china", "moscow": "russia", "kyiv": "ukraine", "kiev": "ukraine",
    "washington": "us", "london": "uk", "paris": "france", "berlin": "germany",
    "tokyo": "japan", "islamabad": "pakistan", "tehran": "iran",
}  # fmt: skip
# How questions and articles abbreviate or vary a role: "PM" is the prime minister.
_ROLE_EXPANSIONS = {
    "pm": ["prime", "minister"], "cm": ["chief", "minister"], "fm": ["foreign", "minister"],
    "ceo": ["chief", "executive"], "cfo": ["chief", "financial", "officer"],
    "coo": ["chief", "operating", "officer"], "chair": ["chairman"], "chairwoman": ["chairman"],
    "chairperson": ["chairman"], "gov": ["governor"], "sen": ["senator"],
    "rep": ["representative"], "gen": ["general"], "envoy": ["ambassador"],
    "spokeswoman": ["spokesman"], "spokesperson": ["spokesman"], "un": ["un"],
    "minster": ["minister"], "secy": ["secretary"], "pres": ["president"],
}  # fmt: skip
# Spellings of the same body: U.N./UN/United Nations, U.S./US/United States ...
_ACRONYMS = [
    (re.compile(r"\bu\.\s?s\.(?:\s?a\.)?|\bunited states(?: of america)?\b|\busa\b"), " us "),
    (re.compile(r"\bu\.\s?n\.|\bunited nations\b"), " un "),
    (re.compile(r"\bu\.\s?k\.|\bunited kingdom\b|\bgreat britain\b"), " uk "),
    (re.compile(r"\be\.\s?u\.|\beuropean union\b"), " eu "),
]
_ROLE_STOPWORDS = {"the", "a", "an", "of", "to", "for", "at", "in", "s", "and"}
_ROLE_SYNONYMS = {"spokeswoman": "spokesman", "spokesperson": "spokesman", "envoy": "ambassador"}
# "China’s top diplomat" is its foreign minister (the US one is the secretary of state).
_DIPLOMAT_ROLES = [{"foreign", "minister"}, {"secretary", "state"}, {"foreign", "secretary"}]


def _role_tokens(phrase: str) -> set[str]:
    """Comparable words of a role: "China's Foreign Minister" -> {china, foreign, minister}."""
    s = phrase.lower().replace("’", "'").replace("-", " ")
    for pattern, replacement in _ACRONYMS:
        s = pattern.sub(replacement, s)
    s = re.sub(r"'s\b", "", s)
    words = re.findall(rf"[{_LOWER}]+", s)
    words = [e for w in words for e in _ROLE_EXPANSIONS.get(w, [w])]
    words = [_ROLE_SYNONYMS.get(_NATIONALITIES.get(w, w), _NATIONALITIES.get(w, w)) for w in words]
    return {w for w in words if w not in _ROLE_STOPWORDS}


def role_matches(phrase: str, role: str) -> bool:
    """Does a role phrase as written or asked ("the Chinese ambassador to the UN") fit a role?"""
    wanted, known = _role_tokens(phrase), _role_tokens(role)
    if not wanted or not _has_role_head(sorted(wanted)):
        return False
    variants = [wanted]
    if "diplomat" in wanted:
        rest = wanted - {"diplomat", "top", "chief"}
        variants += [rest | alt for alt in _DIPLOMAT_ROLES]
    return any(v <= known for v in variants)


def _resolve_role(phrase: str, pos: int, people: _People) -> str | None:
    """The one person whose role fits; with several, the one mentioned last before pos."""
    fits = people.role_fits.get(phrase)
    if fits is None:
        fits = [n for n, rs in people.roles.items() if any(role_matches(phrase, r) for r in rs)]
        people.role_fits[phrase] = fits
    if len(fits) <= 1:
        return fits[0] if fits else None
    latest = sorted((people.last_mention_before(n, pos), n) for n in fits)
    if latest[-1][0] < 0 or latest[-1][0] == latest[-2][0]:
        return None
    return latest[-1][1]


# ---------------------------------------------------------------- quotation marks


@dataclass(frozen=True)
class _Span:
    open: int  # offset of the opening mark
    close: int  # offset of the closing mark; the paragraph end when it runs on
    runs_on: bool  # left open here and re-opened at the start of the next paragraph


def _double_marks(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """Each “ ” " in the paragraph as (offset, "open" | "close" | "either")."""
    marks = []
    for m in _DOUBLE_MARK.finditer(text, start, end):
        i, c = m.start(), m.group()
        if c == "“":
            marks.append((i, "open"))
        elif c == "”":
            marks.append((i, "close"))
        elif c == '"':
            before = text[i - 1] if i > start else " "
            after = text[i + 1] if i + 1 < end else " "
            can_open = (before.isspace() or before in "([{—–-/") and not after.isspace()
            can_close = not before.isspace() and (after.isspace() or after in ".,;:!?)]}—–-…")
            if can_open and can_close:
                marks.append((i, "either"))
            elif can_open or can_close:
                marks.append((i, "open" if can_open else "close"))
    return marks


def _single_marks(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """Each ‘ ’ used as a quotation mark; a ’ between letters (It’s) is an apostrophe."""
    marks = []
    for m in _SINGLE_MARK.finditer(text, start, end):
        i, c = m.start(), m.group()
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if c == "‘":
            decade = text[i + 1 : i + 4].rstrip("s").isdigit() and after.isdigit()  # ‘90s
            if not before.isalnum() and (after.isalnum() or after == "…") and not decade:
                marks.append((i, "open"))
        elif not (before.isalnum() and after.isalnum()) and not before.isspace():
            # allies’ concerns: a plural possessive, unless nothing else can close the quote
            weak = before == "s" and text[i + 1 : i + 2] == " " and text[i + 2 : i + 3].islower()
            marks.append((i, "weak" if weak else "close"))
    return marks


def _pair(marks: list[tuple[int, str]]) -> tuple[list[tuple[int, int]], int | None]:
    """Pair opening and closing marks in order; return the pairs and a mark left open."""
    pairs: list[tuple[int, int]] = []
    open_at: int | None = None
    next_strong: list[str | None] = [None] * len(marks)  # role of the next non-weak mark
    for n in range(len(marks) - 2, -1, -1):
        role = marks[n + 1][1]
        next_strong[n] = role if role != "weak" else next_strong[n + 1]
    for n, (pos, role) in enumerate(marks):
        if open_at is None:
            if role in ("open", "either"):
                open_at = pos
            continue  # a closing mark with nothing open: skipped
        if role == "weak":
            if next_strong[n] in ("close", "either"):
                continue  # a later mark closes the quote; this one is an apostrophe
            role = "close"
        if role in ("close", "either"):
            pairs.append((open_at, pos))
            open_at = None
        else:
            open_at = pos  # a second opening: the first one never closed and is skipped
    return pairs, open_at


def _starts_with(text: str, start: int, chars: str) -> bool:
    return start < len(text) and text[start] in chars


def _paragraph_spans(text: str, paras: list[tuple[int, int]]) -> list[list[_Span]]:
    """Paired quotation spans of every paragraph, in order; singles nested in doubles dropped."""
    result = []
    for n, (start, end) in enumerate(paras):
        next_start = paras[n + 1][0] if n + 1 < len(paras) else len(text)
        families = []
        for marks, openers in (
            (_double_marks(text, start, end), '“"'),
            (_single_marks(text, start, end), "‘"),
        ):
            pairs, left_open = _pair(marks)
            spans = [_Span(a, b, False) for a, b in pairs]
            reopened = n + 1 < len(paras) and _starts_with(text, next_start, openers)
            if left_open is not None and reopened:
                spans.append(_Span(left_open, end, True))
            families.append(spans)
        result.append(_merge_families(*families))
    return result


def _merge_families(doubles: list[_Span], singles: list[_Span]) -> list[_Span]:
    """Keep every double-quoted span and the single-quoted spans that do not cross one.

    A single-quoted span that contains double-quoted ones (British style) wins over them.
    """
    opens = [d.open for d in doubles]
    dropped: set[int] = set()
    kept_singles = []
    for s in singles:
        i = bisect.bisect_left(opens, s.open)
        if i and doubles[i - 1].close >= s.open:
            continue  # inside (or crossing) a double-quoted span
        j = bisect.bisect_right(opens, s.close)
        inner = range(i, j)
        if any(doubles[k].close > s.close for k in inner):
            continue  # crossing
        dropped.update(inner)
        kept_singles.append(s)
    kept = [d for k, d in enumerate(doubles) if k not in dropped] + kept_singles
    return sorted(kept, key=lambda sp: sp.open)


def _content(text: str, span: _Span) -> tuple[int, int]:
    """Offsets of the quoted words: no marks, no surrounding space, no trailing comma."""
    start, end = span.open + 1, span.close
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return start, end


def _mask(text: str, spans: list[_Span]) -> str:
    """The text with every quoted span (marks included) replaced by QMASK, same length.

    The mask's last character keeps the quote's final punctuation as "." or "," so that a quote
    ending a sentence still ends it, and `“…,” he said` still reads as a clause.
    """
    pieces, pos = [], 0
    for sp in spans:
        stop = sp.close if sp.runs_on else sp.close + 1
        inner = text[sp.open + 1 : sp.close].rstrip()
        if sp.runs_on or inner.endswith((".", "!", "?", "…")):
            last = "."
        elif inner.endswith(","):
            last = ","
        else:
            last = QMASK
        pieces += [text[pos : sp.open], QMASK * (stop - sp.open - 1), last]
        pos = stop
    pieces.append(text[pos:])
    return "".join(pieces)


# ---------------------------------------------------------------- sentences


def _sentences(masked: str, start: int, end: int, quote_ends: set[int]) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, split on the masked text (quotes never split one), by the
    shared rule; a quote ending in a stop runs on into its attribution: `“Over?” Zhang asked.`"""
    spans, s = [], start
    for cut in sentence_ends(masked, start, end):
        if cut - 1 in quote_ends and _ATTRIBUTION_AHEAD.match(masked, cut, min(end, cut + 80)):
            continue
        spans.append((s, cut))
        s = cut
    if s < end:
        spans.append((s, end))
    return [(a, b) for a, b in spans if masked[a:b].strip()]


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

    def note(self, who: _Who) -> None:
        if who.speaker is None and who.attribution == "explicit":
            return  # "Western officials said": nobody a later "he" could mean
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
        elif who and who.speaker is not None and who.attribution == "explicit":
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
    indefinite = (bool(words) and words[0].lower() in ("a", "an")) or _word_before(
        state.text, pos
    ) in _INDEFINITES
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    if not words:
        return None
    last = words[-1]
    low = last.lower()
    if indefinite and not last[0].isupper() and (low in _ROLE_WORDS or low in _GROUP_WORDS):
        return _Who(None, _role_text(words), "alias")  # "one analyst", "a spokesman": unnamed
    if len(words) == 1 and low in PRONOUNS:
        return state.pronoun(low, pos)
    of = next((i for i, w in enumerate(words) if w in ("of", "at", "from") and i), None)
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
            return _Who(name, _role_text(words[:-n]) or people.first_role(name), "explicit")
    if _strip_possessive(last)[1]:
        return None  # "Wang’s" alone owns something; it does not speak
    if low in people.aliases:
        names = people.aliases[low]
        role = _role_text(words[:-1])
        if len(names) == 1:
            name = next(iter(names))
            return _Who(name, role or people.first_role(name), "alias")
        return _Who(None, role, "alias")  # a surname two people share: not guessed
    if _has_role_head(words):
        phrase = " ".join(words)
        return _Who(_resolve_role(phrase, pos, people), phrase, "alias")
    if low in _GROUP_WORDS:
        return _Who(None, None, "explicit")
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
            if low in _GENERIC_BODIES:
                return _Who(None, None, "alias")  # "the company said", none named: unknown
        return _Who(_body_name(words), None, "explicit")
    while len(words) > 1 and words[0].lower() in _FUNCTION_WORDS:
        words = words[1:]  # "But Russia", "In Beijing"
    if not all(w[0].isupper() or w.lower() in _CONNECTORS for w in words):
        return None
    name = " ".join(words)
    if len(words) == 1 and name.lower() in _NOT_A_SPEAKER:
        vague = name.lower() in {"some", "many", "others", "it", "this", "that"}
        return _Who(None, None, "explicit") if vague else None
    if len(words) == 1 and _common_noun(name, pos, state):
        return None  # "Turnout was “…,” according to ...": capitalised only as a first word
    if len(words) == 1 and name.isupper() and 2 <= len(name) <= 6:
        body = _acronym_of(name, state)  # "AMC" after "American Motors Corp"
        if body is not None:
            return _Who(body, None, "alias")
    return _Who(name, None, "explicit")


def _acronym_of(acronym: str, state: _State) -> str | None:
    """The one body quoted so far, or named, whose capitalised words' initials spell the
    acronym ("NBC" after "National Broadcasting Co")."""
    fits = {
        body for body in [*state.bodies, *state.people.bodies]
        if "".join(w[0] for w in body.split() if w[0].isupper()) == acronym
    }  # fmt: skip
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
            if gap.strip() or "\n" in gap:
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


_INDEFINITES = {"a", "an", "one", "another", "some", "two", "three", "several", "other"}


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
    subject = _resolve_span(_phrase(text, start, end, from_end=False), state)
    person = subject.speaker if subject is not None and _is_person(subject, state) else None
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


def _colon_speaker(text: str, masked: str, s: int, colon: int, state: _State) -> _Who | None:
    """`Jane Doe laid out her plan: “…”`: the subject of a sentence introducing a quote."""
    who = _sentence_subject(text, masked, s, colon, state)
    if _is_person(who, state) or (who is not None and who.attribution == "pronoun"):
        return who
    name = state.people.first_mention(s, min(colon, s + 160))  # "A resident, Jane Doe, 80,"
    if name is not None:
        return _Who(name, state.people.first_role(name), "explicit")
    return who if who is not None and who.speaker is not None else None


def _verb_subject(text, masked, s, e, verb: re.Match, state: _State) -> _Who | None:
    """Speaker of one speech verb: subject before it, after it (inverted), or the sentence's."""
    lo, hi = _clause_before(masked, s, verb.start())
    if hi > lo:
        toks = _phrase(text, lo, hi, from_end=True)
        if not toks or _PREPOSITION_END.search(text, lo, toks[0][0]):
            toks = _phrase(text, lo, hi, from_end=False)  # "Officials in Kyiv said"
        who = _resolve_span(toks, state)
        return who or _Who(None, None, "explicit")  # a subject we cannot name
    named = _appositive_subject(text, masked, s, verb.start(), state)
    if named is not None:
        return named
    before = masked[max(s, verb.start() - 4) : verb.start()].rstrip()
    if before.endswith((QMASK, QMASK + ",", QMASK + ".")):  # “…,” said Antony Blinken
        end = verb.end()
        while end < min(e, verb.end() + 120) and masked[end] not in _CUT_CHARS:
            end += 1
        after = _tokens(text, verb.end(), end)
        if after and after[0][2].lower() in _INDEFINITES - {"a", "an"}:
            return _Who(None, None, "alias")  # “…,” said one analyst who ...: unnamed
        toks = _phrase(text, verb.end(), end, from_end=False)
        if not toks:  # "said reviewer Jane Doe": start at the name, a word or two on
            first = next((i for i, t in enumerate(after[:3]) if t[2][0].isupper()), None)
            skipped = {t[2].lower() for t in after[: first or 0]}
            if first is not None and not skipped & {"who", "which", "that", "whose"}:
                toks = _phrase(text, after[first][0], end, from_end=False)
        return _resolve_span(toks, state)
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
    r"\bquot(?:ed|es|ing)\s+([^\x00,;:]{1,100}?)\s+as\s+(?:saying|telling|stating|writing)\b"
)


def _sentence_who(text, masked, s, e, state: _State) -> tuple[_Who | None, bool]:
    """The sentence's speaker (if any) and whether it reports speech at all."""
    quoted = _QUOTED_AS.search(masked, s, e)
    if quoted:  # "The Detroit Free Press quoted GM vice-president Alfred Warren as saying"
        toks = _phrase(text, quoted.start(1), quoted.end(1), from_end=True)
        who = _resolve_span(toks, state)
        return who or _Who(None, None, "explicit"), True
    reporting = False
    found: _Who | None = None
    for verb in SPEECH_VERB.finditer(masked, s, e):
        if _is_passive(masked, s, verb):
            continue  # "he was told", "when asked": the subject is not the one speaking
        reporting = True
        who = _verb_subject(text, masked, s, e, verb, state)
        if who is not None:
            found = who
            break
    if found is None or found.speaker is None:
        source = _according_to(text, masked, s, e, state)
        if source:
            return source, True
        reporting = reporting or bool(ACCORDING_TO.search(masked, s, e))
    return found, reporting


# ---------------------------------------------------------------- quotation or scare quote


def _has_verb(words: list[str]) -> bool:
    for word in words:
        w = word.lower()
        if (
            w in _AUXILIARIES
            or w in _IRREGULAR_PARTICIPLES
            or (len(w) > 4 and w.endswith(("ing", "ed")))
            or w.endswith(("n't", "n’t"))
        ):
            return True
    return False


def _is_title(text: str, start: int, end: int) -> bool:
    """Two to twelve words, every one capitalised but for short linking words: a title."""
    capitalised = 0
    for n, m in enumerate(_WORD.finditer(text, start, end)):
        word = m.group()
        if n >= 12:  # “Zombies on Film: The Definitive Story of Undead Cinema”
            return False
        if word[0].isupper():
            capitalised += 1
        elif n == 0 or word not in _TITLE_LINKS:
            return False
    return capitalised >= 2


def _is_quotation(
    text: str, masked: str, s: int, span: _Span, reporting: bool, standalone: bool
) -> bool:
    """Speech, not a scare quote, label or title: so-called “peace initiative”, a “draft treaty”."""
    start, end = _content(text, span)
    words = [m.group() for m, _ in zip(_WORD.finditer(text, start, end), range(5), strict=False)]
    if not words:
        return False
    before = masked[max(s, span.open - 40) : span.open]
    tail = before[-16:].split()
    last_word = tail[-1].lower() if tail else ""
    if last_word in _LABEL_TRIGGERS and _LABEL_BEFORE.search(before):
        return False
    inner = text[span.open + 1 : span.close].rstrip()
    if not standalone and _is_title(text, start, end):
        return False  # the agency’s yearly “Economic Outlook Survey” is a title, not speech
    following = text[span.close + 1 : span.close + 6].lstrip()[:1]
    ends_sentence = not following or following.isupper() or following in '“"‘'
    if standalone and inner.endswith((".", "!", "?")) and (span.runs_on or ends_sentence):
        return True  # a whole sentence of its own: `“Not yet.”`
    if len(words) == 1:  # only a whole one-word answer: `“No,” he said.`
        return reporting and inner.endswith((".", "!", "?", ","))
    if len(words) < 4:
        if last_word in _DETERMINER_WORDS and before[-1:].isspace():
            return False
        return reporting or _has_verb(words)
    long_words = [w for w in words if len(w) > 3]
    if not reporting and len(long_words) >= 2 and all(w[0].isupper() for w in long_words):
        return False  # a title in capitals: “A Path to Lasting Security”
    return True


def _kind(masked: str, s: int, span: _Span, para_start: int) -> str:
    """Direct when the quote stands as its own sentence, partial when woven into one."""
    before = masked[max(s, span.open - 120) : span.open].rstrip()
    if span.open == para_start or not before.strip() or before.endswith(":"):
        return "direct"
    if before.endswith(","):
        clause = before[:-1].rsplit(QMASK, 1)[-1]
        if SPEECH_VERB.search(clause):
            return "direct"  # `he said, “and we are working …”`
    return "partial"


def _is_headline(text: str, start: int, end: int) -> bool:
    """A line in capitals is a cross-promoted headline: its marks are not quotations."""
    chunk = text[start:end]
    letters = sum(c.isalpha() for c in chunk)
    return len(chunk.split()) >= 3 and letters >= 10 and not any(c.islower() for c in chunk)


# ---------------------------------------------------------------- public API


def extract_quotes(doc: Document) -> list[Quote]:
    """Every quotation in the article with its speaker, in document order."""
    return _analyse(doc)[0]


def speaker_roles(doc: Document) -> dict[str, list[str]]:
    """Canonical speaker -> roles seen in the article.

    Every person named in full is listed (quoted or not), so that a surname two people share
    stays ambiguous when asked about; bodies appear once they are quoted.
    """
    quotes, people = _analyse(doc)
    roles = {name: list(r) for name, r in people.roles.items()}
    for q in quotes:
        if q.speaker is not None:
            known = roles.setdefault(q.speaker, [])
            if q.role and q.role.lower() not in {r.lower() for r in known}:
                known.append(q.role)
    return roles


# A nickname in quotation marks inside a name: John "Bud" Frazier (no quotation, and one name).
_NICKNAME = re.compile(
    rf"(?<=[{_LOWER}] )[\"“][{_UPPER}][{_LOWER}]{{1,20}}[\"”] (?=[{_UPPER}][{_LOWER}])"
)


def _blank_nicknames(text: str) -> str:
    """Nicknames between a given and a family name blanked (same length)."""
    if '"' not in text and "“" not in text:
        return text

    def blank(m: re.Match) -> str:  # only after a capitalised word: the given name
        before = text[max(0, m.start() - 22) : m.start()].split()
        return " " * len(m.group()) if before and before[-1][:1].isupper() else m.group()

    return _NICKNAME.sub(blank, text)


def _blank_markup(text: str) -> str:
    """HTML-like tags replaced by spaces (same length): `<p data-x="1">` holds no quotation."""
    if "<" not in text:
        return text
    return _MARKUP.sub(lambda m: " " * len(m.group()), text)


def _analyse(doc: Document) -> tuple[list[Quote], _People]:
    original = doc.text
    # Same offsets throughout; quote text is always cut from the original. Markup is blanked,
    # and the line breaks of a hard-wrapped paragraph read as spaces ("Herman\nDe Croo").
    text = soft_text(_blank_nicknames(_blank_markup(original)))
    people = _find_people(text)
    state = _State(people, text=text)
    paras = paragraph_spans(text)
    spans_by_para = _paragraph_spans(text, paras)
    masked = _mask(text, [sp for spans in spans_by_para for sp in spans])
    found: list[tuple[Quote, _Span]] = []
    carried: _Who | None = None  # who a quote opening the next paragraph continues
    runs_on = False
    for (ps, pe), spans in zip(paras, spans_by_para, strict=True):
        if _is_headline(text, ps, pe):
            carried, runs_on = None, False
            continue
        para_who = carried if runs_on or _starts_with(text, ps, '“"‘') else None
        last_who: _Who | None = None
        last_runs_on = False
        reported: _Who | None = None  # the paragraph's latest named speaker, quoted or not
        quote_ends = {sp.close for sp in spans}
        pending = 0  # index of the next span to place in a sentence
        for s, e in _sentences(masked, ps, pe, quote_ends):
            state.pos = s
            who, reporting = _sentence_who(text, masked, s, e, state)
            if who is not None:
                state.note(who)
                if who.speaker is not None:
                    reported = who
            if who is None or who.speaker is None:
                # "Viktor Orban disagreed. “…,” he said.": a subject is a pronoun's antecedent
                state.note_subject(_sentence_subject(text, masked, s, e, state))
            while pending < len(spans) and spans[pending].open < e:
                span = spans[pending]
                pending += 1
                kind = _kind(masked, s, span, ps)
                if not _is_quotation(text, masked, s, span, reporting, kind == "direct"):
                    continue
                if who is None and masked[max(s, span.open - 4) : span.open].rstrip().endswith(":"):
                    who = _colon_speaker(text, masked, s, span.open, state)
                    if who is None and reported is not None:
                        # "Acme Air said ... . The review covers every engine: “…”"
                        who = _Who(reported.speaker, reported.role, "continuation")
                    if who is not None:
                        state.note(who)
                if who is not None:
                    attr = who
                elif para_who is not None:
                    attr = _Who(para_who.speaker, para_who.role, "continuation")
                else:
                    attr = _Who(None, None, "none")
                start, end = _content(text, span)
                quote = Quote(
                    attr.speaker, attr.role, original[start:end], start, end, kind,
                    attr.attribution, doc.doc_id,
                )  # fmt: skip
                found.append((quote, span))
                if attr.attribution != "none":
                    para_who = attr
                last_who, last_runs_on = attr, span.runs_on
        continues = last_who and (last_runs_on or last_who.attribution != "none")
        carried = last_who if continues else None
        runs_on = last_runs_on
    return _backfill_run_ons(found), people


def _backfill_run_ons(found: list[tuple[Quote, _Span]]) -> list[Quote]:
    """A paragraph-spanning quote attributed only at its end: the first part gets that speaker."""
    quotes = [q for q, _ in found]
    for i in range(len(found) - 2, -1, -1):
        quote, span = found[i]
        nxt = quotes[i + 1]
        if span.runs_on and quote.attribution == "none" and nxt.attribution != "none":
            quotes[i] = Quote(
                nxt.speaker, nxt.role, quote.text, quote.start, quote.end, quote.kind,
                "continuation", quote.doc_id,
            )  # fmt: skip
    return quotes
