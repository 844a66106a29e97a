import pytest
from conftest import ZHANG_SOURCE

from retrieval import NewsqaError, ask
from retrieval.answer import MAX_K

ZHANG_QUOTES = ("The Beijing Winter Olympics is around the corner", "It’s my strong wish")


def test_zhang_jun_passages_rank_first_and_second(seed_index):
    answer = ask(seed_index, "what did Zhang Jun say?", k=5)
    top_two = answer.hits[:2]
    assert [h.source for h in top_two] == [ZHANG_SOURCE, ZHANG_SOURCE]
    assert {q for h in top_two for q in ZHANG_QUOTES if q in h.text} == set(ZHANG_QUOTES)


def test_answer_contract_and_exact_offsets(seed_index):
    answer = ask(seed_index, "How many troops has Russia amassed near Ukraine?", k=3)
    data = answer.to_dict()
    assert set(data) >= {"question", "mode", "answer", "hits"}
    assert data["mode"] == "hybrid" and len(data["hits"]) == 3
    assert [h["rank"] for h in data["hits"]] == [1, 2, 3]
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)
    for hit in data["hits"]:
        doc = seed_index.documents[hit["doc_id"]]
        assert doc.text[hit["start"] : hit["end"]] == hit["text"]
        assert hit["title"] == doc.title and hit["source"] == doc.source
        assert hit["highlights"]
        for mark in hit["highlights"]:
            assert hit["start"] <= mark["start"] < mark["end"] <= hit["end"]
    # Extractive: the answer is the highlighted sentence of hit 1, cited [1].
    first = data["hits"][0]
    sentence = seed_index.documents[first["doc_id"]].text[
        first["highlights"][0]["start"] : first["highlights"][0]["end"]
    ]
    assert "106,000 troops" in sentence
    assert data["answer"].startswith(sentence + " [1]")


def test_every_answer_sentence_is_copied_from_its_cited_hit(seed_index):
    for question in ["What did Wang Yi tell Blinken?", "Olympic truce", "NATO membership"]:
        answer = ask(seed_index, question, k=5, quotes=False)
        parts = [p for p in answer.answer.split("]") if p.strip()]
        for part in parts:
            sentence, marker = part.rsplit(" [", 1)
            assert sentence.strip() in answer.hits[int(marker) - 1].text


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_modes(seed_index, mode):
    answer = ask(seed_index, "Olympic truce resolution", k=4, mode=mode)
    assert answer.mode == mode and len(answer.hits) == 4
    assert all(h.scores.to_dict() for h in answer.hits)
    if mode != "hybrid":
        assert set(answer.hits[0].scores.to_dict()) == {mode}


def test_k_larger_than_the_corpus_is_capped(seed_index):
    answer = ask(seed_index, "Russia", k=MAX_K)
    assert len(answer.hits) == len(seed_index.passages)
    assert len(ask(seed_index, "Russia", k=MAX_K, mode="lexical").hits) <= len(seed_index.passages)


def test_unanswerable_question_says_so(seed_index):
    answer = ask(seed_index, "What is the capital of France?")
    assert not answer.found
    assert answer.answer.startswith("Nothing in the articles clearly answers")
    assert answer.hits  # the closest passages are still shown, labelled as such


def test_question_of_only_stop_words_still_answers_without_error(seed_index):
    answer = ask(seed_index, "what is it?", mode="lexical")
    assert answer.hits == [] and not answer.found


@pytest.mark.parametrize(
    ("question", "k", "message"),
    [
        ("", 5, "question is empty"),
        ("   \n\t ", 5, "question is empty"),
        ("x" * 100_000, 5, "100,000 characters long; the limit is 2,000"),
        ("Zhang", 0, "k must be a whole number from 1 to 100, got 0"),
        ("Zhang", -3, "got -3"),
        ("Zhang", 101, "got 101"),
    ],
)
def test_bad_input_gives_a_clear_error(seed_index, question, k, message):
    with pytest.raises(NewsqaError, match=message):
        ask(seed_index, question, k=k)


def test_unknown_mode(seed_index):
    with pytest.raises(NewsqaError, match="mode must be one of hybrid, dense, lexical"):
        ask(seed_index, "Zhang", mode="fuzzy")


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_a_shared_common_word_is_not_an_answer(seed_index, mode):
    # "say" matches "said" everywhere, but Boris Johnson is nowhere in the articles.
    answer = ask(seed_index, "What did Boris Johnson say?", mode=mode, quotes=False)
    assert not answer.found and answer.answer.startswith("Nothing in the articles")


