"""What makes the index scale: the IVF path (forced on the seed corpus by lowering the
threshold), the compiled BM25 top-k, and the size + mtime check of big files at load."""

import os
import shutil

import bm25s
import numpy as np
import pytest
from conftest import SEED_CORPUS

from retrieval import (
    Settings,
    add_paths,
    ask,
    build_index,
    dense,
    load_index,
    remove_articles,
    store,
)
from retrieval.bm25 import top_k
from retrieval.dense import dense_search
from retrieval.lexical import lexical_search

NEW = """Glacier monitors report record melt

Ingrid Solberg, a glaciologist in Tromso, said on Monday that the ice front had retreated
two hundred metres in one summer. "People need to see this with their own eyes," she said.
"""


@pytest.fixture(scope="module")
def ivf_settings(tmp_path_factory, seed_index):
    """The seed corpus indexed with IVF instead of exact search (threshold lowered to 0)."""
    root = tmp_path_factory.mktemp("ivf")
    shutil.copytree(SEED_CORPUS, root / "corpus")
    patch = pytest.MonkeyPatch()
    patch.setattr(dense, "EXACT_MAX_VECTORS", 0)
    yield Settings.from_env(corpus_dir=root / "corpus", index_dir=root / "index")
    patch.undo()


@pytest.fixture(scope="module")
def ivf_index(ivf_settings):
    return build_index(ivf_settings)


def test_small_corpus_is_searched_exactly(seed_index):
    vectors = len(seed_index.sentences)  # 36 sentences in the two seed articles
    assert (
        seed_index.manifest["dense_index"] == {"type": "exact", "vectors": vectors} and vectors < 40
    )
    assert not (seed_index.settings.index_dir / seed_index.generation / "dense.faiss").exists()


def test_every_thread_searches_with_one_openmp_thread(seed_index):
    # OpenMP keeps its thread count per calling thread: a server's worker threads must each
    # set theirs, or their idle OpenMP team spins after every search (7.7 ms CPU an answer).
    import threading

    import faiss

    vector = seed_index.encoder.encode(["What did Zhang Jun say?"])[0]
    dense_search(seed_index, vector, 5)  # this thread first: the flag must not be shared
    seen = []

    def search() -> None:
        dense_search(seed_index, vector, 5)
        seen.append(faiss.omp_get_max_threads())

    worker = threading.Thread(target=search)
    worker.start()
    worker.join(timeout=60)
    assert seen == [1]


def test_ivf_is_chosen_above_the_threshold_and_recorded(ivf_index, ivf_settings):
    spec = ivf_index.manifest["dense_index"]
    assert spec["type"] == "ivf" and spec["factory"].endswith(",SQ8")
    assert spec["nprobe"] == dense.IVF_NPROBE and spec["trained_on"] == len(ivf_index.sentences)
    assert (ivf_settings.index_dir / ivf_index.generation / "dense.faiss").is_file()


def test_ivf_gives_the_exact_answers(ivf_index, ivf_settings, seed_index):
    loaded = load_index(ivf_settings)  # memory-mapped IVF
    for question in ["Has Russia said it plans to go to war?", "Winter Olympics truce", "NATO"]:
        vector = seed_index.encoder.encode([question])[0]
        exact = dense_search(seed_index, vector, 10)
        approximate = dense_search(loaded, vector, 10)
        assert [row for row, _ in approximate] == [row for row, _ in exact]
        # Cosines from 8-bit codes: within 0.01 of the exact ones.
        assert np.allclose([s for _, s in approximate], [s for _, s in exact], atol=0.01)
        mine, theirs = ask(loaded, question), ask(seed_index, question)
        assert mine.answer == theirs.answer
        assert [(h.doc_id, h.start, h.score, h.highlights) for h in mine.hits] == [
            (h.doc_id, h.start, h.score, h.highlights) for h in theirs.hits
        ]  # sources differ: the corpus folder is a copy
        for doc_id in seed_index.documents:  # an article filter searches that article exactly
            mine = ask(loaded, question, quotes=False, doc_ids=[doc_id])
            theirs = ask(seed_index, question, quotes=False, doc_ids=[doc_id])
            assert [(h.doc_id, h.start, h.score) for h in mine.hits] == [
                (h.doc_id, h.start, h.score) for h in theirs.hits
            ]
            assert mine.hits and {h.doc_id for h in mine.hits} == {doc_id}


def test_ivf_loads_memory_mapped_and_is_updated_in_place(ivf_settings, ivf_index, tmp_path):
    import faiss

    loaded = load_index(ivf_settings)
    lists = faiss.extract_index_ivf(loaded.dense).invlists
    # Mapped as arrays (IO_FLAG_MMAP_IFC), not as OnDiskInvertedLists (10x slower to search),
    # and mapped, not read: the codes are a view of the file, owned by no one in the process.
    lists = faiss.downcast_InvertedLists(lists)
    assert type(lists).__name__ == "ArrayInvertedLists"
    assert not lists.codes.at(0).is_owned
    article = tmp_path / "glacier.txt"
    article.write_text(NEW, encoding="utf-8")
    index, _ = add_paths(ivf_settings, [article])
    spec = index.manifest["dense_index"]
    trained = len(loaded.sentences)  # the seed's sentences, before the new article
    assert spec["trained_on"] == trained and spec["vectors"] == len(
        index.sentences
    )  # not retrained
    assert index.dense.ntotal == len(index.sentences) > loaded.dense.ntotal
    assert ask(load_index(ivf_settings), "What did Ingrid Solberg say?").quotes
    index, _ = remove_articles(ivf_settings, ["glacier.txt"])
    assert index.dense.ntotal == loaded.dense.ntotal
    vector = index.encoder.encode(["glacier melt"])[0]
    assert dense_search(load_index(ivf_settings), vector, 5) == dense_search(loaded, vector, 5)
    assert all(row < len(loaded.passages) for row, _ in dense_search(loaded, vector, 50))


def test_ivf_retrains_when_the_corpus_outgrows_it():
    previous = {"type": "ivf", "factory": "IVF400,SQ8", "nprobe": dense.IVF_NPROBE,
                "trained_on": 100_000, "vectors": 100_000}  # fmt: skip
    assert dense.choose_dense(150_000, previous)["factory"] == "IVF400,SQ8"
    grown = dense.choose_dense(250_000, previous)
    assert grown["trained_on"] == 250_000 and grown["factory"] == "IVF2000,SQ8"
    assert dense.choose_dense(dense.EXACT_MAX_VECTORS, previous)["type"] == "exact"


def test_bm25_kernel_matches_bm25s_scores():
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(200)]
    corpus = [" ".join(rng.choice(words, size=25)) for _ in range(500)]
    model = bm25s.BM25()
    model.index(bm25s.tokenize(corpus, stopwords=None, show_progress=False), show_progress=False)
    for query in (["w1"], ["w3", "w150"], ["w7", "w7", "w9"]):
        rows, scores = model.retrieve([query], k=20, show_progress=False)
        mine = top_k(model.scores, [model.vocab_dict[w] for w in query], 20)
        assert np.allclose([s for _, s in mine], scores[0], rtol=1e-5)
        # Ties are broken by row, so equal scores come out in a fixed order.
        pairs = zip(mine, mine[1:], strict=False)
        assert all(a[1] > b[1] or (a[1] == b[1] and a[0] < b[0]) for a, b in pairs)
        assert set(rows[0][scores[0] > scores[0][-1]]) <= {r for r, _ in mine}
    assert top_k(model.scores, [], 5) == [] and top_k(model.scores, [1], 0) == []
    # The per-thread score buffer comes back zeroed: the same question twice, same answer.
    assert top_k(model.scores, [3, 4], 7) == top_k(model.scores, [3, 4], 7)


def test_lexical_search_caps_k_and_drops_non_matches(seed_index):
    hits = lexical_search(seed_index, "Zhang Jun", 10_000)
    assert 0 < len(hits) <= len(seed_index.passages) and all(s > 0 for _, s in hits)
    assert lexical_search(seed_index, "zzzzqqq", 5) == []


def test_big_files_are_checked_by_size_and_mtime(ivf_settings, monkeypatch):
    monkeypatch.setattr(store, "HASH_AT_LOAD_MAX_BYTES", 0)  # every file counts as big
    build_index(ivf_settings)
    manifest = store.read_manifest(ivf_settings.index_dir)
    assert set(manifest["file_stats"]) == set(manifest["files"])
    vectors = ivf_settings.index_dir / manifest["generation"] / "vectors.npy"
    stat = vectors.stat()
    data = bytearray(vectors.read_bytes())
    data[-1] ^= 0x01  # the last vector's last byte: still a valid array
    vectors.write_bytes(bytes(data))
    with pytest.raises(store.IndexUnavailable, match="checksum mismatch"):
        load_index(ivf_settings)  # mtime moved: hashed, caught
    os.utime(vectors, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    load_index(ivf_settings)  # same size and mtime: trusted (the trade-off; ingest re-hashes)
    build_index(ivf_settings)  # and a rebuild writes it afresh


def test_tokenize_matches_bm25s():
    import bm25s

    from retrieval.lexical import STOPWORDS, _stem_words, tokenize

    texts = [
        "What did Zhang Jun say about the Winter Olympics?", "", "A", "Ça coûte 3,5 % de plus",
        "He said, and she told: the U.S. won't back down in 2022 — NATO's allies met.",
        (SEED_CORPUS / "china-wants-us-to-yield-to-russia-nato.txt").read_text(encoding="utf-8"),
    ]  # fmt: skip
    expected = bm25s.tokenize(
        texts, stopwords=STOPWORDS, stemmer=_stem_words, return_ids=False, show_progress=False
    )
    assert tokenize(texts) == [list(doc) for doc in expected]
