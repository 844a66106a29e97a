"""Paragraphs and sentences: the one rule for passages, highlights, answers and quotes.

Everything here works on offsets into the text as given; nothing is normalised away. What
real news needs (each case is tested in tests/test_sentences.py):
- hard-wrapped bodies (Reuters wraps at ~70 columns, a paragraph starts with an indented line):
  a line break inside a paragraph is a space, so "Minister Herman\nDe Croo said" is one name
  and one sentence. `soft_text` gives a same-length copy with those breaks as spaces.
- scraped text without a space after a full stop ("said on Saturday.Six soldiers"),
- abbreviations and titles (Dr., Mr., Sen., Gen., Lt. Col., No., St.), initials ("J. Hugh
  Liedtke", "E.H. Clark"), acronyms with dots (U.S., U.N.), decimals (3.5), ellipses before a
  lower-case word, a closing quote or bracket after the stop,
- headline-like lines and bullet lines, which end where the line ends.
"""

from __future__ import annotations

import re

# Words that a following full stop does not end a sentence after (lower case, no dots).
ABBREVIATIONS = frozenset(
    """mr mrs ms mx dr gen sen rep reps gov lt col maj capt cmdr adm sgt cpl pvt st ste prof jr
    sr rev hon fr messrs mt ft vs etc inc corp co ltd bros dept est approx
    jan feb mar apr aug sep sept oct nov dec pres sec supt insp det cllr""".split()
)
_MAX_WORD = 40  # characters a stop's word is read back: abbreviations and initials are short
# Abbreviations only before a number: "No. 10", but "‘No.’ Done." ends a sentence.
_BEFORE_NUMBERS = frozenset({"no", "nos", "fig", "vol", "art", "p", "pp"})
_STOP = re.compile(r"[.!?…]+")
_CLOSERS = "\"”’')]»"
_OPENERS = '"“‘([«'
# A capital letter (any script), a digit, or NUL: quotes.py masks quoted words with NUL, and a
# masked quote opening the next sentence starts it like a capital would.
_UPPER_OR_DIGIT = re.compile(r"[^\W\d_a-zß-ÿ]|[0-9\x00]")
_BULLET = re.compile(r"[ \t]*(?:[-*•▪◦–—]|\d{1,2}[.)])[ \t]+")
_LINE_BREAK = re.compile(r"\r?\n")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")

# A text is hard-wrapped when most of its long lines end near one column (<= this many chars).
MAX_WRAP_COLUMN = 100


def wrap_column(text: str) -> int | None:
    """The column a hard-wrapped text wraps at, or None when lines are paragraphs."""
    lengths = sorted(len(line.rstrip()) for line in text.splitlines() if line.strip())
    if len(lengths) < 4:
        return None
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    long_lines = sum(1 for n in lengths if n >= 0.6 * p90)
    if p90 > MAX_WRAP_COLUMN or p90 < 30 or long_lines < 0.5 * len(lengths):
        return None
    return p90


