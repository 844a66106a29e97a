"""The newsqa web app (`make run` or `newsqa serve`; `python app.py` works too).

Thin on purpose: the app is built by `retrieval.web` (routes, Gradio pages, templates, static
assets); see retrieval/web/__init__.py. Importing this module serves nothing.
"""

from retrieval.config import Settings
from retrieval.web import create_app, serve

__all__ = ["create_app", "serve"]

if __name__ == "__main__":
    serve(Settings.from_env())
