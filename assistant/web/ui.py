"""The Gradio Blocks: a chat tab, an articles tab and the named endpoints ``/ask``, ``/search``, ``/index``
for ``gradio_client``. Handlers live in ``Handlers`` (one method per user action), the layout in one small
function per tab; searching, answering and indexing all happen in ``Assistant``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import gradio as gr
import pandas as pd

from .. import Answer, Assistant, AssistantError, IndexReport
from ..progress import PHASES
from ..sanitize import inert_markdown
from ..uploads import estimate
from . import actions
from .render import (EMPTY_PANEL, answer_html, display_path, messages, report_markdown, source_dict,
                     sources_panel, turn_panel)
from .schemas import CitationOut

log = logging.getLogger("assistant.app")

EXAMPLES = ["前端数字化和后端数字化有什么区别？",
            "What is the difference between front-end and back-end digitalization?"]
COLUMNS = ["title", "date", "categories", "passages", "file"]

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

CHAT_GROUP = dict(concurrency_id="chat", concurrency_limit=4)
INDEX_GROUP = dict(concurrency_id="index", concurrency_limit=1)  # one writer; chats keep running


def gradio_progress(progress: gr.Progress):
    """Feed the library's ``progress(phase, done, total)`` into Gradio's progress bar."""
    return lambda phase, done, total: progress((done, total), desc=PHASES.get(phase, phase))


class Handlers:
    """What the page's buttons do, each a thin call into the Assistant plus rendering."""

    def __init__(self, a: Assistant):
        self.a = a
        self.settings = a.settings
        self.folder = Path(a.settings.articles_dir).expanduser().resolve()
        self.stop_indexing = threading.Event()  # "Stop indexing": the run stops after the article being written

    # -- chat -----------------------------------------------------------------------------
    def steps(self, question, history, answerer, k, date_from, date_to, category):
        """(text so far, None) while the answer is written, then (text, the final Answer)."""
        text = ""
        for part in self.a.stream(question, history=[tuple(pair) for pair in history or []], answerer=answerer,
                                  k=int(k), date_from=date_from or None, date_to=date_to or None,
                                  category=category or None):
            if isinstance(part, Answer):
                yield part.text, part
            else:
                text += part
                yield text, None

    def chat(self, question, turns, k, answerer, date_from, date_to, category):
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
            for text, answer in self.steps(question, history, answerer, k, date_from, date_to, category):
                shown[-1]["content"] = answer_html(text, turn, answer)
                if answer is None:
                    yield shown, gr.skip(), "", gr.skip()
            turns = turns + [{"question": question, "text": answer.text, "html": shown[-1]["content"],
                              "panel": turn_panel(answer, turn, self.folder),
                              "citations": [CitationOut.of(c, self.folder).model_dump() for c in answer.citations],
                              "settings": {"k": int(k), "answerer": answer.answerer, "date_from": date_from,
                                           "date_to": date_to, "category": category, "history": history}}]
        except Exception as exc:  # noqa: BLE001 - show it in the chat; the app keeps serving
            if not isinstance(exc, AssistantError):
                log.exception("answering %r failed", question)
            shown[-1]["content"] = f"⚠️ {inert_markdown(str(exc) or type(exc).__name__)}"
            yield shown, gr.skip(), question, gr.skip()
            return
        yield messages(turns), sources_panel(turns), "", turns

    def rate(self, turns, evt: gr.LikeData):
        """A thumb on an answer: stored with its question, citations and settings (``assistant feedback``)."""
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if evt.liked not in (True, False) or not 0 <= index // 2 < len(turns):
            return  # a thumb taken back, or a message that is not an answer
        t = turns[index // 2]
        self.a.add_feedback("up" if evt.liked else "down", t["question"], t["text"], t.get("citations", []),
                            t.get("settings", {}))
        gr.Info("Thanks: your rating was saved.")

    # -- articles -------------------------------------------------------------------------
    def library(self, query: str = ""):
        """Articles table, statistics and the choices that depend on what is indexed."""
        folder = self.folder
        articles = self.a.articles()
        rows = [[r["title"], r["date"][:10], ", ".join(r["categories"]), r["n_chunks"],
                 display_path(r["source"], folder)] for r in articles]
        q = (query or "").strip().lower()
        if q:
            rows = [r for r in rows if q in " ".join(map(str, r)).lower()]
        s = self.a.stats()
        stats = (f"**{s['articles']}** articles · **{s['passages']}** passages · "
                 f"{s['disk_bytes'] / 1e6:.1f} MB in `{s['index_dir']}` · folder `{folder}` · "
                 f"model `{s['embedding_model']}`")
        categories = sorted({c for r in articles for c in r["categories"]})
        return (pd.DataFrame(rows, columns=COLUMNS), stats,
                gr.update(choices=[("all", "")] + [(c, c) for c in categories]),
                gr.update(choices=[(f"{r['title']} ({display_path(r['source'], folder)})", r["source"])
                                   for r in articles], value=None))

    def ingest(self, files, progress) -> tuple[IndexReport | None, list[tuple[str, str]], list[Path]]:
        return actions.ingest(self.a, files, self.folder, progress, cancel=self.stop_indexing)

    def index_op(self, work):
        """Run one indexing operation for the UI: status line plus refreshed table and choices."""
        def handler(files_or_none, query, progress=gr.Progress()):
            self.stop_indexing.clear()
            try:
                status = work(files_or_none, gradio_progress(progress))
            except AssistantError as exc:
                status = f"❌ {exc}"
            return (status, *self.library(query))
        return handler

    def upload(self, files, progress):
        cost = estimate(files or [], self.settings)
        if cost.is_big:  # told before the indexing starts
            gr.Warning(cost.message())
        report, rejected, _ = self.ingest(files, progress)
        return report_markdown(report, rejected, self.folder)

    def reindex(self, _, progress):
        return report_markdown(self.a.index([self.folder], progress=progress, cancel=self.stop_indexing), [],
                               self.folder)

    def rebuild(self, _, progress):
        return report_markdown(self.a.index([self.folder], rebuild=True, progress=progress,
                                            cancel=self.stop_indexing), [], self.folder)

    def delete(self, source, progress):
        if not source:
            return "Choose an article to delete."
        removed, moved = actions.delete(self.a, source, self.folder)
        where = f"; file moved to `{display_path(str(moved), self.folder)}`" if moved else ""
        return f"Removed {removed} article from the index{where}."

    def choose_row(self, evt: gr.SelectData):
        """Clicking a table row chooses that article for deletion."""
        shown = evt.row_value[-1] if evt.row_value else ""
        return next((r["source"] for r in self.a.articles() if display_path(r["source"], self.folder) == shown),
                    gr.skip())

    # -- gradio_client endpoints ----------------------------------------------------------
    def index_files(self, files: list[str]) -> dict:
        try:
            report, rejected, saved = self.ingest(files, None)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None
        out = {"saved": [display_path(str(p), self.folder) for p in saved],
               "rejected": [{"file": name, "reason": reason} for name, reason in rejected]}
        return out | (report or IndexReport()).to_dict()


def api_functions(h: Handlers):
    """``ask`` and ``search`` for ``gr.api``: their signatures and docstrings are the API's schema, with
    the configured defaults."""
    settings, folder = h.settings, h.folder

    def ask(question: str, k: int = settings.k, answerer: str = settings.answerer, date_from: str = "",
            date_to: str = "", category: str = "", history: list[list[str]] | None = None) -> tuple[str, list[dict]]:
        """Stream (answer text with [n] markers, sources): the cited passages, or the closest ones when
        the articles don't cover the question. ``history`` is [[question, answer], ...] for follow-ups."""
        if answerer not in ("extractive", "llm"):
            raise gr.Error("answerer must be extractive or llm")
        try:
            for text, answer in h.steps(question, history, answerer, k, date_from, date_to, category):
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
            return [source_dict(p, folder) for p in h.a.search(question, k=int(k))]
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    return ask, search


# -- layout -------------------------------------------------------------------------------

def chat_tab(h: Handlers):
    """The chat, its settings and the sources panel; returns the category dropdown (filled by the library)."""
    settings = h.settings
    llm = bool(settings.llm_base_url and settings.llm_model)
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
                answerer = gr.Radio(["extractive", "llm"], value=settings.answerer, label="Answerer", visible=llm)
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
    ask_event = dict(fn=h.chat, inputs=[question, turns, k, answerer, date_from, date_to, category],
                     outputs=[chatbot, panel, question, turns], api_visibility="private", **CHAT_GROUP)
    question.submit(**ask_event)
    send.click(**ask_event)
    for button, text in zip(example_buttons, EXAMPLES):
        button.click(lambda text=text: text, None, question, queue=False,
                     api_visibility="private").then(**ask_event)
    clear.click(lambda: ([], [], EMPTY_PANEL, ""), None, [chatbot, turns, panel, question],
                queue=False, api_visibility="private")
    chatbot.clear(lambda: ([], EMPTY_PANEL), None, [turns, panel], queue=False,
                  api_visibility="private")  # the chatbot's own trash button
    chatbot.like(h.rate, turns, None, queue=False, api_visibility="private")  # thumbs up/down
    return category


def articles_tab(h: Handlers, category) -> list:
    """The articles table, uploads, re-index, rebuild and delete; returns the outputs ``library`` fills."""
    settings = h.settings
    stats = gr.Markdown(elem_id="index-stats")
    query = gr.Textbox(placeholder="Filter by title, date, category or file", show_label=False,
                       elem_id="article-filter")
    table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True, elem_id="articles-table")
    if settings.read_only:  # public deployments: look, don't touch
        gr.Markdown("This server is read-only: articles cannot be added, deleted or re-indexed here.",
                    elem_classes="muted", elem_id="read-only")
        victim = gr.Dropdown(visible=False)
        library_outputs = [table, stats, category, victim]
        query.change(h.library, query, library_outputs, api_visibility="private", queue=False)
        return library_outputs
    with gr.Row():
        files = gr.File(file_count="multiple", type="filepath", elem_id="upload-files",
                        label=f"Add articles ({' '.join(settings.extensions)}; "
                              f"up to {settings.max_upload_mb:g} MB each)")
        with gr.Column():
            upload_button = gr.Button("Upload and index", variant="primary", elem_id="upload")
            reindex_button = gr.Button("Re-index folder (new, changed, deleted files)", elem_id="reindex")
            rebuild_button = gr.Button("Full rebuild", elem_id="rebuild")
            stop_button = gr.Button("Stop indexing", size="sm", elem_id="stop-indexing")
    with gr.Row():
        victim = gr.Dropdown(label="Article to delete (its file moves to .deleted/ in the folder)",
                             elem_id="delete-choice", scale=4)
        delete_button = gr.Button("Delete article", variant="stop", elem_id="delete", scale=1)
    status = gr.Markdown(elem_id="index-status")
    library_outputs = [table, stats, category, victim]
    for button, work, source in ((upload_button, h.upload, files), (reindex_button, h.reindex, files),
                                 (rebuild_button, h.rebuild, files), (delete_button, h.delete, victim)):
        event = button.click(h.index_op(work), [source, query], [status] + library_outputs,
                             api_visibility="private", **INDEX_GROUP)
        if work == h.upload:  # the uploads are saved: empty the drop zone
            event.then(lambda: None, None, files, queue=False, api_visibility="private")
    stop_button.click(h.stop_indexing.set, None, None, queue=False, api_visibility="private")
    query.change(h.library, query, library_outputs, api_visibility="private", queue=False)
    table.select(h.choose_row, None, victim, api_visibility="private")
    return library_outputs


