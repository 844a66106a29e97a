"""App benchmark: `make run` (warm venv, index built) to the page answering, and answer latency
in a real browser (Debian chromium via Playwright) and over HTTP.

    .venv/bin/python bench/bench_app.py [--questions 10]

Prints a markdown table. Binds 127.0.0.1 only; the server it starts is stopped at the end.
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    json.loads(line)["question"]
    for line in (PROJECT / "tests" / "eval" / "questions.jsonl").read_text().splitlines()
]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    subprocess.run(["make", "-s", "ingest"], cwd=PROJECT, check=True, capture_output=True)

    started = time.perf_counter()
    server = subprocess.Popen(
        ["make", "-s", "run", f"PORT={port}"], cwd=PROJECT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    rows = []
    try:
        query = urllib.parse.urlencode({"q": "What did Zhang Jun say?"})
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/ask?{query}", timeout=5) as response:
                    json.loads(response.read())
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        rows.append(("`make run` (warm venv, index fresh) → first answer over HTTP",
                     time.perf_counter() - started, "s"))  # fmt: skip

        http_times = []
        for question in QUESTIONS[: args.questions]:
            t0 = time.perf_counter()
            with urllib.request.urlopen(
                f"{url}/api/ask?{urllib.parse.urlencode({'q': question})}", timeout=30
            ) as response:
                response.read()
            http_times.append((time.perf_counter() - t0) * 1000)
        rows.append((f"answer over HTTP /api/ask, median of {len(http_times)}",
                     statistics.median(http_times), "ms"))  # fmt: skip

        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            t0 = time.perf_counter()
            page.goto(url + "/")
            page.locator("#nq-question textarea").wait_for(timeout=60_000)
            rows.append(("page load → question box ready", time.perf_counter() - t0, "s"))
            browser_times = []
            for n, question in enumerate(QUESTIONS[: args.questions]):
                box = page.locator("#nq-question textarea")
                box.fill(question)
                t0 = time.perf_counter()
                box.press("Enter")
                page.locator("[data-testid='bot']").nth(n).wait_for(timeout=60_000)
                browser_times.append((time.perf_counter() - t0) * 1000)
            browser.close()
        label = f"answer in the browser (Enter → bubble shown), median of {len(browser_times)}"
        rows.append((label, statistics.median(browser_times), "ms"))
        rows.append(("answer in the browser, max", max(browser_times), "ms"))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print("| measure | value |\n|---|---|")
    for name, value, unit in rows:
        shown = f"{value:.2f}" if unit == "s" else f"{value:.0f}"
        print(f"| {name} | {shown} {unit} |")


if __name__ == "__main__":
    main()
