import pytest
from conftest import SEED_CORPUS

from retrieval import Settings
from retrieval.documents import load_corpus, make_document
from retrieval.passages import (
    ChunkOffsetError,
    is_furniture,
    paragraphs,
    sentence_spans,
    split_document,
    split_sentences,
)

SETTINGS = Settings()


def split_corpus(documents):
    return [p for doc in documents for p in split_document(doc, SETTINGS)]


def test_every_seed_passage_round_trips_and_stays_in_its_article():
    documents = load_corpus(SEED_CORPUS).documents
    by_id = {d.doc_id: d for d in documents}
    passages = split_corpus(documents)
    assert len(passages) >= 10
    for p in passages:
        assert by_id[p.doc_id].text[p.start : p.end] == p.text
        assert len(p.text) <= SETTINGS.max_passage_chars
    assert len({p.passage_id for p in passages}) == len(passages)


def test_site_furniture_never_enters_a_passage():
    passages = split_corpus(load_corpus(SEED_CORPUS).documents)
    joined = "\n".join(p.text for p in passages)
    assert "Comments are closed" not in joined
    assert "CLICK HERE TO READ MORE" not in joined
    # ... while the document text keeps it (offsets stay those of the file).
    assert any("Comments are closed." in d.text for d in load_corpus(SEED_CORPUS).documents)


def test_a_subheading_heads_its_passage_and_is_never_an_answer_sentence():
    from retrieval.sentences import is_heading

    documents = load_corpus(SEED_CORPUS).documents
    passages = split_corpus(documents)
    (headed,) = [p for p in passages if "UKRAINIAN VIEWS" in p.text]
    assert headed.text.startswith("UKRAINIAN VIEWS")  # attached to what it heads
    doc = next(d for d in documents if d.doc_id == headed.doc_id)
    line_end = doc.text.index("\n", headed.start)
    assert is_heading(doc.text, headed.start, line_end)
    body = doc.text.index("“There are important things")
    assert not is_heading(doc.text, body, body + 20)
    assert not is_heading(doc.text, 0, doc.text.index("\n"))  # a first line that is a sentence
    story = "Dockworkers strike shuts ports\n\nAbout 45,000 walked out.\n\nShr 1.20 dlrs vs 1.10\n"
    assert is_heading(story, 0, 30)  # the headline
    assert not is_heading(story, 32, 56)
    assert not is_heading(story, 58, 79)  # a table row with figures is an answer, not a heading


def test_recurring_lines_are_learned_as_furniture():
    from retrieval.passages import recurring_lines

    stories = [f"STORY {i} HEADLINE\n\nText of story {i} goes here, long enough.\n Reuter\n"
               for i in range(6)]  # fmt: skip
    learned = recurring_lines(stories)
    assert "reuter" in learned and not any("story" in line for line in learned)
    doc = make_document(stories[0], "s.txt")
    assert "Reuter" not in " ".join(p.text for p in split_document(doc, SETTINGS, None, learned))
    assert recurring_lines(stories[:2]) == frozenset()  # two articles teach nothing


@pytest.mark.parametrize(
    "line",
    ["CLICK HERE TO READ MORE FROM THE WASHINGTON EXAMINER", "Comments are closed.",
     "Read more: China and Russia", "Advertisement", "Sign up for our daily newsletter"],
)  # fmt: skip
def test_furniture_lines(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line", ["Russia said the responses left little cause for optimism.", "NATO", "U.S. AND NATO"]
)
def test_reporting_is_not_furniture(line):
    assert not is_furniture(line)


def test_long_paragraph_split_by_langchain_with_exact_offsets():
    sentence = "The envoy repeated the same careful sentence about talks. "
    text = "Headline here\n\n" + sentence * 60 + "\n\nA closing paragraph that is long enough. " * 3
    doc = make_document(text, "mem.txt")
    passages = split_document(doc, SETTINGS)
    assert len(passages) > 3
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
        assert len(p.text) <= SETTINGS.max_passage_chars
    # Repeated text: every chunk must point at its own occurrence, in order.
    starts = [p.start for p in passages]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_a_chunk_that_cannot_be_located_fails_loudly():
    class BrokenSplitter:
        def split_text(self, text):
            return ["text that is not in the document"]

    doc = make_document("word " * 400, "mem.txt")
    with pytest.raises(ChunkOffsetError, match="could not locate"):
        split_document(doc, SETTINGS, splitter=BrokenSplitter())


def test_short_paragraphs_join_the_next_but_not_across_furniture():
    text = "Short headline\n\nBody paragraph " + "x" * 150 + "\n\nComments are closed.\n\nTail."
    doc = make_document(text, "mem.txt")
    settings = Settings(min_passage_chars=120)  # the body paragraph is long enough on its own
    spans = [(p.start, p.end) for p in split_document(doc, settings)]
    assert spans[0][0] == 0 and doc.text[spans[0][0] : spans[0][1]].endswith("x")
    assert doc.text[spans[-1][0] : spans[-1][1]] == "Tail."


def test_sentence_spans_keep_quotes_and_abbreviations_whole():
    text = (
        "“It’s my strong wish,” Zhang said Wednesday. “Concerning Ukraine, we have heard.” "
        "The U.S. and Mr. Blinken agreed. Done"
    )
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "“It’s my strong wish,” Zhang said Wednesday.",
        "“Concerning Ukraine, we have heard.”",
        "The U.S. and Mr. Blinken agreed.",
        "Done",
    ]


def test_hard_wrapped_paragraphs_stay_whole():
    text = (
        "A wrapped paragraph starts here and goes on\nacross a second line, as plain text does.\n"
        "\nA second paragraph.\r\nStill the second one.\n\nThird."
    )
    doc = make_document(text, "mem.txt")
    spans = [text[s:e] for s, e, _ in paragraphs(text)]
    assert spans == [
        "A wrapped paragraph starts here and goes on\nacross a second line, as plain text does.",
        "A second paragraph.\r\nStill the second one.",
        "Third.",
    ]
    sentences = [text[s:e] for s, e in sentence_spans(spans[0])]
    assert sentences == [spans[0]]  # the wrap inside a sentence is not a sentence boundary
    assert all(doc.text[p.start : p.end] == p.text for p in split_document(doc, SETTINGS))


def test_sentences_in_overlapping_passages_have_their_own_ids():
    doc = make_document("The envoy repeated the same careful sentence about talks. " * 60, "m.txt")
    sentences = split_sentences(split_document(doc, SETTINGS))
    assert len({s.sentence_id for s in sentences}) == len(sentences)
