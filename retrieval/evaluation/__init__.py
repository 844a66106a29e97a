"""Retrieval evaluation: metrics, dataset formats, runs, reports, baselines, `newsqa eval`.

Datasets (the format is read off the path):
- project questions (.jsonl, e.g. tests/eval/questions.jsonl): gold is an article plus a
  substring or span. A passage is relevant when it overlaps a gold span of the same article, so
  the scores survive any re-chunking. "negative" questions (gold []) ask what the articles
  cannot answer: they are right when the answer says nothing matches (Answer.found is False)
  and are scored apart from the ranking metrics.
- BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv): gold keyed by document id. A
  temporary index is built from corpus.jsonl (each document keeps its "_id" as
  meta["external_id"]); documents are ranked by their best passage.
- quote gold (.jsonl of {source, start, end, text, speaker, kind, attribution}): quote
  extraction precision/recall/F1, and "What did X say?" for every gold speaker, scored as
  retrieval against X's gold quotes.

Ranking metrics come from pytrec_eval (trec_eval itself, the code BEIR reports with): hit@k is
trec_eval's success@k. hit_at and reciprocal_rank are the hand-checkable definitions the tests
hold the library to. One module per job: metrics, datasets, run, report, baseline, command.
"""

from .baseline import compare_to_baseline, read_baseline, write_baseline
from .command import run_eval_cli
from .datasets import (
    NEGATIVE,
    GoldSpan,
    is_relevant,
    load_beir,
    load_questions,
    load_quote_gold,
    quote_documents,
)
from .metrics import (
    hit_at,
    mean_metrics,
    reciprocal_rank,
    same_speaker,
    score_attribution,
    score_quote_extraction,
)
from .report import format_table, format_text, write_report
from .run import EVAL_MODES, evaluate, evaluate_beir, evaluate_questions, evaluate_quote_gold

__all__ = [
    "EVAL_MODES", "NEGATIVE", "GoldSpan", "compare_to_baseline", "evaluate", "evaluate_beir",
    "evaluate_questions", "evaluate_quote_gold", "format_table", "format_text", "hit_at",
    "is_relevant", "load_beir", "load_questions", "load_quote_gold", "mean_metrics",
    "quote_documents", "read_baseline", "reciprocal_rank", "run_eval_cli", "same_speaker",
    "score_attribution", "score_quote_extraction", "write_baseline", "write_report",
]  # fmt: skip
