"""The HTTP API described: OpenAPI 3 at /api/openapi.json and a page for people at /api/docs.

The answer's schema is derived from the typed contract (retrieval/contract.py), so the
description cannot drift from what `to_dict` returns. The docs page is rendered here from the
same document (no CDN, no script): what a client developer needs, with commands to copy.
"""

from __future__ import annotations

from ..answer import MAX_K
from ..config import MAX_QUESTION_CHARS, MODES
from ..contract import Answer, Hit, Part, QuoteRef, Scores, Span, Speaker
from .render import render_template, static_text

OPENAPI_URL = "/api/openapi.json"
DOCS_URL = "/api/docs"

_FILTERS = [
    ("source", "Only articles whose publisher, URL or path contains this text (any case).",
     {"type": "string", "maxLength": 200}, "Reuters"),
    ("since", "Only articles published on or after this day.",
     {"type": "string", "format": "date"}, "2024-10-01"),
    ("until", "Only articles published on or before this day.",
     {"type": "string", "format": "date"}, "2024-10-31"),
]  # fmt: skip
_QUESTION = (f"The question, at most {MAX_QUESTION_CHARS:,} characters.",
             {"type": "string", "maxLength": MAX_QUESTION_CHARS},
             "What did Zhang Jun say?")  # fmt: skip
_K = (f"How many passages to return, 1 to {MAX_K}.",
      {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 5}, 5)  # fmt: skip
_MODE = ("Retrieval: hybrid (dense + BM25, the default), dense or lexical; any case.",
         {"type": "string", "enum": list(MODES), "default": "hybrid"}, "hybrid")  # fmt: skip


def _parameter(name, doc, schema, example, required=False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": doc,
            "schema": schema, "example": example}  # fmt: skip


ASK_GET = {
    "parameters": [
        _parameter("q", *_QUESTION, required=True),
        _parameter("k", *_K),
        _parameter("mode", *_MODE),
        *(_parameter(*filter_) for filter_ in _FILTERS),
    ]
}
ASK_POST = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {
            "schema": {
                "type": "object", "required": ["q"],
                "properties": {
                    "q": {**_QUESTION[1], "description": _QUESTION[0] + " (or \"question\")"},
                    "k": {**_K[1], "description": _K[0]},
                    "mode": {**_MODE[1], "description": _MODE[0]},
                    **{name: {**schema, "description": doc} for name, doc, schema, _ in _FILTERS},
                },
            },
            "example": {"q": "What did Zhang Jun say?", "k": 3, "source": "Reuters"},
        }},
    }
}  # fmt: skip

_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
ANSWER_RESPONSES = {
    200: {
        "description": "The answer: cited sentences or quotes, and the passages they come from.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}},
    },
    400: {"description": "A bad question, k, mode, filter or body; `error` says what to send.",
          **_ERROR},
    413: {"description": f"The question is over {MAX_QUESTION_CHARS:,} characters, or the "
                         "body over 16 KB.", **_ERROR},
    503: {"description": "Busy: every answer slot is taken. Retry after the Retry-After "
                         "header's seconds.", **_ERROR},
}  # fmt: skip

DESCRIPTION = (
    "Question answering over news articles. Every answer cites the passages it comes from, "
    "with character offsets into the article's text (`text == article[start:end]`). "
    '"What did X say?" is answered from the quotes attributed to X when the articles were '
    'indexed; nothing is generated. Every error is `{"error": "..."}`.'
)


def _schemas() -> dict:
    from pydantic import TypeAdapter

    answer = TypeAdapter(Answer).json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    schemas = answer.pop("$defs", {})
    schemas["Answer"] = answer
    for cls in (Answer, Hit, Part, QuoteRef, Scores, Span, Speaker):
        if cls.__doc__ and cls.__name__ in schemas:
            schemas[cls.__name__]["description"] = " ".join(cls.__doc__.split())
    schemas["Error"] = {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "string", "description": "What is wrong and what to do"}},
    }  # fmt: skip
    return schemas


def install(app) -> None:
    """Serve the OpenAPI document of `app`'s own routes, with the answer's schemas added."""
    from fastapi.openapi.utils import get_openapi

    def document() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title="newsqa API", version=app.version,
                                 description=DESCRIPTION, routes=app.routes)  # fmt: skip
            schema.setdefault("components", {}).setdefault("schemas", {}).update(_schemas())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document


def docs_page(document: dict, base: str) -> str:
    """The API for people: each operation, its parameters, its answers, a command to copy."""
    operations = []
    for path, methods in document.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": op.get("parameters", []),
                "body": body.get("schema", {}).get("properties", {}),
                "example": body.get("example"),
                "responses": sorted(op.get("responses", {}).items()),
            })  # fmt: skip
    answer = document["components"]["schemas"]["Answer"]
    return render_template("api_docs.html", title="API", css=static_text("article.css"),
                   description=DESCRIPTION, operations=operations, base=base or "",
                   openapi_url=OPENAPI_URL, answer_fields=answer["properties"])  # fmt: skip
