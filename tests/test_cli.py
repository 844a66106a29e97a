"""The `newsqa` command as a user runs it: a fresh process each time."""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import SEED_CORPUS, ZHANG_SOURCE

NEWSQA = str(Path(sys.executable).parent / "newsqa")


def run(args, settings=None, stdin=None, timeout=180):
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    if settings is not None:
        env.update(NEWSQA_CORPUS=str(settings.corpus_dir), NEWSQA_INDEX=str(settings.index_dir))
    return subprocess.run(
        [NEWSQA, *args], input=stdin, capture_output=True, text=True, env=env, timeout=timeout
    )


def test_ask_json_prints_the_answer_contract(seed_index, seed_settings):
    done = run(["ask", "what did Zhang Jun say?", "--k", "5", "--json"], seed_settings)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["question"] == "what did Zhang Jun say?" and data["mode"] == "hybrid"
    assert [h["source"] for h in data["hits"][:2]] == [ZHANG_SOURCE, ZHANG_SOURCE]
    assert "[1]" in data["answer"]
    text = (SEED_CORPUS.parent / ZHANG_SOURCE).read_text(encoding="utf-8")
    hit = data["hits"][0]
    assert text[hit["start"] : hit["end"]] == hit["text"]


def test_batch_mode_reads_questions_from_stdin(seed_index, seed_settings):
    questions = "What did Zhang Jun say?\n\nWhat did Blinken tell reporters?\n \nZhang\n"
    done = run(["ask", "--json", "--mode", "lexical", "--k", "2", "-"], seed_settings, questions)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["question"] for d in lines] == [
        "What did Zhang Jun say?",
        "What did Blinken tell reporters?",
        "Zhang",
    ]
    assert all(d["mode"] == "lexical" and len(d["hits"]) == 2 for d in lines)


def test_readable_output_has_numbered_citations(seed_index, seed_settings):
    done = run(["ask", "How many troops has Russia amassed?", "--mode", "lexical"], seed_settings)
    assert done.returncode == 0, done.stderr
    assert "[1] China backs Russia" in done.stdout
    assert "corpus/china-backs-russia-security-concerns.txt:" in done.stdout


