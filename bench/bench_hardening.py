"""The attack figures of the hardening issue, for this tree and another side by side, one run.

    .venv/bin/python bench/bench_hardening.py                     # this tree alone
    git worktree add /tmp/before <commit>
    .venv/bin/python bench/bench_hardening.py --before /tmp/before

Each tree serves the seed corpus on 127.0.0.1 (its own index in a temporary folder) and is hit
over HTTP: the attack question alone, a normal question alone and while 4 clients send the attack
question, then floods of 60 and 150 clients. Every loop is bounded. Prints a table.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
NORMAL = "How many troops has Russia amassed near Ukraine?"
ATTACK = "what did " + "say on " * 283 + "?x"


def _python(tree: Path, code: str, **kwargs):
    prelude = f"import sys; sys.path.insert(0, {str(tree)!r}); "
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    return subprocess.Popen([sys.executable, "-c", prelude + code], env=env, **kwargs)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(tree: Path, workdir: Path):
    index = workdir / "index"
    corpus = str(HERE / "corpus")
    ingest = _python(
        tree, f"from retrieval.cli import main; sys.exit(main(['ingest', '--corpus', {corpus!r}, "
        f"'--index', {str(index)!r}]))", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert ingest.wait(timeout=600) == 0, f"ingest failed in {tree}"
    port = _free_port()
    server = _python(
        tree, "import app; from retrieval import Settings; app.serve(Settings.from_env("
        f"corpus_dir={corpus!r}, index_dir={str(index)!r}, port={port}))",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/api/ask?q=warm", timeout=5):
                return server, url
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"{tree}: the app did not come up within 120 s")


def ask(url: str, question: str) -> tuple[int, float]:
    started = time.perf_counter()
    query = urllib.parse.urlencode({"q": question, "k": 5})
    try:
        with urllib.request.urlopen(f"{url}/api/ask?{query}", timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError:
        status = 0  # connection refused or reset: counted as an error
    return status, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def measure(url: str) -> dict:
    out = {}
    out["attack alone (s)"] = statistics.median(ask(url, ATTACK)[1] for _ in range(3))
    alone = [ask(url, NORMAL)[1] for _ in range(30)]
    out["normal alone p50 (ms)"] = 1000 * statistics.median(alone)

    stop = threading.Event()

    def attacker():
        for _ in range(200):  # bounded
            if stop.is_set():
                return
            ask(url, ATTACK)

    attackers = [threading.Thread(target=attacker) for _ in range(4)]
    for thread in attackers:
        thread.start()
    time.sleep(0.5)
    during = [ask(url, NORMAL)[1] for _ in range(10)]
    stop.set()
    for thread in attackers:
        thread.join(timeout=120)
    out["normal, 4 attackers p50 (ms)"] = 1000 * statistics.median(during)

    for clients, each in ((60, 10), (150, 4)):
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(lambda _: ask(url, NORMAL), range(clients * each)))
        ok = [t for s, t in results if s == 200]
        out[f"{clients} clients: answered"] = f"{len(ok)}/{len(results)}"
        out[f"{clients} clients: 503s"] = sum(s == 503 for s, _ in results)
        out[f"{clients} clients: other errors"] = sum(s not in (200, 503) for s, _ in results)
        out[f"{clients} clients: answered p99 (s)"] = percentile(ok, 0.99)
        out[f"{clients} clients: slowest reply (s)"] = max(t for _, t in results)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure beside this one")
    args = parser.parse_args()
    trees = {"this tree": HERE}
    if args.before:
        trees = {"before": args.before.resolve(), **trees}
    results = {}
    for name, tree in trees.items():
        with tempfile.TemporaryDirectory() as workdir:
            server, url = serve(tree, Path(workdir))
            try:
                results[name] = measure(url)
            finally:
                server.terminate()
                server.wait(timeout=30)
    names = list(results)
    rows = list(results[names[0]])
    print("| measure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for row in rows:
        cells = []
        for name in names:
            value = results[name][row]
            cells.append(f"{value:.3f}" if isinstance(value, float) else str(value))
        print(f"| {row} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
