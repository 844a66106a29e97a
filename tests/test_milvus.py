"""The Milvus store (Milvus Lite here): the same answers as the embedded store, exact offsets,
whole articles during updates, and clear errors. Bounded: the seed corpus and a few articles."""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import Settings, ask, build_index, load_index, remove_articles, sync
from retrieval.backend import open_store
from retrieval.config import NewsqaError
from retrieval.evaluation.run import evaluate_questions
from retrieval.live import LiveIndex
from retrieval.milvus import MilvusSearch, close_clients

PROJECT = Path(__file__).resolve().parent.parent
QUESTIONS = PROJECT / "tests" / "eval" / "questions.jsonl"
NEWS_QA = PROJECT / "tests" / "fixtures" / "news_qa"
NEWSQA = str(Path(sys.executable).with_name("newsqa"))


def milvus_settings(tmp: Path, corpus: Path, name: str = "newsqa") -> Settings:
    return Settings.from_env(
        corpus_dir=corpus, index_dir=tmp / f"{name}-lock", store=f"milvus://{tmp}/{name}.db"
    )


@pytest.fixture(scope="module")
def seed_milvus(tmp_path_factory, seed_index):
    tmp = tmp_path_factory.mktemp("milvus")
    index = build_index(milvus_settings(tmp, seed_index.settings.corpus_dir))
    yield index
    close_clients()


