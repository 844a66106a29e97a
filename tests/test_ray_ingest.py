"""Ingest on a local Ray cluster gives the same index as in process, survives a killed worker,
and writes into either store. Bounded: a dozen real articles, one local cluster per module."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval import Settings, ask, build_index
from retrieval.config import NewsqaError
from retrieval.milvus import close_clients
from retrieval.ray_ingest import RayWork, _quotes_batch, _split_batch, connect
from retrieval.stages import working_on

PROJECT = Path(__file__).resolve().parent.parent
NEWS_QA = PROJECT / "tests" / "fixtures" / "news_qa"
NEWSQA = str(Path(sys.executable).with_name("newsqa"))


@pytest.fixture(scope="module")
def ray_cluster():
    import ray

    connect("auto")  # no cluster here: a local one
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("ray") / "corpus"
    corpus.mkdir()
    for path in sorted(NEWS_QA.glob("*.txt"))[:12]:
        shutil.copy(path, corpus / path.name)
    shutil.copy(PROJECT / "corpus" / "china-wants-us-to-yield-to-russia-nato.txt", corpus)
    return corpus


@pytest.fixture(scope="module")
def local_index(small_corpus, tmp_path_factory):
    return build_index(Settings.from_env(corpus_dir=small_corpus,
                                         index_dir=tmp_path_factory.mktemp("local")))  # fmt: skip


def assert_same_index(mine, theirs) -> None:
    assert list(mine.documents) == list(theirs.documents)
    assert mine.passages.records.tolist() == theirs.passages.records.tolist()
    assert mine.sentences.records.tolist() == theirs.sentences.records.tolist()
    assert mine.quotes == theirs.quotes
    assert mine.doc_speakers == theirs.doc_speakers
    assert mine.files == theirs.files
    ids = mine.sentences.ids
    # Same model, other batches (padding): equal to float32 noise.
    np.testing.assert_allclose(mine.sentence_vectors(ids), theirs.sentence_vectors(ids),
                               atol=2e-5)  # fmt: skip


def test_ray_ingest_builds_the_same_index_as_one_process(ray_cluster, small_corpus, local_index,
                                                         tmp_path):  # fmt: skip
    settings = Settings.from_env(corpus_dir=small_corpus, index_dir=tmp_path / "ray")
    work = RayWork("auto", workers=2)
    with working_on(work):
        index = build_index(settings)
    assert work.failures == []
    assert_same_index(index, local_index)
    question = "What did Zhang Jun say?"
    assert (
        ask(index, question).to_dict()["quotes"] == ask(local_index, question).to_dict()["quotes"]
    )


def test_a_killed_embedding_worker_loses_and_duplicates_nothing(ray_cluster, small_corpus,
                                                                local_index, tmp_path):  # fmt: skip
    marker = tmp_path / "died-once"
    settings = Settings.from_env(corpus_dir=small_corpus, index_dir=tmp_path / "ray")
    with working_on(RayWork("auto", workers=1, crash_marker=str(marker))):
        index = build_index(settings)
    assert marker.exists()  # the worker did die (os._exit mid-batch) and Ray ran it again
    assert_same_index(index, local_index)
    assert len(set(index.sentences.ids.tolist())) == len(index.sentences)


def test_ray_ingest_into_the_milvus_store_answers_as_the_embedded_one(
    ray_cluster, small_corpus, local_index, tmp_path
):
    settings = Settings.from_env(corpus_dir=small_corpus, index_dir=tmp_path / "lock",
                                 store=f"milvus://{tmp_path}/ray.db")  # fmt: skip
    try:
        with working_on(RayWork("auto")):
            index = build_index(settings)
        for question in ("What did Zhang Jun say?", "bubonic plague rabbit hospital"):
            mine, theirs = ask(index, question, k=10), ask(local_index, question, k=10)
            assert [(h.doc_id, h.start, h.end) for h in mine.hits] == [
                (h.doc_id, h.start, h.end) for h in theirs.hits
            ]
            assert mine.answer == theirs.answer
    finally:
        close_clients()


def test_an_article_a_stage_cannot_handle_is_reported_with_its_stage():
    good = {"doc_id": "a1", "title": "T", "source": "x.txt", "text": 'He said: "Hi."',
            "meta": {}, "quoted": True}  # fmt: skip
    bad = dict(good, doc_id="b2", text=None)  # what a broken row would carry
    rows = np.array([json.dumps(good), json.dumps(bad)], dtype=object)
    split = _split_batch({"doc": rows}, Settings().chunking(), [])
    done = _quotes_batch(split)
    first, second = (json.loads(text) for text in done["doc"])
    assert "failed" not in first and first["passages"]
    assert second["failed"].startswith("split: ")


def test_the_command_line_ingests_on_ray(small_corpus, tmp_path):
    ingest = subprocess.run(
        [NEWSQA, "ingest", "--quiet", "--ray", "auto", "--ray-workers", "1",
         "--corpus", str(small_corpus), "--index", str(tmp_path / "index")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr
    assert "13 added" in ingest.stderr


def test_an_unreachable_cluster_is_a_prompt_clear_error():
    with pytest.raises(NewsqaError, match="cannot reach the Ray cluster at 127.0.0.1:1"):
        connect("127.0.0.1:1")
    with pytest.raises(NewsqaError, match="is not a Ray address"):
        connect("somewhere")
