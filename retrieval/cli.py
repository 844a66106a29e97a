"""The `newsqa` command: ingest, ask, serve. Heavy libraries are imported only by the command
that needs them (sentence-transformers ~10 s, gradio ~6 s)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

from .config import (
    INGEST,
    LIST,
    MODES,
    REBUILD,
    NewsqaError,
    Settings,
    stay_offline,
    with_remedy,
)


def _stderr(message: str) -> None:
    print(describe(message), file=sys.stderr, flush=True)


def _common(parser: argparse.ArgumentParser, default=None) -> None:
    """--corpus/--index/--model, accepted before the subcommand and after it (after wins)."""
    parser.add_argument(
        "--corpus", default=default, help="folder of articles (default corpus/, or $NEWSQA_CORPUS)"
    )
    parser.add_argument(
        "--index", default=default, help="index folder (default index/, or $NEWSQA_INDEX)"
    )
    parser.add_argument(
        "--store",
        default=default,
        help="where the index lives: a Milvus URL, milvus:///abs/path.db (Milvus Lite) or "
        "http://host:19530 (default: the index folder, or $NEWSQA_STORE)",
    )
    parser.add_argument(
        "--model", default=default,
        help="sentence-transformers model id or local folder (or $NEWSQA_MODEL)",
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsqa", description="Ask questions of news articles; answers cite exact spans."
    )
    _common(parser)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser(
        "ingest", help="sync the index with the corpus folder (new, changed, deleted files)"
    )
    ingest.add_argument("--rebuild", action="store_true", help="re-embed everything")
    ingest.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    ingest.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run load/split/quotes/embed on a Ray cluster: auto (this machine's, else a new "
        "local one) or its address (docs/scale.md); needs `pip install newsqa[scale]`",
    )
    ingest.add_argument("--ray-workers", type=int, help="embedding actors (default: CPUs / 2)")
    _common(ingest, argparse.SUPPRESS)

    add = commands.add_parser("add", help="copy article files into the corpus and index them")
    add.add_argument(
        "paths", nargs="+", help="article files (.txt .md .html .jsonl .json .csv .sgm)"
    )
    _common(add, argparse.SUPPRESS)

    remove = commands.add_parser(
        "remove", help="remove articles (their files move to corpus/.removed/, restorable)"
    )
    remove.add_argument("targets", nargs="+", help="doc ids or corpus file paths")
    remove.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    _common(remove, argparse.SUPPRESS)

    ask = commands.add_parser("ask", help="answer a question with cited passages")
    ask.add_argument("question", help='the question, or "-" to read one question per line')
    ask.add_argument("--k", type=int, default=5, help="number of passages (default 5)")
    ask.add_argument("--mode", choices=MODES, default="hybrid", help="retrieval (default hybrid)")
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    ask.add_argument("--no-quotes", action="store_true", help="plain retrieval, no speaker routing")
    ask.add_argument("--source", help="only articles of this publisher, site or path (any case)")
    ask.add_argument("--since", help="only articles published on or after YYYY-MM-DD")
    ask.add_argument("--until", help="only articles published on or before YYYY-MM-DD")
    _common(ask, argparse.SUPPRESS)

    listing = commands.add_parser("list", help="the indexed articles: id, headline, source, date")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    _common(listing, argparse.SUPPRESS)

    speakers = commands.add_parser("speakers", help="who is quoted, how often, with roles")
    speakers.add_argument("--json", action="store_true")
    _common(speakers, argparse.SUPPRESS)

    quotes = commands.add_parser("quotes", help="every quote attributed to a speaker")
    quotes.add_argument("speaker", help='a name, surname or role, e.g. "Zhang Jun" or "Zhang"')
    quotes.add_argument("--json", action="store_true")
    _common(quotes, argparse.SUPPRESS)

    serve = commands.add_parser("serve", help="serve the chat app")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    _common(serve, argparse.SUPPRESS)

    evaluate = commands.add_parser(
        "eval", help="measure retrieval on a BEIR folder, a questions .jsonl or a quote gold .jsonl"
    )
    evaluate.add_argument("dataset", help="a BEIR folder or a .jsonl gold file")
    evaluate.add_argument("--split", default="test", help="BEIR qrels split (default test)")
    evaluate.add_argument("--modes", help="comma list of hybrid,dense,lexical,hybrid+quotes (all)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--report", metavar="DIR", help="write DIR/report.md and DIR/metrics.png")
    evaluate.add_argument("--write-baseline", metavar="FILE", help="save the metrics as a baseline")
    evaluate.add_argument("--baseline", metavar="FILE", help="exit 1 if a metric fell below FILE's")
    evaluate.add_argument("--tolerance", type=float, default=0.02, help="allowed drop (0.02)")
    evaluate.add_argument("--quiet", action="store_true", help="no progress, only the results")
    _common(evaluate, argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    stay_offline()
    settings = Settings.from_env(
        corpus_dir=args.corpus, index_dir=args.index, model=args.model, store=args.store
    )
    try:
        commands = {
            "ingest": _ingest, "ask": _ask, "serve": _serve,
            "speakers": _speakers, "quotes": _quotes, "list": _list,
            "add": _add, "remove": _remove,
            "eval": _eval,
        }  # fmt: skip
        return commands[args.command](args, settings)
    except NewsqaError as err:
        _stderr(f"newsqa: error: {describe(err)}")  # describe() of a str adds nothing
        return 2
    except KeyboardInterrupt:
        return 130


# The library names the step that fixes an error (NewsqaError.remedy); here it is a command.
REMEDIES = {
    INGEST: "run `newsqa ingest`",
    REBUILD: "rebuild it with `newsqa ingest --rebuild`",
    LIST: "`newsqa list` shows what is indexed",
}


def describe(problem: NewsqaError | str) -> str:
    """An error or logged Notice as the command line says it: what is wrong, then the command
    that fixes it (when the library named one)."""
    return with_remedy(problem, REMEDIES)


class _Progress:
    """Progress of long work on stderr: a tqdm bar per stage on a terminal, else a line per
    tenth of a long stage and one when it ends (counts, seconds, rate); nothing with --quiet."""

    NAMES = {"load": "files", "split": "articles", "embed": "sentences", "write": "generation",
             "ask": "questions"}  # a stage's first word: "ask hybrid" counts questions  # fmt: skip

    def __init__(self, quiet: bool = False):
        self.quiet, self.tty = quiet, sys.stderr.isatty()
        self.bars: dict = {}
        self.started: dict[str, float] = {}
        self.tenths: dict[str, int] = {}  # last tenth of a stage reported (not a terminal)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        self.started.setdefault(stage, time.perf_counter())
        if self.tty:
            from tqdm import tqdm

            bar = self.bars.get(stage)
            if bar is None:
                unit = self._unit(stage)[:-1]
                bar = self.bars[stage] = tqdm(total=total, desc=stage, unit=unit,
                                              file=sys.stderr, leave=True)  # fmt: skip
            bar.update(done - bar.n)
            if done >= total:
                bar.close()
        elif done >= total:
            seconds = time.perf_counter() - self.started[stage]
            rate = f", {done / seconds:,.0f}/s" if seconds > 0.5 and total > 1 else ""
            _stderr(f"{stage}: {total:,} {self._unit(stage)} in {seconds:.1f}s{rate}")
        elif total >= 1000 and done * 10 // total > self.tenths.get(stage, 0):
            # a line per tenth of a long stage, so a log shows it is alive and when it ends
            self.tenths[stage] = done * 10 // total
            seconds = time.perf_counter() - self.started[stage]
            left = seconds * (total - done) / done if done else 0
            _stderr(f"{stage}: {done:,} of {total:,} {self._unit(stage)} "
                    f"({100 * done // total}%), {done / max(seconds, 1e-9):,.0f}/s, "
                    f"about {_duration(left)} left")  # fmt: skip

    def _unit(self, stage: str) -> str:
        return self.NAMES.get(stage.split()[0], "items")


def _duration(seconds: float) -> str:
    """12 s, 4 min, 2.5 h: what a reader of a log line needs to know."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _ingest(args, settings: Settings) -> int:
    from .stages import reporting
    from .update import sync

    started = time.perf_counter()
    with reporting(_Progress(args.quiet)), _distributed(args):
        index, _ = sync(settings, log=_stderr, rebuild=args.rebuild)  # logs what changed
    _done(settings, index, started)
    return 0


def _distributed(args):
    """The ingest's stages on Ray when --ray is given, else here."""
    if not args.ray:
        return contextlib.nullcontext()
    try:
        from .ray_ingest import RayWork
    except ImportError as err:
        raise NewsqaError(
            f"--ray needs Ray ({err.name} is not installed): pip install 'newsqa[scale]'"
        ) from err
    from .stages import working_on

    return working_on(RayWork(args.ray, args.ray_workers))


def _add(args, settings: Settings) -> int:
    from .stages import reporting
    from .update import add_paths

    started = time.perf_counter()
    with reporting(_Progress(args.quiet)):
        index, _ = add_paths(settings, [Path(p) for p in args.paths], log=_stderr)
    _done(settings, index, started)
    return 0


def _remove(args, settings: Settings) -> int:
    from .stages import reporting
    from .update import remove_articles

    started = time.perf_counter()
    with reporting(_Progress(args.quiet)):
        index, _ = remove_articles(settings, args.targets, log=_stderr)
    _done(settings, index, started)
    return 0


def _done(settings: Settings, index, started: float) -> None:
    _stderr(
        f"index {settings.store or settings.index_dir}: {index.manifest['documents']} articles, "
        f"{index.manifest['passages']} passages, {index.generation} "
        f"({time.perf_counter() - started:.1f}s)"
    )