def soft_text(text: str) -> str:
    """A same-length copy in which the line breaks of a hard-wrapped paragraph are spaces.

    A break stays where a paragraph ends: before a blank or indented line, a bullet, or after
    a short line (a headline, the last line of a paragraph)."""
    column = wrap_column(text)
    if column is None:
        return text
    # Paragraphs marked by indentation (Reuters): every other break inside one is soft, however
    # short its line ("Minister Herman\nDe Croo said"). Else a short line ends a paragraph.
    indented = sum(1 for line in text.split("\n")[1:] if line[:1] in " \t" and line.strip())
    out = list(text)
    for m in _LINE_BREAK.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line = text[line_start : m.start()].rstrip()
        after = m.end()
        nxt_end = text.find("\n", after)
        nxt = text[after : len(text) if nxt_end < 0 else nxt_end]
        if (
            not line.strip()
            or not nxt.strip()
            or nxt[:1] in " \t"  # an indented line starts a paragraph
            or _BULLET.match(nxt)
            or (indented < 2 and len(line) < 0.6 * column)
        ):
            continue
        for i in range(m.start(), m.end()):
            out[i] = " "
    return "".join(out)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, whitespace trimmed: blank-line blocks when the text has
    blank lines, else lines; in either, an indented line starts one (wire copy)."""
    return [(s, e) for s, e, _ in paragraphs_between(text)]


def paragraphs_between(text: str, skip=None) -> list[tuple[int, int, bool]]:
    """paragraph_spans, with lines for which `skip(line)` holds (site furniture) left out and
    ending a paragraph; the flag is true for a paragraph right after a skipped line."""
    soft = soft_text(text)  # same offsets; the line breaks of a wrapped paragraph are spaces
    # Blank lines mark paragraphs only when they part the body: "Headline\n\n" over a body of
    # one paragraph a line (as extractors write web pages) leaves every line a paragraph.
    first = _BLANK_LINE.search(soft)
    by_blank = first is not None and (
        "\n" in soft[: first.start()].strip() or bool(_BLANK_LINE.search(soft, first.end()))
    )
    found: list[tuple[int, int, bool]] = []
    start = None
    after_skip = False
    pos = 0
    for line in soft.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        skipped = bool(line.strip()) and skip is not None and skip(line)
        if not line.strip() or skipped:
            if start is not None:
                found.append((start, _trimmed_end(soft, line_start), after_skip))
                after_skip = False
            start = None
            after_skip = after_skip or skipped
            continue
        indented = line[:1] in " \t"  # (wire copy starts a paragraph with an indent)
        if start is not None and (not by_blank or indented):
            found.append((start, _trimmed_end(soft, line_start), after_skip))
            after_skip = False
            start = None
        if start is None:
            start = line_start + len(line) - len(line.lstrip())
    if start is not None:
        found.append((start, _trimmed_end(soft, len(soft)), after_skip))
    return [(s, e, f) for s, e, f in found if e > s]


def _trimmed_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def sentence_ends(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets where a sentence ends in text[start:end] (after its stop and closing marks).

    A stop ends a sentence when whitespace or a line break and then a capital or digit (after
    any opening mark) follow, or a capital follows at once after a lower-case word ("Saturday.Six").
    Not after an abbreviation, an initial ("J. Hugh"), inside U.S.-style acronyms or decimals,
    nor an ellipsis before a lower-case word. A line break also ends a line that reads as a
    headline or bullet (no stop, next line starts a new sentence)."""
    end = len(text) if end is None else end
    ends: list[int] = []
    for m in _STOP.finditer(text, start, end):
        cut = m.end()
        while cut < end and text[cut] in _CLOSERS:
            cut += 1
        if _ends_sentence(text, m.start(), m.end(), cut, end):
            ends.append(cut)
    for m in _LINE_BREAK.finditer(text, start, end):
        if _line_ends_sentence(text, start, m.start(), m.end(), end):
            ends.append(m.start())
    return sorted(set(ends))


def _ends_sentence(text: str, stop: int, stop_end: int, cut: int, end: int) -> bool:
    word_start = stop
    floor = max(0, stop - _MAX_WORD)  # bounded: "ab.ab.ab…" must not rescan the whole run
    while word_start > floor and (text[word_start - 1].isalnum() or text[word_start - 1] in ".'’-"):
        word_start -= 1
    word = text[word_start:stop]
    if stop_end - stop == 1 and text[stop] == ".":
        bare = word.replace(".", "").lower()
        if bare in _BEFORE_NUMBERS:  # "No. 10", but "‘No.’ Done."
            i = cut
            while i < end and text[i].isspace():
                i += 1
            if i < end and text[i].isdigit():
                return False
        elif bare in ABBREVIATIONS:
            return False
        if len(word) == 1 and word.isupper():  # an initial: "J. Hugh Liedtke"
            return False
        if "." in word and len(bare) <= 3 and word.replace(".", "").isalpha():  # U.S., e.g.
            return _next_is_start(text, cut, end, strict=True)
    nxt = cut
    if nxt < end and not text[nxt].isspace():  # no space: "Saturday.Six", "3.5", "U.N"
        after_quote = (cut > stop_end and len(word) >= 2 and word[-1].islower()) or (
            stop > 0 and text[stop - 1] == "\x00"  # a quote masked out (quotes.py)
        )
        if after_quote and text[nxt].isupper() and text[nxt + 1 : nxt + 2].isalpha():
            return True  # `matter."FIRST TIME`, `matter."It`: a quote ends, glued to the next
        opens_quote = text[nxt] == "\x00" or (
            text[nxt] in "“‘" and text[nxt + 1 : nxt + 2].isupper()
        )
        if opens_quote and len(word) >= 2 and word[-1].islower():
            return True  # `on the stage.“Respected elders`: a quote opens, glued on
        return (
            text[stop] != "…"
            and len(word) >= 2
            and word[-1].islower()
            and _UPPER_OR_DIGIT.match(text[nxt]) is not None
            and not text[nxt].isdigit()
            and text[nxt + 1 : nxt + 2].islower()
        )
    return _next_is_start(text, cut, end, strict=False)