@pytest.mark.parametrize(
    "question",
    ["Which countries are shipping weapons to Kyiv?", "What did Zhao Lijian say?", "Olympic truce"],
)
def test_answerable_questions_with_few_shared_words_are_still_found(seed_index, question):
    assert ask(seed_index, question, quotes=False).found


@pytest.fixture(scope="module")
def news_index(tmp_path_factory):
    """Two small wire stories with a headline, a subheading and a wire trailer each."""
    from retrieval import Settings, build_index

    folder = tmp_path_factory.mktemp("news")
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "ports.txt").write_text(
        "Dockworkers strike shuts East Coast ports\n\n"
        "About 45,000 dockworkers walked off the job at ports from Maine to Texas on Tuesday, "
        "halting the unloading of container ships.\n\n"
        "WAGES AT THE HEART OF THE DISPUTE\n\n"
        "The union is asking for a 77 percent pay rise over six years, its leader said.\n\n"
        "Reuter\n",
        encoding="utf-8",
    )
    (corpus / "gas.txt").write_text(
        "Gas talks stall\n\n"
        "Russian officials said on Monday that gas deliveries to the region would be cut by "
        "half from next month unless a new price was agreed.\n\n"
        "Traders said spot prices rose four percent after the announcement.\n\n"
        "Reuter\n",
        encoding="utf-8",
    )
    return build_index(Settings(corpus_dir=corpus, index_dir=folder / "index"))


def test_a_headline_is_searched_but_never_an_answer_sentence(news_index):
    answer = ask(news_index, "Which ports did the dockworkers strike shut?")
    assert answer.hits[0].source.endswith("ports.txt")
    texts = [part.text for part in answer.parts]
    assert texts and not any("Dockworkers strike shuts" in t for t in texts)
    assert all(t != "WAGES AT THE HEART OF THE DISPUTE" for t in texts)
    assert 1 <= len(answer.parts) <= 2


def test_a_country_is_found_under_its_capital_or_seat_of_power(news_index):
    answer = ask(news_index, "What has the Kremlin decided?", mode="lexical")  # no shared word
    assert answer.hits and answer.hits[0].source.endswith("gas.txt")


def test_nothing_found_marks_no_sentence(news_index):
    answer = ask(news_index, "Who won the chess championship in Reykjavik?")
    assert not answer.found and answer.parts == []
    assert all(hit.highlights == [] for hit in answer.hits)


def test_sentence_terms_are_the_tokenizers_and_kept_per_sentence_id():
    from retrieval import lexical

    items = [(101, "Russia said the talks failed."), (102, "Dockworkers walked out.")]
    first = lexical.sentence_terms(items)
    assert first == [frozenset(t) for t in lexical.tokenize([text for _, text in items])]
    again = lexical.sentence_terms(items)
    assert all(a is b for a, b in zip(first, again, strict=True))  # not tokenized again


@pytest.mark.parametrize(
    ("question", "answer", "lacks"),
    [
        ("How many votes did Deval Patrick win in the primary?",
         "To win, he would need the black voters who make up the base.", True),
        ("How many votes did Deval Patrick win in the primary?",
         "He won roughly two-thirds of the black vote.", False),
        ("At what price did the shares trade when the halt ended?",
         "Star entered a trading halt on Monday morning.", True),
        ("When did the former vice president admit his guilt?",
         "Freeman exchanged inside information with Martin Siegel.", True),
        ("When did the former vice president admit his guilt?",
         "Siegel pleaded guilty in February.", False),
        ("Who is the chief executive of Tritium?",
         "The contract was awarded to Brisbane technology company Tritium.", True),
        ("Who is the chief executive of Tritium?",
         "Tritium chief executive Jane Hunter said the network would open soon.", False),
        # no type asked: never refused on these grounds
        ("What did the minister say about the talks?", "The talks went well.", False),
        # bad input: a question of 25,000 characters is read by its first words only
        ("How many " + "very " * 5000 + "votes?", "None.", True),
        ("Why " + "very " * 5000 + "?", "None.", False),
    ],
)  # fmt: skip
def test_an_answer_without_what_the_question_asks_for_is_no_answer(question, answer, lacks):
    from retrieval.answer import lacks_asked_type

    assert lacks_asked_type(question, answer) is lacks