def _ask(args, settings: Settings) -> int:
    from .answer import ask, check_k, check_question
    from .filters import make_filter, matching_articles
    from .update import open_for_questions

    check_k(args.k)  # fail before loading anything
    wanted = make_filter(args.source, args.since, args.until)
    if args.question != "-":
        check_question(args.question)
    index = open_for_questions(settings, log=_stderr)  # asking never writes
    scope = matching_articles(index, wanted) if wanted else None
    if args.question != "-":
        answer = ask(index, args.question, k=args.k, mode=args.mode, quotes=not args.no_quotes,
                     doc_ids=scope)  # fmt: skip
        print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else render(answer))
        return 0
    status = 0
    for line in sys.stdin:  # batch mode: model and index loaded once
        if not line.strip():
            continue
        try:
            answer = ask(index, line, k=args.k, mode=args.mode, quotes=not args.no_quotes,
                         doc_ids=scope)  # fmt: skip
            if args.json:
                out = json.dumps(answer.to_dict(), ensure_ascii=False)
            else:  # each answer under its question
                out = f"Q: {' '.join(line.split())}\n{render(answer)}\n"
        except NewsqaError as err:
            status = 2
            out = json.dumps({"question": line.rstrip("\n"), "error": describe(err)},
                             ensure_ascii=False)  # fmt: skip
        print(out, flush=True)
    return status


def _list(args, settings: Settings) -> int:
    from .update import open_for_questions

    index = open_for_questions(settings, log=_stderr)
    quotes: dict[str, int] = {}
    for quote in index.quotes:
        quotes[quote.doc_id] = quotes.get(quote.doc_id, 0) + 1
    rows = [
        {"id": doc.doc_id, "title": doc.title, "publisher": doc.meta.get("publisher"),
         "published": doc.meta.get("published"), "source": doc.source,
         "passages": len(index.passages.rows_of(doc.doc_id)), "quotes": quotes.get(doc.doc_id, 0)}
        for doc in index.documents.values()
    ]  # fmt: skip
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for row in rows:
        about = ", ".join(x for x in (row["publisher"], row["published"]) if x)
        print(f"{row['id']}  {row['title']}" + (f"  ({about})" if about else ""))
        print(f"    {row['source']}  {row['passages']} passages, {row['quotes']} quotes")
    return 0


def _speakers(args, settings: Settings) -> int:
    from .update import open_for_questions

    index = open_for_questions(settings, log=_stderr)
    counts = {name: 0 for name in index.speakers}
    for quote in index.quotes:
        if quote.speaker is not None:
            counts[quote.speaker] = counts.get(quote.speaker, 0) + 1
    # Only who is quoted: a place or office seen with a role but never quoted is no speaker.
    ranked = sorted(((n, c) for n, c in counts.items() if c), key=lambda item: (-item[1], item[0]))
    rows = [{"name": n, "quotes": c, "roles": index.speakers.get(n, [])} for n, c in ranked]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for row in rows:
            roles = f"  ({'; '.join(row['roles'])})" if row["roles"] else ""
            print(f"{row['quotes']:4d}  {row['name']}{roles}")
    return 0


def _quotes(args, settings: Settings) -> int:
    from .speakers import resolve_speaker
    from .update import open_for_questions

    index = open_for_questions(settings, log=_stderr)
    name = resolve_speaker(args.speaker, index.speakers)
    said = [q for q in index.quotes if name is not None and q.speaker == name]
    if args.json:
        keys = ("speaker", "role", "text", "doc_id", "start", "end", "kind", "attribution")
        print(json.dumps([{k: getattr(q, k) for k in keys} for q in said], ensure_ascii=False))
        return 0 if said else 1
    if not said:
        print(f"No quotes attributed to {name or args.speaker} in these articles.")
        return 1
    for quote in said:
        source = index.documents[quote.doc_id].source
        print(f"“{quote.text}”\n    {source}:{quote.start}-{quote.end}  {quote.kind}, "
              f"{quote.attribution}")  # fmt: skip
    return 0


def render(answer) -> str:
    """A readable answer with numbered citations, for the terminal."""
    lines = [answer.answer, ""]
    for hit in answer.hits:
        label = " (mentions the speaker)" if hit.match == "mention" else ""
        lines.append(f"[{hit.rank}] {hit.title}{label}")
        lines.append(f"    {hit.source}:{hit.start}-{hit.end}  score {hit.score:.4f}")
        for mark in hit.highlights[:1]:
            sentence = hit.text[mark.start - hit.start : mark.end - hit.start]
            lines.append(f"    > {sentence}")
    return "\n".join(lines)


def _serve(args, settings: Settings) -> int:
    import dataclasses

    _check_port(args.host, args.port)  # before importing the app or announcing anything
    from .web import serve

    serve(dataclasses.replace(settings, host=args.host, port=args.port))
    return 0


def _check_port(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise NewsqaError(
                f"cannot serve on {host}:{port} ({err.strerror}); is another newsqa or program "
                "using it? Choose another port with --port"
            ) from err


def _eval(args, settings: Settings) -> int:
    from .evaluation import run_eval_cli
    from .stages import reporting

    with reporting(_Progress(args.quiet)):  # per mode, the questions asked so far
        return run_eval_cli(args, settings)


if __name__ == "__main__":
    sys.exit(main())
