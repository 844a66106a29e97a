"""The admin page (behind its password): add, remove and sync articles; each is a generation."""

from __future__ import annotations

from pathlib import Path

from ..config import NewsqaError, Settings
from ..documents import SUPPORTED_SUFFIXES
from ..live import LiveIndex
from ..records import Index
from ..stages import Progress, reporting
from ..update import add_upload, remove_articles, sync
from .chat import describe
from .ui import TITLE

MAX_UPLOAD_FILES = 10  # files per Add
# Gradio deletes its copies of uploads older than an hour, every hour.
ADMIN_CACHE_CLEANUP = (3600, 3600)


def admin_status(index: Index) -> str:
    m = index.manifest
    return (
        f"**{m['documents']} articles**, {m['passages']} passages, {m['quotes']} quotes · "
        f"generation `{index.generation}` · built {m['built_at']}"
    )


def article_choices(index: Index) -> list[tuple[str, str]]:
    return [(f"{d.title} ({d.source})", d.doc_id) for d in index.documents.values()]


def admin_add(
    live: LiveIndex, settings: Settings, paths: list[str], progress: Progress | None = None
) -> list[str]:
    """Add uploaded files one by one; a refused file says why and changes nothing. `progress`
    hears each file's stages (load, split, embed, write) as "name (n of N): stage"."""
    messages = []
    paths = list(paths or [])
    if len(paths) > MAX_UPLOAD_FILES:
        messages.append(
            f"{len(paths)} files sent; only the first {MAX_UPLOAD_FILES} are added, "
            "add the rest in another round"
        )
    chosen = paths[:MAX_UPLOAD_FILES]
    for number, path in enumerate(chosen, start=1):
        name = Path(path).name
        where = f"{name} ({number} of {len(chosen)})"

        def stage(step: str, done: int, total: int, where: str = where) -> None:
            progress(f"{where}: {step}", done, total)

        try:
            with reporting(stage if progress else None):
                index, report = add_upload(settings, name, Path(path).read_bytes())
            live.index = index
            messages.append(f"{name}: added ({report.summary()})")
        except NewsqaError as err:
            messages.append(f"{name}: not added. {describe(err)}")
        finally:
            Path(path).unlink(missing_ok=True)  # Gradio's copy: the corpus keeps its own
    return messages


def admin_remove(live: LiveIndex, settings: Settings, doc_ids: list[str]) -> list[str]:
    if not doc_ids:
        return ["Choose the articles to remove first."]
    try:
        index, report = remove_articles(settings, list(doc_ids))
    except NewsqaError as err:
        return [f"not removed. {describe(err)}"]
    live.index = index
    return [f"removed ({report.summary()}); the files are in corpus/.removed/"]


def admin_sync(live: LiveIndex, settings: Settings) -> list[str]:
    try:
        index, report = sync(settings)
    except NewsqaError as err:
        return [f"not synced. {describe(err)}"]
    live.index = index
    return [report.summary(), *report.warnings]


def build_admin(live: LiveIndex, settings: Settings):
    import gradio as gr

    with gr.Blocks(title=f"{TITLE} admin", delete_cache=ADMIN_CACHE_CLEANUP) as admin:
        gr.Markdown(
            f"# {TITLE} admin\nAdd articles ({' '.join(SUPPORTED_SUFFIXES)}, up to "
            f"{MAX_UPLOAD_FILES} files at a time), remove them (their files move to "
            "corpus/.removed/, nothing is deleted), or sync with the corpus folder. Every "
            "change is a new index generation; answers switch to it whole. "
            '<a href="/admin/logout">Log out</a>'
        )
        status = gr.Markdown("", elem_id="nq-admin-status")
        files = gr.File(
            label="Articles to add", file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
            elem_id="nq-admin-files",
        )  # fmt: skip
        add = gr.Button("Add", variant="primary", elem_id="nq-admin-add")
        chosen = gr.Dropdown([], multiselect=True, label="Articles to remove", value=[])
        remove = gr.Button("Remove", variant="stop")
        resync = gr.Button("Sync with the corpus folder")
        result = gr.Textbox(label="Result", lines=6, interactive=False, elem_id="nq-admin-result")

        def current():
            """Status and removal choices as they are now (built per page load, not at start)."""
            index = live.index
            return admin_status(index), gr.Dropdown(choices=article_choices(index), value=[])

        def after(messages):
            return "\n".join(messages), *current(), None

        outputs = [result, status, chosen, files]

        def on_add(paths, progress=gr.Progress()):  # noqa: B008 (how Gradio asks for a bar)
            def show(stage: str, done: int, total: int) -> None:
                progress((done, total), desc=stage)

            return after(admin_add(live, settings, paths, show))

        add.click(on_add, files, outputs, api_visibility="private")
        remove.click(lambda ids: after(admin_remove(live, settings, ids)), chosen, outputs,
                     api_visibility="private")  # fmt: skip
        resync.click(lambda: after(admin_sync(live, settings)), None, outputs,
                     api_visibility="private")  # fmt: skip
        admin.load(current, None, [status, chosen], api_visibility="private")
    admin.queue(max_size=8, default_concurrency_limit=1)  # one writer at a time anyway
    return admin