def test_errors_are_messages_not_tracebacks(seed_index, seed_settings, tmp_path):
    cases = [
        (["ask", "   "], "the question is empty"),
        (["ask", "Zhang", "--k", "0"], "k must be a whole number from 1 to 100, got 0"),
        (["ask", "x" * 100_000], "the limit is 2,000"),
    ]
    for args, message in cases:
        done = run(args, seed_settings)
        assert done.returncode == 2 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run(["ingest", "--corpus", str(empty), "--index", str(tmp_path / "ix")])
    assert done.returncode == 2 and "no articles to index" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_answers_over_every_api_on_localhost(seed_index, seed_settings):
    """`newsqa serve`: the same JSON from gradio_client, Gradio's HTTP protocol and /api/ask."""
    import socket
    import time
    import urllib.parse
    import urllib.request

    from gradio_client import Client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(
        os.environ,
        NEWSQA_CORPUS=str(seed_settings.corpus_dir),
        NEWSQA_INDEX=str(seed_settings.index_dir),
    )
    server = subprocess.Popen(
        [NEWSQA, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    question = "What did Zhang Jun say?"
    expected = json.loads(run(["ask", question, "--k", "3", "--json"], seed_settings).stdout)
    try:
        deadline = time.monotonic() + 120  # bounded: gradio + model import take ~15 s here
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, "the server exited"
                time.sleep(0.5)
        else:
            raise AssertionError("the app did not come up within 120 s")

        client = Client(url + "/", verbose=False)
        assert client.predict(question, 3, "hybrid", api_name="/ask") == expected
        # The filtered endpoint: the same answer when the filter keeps Zhang Jun's article.
        kept = client.predict(question, 3, "hybrid", "china-wants", None, None,
                              api_name="/ask_filtered")  # fmt: skip
        assert kept == expected

        # Gradio's own HTTP protocol: POST the call, then read the event stream.
        body = json.dumps({"data": [question, 3, "hybrid"]}).encode()
        call = urllib.request.Request(
            url + "/gradio_api/call/ask", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(call, timeout=30) as response:
            event_id = json.loads(response.read())["event_id"]
        with urllib.request.urlopen(f"{url}/gradio_api/call/ask/{event_id}", timeout=60) as r:
            stream = r.read().decode()
        assert "event: complete" in stream
        data = stream.split("event: complete", 1)[1].split("data:", 1)[1].strip()
        assert json.loads(data)[0] == expected

        query = urllib.parse.urlencode({"q": question, "k": 3})
        with urllib.request.urlopen(f"{url}/api/ask?{query}", timeout=30) as response:
            assert json.loads(response.read()) == expected
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_list_shows_what_is_indexed_and_options_go_before_or_after(seed_index, seed_settings):
    before = run(["--corpus", str(seed_settings.corpus_dir), "--index",
                  str(seed_settings.index_dir), "list", "--json"])  # fmt: skip
    after = run(["list", "--json", "--corpus", str(seed_settings.corpus_dir), "--index",
                 str(seed_settings.index_dir)])  # fmt: skip
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    rows = json.loads(before.stdout)
    assert rows == json.loads(after.stdout)
    assert {r["id"] for r in rows} == set(seed_index.documents)
    zhang = next(r for r in rows if r["source"] == ZHANG_SOURCE)
    assert zhang["passages"] == len(seed_index.passages.rows_of(zhang["id"])) and zhang["quotes"]
    readable = run(["list"], seed_settings)
    assert zhang["id"] in readable.stdout and ZHANG_SOURCE in readable.stdout


def test_batch_mode_prints_each_question_before_its_answer(seed_index, seed_settings):
    done = run(["ask", "--mode", "lexical", "-"], seed_settings,
               "What did Zhang Jun say?\nHow many troops has Russia amassed?\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    first = done.stdout.index("Q: What did Zhang Jun say?")
    second = done.stdout.index("Q: How many troops has Russia amassed?")
    assert first < done.stdout.index("Zhang Jun", first + 5) < second


def test_serve_on_a_busy_port_says_so_and_exits_2(seed_settings):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run(["serve", "--port", str(port)], seed_settings, timeout=60)
    assert done.returncode == 2
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr
    assert "serving on" not in done.stdout + done.stderr


def test_ingest_reports_each_stage_and_is_quiet_when_asked(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        text = f"Story {i}\n\nThe council met on day {i} and agreed a budget, its leader said.\n"
        (corpus / f"a{i}.txt").write_text(text, encoding="utf-8")
    env = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    done = run(["ingest", *env])
    assert done.returncode == 0, done.stderr
    for line in ("load: 3 files in", "split: 3 articles in", "embed: ", " sentences in",
                 "write: 1 generation in"):  # fmt: skip
        assert line in done.stderr, done.stderr
    (corpus / "a3.txt").write_text("Story 3\n\nA fourth story, a new one.\n", encoding="utf-8")
    quiet = run(["ingest", "--quiet", *env])
    assert quiet.returncode == 0 and "embed:" not in quiet.stderr and "1 added" in quiet.stderr


def test_progress_is_a_callback_of_the_library(tmp_path):
    from retrieval import Settings
    from retrieval.stages import reporting
    from retrieval.update import sync

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Story\n\nThe mayor opened a bridge, she said.\n", "utf-8")
    seen = []
    with reporting(lambda stage, done, total: seen.append((stage, done, total))):
        sync(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"))
    stages = [s for s, _, _ in seen]
    assert stages[0] == "load" and "embed" in stages and stages[-1] == "write"
    assert all(done <= total for _, done, total in seen)
    assert ("embed", 0, seen[stages.index("embed")][2]) in seen


def test_speakers_lists_only_who_is_quoted_with_counts(seed_index, seed_settings):
    done = run(["speakers", "--json"], seed_settings)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows and all(row["quotes"] > 0 for row in rows)
    quoted = {q.speaker for q in seed_index.quotes if q.speaker}
    assert {row["name"] for row in rows} == quoted
    zhang = next(row for row in rows if row["name"] == "Zhang Jun")
    assert zhang["quotes"] == len(seed_index.quotes_by_speaker["Zhang Jun"])


def test_many_skipped_records_are_counted_not_listed(tmp_path):
    from retrieval import Settings
    from retrieval.update import MAX_WARNINGS_SHOWN, sync

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Story\n\nThe mayor opened a bridge, she said.\n", "utf-8")
    for i in range(MAX_WARNINGS_SHOWN + 5):
        (corpus / f"empty{i:02d}.txt").write_text("  \n", encoding="utf-8")
    lines: list[str] = []
    index, _ = sync(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), log=lines.append)
    shown = [line for line in lines if line.startswith("warning: skipped")]
    assert len(shown) == MAX_WARNINGS_SHOWN
    assert any("... and 5 more warnings" in line for line in lines)
    assert len(index.manifest["warnings"]) == MAX_WARNINGS_SHOWN + 5  # all kept


def test_ask_filters_by_source_and_says_when_nothing_matches(seed_index, seed_settings):
    done = run(["ask", "How many troops has Russia amassed?", "--json", "--source",
                "china-backs"], seed_settings)  # fmt: skip
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)["hits"]
    assert hits and all("china-backs" in h["source"] for h in hits)
    dated = run(["ask", "Zhang", "--since", "2024-01-01"], seed_settings)
    assert dated.returncode == 2 and "no indexed article matches since 2024-01-01" in dated.stderr
    bad = run(["ask", "Zhang", "--until", "soon"], seed_settings)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_each_front_words_the_remedy_the_library_names():
    from retrieval.cli import describe as on_the_command_line
    from retrieval.config import INGEST, LIST, REBUILD, NewsqaError, Notice
    from retrieval.web.chat import describe as on_the_web

    damaged = NewsqaError("index file x is damaged (checksum mismatch)", remedy=REBUILD)
    assert on_the_command_line(damaged).endswith("; rebuild it with `newsqa ingest --rebuild`")
    assert "must be rebuilt" in on_the_web(damaged)
    assert on_the_command_line(NewsqaError("no index in /x", remedy=INGEST)).endswith(
        "; run `newsqa ingest`"
    )
    assert "`newsqa list`" in on_the_command_line(NewsqaError("no article", remedy=LIST))
    assert "article filter" in on_the_web(NewsqaError("no article", remedy=LIST))
    assert on_the_command_line(NewsqaError("k must be 1 to 100")) == "k must be 1 to 100"
    assert on_the_command_line("plain log line") == "plain log line"
    stale = Notice("warning: the articles changed", remedy=INGEST)
    assert stale == "warning: the articles changed" and on_the_command_line(stale).endswith(
        "run `newsqa ingest`"
    )


def test_progress_off_a_terminal_is_a_line_per_tenth_and_one_at_the_end(capsys):
    from retrieval.cli import _duration, _Progress

    progress = _Progress()
    for done in range(0, 5001, 250):
        progress("embed", done, 5000)
    progress("write", 1, 1)
    lines = capsys.readouterr().err.splitlines()
    tenths = [line for line in lines if "% )" in line or "%)" in line]
    assert 8 <= len(tenths) <= 10 and tenths[0].startswith("embed: 500 of 5,000 sentences (10%)")
    assert all(" left" in line for line in tenths)
    assert lines[-2].startswith("embed: 5,000 sentences in ") and lines[-1].startswith("write: 1 ")
    assert (_duration(12), _duration(600), _duration(9000)) == ("12 s", "10 min", "2.5 h")
    _Progress(quiet=True)("embed", 5000, 5000)
    assert capsys.readouterr().err == ""
