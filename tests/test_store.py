import json

import pytest
from conftest import write

from retrieval import NewsqaError, Settings, ask, build_index, load_index, open_index
from retrieval.store import incompatible, read_manifest, stale_reasons


def test_manifest_records_what_made_the_index(seed_index, seed_settings):
    manifest = read_manifest(seed_settings.index_dir)
    assert manifest["format_version"] == 3
    assert manifest["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert manifest["dimension"] == 384
    assert manifest["metric"] == "inner_product"
    assert manifest["chunking"]["max_passage_chars"] == seed_settings.max_passage_chars
    assert len(manifest["corpus_fingerprint"]) == 64
    generation = manifest["generation"]
    assert set(manifest["files"]) >= {
        f"{generation}/meta.sqlite",
        f"{generation}/passages.npy",
        f"{generation}/sentences.npy",
        f"{generation}/vectors.npy",
        f"{generation}/lexical/params.index.json",
    }
    assert stale_reasons(manifest, seed_settings) == []


def test_no_pickle_in_the_index(seed_index, seed_settings):
    for path in seed_settings.index_dir.rglob("*"):
        if path.is_file():
            assert path.suffix in {".json", ".sqlite", ".npy", ".faiss", ".lock"}, path
            assert not path.read_bytes().startswith(b"\x80"), f"{path} looks like a pickle"


def test_reload_gives_the_same_answers(seed_index, seed_settings):
    reloaded = load_index(seed_settings)
    first = ask(seed_index, "What did Zhang Jun say?").to_dict()
    assert ask(reloaded, "What did Zhang Jun say?").to_dict() == first


def test_changed_corpus_or_settings_are_detected(corpus_copy, tmp_path):
    settings = Settings.from_env(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings)
    assert stale_reasons(read_manifest(settings.index_dir), settings) == []

    fresh = "---\ntitle: Fresh\n---\nThe Kremlin denied the report on Friday."
    write(corpus_copy / "new.md", fresh)
    assert stale_reasons(read_manifest(settings.index_dir), settings) == [
        f"the articles in {corpus_copy} changed"
    ]
    index = open_index(settings)  # brings the index up to date
    assert "Fresh" in {d.title for d in index.documents.values()}
    assert ask(index, "What did the Kremlin deny?").hits[0].title == "Fresh"

    manifest = read_manifest(settings.index_dir)
    other = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index", model="some/other")
    assert any("model changed" in r for r in incompatible(manifest, other))
    bigger = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index", max_passage_chars=2000)
    assert "chunking settings changed" in incompatible(manifest, bigger)


def test_empty_corpus_is_a_clear_error_and_keeps_the_old_index(corpus_copy, tmp_path):
    settings = Settings.from_env(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings)
    before = (settings.index_dir / "manifest.json").read_text()
    for path in corpus_copy.iterdir():
        path.unlink()
    with pytest.raises(NewsqaError, match="no articles to index"):
        build_index(settings)
    assert (settings.index_dir / "manifest.json").read_text() == before
    assert json.loads(before)["documents"] == 2
    # Asking still works: the old generation answers, with a warning, instead of failing.
    logged = []
    index = open_index(settings, log=logged.append)
    assert len(index.documents) == 2 and any("existing index" in line for line in logged)


def test_binary_and_non_utf8_files_are_skipped_not_fatal(corpus_copy, tmp_path):
    write(corpus_copy / "image.txt", b"\x00\x01\x02binary")
    write(corpus_copy / "old.txt", b"Na\xefve text in Latin-1")
    logged = []
    settings = Settings.from_env(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    index = build_index(settings, log=logged.append)
    assert len(index.documents) == 2
    assert any("image.txt" in line and "binary" in line for line in logged)
    assert any("old.txt" in line and "UTF-8" in line for line in logged)
    assert len(index.manifest["warnings"]) == 2


def test_generations_are_ordered_by_number_not_by_spelling():
    from retrieval.store import generation_number

    assert generation_number("gen-1000000") > generation_number("gen-999999")  # 7 digits
    assert generation_number("gen-000007") == 7
    assert generation_number(None) == generation_number("current") == -1


def test_a_live_index_that_cannot_reload_keeps_answering_and_logs_why(seed_index, tmp_path):
    import dataclasses
    import json

    from retrieval.live import LiveIndex

    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / "manifest.json").write_text(json.dumps({"generation": "gen-999999"}), "utf-8")
    moved = dataclasses.replace(seed_index, settings=dataclasses.replace(
        seed_index.settings, index_dir=index_dir))  # fmt: skip
    lines: list[str] = []
    live = LiveIndex(moved, log=lines.append)
    live.RECHECK_SECONDS = -1.0  # check on every read
    assert live.index is moved  # the newer manifest's generation cannot load: keep this one
    assert lines and f"keeping generation {seed_index.generation}" in lines[0]


def test_a_passage_outside_its_article_is_caught_by_the_one_check():
    import numpy as np

    from retrieval.documents import Document
    from retrieval.records import PASSAGE_RECORD, outside_articles

    documents = {"a": Document("a", "T", "a.txt", "0123456789", {})}

    def records(*spans):
        return np.array([(i, 0, s, e) for i, (s, e) in enumerate(spans)], dtype=PASSAGE_RECORD)

    assert not outside_articles(records((0, 5), (5, 10)), documents)
    assert not outside_articles(records(), documents)
    assert outside_articles(records((0, 11)), documents)  # past the end
    assert outside_articles(records((4, 4)), documents)  # empty
    assert outside_articles(records((-1, 3)), documents)
