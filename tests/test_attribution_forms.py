"""Attribution forms found on the real-news gold sets (each case is a pattern seen there, the
names changed): who is, and who is not, the speaker."""

import pytest

from retrieval.documents import make_document
from retrieval.quotes import extract_quotes
from retrieval.sentences import sentence_ends


def speakers(text: str) -> list:
    return [q.speaker for q in extract_quotes(make_document("Headline\n\n" + text, "x.txt"))]


@pytest.mark.parametrize(
    "text",
    [
        # a name inside an opening phrase is no appositive of "the <role>" after it
        "Defense Secretary Ann Lowe has ordered a review. But in a session with sailors aboard "
        'the destroyer USS Harlow, the Pentagon chief said the corps had "gotten too big".',
        # a role word capitalised is no body's name
        '"More," said Ina Kahn, the Special Rapporteur on the freedom of expression and opinion.'
        '\n\n"Then it is a matter of time," the Special Rapporteur said.',
        # the people who serve someone are not that someone
        'Lawyers for Jane Doe said the ruling was "very wrong".',
        # a journal named inside the subject is not the subject ("the authors")
        "The authors of the research published in the journal Acta Medica argued that the rise "
        'is "a potential public health concern."',
        # an agency that carried a communique did not write it
        'Both sides will "rebuild mutual trust," according to a joint communique released by '
        "the official Xinhua News Agency.",
        # a wire dateline is never a body that speaks
        "STOCKHOLM: Sweden's disco group Harmony announced on Friday that they have reunited. "
        '"We felt it could be fun. So we did," the group said in a statement.',
    ],
)
def test_nobody_is_given_these_words(text):
    assert speakers(text)[-1] is None


def test_the_first_speaker_named_in_full_is_still_his_own():
    text = '"More," said Ina Kahn, the Special Rapporteur on the freedom of expression and opinion.'
    assert speakers(text) == ["Ina Kahn"]


def test_an_agency_named_as_the_issuer_of_a_statement_still_speaks():
    text = (
        'Thailand will "rebuild mutual trust," according to a statement issued by the Foreign '
        "Ministry."
    )
    assert speakers(text) == ["Foreign Ministry"]


def test_analysts_at_a_firm_speak_for_the_firm():
    # the gold's reading: a research note of the firm, not of unnamed people
    text = 'Analysts at Capital Macro said the plan was "exaggerated in every way."'
    assert speakers(text) == ["Capital Macro"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an unnamed source after the quote, set off by a participle's phrase
        (
            'Health secretary Raj Verma said, "Doctors get good salaries."\n\n"It has never '
            'happened in the history of the institute," a senior faculty member, speaking on the '
            'condition of anonymity, told Mail Today. "These doctors are leaving."',
            ["Raj Verma", None, None],
        ),
        # a named speaker with the same participle's phrase
        (
            '"It has never happened," Jane Doe, speaking on the condition of anonymity, told '
            'Mail Today. "These doctors are leaving."',
            ["Jane Doe", "Jane Doe"],
        ),
        # scraped text: a capitals subheading glued between two quotes
        (
            'Health secretary Raj Verma said, "Doctors get good salaries. The ministry is looking '
            'into the matter."FIRST TIME"It has never happened in the history of the institute," '
            "a senior faculty member, speaking on the condition of anonymity, told Mail Today."
            '"These top doctors are migrating."',
            ["Raj Verma", None, None],
        ),
    ],
)
def test_unnamed_sources_and_glued_subheadings(text, expected):
    assert speakers(text) == expected


def test_a_he_after_another_person_reported_with_said_is_not_the_one_before():
    text = (
        'Jio chief Anil Thakur said, "We recognise the revenue." The accounting method may colour '
        "perceptions, said Sanjay Bhasin, executive vice president, markets, at IIFL. "
        '"But still, Jio is clearly an outperformer," he said.'
    )
    assert speakers(text) == ["Anil Thakur", None]


def test_said_before_a_name_that_is_the_object_does_not_make_a_rival():
    text = (
        "Jeff Gamet, managing editor of a news site, said Jobs' departure has sentimental "
        'significance.\n"All Apple has done is made official what they were doing," he said.'
    )
    assert speakers(text) == ["Jeff Gamet"]


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ('into the matter."FIRST TIME came', ['into the matter."', "FIRST TIME came"]),
        ('into the matter."It came', ['into the matter."', "It came"]),
        ("on the stage.“Respected elders”", ["on the stage.", "“Respected elders”"]),
        ("a 3.5 pct rise", ["a 3.5 pct rise"]),
        ('the "U.S."rise', ['the "U.S."rise']),
    ],
)
def test_glued_quotes_end_and_begin_sentences(text, pieces):
    cuts = [0, *sentence_ends(text), len(text)]
    found = [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b]]
    assert found == pieces


def test_a_photo_credit_line_is_no_one_in_the_story():
    # (lines as an extractor writes them: one paragraph a line, no hard wrap)
    text = (
        "Professor Paula Kane said employees would value a top-up to 100 percent of their "
        "salaries because the parental leave rate was a significant pay cut for many people.\n"
        '"The more you are paid, the bigger the cut you are taking when you go off on leave."\n'
        "Otago University associate professor Paula Kane.\n"
        "Dave Bull\n"
        "She said it tended to be bigger companies that were able to offer more, but most New "
        "Zealand businesses were small.\n"
        '"It is much trickier to top up those different elements of that parental leave."'
    )
    assert speakers(text) == ["Paula Kane", "Paula Kane"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an office in capitals at a sentence's start is no part of the name
        (
            "Businessman Raul Conde, whose brother is a minister, said everyone was relieved. "
            '"Now the officials can concentrate on their work," he said.',
            ["Raul Conde"],
        ),
        # someone unnamed close to a man is not that man
        (
            "The Post quoted a source close to Reagan as saying the White House expected the "
            'aide "will say he had direction and authority" from the president.',
            [None],
        ),
        # a chamber of commerce is a body, never a person whose "surname" is Chamber
        (
            "Aurelio Perez, President of the Philippine Chamber of Commerce, told Reuters the "
            'accord helped. "There is a lot of interest," said American Chamber of Commerce '
            "president George Dale.",
            ["George Dale"],
        ),
        # a question ending in an ellipsis, its asker named after it with a longer phrase
        (
            "Justice Samuel Alito is a fierce questioner.\n\n“There have been agencies funded "
            "this way,” Prelogar told the justices.\n\n“What is your best example of an agency "
            "that has all of the features …” Alito asked in one of his series of queries.",
            ["Prelogar", "Samuel Alito"],
        ),
    ],
)
def test_office_words_and_askers(text, expected):
    assert speakers(text) == expected