def _next_is_start(text: str, cut: int, end: int, strict: bool) -> bool:
    """Whitespace, then (an opening mark and) a capital or digit; or the end of the text."""
    i = cut
    while i < end and text[i].isspace():
        i += 1
    if i >= end:
        return True
    if i == cut:
        return False
    while i < end and text[i] in _OPENERS:
        i += 1
    if i >= end or _UPPER_OR_DIGIT.match(text[i]) is None:
        return False
    if strict:  # after "U.S.": only a word that starts sentences, not a name ("U.S. Steel")
        word_end = i
        while word_end < end and text[word_end].isalpha():
            word_end += 1
        return text[i:word_end] in _SENTENCE_OPENERS
    return True


# Capitalised words that after "U.S." start a new sentence rather than continue a name.
_SENTENCE_OPENERS = frozenset(
    """The A An It He She They We I In On At But And This That These Those There His Her Its
    Their Our After Before When While If As Some Many Most Officials Analysts""".split()
)


def _line_ends_sentence(text: str, start: int, brk: int, after: int, end: int) -> bool:
    """A line break ends a line with no stop of its own when the next line starts a sentence
    (not lower case): a headline, a bullet, a byline. Soft breaks were turned into spaces."""
    line_start = text.rfind("\n", start, brk) + 1
    line = text[max(line_start, start) : brk].rstrip()
    if not line.strip() or line[-1] in ".!?…" or line[-1] in _CLOSERS:
        return False
    i = after
    while i < end and text[i] in " \t\r\n":
        i += 1
    return i < end and not text[i].islower()


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence (start, end) pairs in `text`, shifted by offset, whitespace trimmed."""
    soft = soft_text(text)
    spans, begin = [], 0
    for cut in [*sentence_ends(soft), len(soft)]:
        piece = soft[begin:cut]
        s = begin + len(piece) - len(piece.lstrip())
        e = cut - (len(piece) - len(piece.rstrip()))
        if e > s:
            spans.append((s + offset, e + offset))
        begin = cut
    return spans


# ---------------------------------------------------------------- headings

_HEADING_MAX_WORDS = 14
_HEADING_MAX_CHARS = 300  # a headline of 30 words, at most
_HEADING_END = ".!?…:;,\"”’'"


def is_heading(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a headline or subheading rather than a sentence of the story?

    It is a whole line of its own and either the article's first line (the headline), a line
    in capitals ("UKRAINIAN VIEWS 'INCORPORATED' INTO US WRITTEN RESPONSE"), or a short line
    with no closing stop between blank lines ("Rules out return"). A line with a number in it
    is not a subheading: "Shr 1.20 dlrs vs 1.10 dlrs" is a Reuters table row, an answer."""
    if end - start > _HEADING_MAX_CHARS:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if text[line_start:start].strip() or text[end:line_end].strip():
        return False
    line = text[start:end].strip()
    if not line or len(line) > _HEADING_MAX_CHARS:
        return False  # (a heading is short: most sentences are rejected here, cheaply)
    words = line.split()
    if not text[:line_start].strip():
        return len(words) <= 30 and not line.endswith((".", "!", "?"))  # the headline
    if len(words) >= 2 and line.upper() == line and sum(c.isalpha() for c in line) >= 6:
        return True  # in capitals
    before = text[:line_start].rstrip(" \t\r")
    after = text[line_end:].lstrip(" \t\r")
    alone = (before.endswith("\n\n") or not before) and (after.startswith("\n\n") or not after)
    return (
        alone
        and len(words) <= _HEADING_MAX_WORDS
        and line[-1] not in _HEADING_END
        and not any(c.isdigit() for c in line)
    )
