"""Chat with a folder of articles in the browser: ``python app.py`` (or ``./run.sh``), then open the URL.

A thin Gradio front end over ``assistant.Assistant``: it renders answers, citations and sources, and
passes uploads to ``assistant.uploads``; searching, answering and indexing all happen in the library.
Named API endpoints for ``gradio_client``: ``/ask``, ``/search`` and ``/index`` (see README).
"""

from __future__ import annotations

import os
import time

STARTED = time.perf_counter()  # "ready in" counts the imports too

# before gradio is imported: no analytics or version checks, no model hub (the app runs offline)
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import html
import logging
import re
import sys
import threading
from pathlib import Path

import gradio as gr
import pandas as pd

from assistant import Answer, Assistant, AssistantError, IndexReport, Passage, Settings
from assistant.progress import PHASES, TqdmProgress
from assistant.sanitize import inert_markdown
from assistant.uploads import estimate, save_uploads, set_aside

log = logging.getLogger("assistant.app")

EXAMPLES = ["前端数字化和后端数字化有什么区别？",
            "What is the difference between front-end and back-end digitalization?"]
COLUMNS = ["title", "date", "categories", "passages", "file"]
FEED_COLUMNS = ["feed", "url", "last sync", "new", "updated", "failed", "entries", "last error"]
FILE_COLUMNS = ["state", "reason", "feed", "changed", "file"]
EMPTY_PANEL = ('<p class="muted">The sources of each answer appear here. '
               'Click a citation such as [1] to highlight its passage.</p>')

CSS = """
#sources-panel { max-height: 72vh; overflow-y: auto; }
#sources-panel details.turn { margin-bottom: 8px; }
#sources-panel summary { cursor: pointer; font-weight: 600; }
#sources-panel .source { padding: 8px 10px; margin: 6px 0; border: 2px solid var(--border-color-primary);
                         border-radius: 8px; }
#sources-panel .source.highlight { border-color: #e0a800; background: rgba(255, 214, 0, 0.14); }
#sources-panel .src-meta, #sources-panel .src-crumb, .muted { color: var(--body-text-color-subdued);
                                                              font-size: 0.85em; }
#sources-panel .src-text { margin-top: 4px; line-height: 1.6; }
#sources-panel mark.quote { background: #ffe066; color: inherit; padding: 0 2px; border-radius: 3px; }
#sources-panel .source.highlight mark.quote { background: #ffc400; }
a.cite { text-decoration: none; font-weight: 600; }
.notice { color: var(--body-text-color-subdued); font-size: 0.85em; }
"""

# A capture-phase listener: citation links live in the chatbot, their targets in the sources panel.
HEAD = """
<script>
document.addEventListener('click', function (e) {
  const link = e.target.closest && e.target.closest('a.cite, a[href^="#src-"]');
  if (!link) return;
  e.preventDefault(); e.stopPropagation();
  const card = document.getElementById(link.getAttribute('href').slice(1));
  if (!card) return;
  document.querySelectorAll('#sources-panel .source.highlight').forEach(s => s.classList.remove('highlight'));
  const turn = card.closest('details'); if (turn) turn.open = true;
  card.classList.add('highlight');
  card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
}, true);
</script>
"""


# -- rendering (pure functions of library results) ----------------------------------------

def display_path(source: str, folder: Path) -> str:
    """Path relative to the articles folder when inside it (short and unique), else the full path."""
    try:
        return str(Path(source).resolve().relative_to(folder))
    except ValueError:
        return source


def answer_html(text: str, turn: int, answer: Answer | None = None) -> str:
    """Answer text with each ``[n]`` as a link to card ``src-<turn>-<n>`` in the sources panel; the
    text between them is inert (``inert_markdown``): no image, link or URL of an article's reaches
    the browser."""
    quotes = {c.number: c.quote for c in answer.citations} if answer else {}

    def link(n: int) -> str:
        title = f' title="{inert_markdown(quotes[n])}"' if quotes.get(n) else ""
        return f'<a class="cite" href="#src-{turn}-{n}"{title}>[{n}]</a>'

    parts = re.split(r"\[(\d{1,3})\]", text)  # text, number, text, number, …, text
    out = "".join(link(int(part)) if i % 2 else inert_markdown(part) for i, part in enumerate(parts))
    if answer is not None and answer.notice:
        out += f'\n\n<span class="notice">ⓘ {inert_markdown(answer.notice)}</span>'
    return out


