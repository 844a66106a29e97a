"""The web front end: `create_app` builds the FastAPI app (routes in server.py, Gradio pages in
ui.py and admin.py, HTML from templates/ via render.py, stylesheets in static/); `serve` runs
it. Retrieval logic stays in `retrieval`; this package only turns answers into pages.
"""

from .server import create_app, serve

__all__ = ["create_app", "serve"]
