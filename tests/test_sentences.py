"""The one sentence and paragraph rule (retrieval/sentences.py), on the shapes real news has."""

from pathlib import Path

import pytest

from retrieval.passages import paragraphs
from retrieval.sentences import paragraph_spans, sentence_spans, soft_text, wrap_column

REUTERS = Path(__file__).resolve().parent / "fixtures" / "quotes_reuters"


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # scraped text: no space after the full stop
        ("Six soldiers died on Saturday.Six more were hurt.",
         ["Six soldiers died on Saturday.", "Six more were hurt."]),
        # abbreviations and titles never end a sentence
        ("Dr. Lopes met Sen. Warren and Gen. Ruiz. They spoke.",
         ["Dr. Lopes met Sen. Warren and Gen. Ruiz.", "They spoke."]),
        ("Lt. Col. Hart and Mr. Ng arrived at No. 10 St. James.",
         ["Lt. Col. Hart and Mr. Ng arrived at No. 10 St. James."]),
        # initials
        ("J. Hugh Liedtke and E.H. Clark spoke. D. J. Baker did not.",
         ["J. Hugh Liedtke and E.H. Clark spoke.", "D. J. Baker did not."]),
        # U.S.-style acronyms: a name may follow, a sentence only with a sentence word
        ("He joined U.S. Steel in 1990. The U.S. The company grew.",
         ["He joined U.S. Steel in 1990.", "The U.S.", "The company grew."]),
        # decimals and ellipses before lower case
        ("Growth was 3.5 pct... and rising. It fell.", ["Growth was 3.5 pct... and rising.",
                                                        "It fell."]),
        # a closing quote or bracket after the stop stays with its sentence
        ('"We are ready." He left. (It rained.) Then sun.',
         ['"We are ready."', "He left.", "(It rained.)", "Then sun."]),
        ("“Is it over?” she asked. ‘No.’ Done.",
         ["“Is it over?” she asked.", "‘No.’", "Done."]),
        # bullet lines and a headline line end where the line ends
        ("Key points\n- Rates rose\n- Prices fell\nThe bank said more.",
         ["Key points", "- Rates rose", "- Prices fell", "The bank said more."]),
        ("", []),
        ("no stop at all", ["no stop at all"]),
    ],
)  # fmt: skip
def test_sentences(text, expected):
    assert sentences(text) == expected


def test_offsets_are_exact_and_shifted():
    text = "  First one.  Second one.  "
    spans = sentence_spans(text, offset=100)
    assert spans == [(102, 112), (114, 125)]
    assert [text[s - 100 : e - 100] for s, e in spans] == ["First one.", "Second one."]


def test_hard_wrapped_reuters_reads_as_prose_with_the_same_offsets():
    text = (REUTERS / "1197.txt").read_text()
    assert wrap_column(text) is not None
    soft = soft_text(text)
    assert len(soft) == len(text) and soft.count("\n") < text.count("\n")
    assert "Minister Herman De Croo said" in soft  # the name across the wrap is one name
    paras = paragraph_spans(text)
    first_body = text[paras[1][0] : paras[1][1]]
    assert first_body.startswith("Belgian Foreign Trade Minister Herman\nDe Croo said")
    assert first_body.endswith("react was to retaliate.")  # the indented line starts the next
    assert text[paras[2][0] :].startswith("De Croo said at a news conference")
    # A sentence runs across the wraps; no sentence ends at a line break mid-sentence.
    spans = sentence_spans(first_body)
    assert len(spans) == 1
    # Passages use the same paragraphs, the headline in capitals too (searched, never an answer).
    assert [(s, e) for s, e, _ in paragraphs(text)][:3] == paras[:3]


def test_lines_that_are_paragraphs_are_not_wrapped():
    text = "Headline here\n" + "\n".join(["A paragraph of its own, long enough to wrap. " * 4] * 5)
    assert wrap_column(text) is None and soft_text(text) == text
    assert len(paragraph_spans(text)) == 6


def test_every_reuters_fixture_keeps_exact_offsets():
    for path in sorted(REUTERS.glob("*.txt")):
        text = path.read_text()
        for s, e in paragraph_spans(text):
            for a, b in sentence_spans(text[s:e], s):
                assert text[a:b] == text[a:b].strip() and s <= a < b <= e


def test_a_headline_over_one_paragraph_a_line_keeps_every_line_a_paragraph():
    # what extractors write for a web page: the blank line parts only the headline
    text = "Headline\n\nFirst paragraph here.\n“A quote runs on.\n“And ends here.”\nLast one."
    pieces = [text[a:b] for a, b in paragraph_spans(text)]
    assert pieces == ["Headline", "First paragraph here.", "“A quote runs on.",
                      "“And ends here.”", "Last one."]  # fmt: skip


def test_blank_lines_in_the_body_still_part_paragraphs():
    text = "Headline\n\nOne line\nand its second line.\n\nAnother paragraph."
    pieces = [text[a:b] for a, b in paragraph_spans(text)]
    assert pieces == ["Headline", "One line\nand its second line.", "Another paragraph."]