def claims(text: str) -> dict[int, list[str]]:
    """The pieces of an answer by the citation numbers that follow them."""
    out: dict[int, list[str]] = {}
    for m in re.finditer(r"([^\[\]]+?)((?:\[\d{1,3}\])+)", text):
        for n in re.findall(r"\d+", m.group(2)):
            out.setdefault(int(n), []).append(m.group(1).strip())
    return out


def highlighted(text: str, phrases: list[str]) -> str:
    """The passage as HTML with the cited sentences marked (those found word for word)."""
    def escape(part: str) -> str:
        return html.escape(part).replace("\n", "<br>")

    spans = sorted({(i, i + len(ph)) for ph in phrases if ph and (i := text.find(ph)) >= 0})
    out, pos = [], 0
    for start, end in spans:
        if start >= pos:
            out += [escape(text[pos:start]), f'<mark class="quote">{escape(text[start:end])}</mark>']
            pos = end
    return "".join(out) + escape(text[pos:])


def source_card(card_id: str, label: str, p: Passage, quotes: list[str], folder: Path) -> str:
    meta = " · ".join(x for x in (p.date[:10], html.escape(display_path(p.source, folder))) if x)
    crumb = f'<div class="src-crumb">{html.escape(p.section)}</div>' if p.section else ""
    return (f'<div class="source" id="{card_id}"><div><b>{label} {html.escape(p.title)}</b></div>'
            f'<div class="src-meta">{meta}</div>{crumb}<div class="src-text">{highlighted(p.text, quotes)}</div></div>')


def turn_panel(answer: Answer, turn: int, folder: Path) -> str:
    """The sources of one answer; when it abstained, the closest passages instead."""
    if answer.citations:
        said = claims(answer.text)
        cards = [source_card(f"src-{turn}-{c.number}", f"[{c.number}]", c.passage, [c.quote, *said.get(c.number, [])],
                             folder) for c in answer.citations]
    elif answer.passages:
        cards = ['<p class="muted">Not enough evidence to answer. Closest passages:</p>'] + [
            source_card(f"src-{turn}-c{i}", "·", p, [], folder) for i, p in enumerate(answer.passages, 1)]
    else:
        cards = ['<p class="muted">No passages found.</p>']
    return "".join(cards)


def sources_panel(turns: list[dict]) -> str:
    """All turns, newest first and open; older answers' citations still find their cards."""
    if not turns:
        return EMPTY_PANEL
    parts = [f'<details class="turn"{" open" if i == len(turns) else ""}><summary>Q{i}: '
             f'{html.escape(t["question"])}</summary>{t["panel"]}</details>'
             for i, t in reversed(list(enumerate(turns, 1)))]
    return "".join(parts)


def messages(turns: list[dict]) -> list[dict]:
    return [m for t in turns for m in ({"role": "user", "content": inert_markdown(t["question"])},
                                       {"role": "assistant", "content": t["html"]})]


def source_dict(p: Passage, folder: Path, number: int | None = None, quote: str = "") -> dict:
    """A passage as the API returns it."""
    return {"number": number, "title": p.title, "date": p.date, "heading": p.heading,
            "file": display_path(p.source, folder), "quote": quote, "text": p.text, "score": round(p.score, 4)}


def report_markdown(report: IndexReport | None, rejected: list[tuple[str, str]], folder: Path) -> str:
    """What an indexing run did, then one line per file left out or worth a look."""
    lines = [f"- ❌ `{name}`: {reason}" for name, reason in rejected]
    if report:
        lines.insert(0, f"**Index:** {report.summary()}")
        lines += [f"- ❌ `{display_path(path, folder)}`: {reason}" for path, reason in report.failed]
        lines += [f"- ⚠️ `{display_path(path, folder)}`: {reason}" for path, reason in report.warnings]
        lines += [f"- ⚠️ `{display_path(path, folder)}` has the same text as `{display_path(other, folder)}`"
                  for path, other in report.duplicates]
    return "\n".join(lines) or "Nothing to do."