def api_endpoints(h: Handlers) -> None:
    """API-only endpoints for gradio_client (the /index inputs are hidden components so files get
    Gradio's upload checks)."""
    ask, search = api_functions(h)
    gr.api(ask, api_name="ask", **CHAT_GROUP)
    gr.api(search, api_name="search", **CHAT_GROUP)
    if h.settings.read_only:
        return
    api_files = gr.File(file_count="multiple", type="filepath", visible=False, label="files")
    api_report = gr.JSON(visible=False, label="report")
    gr.Button(visible=False).click(h.index_files, api_files, api_report, api_name="index", **INDEX_GROUP)


def build(a: Assistant) -> gr.Blocks:
    h = Handlers(a)
    cache_seconds = a.settings.upload_cache_minutes * 60  # Gradio's copies of uploads: checked and deleted
    with gr.Blocks(title="Article assistant", delete_cache=(cache_seconds, cache_seconds)) as demo:
        gr.Markdown("## Article assistant\nAsk about the articles in the folder; every claim cites its passage.")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat", elem_id="tab-chat"):
                category = chat_tab(h)
            with gr.Tab("Articles", id="articles", elem_id="tab-articles"):
                library_outputs = articles_tab(h, category)
        api_endpoints(h)
        demo.load(h.library, None, library_outputs, api_visibility="private")
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo
