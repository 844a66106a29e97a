"""Who said what: every quotation in a news article, with its speaker and exact offsets.

Why: "What did Zhang Jun say?" is best answered with the words Zhang Jun actually said, cited
exactly. Retrieval finds passages *about* a person; this module finds what they *said*.

Everything is read from `doc.text` itself (no normalised copy whose offsets could drift), so every
Quote satisfies `doc.text[q.start:q.end] == q.text`. Pure standard library, rule based, linear in
the article length (every look-back is a bounded window).

The pipeline is four modules, each with one job: retrieval/sentences.py (paragraphs and
sentences, one rule for the whole product), retrieval/entities.py (who is in the article: names,
aliases, roles, genders), retrieval/attribution.py (who said a quote) and this one (what is a
quote, and the public `extract_quotes`). Questions about speakers are retrieval/speakers.py.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .attribution import (  # the package's own attribution modules
    _colon_speaker,
    _pronoun_at,
    _sentence_subject,
    _sentence_who,
    carried_by_guess,
    introducing_speaker,
)
from .entities import (  # the package's own attribution modules
    _find_people,
    _People,
)
from .lexicon import (  # the package's own attribution modules
    _AFTER_SPEECH,
    _ATTRIBUTION_AHEAD,
    _AUXILIARIES,
    _CREDIT_LINE,
    _DEFINED_AFTER,
    _DETERMINER_WORDS,
    _DOUBLE_MARK,
    _IRREGULAR_PARTICIPLES,
    _IRREGULAR_PASTS,
    _LABEL_BEFORE,
    _LABEL_TRIGGERS,
    _LOWER,
    _MARKUP,
    _SINGLE_MARK,
    _SINGLE_QUOTED_LINE,
    _TITLE_LINKS,
    _UPPER,
    _WORD,
    ACCORDING_TO,
    QMASK,
    SPEECH_VERB,
)
from .referents import _State, _Who
from .sentences import paragraph_spans, sentence_ends, soft_text

if TYPE_CHECKING:  # only for annotations: the module stays importable on its own
    from .documents import Document

# Bump when extraction rules change: indexes built before are stale and get rebuilt.
QUOTES_VERSION = 16


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


# ---------------------------------------------------------------- quotation marks


@dataclass(frozen=True)
class _Span:
    open: int  # offset of the opening mark
    close: int  # offset of the closing mark; the paragraph end when it runs on
    runs_on: bool  # left open here and re-opened at the start of the next paragraph


_SINGLE_OR_STRAIGHT = re.compile(r"[‘’']")
_STRAIGHT_OPENING = re.compile(r"(?:^|(?<=[\s(]))'[A-Z]")


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
            elif after == '"' and not before.isspace():
                marks.append((i, "close"))  # `road.""Such people`: scraped paragraphs glued,
            elif before == '"' and not after.isspace():
                marks.append((i, "open"))  # one quote closes and the next opens
            elif before in ".,!?" and after.isupper():
                marks.append((i, "either"))  # glued: `said."It's`, `game."Labuschagne backed`
            elif text[i - 2 : i].isupper() and text[i + 1 : i + 3].istitle():
                marks.append((i, "open"))  # a subheading in capitals glued on: `FIRST TIME"It`
    return marks


def _single_marks(text: str, start: int, end: int, straight: bool = False) -> list[tuple[int, str]]:
    """Each ‘ ’ used as a quotation mark; a ’ between letters (It’s) is an apostrophe. With
    `straight`, ' is read the same way (an article that quotes speech in straight singles)."""
    marks = []
    pattern = _SINGLE_OR_STRAIGHT if straight else _SINGLE_MARK
    for m in pattern.finditer(text, start, end):
        i, c = m.start(), m.group()
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if c == "'":
            c = "‘" if not before.isalnum() and before not in ".,;:!?" else "’"
        if c == "‘":
            decade = text[i + 1 : i + 4].rstrip("s").isdigit() and after.isdigit()  # ‘90s
            if not before.isalnum() and (after.isalnum() or after == "…") and not decade:
                marks.append((i, "open"))
        elif not (before.isalnum() and after.isalnum()) and not before.isspace():
            # allies’ concerns: a plural possessive, unless nothing else can close the quote
            weak = before == "s" and text[i + 1 : i + 2] == " " and text[i + 2 : i + 3].islower()
            marks.append((i, "weak" if weak else "close"))
    return marks


def _pair(
    marks: list[tuple[int, str]], text: str | None = None
) -> tuple[list[tuple[int, int]], int | None]:
    """Pair opening and closing marks in order; return the pairs and a mark left open.

    With `text`, an opening mark right after a full stop while a quote is open ends that quote
    there: paragraphs of one quote run together, each opened and none closed but the last
    (`He said: "It was frightening. "Six men grabbed me. "I stayed calm".`)."""
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
        elif text is not None and pos >= 2 and text[pos - 1] == " " and text[pos - 2] in ".?!":
            pairs.append((open_at, pos - 1))  # a run-together paragraph of the same quote
            open_at = pos
        else:
            open_at = pos  # a second opening: the first one never closed and is skipped
    return pairs, open_at


def _starts_with(text: str, start: int, chars: str) -> bool:
    return start < len(text) and text[start] in chars


def _speech_in_straight_singles(text: str) -> bool:
    """British tabloids quote speech in straight single marks ('We will fight,' he said). Read
    them as quotation marks only in an article with no double marks, where at least two
    straight singles open before a capital letter."""
    if _DOUBLE_MARK.search(text) or "‘" in text:
        return False
    return len(_STRAIGHT_OPENING.findall(text)) >= 2


def _paragraph_spans(text: str, paras: list[tuple[int, int]]) -> list[list[_Span]]:
    """Paired quotation spans of every paragraph, in order; singles nested in doubles dropped."""
    result = []
    straight = _speech_in_straight_singles(text)
    for n, (start, end) in enumerate(paras):
        next_start = paras[n + 1][0] if n + 1 < len(paras) else len(text)
        families = []
        for marks, openers in (
            (_double_marks(text, start, end), '“"'),
            (_single_marks(text, start, end, straight), "‘'" if straight else "‘"),
        ):
            pairs, left_open = _pair(marks, text if openers == '“"' else None)
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
    if not standalone and not span.runs_on and _is_label(text, span, len(words)):
        return False
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


def _is_label(text: str, span: _Span, n_words: int) -> bool:
    """A short quoted phrase used as a modifier or defined as a term, not speech:
    a “friend of the court” brief, “gig economy” workers, “In play” is a term for ..."""
    if _DEFINED_AFTER.match(text, span.close + 1, span.close + 60):
        return True
    inner = text[span.open + 1 : span.close].rstrip()
    if n_words > 4 or inner.endswith((",", ".", "!", "?", ";", ":")):
        return False
    if re.search(r"\s(?:and|or|but)\s", inner):
        return False  # “destructive and harmful” side: someone's judgement, quoted
    after = span.close + 1
    while after < len(text) and text[after] in " \t\n":
        after += 1
    nxt = _WORD.match(text, after)
    if nxt is None:
        return False
    word = nxt.group()
    verb_like = word.endswith(("ly", "ed", "ing")) or word in _IRREGULAR_PARTICIPLES
    verb_like = verb_like or word in _IRREGULAR_PASTS
    return (  # ("“little or no security” watching over the club" goes on to a verb: speech)
        word.isalpha()
        and word.islower()
        and word not in _AFTER_SPEECH
        and not verb_like
        and not SPEECH_VERB.fullmatch(word)
    )


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


def _is_title_case_line(text: str, start: int, end: int) -> bool:
    """A headline in title case ("Trump Keeps World Guessing on Trade"): its capitals are no
    names to read (the body names the same people)."""
    words = _WORD.findall(text, start, min(end, start + 400))
    long_words = [w for w in words if len(w) > 3]
    return (
        3 <= len(words) <= 20
        and len(long_words) >= 3
        and sum(w[0].isupper() for w in long_words) >= 0.8 * len(long_words)
        and not text[start:end].rstrip().endswith((".", '"', "”"))
    )


def _is_headline(text: str, start: int, end: int) -> bool:
    """A line in capitals is a cross-promoted headline: its marks are not quotations. So is a
    short line that is one phrase in single marks and no sentence ("‘We will win’" heading
    the section that quotes it): a subheading, whose words are told again below."""
    chunk = text[start:end]
    letters = sum(c.isalpha() for c in chunk)
    if len(chunk.split()) >= 3 and letters >= 10 and not any(c.islower() for c in chunk):
        return True
    line = chunk.strip()
    return bool(_SINGLE_QUOTED_LINE.fullmatch(line)) and len(line.split()) <= 8


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


# A nickname in quotation marks inside a name: John "Bud" Frazier, C.J. "Pete" Silas (no
# quotation, and one name).
_NICKNAME = re.compile(
    rf"(?<=[{_LOWER}.] )[\"“][{_UPPER}][{_LOWER}]{{1,20}}[\"”] (?=[{_UPPER}][{_LOWER}])"
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
    paras = paragraph_spans(text)
    spans_by_para = _paragraph_spans(text, paras)
    all_spans = [sp for spans in spans_by_para for sp in spans]
    titles = [(sp.open, sp.close) for sp in all_spans if _is_title(text, sp.open + 1, sp.close)]
    titles = sorted(titles + [(a, b) for a, b in paras if _is_title_case_line(text, a, b)])
    people = _find_people(text, titles)  # (a quoted headline's capitals name nobody)
    state = _State(people, text=text)
    masked = _mask(text, all_spans)
    state.masked = masked
    found: list[tuple[Quote, _Span]] = []

    def chain_from(speaker: str) -> int:
        """Where a run of the speaker's quotes began: between its quotes nobody else is read."""
        if found and found[-1][0].speaker == speaker:
            return found[-1][1].close
        return 0

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
        ends_reporting = False  # the paragraph's last sentence reports a named speaker
        for s, e in _sentences(masked, ps, pe, quote_ends):
            state.pos = s
            who, reporting = _sentence_who(text, masked, s, e, state)
            ends_reporting = (  # (not a question, nor "according to" a source)
                who is not None
                and who.speaker is not None
                and not masked[s:e].rstrip().endswith("?")
                and not ACCORDING_TO.search(masked, s, e)
            )
            if who is not None:
                state.note(who)
                if who.speaker is not None:
                    reported = who
            credit = (s, e) == (ps, pe) and _CREDIT_LINE.fullmatch(masked[s:e].strip())
            if (who is None or who.speaker is None) and not credit:  # (a credit: no subject)
                # "Viktor Orban disagreed. “…,” he said.": a subject is a pronoun's antecedent
                state.note_subject(_sentence_subject(text, masked, s, e, state))
            previous_close = s
            while pending < len(spans) and spans[pending].open < e:
                if pending and spans[pending - 1].close >= s:
                    previous_close = spans[pending - 1].close
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
                introduced = None
                if who is not None and who.speaker is not None:
                    near = max(s, span.open - _NEAR_QUOTE)  # bounded: one long sentence of
                    introduced = introducing_speaker(  # many quotes stays linear
                        text, masked, near, e, max(near, previous_close), span.open, state
                    )
                if introduced is not None and introduced.speaker != who.speaker:
                    # another speaker's verb introduces this quote: theirs, or nobody's
                    attr = (
                        introduced if introduced.speaker is not None else _Who(None, None, "none")
                    )
                elif who is not None:
                    attr = who
                elif para_who is not None:
                    attr = _Who(para_who.speaker, para_who.role, "continuation")
                elif reported is not None and kind == "direct":
                    # "Lawson said a correction was expected. “What was not expected was the
                    # severity.”": a quote of its own right after a speaker's reported words
                    attr = _Who(reported.speaker, reported.role, "continuation")
                else:
                    attr = _Who(None, None, "none")
                if (
                    attr.attribution in ("pronoun", "continuation")
                    and attr.speaker is not None
                    and state.rival_before(
                        attr.speaker,
                        chain_from(attr.speaker),
                        _pronoun_at(masked, max(s, span.open - _NEAR_QUOTE), span.open),
                    )
                ):
                    attr = _Who(None, None, attr.attribution)  # two could be meant: nobody
                start, end = _content(text, span)
                said = attr
                if kind == "partial" and len(_WORD.findall(text, start, end)) < 2:
                    # One quoted word inside the reporter's sentence ("a “mistake”", "instead
                    # of “forward”") is as often a term as speech: nobody's words for sure.
                    said = _Who(None, None, "none")
                elif kind == "partial" and carried_by_guess(
                    text, masked, s, e, state, attr, original[start:end]
                ):
                    said = _Who(None, None, "continuation")
                quote = Quote(
                    said.speaker, said.role, original[start:end], start, end, kind,
                    said.attribution, doc.doc_id,
                )  # fmt: skip
                found.append((quote, span))
                if attr.attribution != "none":
                    para_who = attr
                last_who, last_runs_on = attr, span.runs_on
        continues = last_who and (last_runs_on or last_who.attribution != "none")
        carried = last_who if continues else None
        if last_who is None and ends_reporting:
            # "Howard said the act gave flexibility.\n“It is not simply a question of ...”"
            carried = reported
        runs_on = last_runs_on
    return _backfill_run_ons(found), people


_NEAR_QUOTE = 300  # characters before a quote in which its own reporting words are read


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
