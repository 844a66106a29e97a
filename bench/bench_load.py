"""Load benchmark: answers per second and latency of /api/ask under 1, 5, 20 and 60 clients.

    .venv/bin/python bench/bench_load.py [--corpus DIR --index DIR] [--before REV]
                                         [--clients 1,5,20,60] [--seconds 8]

A closed loop: each client sends a question, waits for the answer, sends the next (keep-alive
HTTP/1.1), until the level's time is up (after a 503 it pauses 100 ms); every loop is
bounded. Questions are the eval sets' own, cycled. The server runs on 127.0.0.1 with the
index given (default: the seed corpus, indexed into a temporary folder). With --before REV
the same levels are run, in the same run and interleaved, against a server of the code at git
revision REV (a temporary worktree), so the two columns see the same machine. Server CPU per
answer is read from /proc. The clients share the machine's cores with the server: their CPU
is reported too.

Prints a markdown table.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
# After a 503 a client waits this long before its next question (real ones honour Retry-After,
# 2 s; a client that retried at once would measure how fast the server says "busy").
REFUSED_PAUSE_S = 0.1


def questions() -> list[str]:
    texts = []
    for name in ("questions.jsonl", "news_qa_reuters_dev.jsonl", "news_qa_web_dev.jsonl"):
        for line in (PROJECT / "tests" / "eval" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["question"])
    return texts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def start_server(code: Path, corpus: Path, index: Path) -> tuple[subprocess.Popen, int]:
    """`newsqa serve` of the code in `code` (its retrieval package first on the path)."""
    port = free_port()
    program = (f"import sys; sys.path.insert(0, {str(code)!r}); from retrieval.cli import main; "
               f"sys.exit(main(['serve', '--port', '{port}']))")  # fmt: skip
    env = dict(os.environ, NEWSQA_CORPUS=str(corpus), NEWSQA_INDEX=str(index),
               HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")  # fmt: skip
    server = subprocess.Popen([sys.executable, "-c", program], env=env, cwd=code,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    if not answering(server, port):
        server.kill()
        raise SystemExit(f"the server of {code} exited or did not answer within 240 s")
    return server, port


def answering(server: subprocess.Popen, port: int, seconds: float = 240) -> bool:
    """Wait until the server answers a question (True), exits or runs out of time (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/ask?q=warm+up&k=1")
            if connection.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.5)
    return False


def run_level(port: int, clients: int, seconds: float, texts: list[str]) -> dict:
    latencies: list[float] = []
    refused = errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        nonlocal refused, errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = number
        while time.monotonic() < deadline:  # bounded by the level's time
            query = urllib.parse.urlencode({"q": texts[n % len(texts)], "k": 5})
            n += clients
            started = time.perf_counter()
            try:
                connection.request("GET", f"/api/ask?{query}")
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = None
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                elif status == 503:
                    refused += 1
                else:
                    errors += 1
            if status != 200:
                time.sleep(REFUSED_PAUSE_S)  # a refused client pauses, it does not spin
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "answers": len(latencies), "rate": len(latencies) / wall, "p50": pct(0.50),
        "p95": pct(0.95), "p99": pct(0.99), "503": refused, "errors": errors, "wall": wall,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT / "corpus")
    parser.add_argument("--index", type=Path, help="index of --corpus (default: built to tmp)")
    parser.add_argument("--before", help="git revision to measure beside the working tree")
    parser.add_argument("--clients", default="1,5,20,60")
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    texts = questions()
    scratch = Path(tempfile.mkdtemp(prefix="newsqa-load-"))
    index = args.index or scratch / "index"
    if args.index is None:
        subprocess.run([sys.executable, "-m", "retrieval.cli", "--corpus", str(args.corpus),
                        "--index", str(index), "ingest", "--quiet"], cwd=PROJECT,
                       check=True, capture_output=True)  # fmt: skip
    variants = {"now": PROJECT}
    if args.before:
        tree = scratch / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.before],
                       cwd=PROJECT, check=True, capture_output=True)  # fmt: skip
        variants = {f"before ({args.before})": tree, "now": PROJECT}
    servers = {name: start_server(code, args.corpus, index) for name, code in variants.items()}
    rows = []
    try:
        for clients in levels:  # interleaved: each level runs on every variant in turn
            for name, (server, port) in servers.items():
                own = time.process_time()
                cpu = cpu_seconds(server.pid)
                result = run_level(port, clients, args.seconds, texts)
                result["cpu_ms"] = (
                    (cpu_seconds(server.pid) - cpu) * 1000 / max(result["answers"], 1)
                )
                result["client_cpu_ms"] = (time.process_time() - own) * 1000 / max(
                    result["answers"], 1)  # fmt: skip
                rows.append((name, clients, result))
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=30)
        if args.before:
            subprocess.run(["git", "worktree", "remove", "--force", str(scratch / "before")],
                           cwd=PROJECT, capture_output=True)  # fmt: skip

    print(f"{args.corpus} ({index}), {len(texts)} questions cycled, {args.seconds:.0f} s per "
          f"level, {os.cpu_count()} cores shared by server and clients\n")  # fmt: skip
    print(
        "| code | clients | answers/s | vs 1 client | p50 ms | p95 ms | p99 ms | 503s | "
        "errors | server CPU ms/answer | client CPU ms/answer |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    alone = {name: r["rate"] for name, c, r in rows if c == levels[0]}
    for name, clients, r in rows:
        print(f"| {name} | {clients} | {r['rate']:.0f} | {r['rate'] / alone[name]:.2f}x | "
              f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['503']} | {r['errors']} | "
              f"{r['cpu_ms']:.1f} | {r['client_cpu_ms']:.1f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