def same(mine, theirs, where="answer") -> None:
    """Equal JSON, floats within 1e-5: FAISS and Milvus sum the same float32 vectors in a
    different order (they differ in the 7th digit); ranks, ids, offsets and texts must not."""
    if isinstance(theirs, float):
        assert math.isclose(mine, theirs, abs_tol=1e-5), where
    elif isinstance(theirs, dict):
        assert list(mine) == list(theirs), where
        for key in theirs:
            same(mine[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        assert len(mine) == len(theirs), where
        for i, (m, t) in enumerate(zip(mine, theirs, strict=True)):
            same(m, t, f"{where}[{i}]")
    else:
        assert mine == theirs, where


def questions_of(path: Path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text().splitlines() if line]


def test_the_milvus_store_answers_every_eval_question_as_the_embedded_store(
    seed_index, seed_milvus
):
    assert isinstance(seed_milvus.searcher, MilvusSearch)
    assert seed_milvus.vectors is None and seed_milvus.dense is None  # nothing local to search
    compared = 0
    for question in questions_of(QUESTIONS):
        for mode in ("hybrid", "dense", "lexical"):
            for quotes in (True, False):
                embedded = ask(seed_index, question, k=10, mode=mode, quotes=quotes)
                milvus = ask(seed_milvus, question, k=10, mode=mode, quotes=quotes)
                same(milvus.to_dict(), embedded.to_dict(), f"{question} ({mode})")
                compared += 1
    assert compared == 6 * len(questions_of(QUESTIONS)) >= 200


def test_filters_run_as_milvus_expressions_and_match(seed_index, seed_milvus):
    zhang = next(d for d in seed_index.documents.values() if "china-wants" in d.source).doc_id
    for question in ("What did Zhang Jun say?", "Olympic truce", "icebreakers in the Arctic"):
        for mode in ("hybrid", "lexical"):
            embedded = ask(seed_index, question, k=5, mode=mode, doc_ids=[zhang])
            milvus = ask(seed_milvus, question, k=5, mode=mode, doc_ids=[zhang])
            same(milvus.to_dict(), embedded.to_dict(), question)
            assert all(hit.doc_id == zhang for hit in milvus.hits)


def test_the_eval_figures_are_the_same(seed_index, seed_milvus):
    embedded = evaluate_questions(QUESTIONS, seed_index).to_dict()
    milvus = evaluate_questions(QUESTIONS, seed_milvus).to_dict()
    for mine, theirs in zip(milvus["results"], embedded["results"], strict=True):
        assert mine["mode"] == theirs["mode"]
        for name, value in theirs["metrics"].items():
            assert math.isclose(mine["metrics"][name], value, abs_tol=1e-9), name


def test_every_hit_and_quote_is_an_exact_slice_of_its_article(seed_milvus):
    for question in [*questions_of(QUESTIONS), "What did Zhang Jun say?"]:
        answer = ask(seed_milvus, question, k=10)
        for hit in answer.hits:
            assert hit.text == seed_milvus.documents[hit.doc_id].text[hit.start : hit.end]
        for quote in answer.quotes:
            text = seed_milvus.documents[quote.doc_id].text
            assert quote.text == text[quote.start : quote.end]


def test_the_stored_quotes_and_speakers_are_the_embedded_stores(seed_index, seed_milvus):
    assert seed_milvus.quotes == seed_index.quotes
    assert seed_milvus.speakers == seed_index.speakers
    assert seed_milvus.doc_speakers == seed_index.doc_speakers
    assert list(seed_milvus.documents) == list(seed_index.documents)
    assert seed_milvus.passages.records.tolist() == seed_index.passages.records.tolist()
    assert seed_milvus.sentences.records.tolist() == seed_index.sentences.records.tolist()


def test_incremental_add_and_remove_touch_one_article_and_match_the_embedded_store(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in sorted(p.name for p in NEWS_QA.glob("reuters_*.txt"))[:6]:
        shutil.copy(NEWS_QA / name, corpus / name)
    settings = milvus_settings(tmp_path, corpus)
    first = build_index(settings)
    store = open_store(settings)
    assert store.version(first.manifest) == (1, 0)
    extra = sorted(NEWS_QA.glob("reuters_*.txt"))[10]
    shutil.copy(extra, corpus / "a-first.txt")  # sorts first: rows must follow corpus order
    added, report = sync(settings)
    assert report.added and store.version(added.manifest) == (1, 1)  # in place, same generation
    assert report.timings["sentences_embedded"] < len(added.sentences) / 2  # only the new one
    new_doc = next(d for d in added.documents.values() if d.source.endswith("a-first.txt"))
    embedded = build_index(Settings.from_env(corpus_dir=corpus, index_dir=tmp_path / "embedded"))
    assert list(added.documents) == list(embedded.documents)
    assert added.passages.records.tolist() == embedded.passages.records.tolist()
    assert added.sentences.records.tolist() == embedded.sentences.records.tolist()
    assert added.quotes == embedded.quotes
    title_words = new_doc.text[:200].split("\n")[0]
    for question in (title_words, "What did the company say about profits?"):
        for mode in ("hybrid", "lexical", "dense"):
            mine = {(h.doc_id, h.start, h.end) for h in ask(added, question, k=5, mode=mode).hits}
            theirs = {
                (h.doc_id, h.start, h.end) for h in ask(embedded, question, k=5, mode=mode).hits
            }
            assert mine == theirs, (question, mode)
    assert ask(added, title_words, k=1, mode="lexical").hits[0].doc_id == new_doc.doc_id

    old_reader = load_index(settings)  # a server's snapshot from before the removal
    removed, _ = remove_articles(settings, [new_doc.doc_id])
    assert new_doc.doc_id not in removed.documents
    assert store.version(removed.manifest) == (1, 2)
    assert all(h.doc_id != new_doc.doc_id for h in ask(removed, title_words, k=10).hits)
    # The old snapshot still answers, and only with whole articles it holds, sliced exactly.
    for hit in ask(old_reader, title_words, k=10).hits:
        assert hit.text == old_reader.documents[hit.doc_id].text[hit.start : hit.end]
    assert set(load_index(settings).documents) == set(first.documents)


def test_a_rebuild_is_a_new_generation_switched_by_the_alias(tmp_path, seed_index):
    settings = milvus_settings(tmp_path, seed_index.settings.corpus_dir)
    build_index(settings)
    store = open_store(settings)
    live = LiveIndex(load_index(settings))
    rebuilt, _ = sync(settings, rebuild=True)
    assert store.version(rebuilt.manifest) == (2, 0)
    client = store.client
    assert client.describe_alias("newsqa")["collection_name"] == "newsqa_g000002_articles"
    sync(settings, rebuild=True)
    names = set(client.list_collections())
    assert not any(n.startswith("newsqa_g000001_") for n in names)  # older than previous: gone
    assert "newsqa_g000002_articles" in names  # the previous one stays for readers
    live.RECHECK_SECONDS = 0.0
    assert store.version(live.index.manifest) == (3, 0)  # a server picks the new one up


def test_the_command_line_ingests_into_and_answers_from_milvus_lite(tmp_path, seed_index):
    db = tmp_path / "cli.db"
    common = ["--corpus", str(seed_index.settings.corpus_dir), "--index", str(tmp_path / "lock"),
              "--store", f"milvus://{db}"]  # fmt: skip
    ingest = subprocess.run([NEWSQA, "ingest", "--quiet", *common], capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr
    asked = subprocess.run([NEWSQA, "ask", "What did Zhang Jun say?", "--json", *common],
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["speaker"]["name"] == "Zhang Jun" and answer["quotes"]
    assert not (tmp_path / "lock" / "manifest.json").exists()  # nothing went to the folder


@pytest.mark.parametrize(
    "store, message",
    [
        ("milvus://relative/newsqa.db", "absolute path"),
        ("milvus:///tmp/newsqa.sqlite", "ends in .db"),
        ("redis://localhost", "not a store newsqa knows"),
    ],
)
def test_bad_store_urls_are_clear_errors(tmp_path, store, message):
    settings = Settings.from_env(corpus_dir=tmp_path, index_dir=tmp_path / "i", store=store)
    with pytest.raises(NewsqaError, match=message):
        open_store(settings).manifest()


def test_an_empty_store_says_to_ingest(tmp_path):
    settings = milvus_settings(tmp_path, tmp_path)
    store = open_store(settings)
    assert store.manifest() is None
    with pytest.raises(NewsqaError, match="no index in the Milvus store") as err:
        store.load(settings)
    assert err.value.remedy == "ingest"


def test_real_news_with_overlapping_passages_is_answered_alike(tmp_path):
    """52 real articles (217 passages, split passages overlap and share sentences, hence exact
    ties) and their 87 dev questions, every mode: the case that made ties order by row."""
    embedded = build_index(Settings.from_env(corpus_dir=NEWS_QA, index_dir=tmp_path / "e"))
    milvus = build_index(milvus_settings(tmp_path, NEWS_QA))
    eval_dir = PROJECT / "tests" / "eval"
    texts = [*questions_of(eval_dir / "news_qa_reuters_dev.jsonl"),
             *questions_of(eval_dir / "news_qa_web_dev.jsonl")]  # fmt: skip
    assert len(texts) >= 80
    for question in texts:
        for mode in ("hybrid", "dense", "lexical"):
            mine = ask(milvus, question, k=10, mode=mode)
            same(mine.to_dict(), ask(embedded, question, k=10, mode=mode).to_dict(), question)


def test_an_update_that_failed_before_its_switch_is_invisible_and_leaves_nothing_twice(
    tmp_path, monkeypatch
):
    from retrieval.milvus import MilvusStore

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(NEWS_QA.glob("reuters_*.txt"))[:3]:
        shutil.copy(path, corpus / path.name)
    settings = milvus_settings(tmp_path, corpus)
    before = build_index(settings)
    extra = sorted(NEWS_QA.glob("reuters_*.txt"))[7]
    shutil.copy(extra, corpus / extra.name)
    switch = MilvusStore._switch

    def fails(self, *args, **kwargs):
        raise NewsqaError("the Milvus server went away")

    monkeypatch.setattr(MilvusStore, "_switch", fails)
    with pytest.raises(NewsqaError, match="went away"):
        sync(settings)  # its passages, sentences, quotes and article rows are written by now
    seen = load_index(settings)
    assert set(seen.documents) == set(before.documents)  # not switched: not there
    monkeypatch.setattr(MilvusStore, "_switch", switch)
    after, _ = sync(settings)
    embedded = build_index(Settings.from_env(corpus_dir=corpus, index_dir=tmp_path / "e"))
    assert after.quotes == embedded.quotes  # no quote held twice
    assert after.passages.records.tolist() == embedded.passages.records.tolist()
    assert len(set(after.sentences.ids.tolist())) == len(after.sentences) == len(embedded.sentences)


def test_a_removal_that_failed_before_its_switch_is_undone_without_doubling_quotes(
    tmp_path, monkeypatch
):
    from retrieval.milvus import MilvusStore

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PROJECT / "corpus" / "china-wants-us-to-yield-to-russia-nato.txt", corpus)
    for path in sorted(NEWS_QA.glob("reuters_*.txt"))[:2]:
        shutil.copy(path, corpus / path.name)
    settings = milvus_settings(tmp_path, corpus)
    before = build_index(settings)
    zhang = next(d.doc_id for d in before.documents.values() if "china-wants" in d.source)
    switch = MilvusStore._switch

    def fails(self, *args, **kwargs):
        raise NewsqaError("the Milvus server went away")

    monkeypatch.setattr(MilvusStore, "_switch", fails)
    with pytest.raises(NewsqaError, match="went away"):
        remove_articles(settings, [zhang])  # its article rows are deleted by now
    assert (corpus / "china-wants-us-to-yield-to-russia-nato.txt").exists()  # undone
    monkeypatch.setattr(MilvusStore, "_switch", switch)
    after, _ = sync(settings)
    assert after.quotes == before.quotes  # Zhang Jun's quotes once, not twice
    assert len(ask(after, "What did Zhang Jun say?").quotes) == len(
        ask(before, "What did Zhang Jun say?").quotes
    )


def test_text_fields_are_cut_to_milvus_byte_limits():
    from retrieval.milvus_schema import fit as _fit

    published = "2024年3月1日(金) 午前10時30分 JST"
    cut = _fit(published, 32)
    assert len(cut.encode("utf-8")) <= 32 and published.startswith(cut)
    assert _fit(None, 8) == "" and _fit("plain", 32) == "plain"