def gradio_progress(progress: gr.Progress):
    """Feed the library's ``progress(phase, done, total)`` into Gradio's progress bar."""
    return lambda phase, done, total: progress((done, total), desc=PHASES.get(phase, phase))


# -- the app ------------------------------------------------------------------------------

def build(a: Assistant) -> gr.Blocks:
    settings = a.settings
    folder = Path(settings.articles_dir).expanduser().resolve()
    stop_indexing = threading.Event()  # "Stop indexing": the run stops after the article being written
    llm = bool(settings.llm_base_url and settings.llm_model)

    def steps(question, history, answerer, k, date_from, date_to, category):
        """(text so far, None) while the answer is written, then (text, the final Answer)."""
        text = ""
        for part in a.stream(question, history=[tuple(pair) for pair in history or []], answerer=answerer,
                             k=int(k), date_from=date_from or None, date_to=date_to or None,
                             category=category or None):
            if isinstance(part, Answer):
                yield part.text, part
            else:
                text += part
                yield text, None

    def chat(question, turns, k, answerer, date_from, date_to, category):
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        turn = len(turns) + 1
        shown = messages(turns) + [{"role": "user", "content": inert_markdown(question)},
                                   {"role": "assistant", "content": "…"}]
        yield shown, gr.skip(), "", gr.skip()
        try:
            history = [(t["question"], t["text"]) for t in turns]
            for text, answer in steps(question, history, answerer, k, date_from, date_to, category):
                shown[-1]["content"] = answer_html(text, turn, answer)
                if answer is None:
                    yield shown, gr.skip(), "", gr.skip()
            turns = turns + [{"question": question, "text": answer.text, "html": shown[-1]["content"],
                              "panel": turn_panel(answer, turn, folder)}]
        except Exception as exc:  # noqa: BLE001 - show it in the chat; the app keeps serving
            if not isinstance(exc, AssistantError):
                log.exception("answering %r failed", question)
            shown[-1]["content"] = f"⚠️ {inert_markdown(str(exc) or type(exc).__name__)}"
            yield shown, gr.skip(), question, gr.skip()
            return
        yield messages(turns), sources_panel(turns), "", turns

    def ask(question: str, k: int = settings.k, answerer: str = settings.answerer, date_from: str = "",
            date_to: str = "", category: str = "", history: list[list[str]] | None = None) -> tuple[str, list[dict]]:
        """Stream (answer text with [n] markers, sources): the cited passages, or the closest ones when
        the articles don't cover the question. ``history`` is [[question, answer], ...] for follow-ups."""
        if answerer not in ("extractive", "llm"):
            raise gr.Error("answerer must be extractive or llm")
        try:
            for text, answer in steps(question, history, answerer, k, date_from, date_to, category):
                if answer is None:
                    yield text, []
                else:
                    cited = [source_dict(c.passage, folder, c.number, c.quote) for c in answer.citations]
                    closest = [source_dict(p, folder) for p in answer.passages] if answer.abstained else []
                    yield text, cited or closest
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    def search(question: str, k: int = settings.k) -> list[dict]:
        """The k best passages for a question, best first (no answer)."""
        try:
            return [source_dict(p, folder) for p in a.search(question, k=int(k))]
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    def library(query: str = ""):
        """Articles table, statistics and the choices that depend on what is indexed."""
        articles = a.articles()
        rows = [[r["title"], r["date"][:10], ", ".join(r["categories"]), r["n_chunks"],
                 display_path(r["source"], folder)] for r in articles]
        q = (query or "").strip().lower()
        if q:
            rows = [r for r in rows if q in " ".join(map(str, r)).lower()]
        s = a.stats()
        stats = (f"**{s['articles']}** articles · **{s['passages']}** passages · "
                 f"{s['disk_bytes'] / 1e6:.1f} MB in `{s['index_dir']}` · folder `{folder}` · "
                 f"model `{s['embedding_model']}`")
        categories = sorted({c for r in articles for c in r["categories"]})
        return (pd.DataFrame(rows, columns=COLUMNS), stats,
                gr.update(choices=[("all", "")] + [(c, c) for c in categories]),
                gr.update(choices=[(f"{r['title']} ({display_path(r['source'], folder)})", r["source"])
                                   for r in articles], value=None))

    def ingest(files, progress) -> tuple[IndexReport | None, list[tuple[str, str]], list[Path]]:
        """Save uploads into the folder and index just them; uploads that fail to index are set aside."""
        saved, rejected = save_uploads(files or [], folder, settings)
        report = a.index(saved, progress=progress, cancel=stop_indexing) if saved else None
        for path, _ in report.failed if report else []:
            set_aside(path, folder, ".rejected")
        return report, rejected, saved

    def index_op(work):
        """Run one indexing operation for the UI: status line plus refreshed table and choices."""
        def handler(files_or_none, query, progress=gr.Progress()):
            stop_indexing.clear()
            try:
                status = work(files_or_none, gradio_progress(progress))
            except AssistantError as exc:
                status = f"❌ {exc}"
            return (status, *library(query))
        return handler

    def upload(files, progress):
        cost = estimate(files or [], settings)
        if cost.is_big:  # told before the indexing starts
            gr.Warning(cost.message())
        report, rejected, _ = ingest(files, progress)
        return report_markdown(report, rejected, folder)

    def reindex(_, progress):
        return report_markdown(a.index([folder], progress=progress, cancel=stop_indexing), [], folder)

    def rebuild(_, progress):
        return report_markdown(a.index([folder], rebuild=True, progress=progress, cancel=stop_indexing), [], folder)

    def delete(source, progress):
        if not source:
            return "Choose an article to delete."
        removed = a.remove([source])
        moved = set_aside(source, folder, ".deleted")
        where = f"; file moved to `{display_path(str(moved), folder)}`" if moved else ""
        return f"Removed {removed} article from the index{where}."

    def choose_row(evt: gr.SelectData):
        """Clicking a table row chooses that article for deletion."""
        shown = evt.row_value[-1] if evt.row_value else ""
        return next((r["source"] for r in a.articles() if display_path(r["source"], folder) == shown), gr.skip())

    def index_files(files: list[str]) -> dict:
        try:
            report, rejected, saved = ingest(files, None)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None
        out = {"saved": [display_path(str(p), folder) for p in saved],
               "rejected": [{"file": name, "reason": reason} for name, reason in rejected]}
        return out | (report or IndexReport()).to_dict()

    def when(ts) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "never"

    def feeds_view():
        """Feeds table, per-file status table, the feed choices, and the watcher's state."""
        feeds = a.feeds.list()
        rows = [[f["name"], f["url"], when(f["last_sync"]), f["new"], f["updated"], f["failed"], f["entries"],
                 f["last_error"]] for f in feeds]
        files = a.file_status([folder]) if folder.is_dir() else []
        order = {"failed": 0, "pending": 1, "indexed": 2}
        file_rows = [[f["state"], f["reason"], f["feed"], when(f["changed"]), display_path(f["path"], folder)]
                     for f in sorted(files, key=lambda f: (order[f["state"]], f["path"]))]
        counts = " · ".join(f"**{sum(1 for f in files if f['state'] == s)}** {s}" for s in order)
        watching = (f"Watching `{folder}` ({a.watcher.observer_kind}); changes are indexed within seconds."
                    if a.watcher else "Not watching the folder (`--no-watch`): use Re-index folder.")
        return (pd.DataFrame(rows, columns=FEED_COLUMNS), pd.DataFrame(file_rows, columns=FILE_COLUMNS),
                f"{watching} Files: {counts}", gr.update(choices=[f["name"] for f in feeds], value=None))

    def ingest_status() -> dict:
        """Feeds with their last sync, each file's state (indexed / pending / failed, from which feed),
        and the folder watcher's state (None when not watching)."""
        files = a.file_status([folder]) if folder.is_dir() else []
        watch = a.watcher.status() if a.watcher else None
        if watch:  # paths relative to the folder, as everywhere in the API (absolute ones look like files)
            watch["pending"] = [display_path(p, folder) for p in watch["pending"]]
            watch["folders"] = [display_path(p, folder) for p in watch["folders"]]
        return {"feeds": [f | {"folder": display_path(f["folder"], folder)} for f in a.feeds.list()],
                "files": [{"file": display_path(f.pop("path"), folder)} | f for f in files], "watch": watch}

    def sync_markdown(results) -> str:
        lines = [("❌ " if r.error else "✅ ") + r.summary() for r in results] or ["No feeds yet: add one above."]
        lines += [f"- {entry}: {reason}" for r in results for entry, reason in r.failed]
        return "\n\n".join(lines)

    def feed_op(work):
        def handler(*args):
            try:
                status = work(*args)
            except AssistantError as exc:
                status = f"❌ {exc}"
            return (status, *feeds_view())
        return handler

    def add_feed(url, name):
        feed = a.feeds.add(url or "", name=(name or "").strip() or None, articles_dir=folder)
        return f"Added **{feed['name']}** → `{display_path(feed['folder'], folder)}`\n\n" + \
            sync_markdown(a.feeds.sync([feed["name"]]))

    def remove_feed(name):
        if not name:
            return "Choose a feed to remove."
        a.feeds.remove(name)
        return f"Removed feed **{name}**; its saved articles stay in the folder and the index."

    chat_group = dict(concurrency_id="chat", concurrency_limit=4)
    index_group = dict(concurrency_id="index", concurrency_limit=1)  # one writer; chats keep running

    cache_seconds = settings.upload_cache_minutes * 60  # Gradio's copies of uploads: checked and deleted
    with gr.Blocks(title="Article assistant", delete_cache=(cache_seconds, cache_seconds)) as demo:
        gr.Markdown("## Article assistant\nAsk about the articles in the folder; every claim cites its passage.")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat", elem_id="tab-chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(elem_id="chatbot", height=520, label="Chat", sanitize_html=True,
                                             render_markdown=True, buttons=["copy"])
                        with gr.Row():
                            question = gr.Textbox(elem_id="question", placeholder="Ask a question…", lines=1,
                                                  show_label=False, scale=5, autofocus=True)
                            send = gr.Button("Ask", variant="primary", elem_id="send", scale=1, min_width=80)
                        with gr.Row():
                            example_buttons = [gr.Button(q, size="sm", elem_classes="example") for q in EXAMPLES]
                            clear = gr.Button("Clear chat", size="sm", elem_id="clear")
                        with gr.Accordion("Settings", open=False, elem_id="settings"):
                            k = gr.Slider(1, 10, value=settings.k, step=1, label="Passages to search (k)")
                            answerer = gr.Radio(["extractive", "llm"], value=settings.answerer, label="Answerer",
                                                visible=llm)
                            if not llm:
                                gr.Markdown("Answers are extractive (sentences quoted from the articles). "
                                            "Set `ASSISTANT_LLM_BASE_URL` and `ASSISTANT_LLM_MODEL` to offer an LLM.",
                                            elem_classes="muted")
                            with gr.Row():
                                date_from = gr.Textbox(label="Date from", placeholder="YYYY-MM-DD")
                                date_to = gr.Textbox(label="Date to", placeholder="YYYY-MM-DD")
                            category = gr.Dropdown(label="Category", choices=[("all", "")], value="")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        panel = gr.HTML(EMPTY_PANEL, elem_id="sources-panel")
                turns = gr.State([])
                ask_event = dict(fn=chat, inputs=[question, turns, k, answerer, date_from, date_to, category],
                                 outputs=[chatbot, panel, question, turns], api_visibility="private", **chat_group)
                question.submit(**ask_event)
                send.click(**ask_event)
                for button, text in zip(example_buttons, EXAMPLES):
                    button.click(lambda text=text: text, None, question, queue=False,
                                 api_visibility="private").then(**ask_event)
                clear.click(lambda: ([], [], EMPTY_PANEL, ""), None, [chatbot, turns, panel, question],
                            queue=False, api_visibility="private")
                chatbot.clear(lambda: ([], EMPTY_PANEL), None, [turns, panel], queue=False,
                              api_visibility="private")  # the chatbot's own trash button

            with gr.Tab("Articles", id="articles", elem_id="tab-articles"):
                stats = gr.Markdown(elem_id="index-stats")
                query = gr.Textbox(placeholder="Filter by title, date, category or file", show_label=False,
                                   elem_id="article-filter")
                table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True, elem_id="articles-table")
                with gr.Row():
                    files = gr.File(file_count="multiple", type="filepath", elem_id="upload-files",
                                    label=f"Add articles ({' '.join(settings.extensions)}; "
                                          f"up to {settings.max_upload_mb:g} MB each)")
                    with gr.Column():
                        upload_button = gr.Button("Upload and index", variant="primary", elem_id="upload")
                        reindex_button = gr.Button("Re-index folder (new, changed, deleted files)",
                                                   elem_id="reindex")
                        rebuild_button = gr.Button("Full rebuild", elem_id="rebuild")
                        stop_button = gr.Button("Stop indexing", size="sm", elem_id="stop-indexing")
                with gr.Row():
                    victim = gr.Dropdown(label="Article to delete (its file moves to .deleted/ in the folder)",
                                         elem_id="delete-choice", scale=4)
                    delete_button = gr.Button("Delete article", variant="stop", elem_id="delete", scale=1)
                status = gr.Markdown(elem_id="index-status")
                library_outputs = [table, stats, category, victim]
                for button, work, source in ((upload_button, upload, files), (reindex_button, reindex, files),
                                             (rebuild_button, rebuild, files), (delete_button, delete, victim)):
                    event = button.click(index_op(work), [source, query], [status] + library_outputs,
                                         api_visibility="private", **index_group)
                    if work is upload:  # the uploads are saved: empty the drop zone
                        event.then(lambda: None, None, files, queue=False, api_visibility="private")
                stop_button.click(stop_indexing.set, None, None, queue=False, api_visibility="private")
                query.change(library, query, library_outputs, api_visibility="private", queue=False)
                table.select(choose_row, None, victim, api_visibility="private")
                with gr.Accordion("Feeds and file status", open=False, elem_id="feeds"):
                    watch_status = gr.Markdown(elem_id="watch-status")
                    with gr.Row():
                        feed_url = gr.Textbox(label="RSS or Atom feed URL", scale=3, elem_id="feed-url")
                        feed_name = gr.Textbox(label="Name (optional)", scale=1, elem_id="feed-name")
                        add_feed_button = gr.Button("Add feed and sync", scale=1, elem_id="feed-add")
                    with gr.Row():
                        sync_button = gr.Button("Sync all feeds now", elem_id="feed-sync")
                        feed_choice = gr.Dropdown(label="Feed to remove (its articles stay)", elem_id="feed-choice")
                        remove_feed_button = gr.Button("Remove feed", elem_id="feed-remove")
                    feed_status = gr.Markdown(elem_id="feed-status")
                    feeds_table = gr.Dataframe(headers=FEED_COLUMNS, interactive=False, wrap=True,
                                               elem_id="feeds-table")
                    files_table = gr.Dataframe(headers=FILE_COLUMNS, interactive=False, wrap=True,
                                               elem_id="files-table")
                feed_outputs = [feed_status, feeds_table, files_table, watch_status, feed_choice]
                for button, work, inputs in ((add_feed_button, add_feed, [feed_url, feed_name]),
                                             (sync_button, lambda: sync_markdown(a.feeds.sync()), []),
                                             (remove_feed_button, remove_feed, [feed_choice])):
                    button.click(feed_op(work), inputs, feed_outputs, api_visibility="private",
                                 **index_group).then(library, query, library_outputs, api_visibility="private")

        # API-only endpoints for gradio_client (the /index inputs are hidden components so files get
        # Gradio's upload checks)
        gr.api(ask, api_name="ask", **chat_group)
        gr.api(search, api_name="search", **chat_group)
        api_files = gr.File(file_count="multiple", type="filepath", visible=False, label="files")
        api_report = gr.JSON(visible=False, label="report")
        gr.Button(visible=False).click(index_files, api_files, api_report, api_name="index", **index_group)
        demo.load(library, None, library_outputs, api_visibility="private")
        demo.load(lambda: feeds_view(), None, feed_outputs[1:], api_visibility="private")
        gr.api(ingest_status, api_name="ingest_status")
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo


# -- command line -------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Chat with a folder of articles in the browser (Gradio).")
    p.add_argument("--host", help="address to bind (default: $ASSISTANT_HOST or 127.0.0.1; "
                                  "0.0.0.0 opens it to the network)")
    p.add_argument("--port", type=int, help="port (default: $ASSISTANT_PORT or 7860)")
    p.add_argument("--articles-dir", help="folder indexed on first start and where uploads are saved "
                                          "(default: $ASSISTANT_ARTICLES_DIR or examples/articles)")
    p.add_argument("--index-dir", help="index folder (default: $ASSISTANT_INDEX_DIR or vectorstore)")
    p.add_argument("--auth", help="require a login, user:password (default: $ASSISTANT_AUTH, none)")
    p.add_argument("--no-watch", action="store_true",
                   help="do not index changes in the articles folder as they happen (ASSISTANT_WATCH=false)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None, block: bool = True, started: float | None = None) -> tuple[gr.Blocks, str]:
    """Index the folder if the index is empty, then serve. ``block=False`` returns (app, url) for tests."""
    started = started or time.perf_counter()
    args = parse_args(argv)
    try:
        settings = Settings.from_env(host=args.host, port=args.port, articles_dir=args.articles_dir,
                                     index_dir=args.index_dir, auth=args.auth, watch=False if args.no_watch else None)
        a = Assistant(settings)
        if a.is_empty:
            print(f"The index in {settings.index_dir} is empty: indexing {settings.articles_dir} …", flush=True)
            bars = TqdmProgress(quiet=settings.quiet)
            report = a.index([settings.articles_dir], progress=bars)
            bars.close()
            print(report.summary(), flush=True)
            for path, reason in report.failed:
                print(f"  skipped {path}: {reason}", flush=True)
        if not a.is_empty:
            a.warm_up()  # load the model now, not on the first question
        if settings.watch and Path(settings.articles_dir).expanduser().is_dir():
            from assistant.watch import Watcher

            a.watcher = Watcher(a, [settings.articles_dir], on_error=lambda m: print(f"watch: {m}", flush=True),
                                on_run=lambda r: (r.added or r.updated or r.removed or r.failed)
                                and print(f"watch: {r.summary()}", flush=True)).start()
    except AssistantError as exc:
        sys.exit(f"error: {exc}")
    demo = build(a)
    auth = tuple(settings.auth.split(":", 1)) if settings.auth else None
    try:
        _, url, _ = demo.launch(server_name=settings.host, server_port=settings.port, auth=auth,
                                auth_message="Log in to the article assistant" if auth else None,
                                max_file_size=int(settings.max_upload_mb * 1_000_000), prevent_thread_lock=True,
                                share=False, ssr_mode=False, pwa=False, mcp_server=False, quiet=True,
                                footer_links=["api"], theme=gr.themes.Default(), css=CSS, head=HEAD)
    except OSError as exc:
        sys.exit(f"error: cannot serve on {settings.host}:{settings.port} ({exc}); try --port")
    print(f"Ready in {time.perf_counter() - started:.1f} s: {url}" + (" (login required)" if auth else ""),
          flush=True)
    if a.watcher is not None:
        print(f"Watching {settings.articles_dir} for changes (--no-watch to turn off)", flush=True)
        close = demo.close
        demo.close = lambda *args, **kw: (a.watcher.stop(), close(*args, **kw))[1]
    if block:
        demo.block_thread()
    return demo, url


if __name__ == "__main__":
    main(started=STARTED)
