"""A live corpus that never loses data: incremental updates, generations, faults, hostile input."""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unicodedata
from pathlib import Path

import pytest
from conftest import SEED_CORPUS

from retrieval import (
    NewsqaError,
    Settings,
    add_paths,
    add_upload,
    ask,
    build_index,
    load_index,
    remove_articles,
    sync,
)
from retrieval import store as store_module
from retrieval.lexical import lexical_search
from retrieval.store import CRASH_AT_ENV, IndexUnavailable, read_manifest, writer_lock

EXTRA = (
    "Arctic shipping lanes open early\n\n"
    "Icebreakers escorted the first convoy through the Northern Sea Route on Monday, weeks "
    "earlier than usual. “We have never seen the ice retreat this fast,” said Captain Ilya "
    "Morozov, who has sailed the route for twenty years.\n\n"
    "Insurers said premiums for the passage would stay high until the season is understood."
)
NEW = (
    "Glacier museum opens in Tromsø\n\n"
    "A museum devoted to vanishing glaciers opened in Tromsø on Saturday, with an exhibit of "
    "ice cores drilled a century apart. “People need to see what we are losing,” curator "
    "Ingrid Solberg said."
)
NEWSQA = str(Path(sys.executable).parent / "newsqa")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """Seed articles + one extra, indexed once; tests work on copies."""
    root = tmp_path_factory.mktemp("base")
    shutil.copytree(SEED_CORPUS, root / "corpus")
    (root / "corpus" / "arctic.txt").write_text(EXTRA, encoding="utf-8")
    build_index(Settings(corpus_dir=root / "corpus", index_dir=root / "index"))
    return root


@pytest.fixture
def live(base, tmp_path) -> Settings:
    shutil.copytree(base / "corpus", tmp_path / "corpus")
    shutil.copytree(base / "index", tmp_path / "index")
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")


def passage_ids(index, doc_ids=None) -> set[int]:
    return {p.passage_id for p in index.passages if doc_ids is None or p.doc_id in doc_ids}


# ---------------------------------------------------------------- incremental corpus


def test_adding_one_article_embeds_only_that_article(live, tmp_path):
    before = load_index(live)
    article = tmp_path / "glacier.txt"
    article.write_text(NEW, encoding="utf-8")
    index, report = add_paths(live, [article])
    assert [s.rsplit("/", 1)[-1] for s in report.added] == ["glacier.txt"]
    assert report.removed == [] and report.unchanged == 3
    new_doc = next(d for d in index.documents.values() if d.title.startswith("Glacier"))
    new_sentences = [s for s in index.sentences if index.passages[s.row].doc_id == new_doc.doc_id]
    assert index.manifest["timings"]["sentences_embedded"] == len(new_sentences)
    assert passage_ids(index, before.documents) == passage_ids(before)  # nobody else's ids move
    assert (live.corpus_dir / "glacier.txt").read_text(encoding="utf-8") == NEW
    assert ask(index, "What did Ingrid Solberg say?").quotes[0].text.startswith("People need")


def test_the_original_of_an_added_file_removes_its_copy(live, tmp_path):
    original = tmp_path / "outside" / "glacier.txt"
    original.parent.mkdir()
    original.write_text(NEW, encoding="utf-8")
    index, _ = add_paths(live, [original])
    doc = next(d for d in index.documents.values() if d.title.startswith("Glacier"))
    index, report = remove_articles(live, [str(original)])  # matched by content, not by path
    assert report.removed == [doc.source] and doc.doc_id not in index.documents
    assert original.exists()  # the user's own file is never touched
    stranger = tmp_path / "outside" / "other.txt"
    stranger.write_text("Never added\n\nA story nobody indexed.\n", encoding="utf-8")
    with pytest.raises(NewsqaError, match="outside the corpus folder .* no indexed file has its"):
        remove_articles(live, [str(stranger)])


def test_re_adding_identical_content_is_a_no_op(live, tmp_path):
    generation = load_index(live).generation
    copy = tmp_path / "same.txt"
    copy.write_text(EXTRA, encoding="utf-8")
    index, report = add_paths(live, [copy])
    assert report.generation is None and index.generation == generation
    assert not (live.corpus_dir / "same.txt").exists()


def test_edited_file_replaces_its_passages_and_quotes(live):
    before = load_index(live)
    old_id = next(d for d in before.documents.values() if d.title.startswith("Arctic")).doc_id
    edited = EXTRA.replace("twenty years", "thirty years").replace("Ilya Morozov", "Olga Petrova")
    (live.corpus_dir / "arctic.txt").write_text(edited, encoding="utf-8")
    index, report = sync(live)
    assert len(report.added) == 1 and len(report.removed) == 1
    assert old_id not in index.documents
    assert not [q for q in index.quotes if q.doc_id == old_id]
    assert {q.speaker for q in index.quotes} >= {"Olga Petrova"}
    assert "Ilya Morozov" not in {q.speaker for q in index.quotes}
    others = set(before.documents) - {old_id}
    assert passage_ids(index, others) == passage_ids(before, others)


@pytest.mark.parametrize("by", ["doc_id", "path"])
def test_removing_an_article_removes_everything_it_contributed(live, by):
    before = load_index(live)
    doc = next(d for d in before.documents.values() if d.title.startswith("Arctic"))
    target = doc.doc_id if by == "doc_id" else str(live.corpus_dir / "arctic.txt")
    own_sentences = [s for s in before.sentences if before.passages[s.row].doc_id == doc.doc_id]
    index, report = remove_articles(live, [target])
    assert report.removed == [doc.source]
    assert doc.doc_id not in index.documents
    assert index.dense.ntotal == before.dense.ntotal - len(own_sentences)
    assert lexical_search(index, "icebreakers convoy", 5) == []
    assert lexical_search(before, "icebreakers convoy", 5) != []
    assert not [q for q in index.quotes if q.doc_id == doc.doc_id]
    assert passage_ids(index) == passage_ids(before) - passage_ids(before, {doc.doc_id})
    # Nothing is deleted: the file waits in corpus/.removed/, and moving it back restores it.
    restored = live.corpus_dir / ".removed" / "arctic.txt"
    assert restored.read_text(encoding="utf-8") == EXTRA
    restored.rename(live.corpus_dir / "arctic.txt")
    assert doc.doc_id in sync(live)[0].documents


def test_removing_one_article_of_a_jsonl_file_is_refused_clearly(live):
    lines = [json.dumps({"title": f"Item {n}", "text": f"Report number {n} on the port."})
             for n in range(2)]  # fmt: skip
    (live.corpus_dir / "feed.jsonl").write_text("\n".join(lines) + "\n")
    index, _ = sync(live)
    item = next(d for d in index.documents.values() if d.title == "Item 0")
    with pytest.raises(NewsqaError, match="shares .*feed.jsonl with 1 other"):
        remove_articles(live, [item.doc_id])
    with pytest.raises(NewsqaError, match="no indexed article has id"):
        remove_articles(live, ["0123456789abcdef"])


# ---------------------------------------------------------------- durability


def test_a_second_writer_fails_clearly_while_one_holds_the_lock(live, monkeypatch):
    monkeypatch.setattr(store_module, "LOCK_WAIT_SECONDS", 0.3)
    with writer_lock(live.index_dir):
        with pytest.raises(NewsqaError, match="another newsqa process is updating the index"):
            sync(live)
        assert len(load_index(live).documents) == 3  # readers never wait for the writer


def _crash_writer(settings: Settings, point: int, script: str) -> int:
    env = dict(os.environ, **{CRASH_AT_ENV: str(point)}, HF_HUB_OFFLINE="1")
    done = subprocess.run(
        [sys.executable, "-c", script, str(settings.corpus_dir), str(settings.index_dir)],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    return done.returncode


REMOVE_SCRIPT = """
import sys
from pathlib import Path
from retrieval import Settings, remove_articles
settings = Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]))
remove_articles(settings, [str(settings.corpus_dir / "arctic.txt")])
"""
ADD_SCRIPT = """
import sys
from pathlib import Path
from retrieval import Settings, sync
settings = Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]))
(settings.corpus_dir / "glacier.txt").write_text(sys.argv[3] if len(sys.argv) > 3 else "")
sync(settings)
"""


def test_kill_9_at_every_point_of_a_write_leaves_old_or_new(base, tmp_path):
    """SIGKILL the writer at each checkpoint of an update, in turn, until it gets through."""
    original = load_index(Settings(base / "corpus", base / "index"))
    old_docs = set(original.documents)
    arctic = next(d.doc_id for d in original.documents.values() if d.title.startswith("Arctic"))
    crashes, point, new_docs = 0, 0, None
    while True:
        point += 1
        assert point < 100, "the writer never finished"
        root = tmp_path / f"run{point}"
        shutil.copytree(base, root)
        settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
        code = _crash_writer(settings, point, REMOVE_SCRIPT)
        index = load_index(settings)  # never a damaged or mixed index
        answer = ask(index, "What did Zhang Jun say?", mode="lexical")
        assert answer.quotes and all(h.doc_id in index.documents for h in answer.hits)
        if code == -signal.SIGKILL:
            crashes += 1
            assert set(index.documents) in (old_docs, old_docs - {arctic})
            # The next writer gets through and tidies up what the dead one left.
            repaired, _ = sync(settings)
            assert not list(settings.index_dir.glob(".gen-*"))
            assert len(list(settings.index_dir.glob("gen-*"))) <= 2
            del repaired
            continue
        assert code == 0
        new_docs = set(index.documents)
        break
    assert new_docs == old_docs - {arctic}
    print(f"\n{crashes} crash points, then the write completed at point {point}")
    assert crashes >= 20, f"only {crashes} crash points were exercised"


@pytest.mark.parametrize("point", [1, 6, 12])
def test_kill_9_while_adding_an_embedded_article(base, tmp_path, point):
    root = tmp_path / "run"
    shutil.copytree(base, root)
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    script = ADD_SCRIPT.replace('sys.argv[3] if len(sys.argv) > 3 else ""', repr(NEW))
    assert _crash_writer(settings, point, script) == -signal.SIGKILL
    index = load_index(settings)
    assert len(index.documents) == 3  # the old generation: the new article is not half in
    assert "Glacier museum opens in Tromsø" in {
        d.title for d in sync(settings)[0].documents.values()
    }


def test_disk_full_during_save_fails_clearly_and_the_old_generation_serves(live):
    before = load_index(live)

    def tiny_disk():  # writes past 16 kB fail with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_384, 16_384))

    done = subprocess.run(
        [NEWSQA, "remove", str(live.corpus_dir / "arctic.txt"),
         "--corpus", str(live.corpus_dir), "--index", str(live.index_dir)],
        capture_output=True, text=True, timeout=180, preexec_fn=tiny_disk,
        env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "could not write the index" in done.stderr and "disk" in done.stderr
    assert "previous index still answers" in done.stderr
    assert "Traceback" not in done.stderr
    after = load_index(live)
    assert after.generation == before.generation and set(after.documents) == set(before.documents)
    assert (live.corpus_dir / "arctic.txt").exists()  # the removal was undone, nothing lost
    assert not list(live.index_dir.glob(".gen-*"))


@pytest.mark.parametrize(
    "damage",
    ["flip a byte of vectors.npy", "truncate meta.sqlite", "delete a lexical file",
     "manifest from another model", "manifest with another dimension", "no manifest",
     "manifest is not JSON"],
)  # fmt: skip
def test_damaged_index_is_detected_with_a_clear_message(live, damage):
    folder = live.index_dir
    manifest = read_manifest(folder)
    generation = folder / manifest["generation"]
    if damage == "flip a byte of vectors.npy":
        data = bytearray((generation / "vectors.npy").read_bytes())
        data[len(data) // 2] ^= 0x01
        (generation / "vectors.npy").write_bytes(bytes(data))
        expected = "damaged \\(checksum mismatch\\)"
    elif damage == "truncate meta.sqlite":
        path = generation / "meta.sqlite"
        path.write_bytes(path.read_bytes()[:1000])
        expected = "damaged"
    elif damage == "delete a lexical file":
        (generation / "lexical" / "vocab.index.json").unlink()
        expected = "missing"
    elif damage == "manifest from another model":
        manifest["model"] = "someone/else"
        (folder / "manifest.json").write_text(json.dumps(manifest))
        expected = "built with model 'someone/else'"
    elif damage == "manifest with another dimension":
        manifest["dimension"] = 768
        (folder / "manifest.json").write_text(json.dumps(manifest))
        expected = "vectors, expected .*x768"
    elif damage == "no manifest":
        (folder / "manifest.json").unlink()
        expected = "no index in"
    else:
        (folder / "manifest.json").write_text("{ half")
        expected = "manifest .* is unreadable"
    with pytest.raises(IndexUnavailable, match=expected) as raised:
        load_index(live)
    # The library names the step (a front end words it); it never names a CLI command.
    assert raised.value.remedy == ("ingest" if damage == "no manifest" else "rebuild")
    assert "newsqa ingest" not in str(raised.value)
    # ... and the CLI says so in one line, no traceback, pointing at the rebuild.
    done = subprocess.run(
        [NEWSQA, "speakers", "--corpus", str(live.corpus_dir), "--index", str(folder),
         "--model", live.model] if damage == "no manifest" else
        [sys.executable, "-c", "import sys; from pathlib import Path; from retrieval import "
         "Settings, load_index; load_index(Settings(Path(sys.argv[1]), Path(sys.argv[2])))",
         str(live.corpus_dir), str(folder)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if damage != "no manifest":  # a missing index is simply rebuilt by the CLI
        assert "IndexUnavailable" in done.stderr and "Segmentation" not in done.stderr
    sync(live, rebuild=True)
    assert len(load_index(live).documents) == 3  # the offered rebuild repairs it


@pytest.fixture
def shared_tmp():
    """A folder another user can enter (pytest's own tmp root is private to its user)."""
    root = Path(tempfile.mkdtemp(prefix="newsqa-ro-"))
    yield root
    for path in [root, *root.rglob("*")]:
        path.chmod(0o700 if path.is_dir() else 0o600)
    shutil.rmtree(root)


@pytest.mark.skipif(not shutil.which("setpriv"), reason="needs setpriv to drop root")
def test_read_only_index_still_answers_and_writes_fail_clearly(base, shared_tmp):
    root = shared_tmp
    shutil.copytree(base, root / "site")
    home = root / "home"
    home.mkdir()
    for path in [root, *root.rglob("*")]:
        path.chmod(0o777 if path == home else (0o755 if path.is_dir() else 0o644))
    index_dir = root / "site" / "index"
    for path in [index_dir, *index_dir.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    prefix = [] if os.geteuid() else ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = dict(os.environ, HOME=str(home), HF_HOME=str(home / "hf"), HF_HUB_OFFLINE="1")
    where = ["--corpus", str(root / "site" / "corpus"), "--index", str(index_dir)]

    def newsqa(*args):
        return subprocess.run([*prefix, NEWSQA, *args, *where], env=env, capture_output=True,
                              text=True, timeout=180)  # fmt: skip

    asked = newsqa("ask", "What did Zhang Jun say?", "--json", "--mode", "lexical")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["speaker"]["name"] == "Zhang Jun"
    (root / "site" / "corpus" / "arctic.txt").unlink()  # the corpus changed: a write is due
    stale = newsqa("ask", "Zhang", "--json", "--mode", "lexical")
    assert stale.returncode == 0 and "changed since the last ingest" in stale.stderr
    ingest = newsqa("ingest")
    assert ingest.returncode == 2 and "read-only" in ingest.stderr
    assert "Traceback" not in ingest.stderr


def test_queries_during_updates_always_see_one_whole_generation(live, tmp_path):
    """Readers load and ask in a loop while a writer removes and restores an article."""
    first = load_index(live)
    arctic = next(d.doc_id for d in first.documents.values() if d.title.startswith("Arctic"))
    allowed = [set(first.documents), set(first.documents) - {arctic}]
    stop, errors, generations = threading.Event(), [], set()

    def reader():
        try:
            for _ in range(400):  # bounded, and stops with the writer
                if stop.is_set():
                    return
                index = load_index(live)
                generations.add(index.generation)
                assert set(index.documents) in allowed
                answer = ask(index, "icebreakers convoy Zhang", mode="lexical")
                assert all(h.doc_id in index.documents for h in answer.hits)
                assert all(q.doc_id in index.documents for q in answer.quotes)
                if arctic in index.documents:
                    assert answer.hits and answer.hits[0].doc_id == arctic
        except Exception as err:  # noqa: BLE001 - reported by the main thread
            errors.append(repr(err))

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        for _ in range(3):
            remove_articles(live, [str(live.corpus_dir / "arctic.txt")])
            (live.corpus_dir / ".removed" / "arctic.txt").rename(live.corpus_dir / "arctic.txt")
            sync(live)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=120)
    assert errors == []
    assert len(generations) >= 2


# ---------------------------------------------------------------- uploads


def _seed_text() -> str:
    return (SEED_CORPUS / "china-backs-russia-security-concerns.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.md", b"  \n\n ", "the file is empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
        ("latin1.txt", "Café society".encode("latin-1"), "not valid UTF-8"),
        ("huge.txt", b"word " * (10 * 1024 * 1024), "over the 20,971,520-byte limit"),
        ("tool.exe", b"MZ text", "not an article type"),
        ("notes.pdf", b"%PDF-1.4", "not an article type"),
        ("noext", b"hello", "no extension is not an article type"),
        ("bad.jsonl", b'{"title": "x"}\nnot json\n', "no usable article"),
        ("dup.txt", _seed_text().encode(), "already indexed as"),
        ("spaces.txt", _seed_text().replace(" ", "  ").replace("\n", "\r\n").encode(),
         "already indexed as"),
        ("nfd.txt", unicodedata.normalize("NFD", _seed_text()).encode(), "already indexed as"),
        ("nfkc.txt", EXTRA.replace("fi", "ﬁ").encode(), "already indexed as"),
    ],
)  # fmt: skip
def test_bad_uploads_are_refused_clearly_and_lose_nothing(live, name, data, message):
    before = load_index(live)
    files_before = sorted(p.name for p in live.corpus_dir.rglob("*"))
    with pytest.raises(NewsqaError, match=message):
        add_upload(live, name, data)
    after = load_index(live)
    assert after.generation == before.generation
    assert set(after.documents) == set(before.documents)
    assert sorted(p.name for p in live.corpus_dir.rglob("*")) == files_before


def test_hostile_html_upload_is_stored_as_text(live):
    from retrieval.web import render

    page = (
        "<html><head><title>Port strike ends</title><script>window.__xss=1</script></head>"
        "<body><article><h1>Port strike ends</h1><p>Dockers voted to end the strike on Friday "
        'after a pay deal. <img src=x onerror="window.__xss=2"> The union said work resumes '
        "at dawn, and shipping lines expect the backlog to clear within a week of the vote.</p>"
        "<p>The port authority said the agreement runs for three years and covers all "
        "terminals, including the container berths that were closed for ten days.</p>"
        "</article></body></html>"
    )
    index, report = add_upload(live, "../../port strike.html", page.encode())
    assert report.added == ["corpus/uploads/port-strike.html"] or report.added[0].endswith(
        "uploads/port-strike.html"
    )
    assert (live.corpus_dir / "uploads" / "port-strike.html").exists()  # no path traversal
    doc = next(d for d in index.documents.values() if d.title == "Port strike ends")
    assert "window.__xss" not in doc.text and "Dockers voted" in doc.text
    status, html_page = render.render_article(index, doc.doc_id, None, None)
    assert status == 200 and "<img" not in html_page and "window.__xss" not in html_page


# ---------------------------------------------------------------- regressions found in review


def test_an_article_skipped_as_a_duplicate_returns_when_its_twin_goes(live):
    (live.corpus_dir / "twin.txt").write_text(EXTRA.replace(" ", "  "), encoding="utf-8")
    index, report = sync(live)
    assert any("twin.txt: same text as" in w for w in report.warnings)
    arctic = [d for d in index.documents.values() if d.title.startswith("Arctic")]
    assert [d.source.rsplit("/", 1)[-1] for d in arctic] == ["arctic.txt"]
    index, _ = remove_articles(live, [str(live.corpus_dir / "arctic.txt")])
    arctic = [d for d in index.documents.values() if d.title.startswith("Arctic")]
    assert [d.source.rsplit("/", 1)[-1] for d in arctic] == ["twin.txt"]


def test_a_failure_after_the_switch_keeps_the_corpus_change(live, tmp_path, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt  # e.g. Ctrl-C while old generations are being removed

    monkeypatch.setattr(store_module, "remove_stale_generations", interrupted)
    article = tmp_path / "glacier.txt"
    article.write_text(NEW, encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        add_paths(live, [article])
    index = load_index(live)  # the new generation was switched in: file and index agree
    assert (live.corpus_dir / "glacier.txt").exists()
    assert "Glacier museum opens in Tromsø" in {d.title for d in index.documents.values()}


def test_a_failure_before_the_switch_undoes_the_corpus_change(live, tmp_path, monkeypatch):
    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "_write_sqlite", full_disk)
    article = tmp_path / "glacier.txt"
    article.write_text(NEW, encoding="utf-8")
    with pytest.raises(NewsqaError, match="disk is full"):
        add_paths(live, [article])
    assert not (live.corpus_dir / "glacier.txt").exists()
    assert not [p for p in live.corpus_dir.iterdir() if ".partial-" in p.name]
    assert len(load_index(live).documents) == 3


def test_removing_the_same_article_named_twice(live):
    index = load_index(live)
    doc = next(d for d in index.documents.values() if d.title.startswith("Arctic"))
    index, report = remove_articles(live, [doc.doc_id, str(live.corpus_dir / "arctic.txt")])
    assert report.removed == [doc.source] and doc.doc_id not in index.documents


def test_cleanup_keeps_what_readers_of_the_previous_manifest_need(live):
    previous = read_manifest(live.index_dir)["generation"]
    leftover = live.index_dir / "gen-999999"  # renamed by a writer killed before the switch
    leftover.mkdir()
    (live.corpus_dir / "arctic.txt").unlink()
    index, _ = sync(live)
    kept = sorted(p.name for p in live.index_dir.glob("gen-*"))
    assert kept == sorted({previous, index.generation})
