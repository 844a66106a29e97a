import json

import pytest
from conftest import write

from retrieval import NewsqaError, Settings, ask, build_index, load_index, open_index
from retrieval.store import IndexError_, read_manifest, stale_reasons


def test_manifest_records_what_made_the_index(seed_index, seed_settings):
    manifest = read_manifest(seed_settings.index_dir)
    assert manifest["format_version"] == 1
    assert manifest["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert manifest["dimension"] == 384
    assert manifest["metric"] == "inner_product"
    assert manifest["chunking"]["max_passage_chars"] == seed_settings.max_passage_chars
    assert len(manifest["corpus_fingerprint"]) == 64
    assert set(manifest["files"]) >= {"documents.jsonl", "passages.jsonl", "dense.faiss"}
    assert stale_reasons(manifest, seed_settings) == []


def test_no_pickle_in_the_index(seed_index, seed_settings):
    for path in seed_settings.index_dir.rglob("*"):
        if path.is_file():
            assert path.suffix in {".json", ".jsonl", ".npy", ".faiss"}, path
            assert not path.read_bytes().startswith(b"\x80"), f"{path} looks like a pickle"


def test_reload_gives_the_same_answers(seed_index, seed_settings):
    reloaded = load_index(seed_settings)
    first = ask(seed_index, "What did Zhang Jun say?").to_dict()
    assert ask(reloaded, "What did Zhang Jun say?").to_dict() == first


def test_changed_corpus_or_settings_are_detected_and_rebuilt(corpus_copy, tmp_path):
    settings = Settings.from_env(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings)
    assert stale_reasons(read_manifest(settings.index_dir), settings) == []

    write(
        corpus_copy / "new.md", "---\ntitle: Fresh\n---\nThe Kremlin denied the report on Friday."
    )
    assert stale_reasons(read_manifest(settings.index_dir), settings) == [
        f"the articles in {corpus_copy} changed"
    ]
    index = open_index(settings)  # rebuilds
    assert "Fresh" in {d.title for d in index.documents.values()}
    assert ask(index, "What did the Kremlin deny?").hits[0].title == "Fresh"

    other = Settings.from_env(
        corpus_dir=corpus_copy, index_dir=tmp_path / "index", model="some/other-model"
    )
    assert any(
        "model changed" in r for r in stale_reasons(read_manifest(settings.index_dir), other)
    )
    bigger = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index", max_passage_chars=2000)
    assert "chunking settings changed" in stale_reasons(read_manifest(settings.index_dir), bigger)


def test_damaged_index_file_is_refused_before_faiss_reads_it(corpus_copy, tmp_path):
    settings = Settings.from_env(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings)
    faiss_file = settings.index_dir / "dense.faiss"
    data = bytearray(faiss_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    faiss_file.write_bytes(bytes(data))
    with pytest.raises(IndexError_, match="damaged.*newsqa ingest --rebuild"):
        load_index(settings)
    (settings.index_dir / "manifest.json").write_text("{ not json")
    with pytest.raises(IndexError_, match="unreadable"):
        load_index(settings)


def test_truncated_passages_file_is_refused(corpus_copy, tmp_path):
    settings = Settings.from_env(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings)
    path = settings.index_dir / "passages.jsonl"
    path.write_text(path.read_text()[:50])
    with pytest.raises(IndexError_):
        load_index(settings)


def test_empty_corpus_is_a_clear_error_and_keeps_the_old_index(corpus_copy, tmp_path):
    settings = Settings.from_env(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings)
    before = (settings.index_dir / "manifest.json").read_text()
    for path in corpus_copy.iterdir():
        path.unlink()
    with pytest.raises(NewsqaError, match="no articles to index"):
        open_index(settings)
    assert (settings.index_dir / "manifest.json").read_text() == before
    assert json.loads(before)["documents"] == 2


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
