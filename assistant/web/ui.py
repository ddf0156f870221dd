"""The Gradio Blocks: a chat tab, an articles tab and the named endpoints ``/ask``, ``/search``, ``/index``
for ``gradio_client``. Handlers live in ``Handlers`` (one method per user action), the layout in one small
function per tab; searching, answering and indexing all happen in ``Assistant``, indexing jobs run in
its job runner ``a.jobs`` (one at a time, in the background, so the page is served during the first
indexing), together with the folder watcher's runs, feed syncs and the API's jobs.

The chat is kept in the browser (``gr.BrowserState``): a reload shows it again, "New chat" starts another.
Our words follow the browser's language (``strings.py``).
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import logging
import os
import queue
import re
import threading
import time
from pathlib import Path

import gradio as gr
import pandas as pd

from .. import Answer, Assistant, AssistantError, IndexReport
from ..chain import FILTERED_OUT
from ..questions import required
from ..sanitize import inert_markdown
from ..uploads import estimate
from . import actions
from .render import (answer_html, answer_plain, article_link, display_path, empty_panel, job_history, job_line,
                     job_report, job_result, messages, progress_text, source_dict, sources_panel, stats_line,
                     streaming_html, turn_panel, welcome)
from .schemas import CitationOut
from .strings import I18N, language, reason, t

log = logging.getLogger("assistant.app")

EXAMPLES = ["前端数字化和后端数字化有什么区别？",
            "What is the difference between front-end and back-end digitalization?"]
COLUMNS = {"en": ["title", "date", "categories", "passages", "file"],
           "zh": ["标题", "日期", "分类", "段落", "文件"]}
FEED_COLUMNS = {"en": ["feed", "url", "last sync", "new", "updated", "failed", "entries", "last error"],
                "zh": ["订阅源", "地址", "上次同步", "新增", "更新", "失败", "条目", "最近的错误"]}
FILE_COLUMNS = {"en": ["file", "state", "reason", "feed", "last change"],
                "zh": ["文件", "状态", "原因", "订阅源", "最后修改"]}
MAX_CHATS, MAX_TURNS = 8, 15  # kept in the browser's local storage (about 10 kB a turn; the quota is ~5 MB)

CSS = """
#sources-col .sources-scroll { max-height: calc(100vh - 250px); overflow-y: auto; overscroll-behavior: contain;
                               padding-right: 4px; }
#sources-handle { font-weight: 600; font-size: 1.1em; padding: 4px 0; }
#sources-panel details.turn { margin-bottom: 8px; }
#sources-panel summary { cursor: pointer; font-weight: 600; }
#sources-panel details.more summary { font-weight: normal; color: var(--body-text-color-subdued); }
#sources-panel .source { padding: 8px 10px; margin: 6px 0; border: 2px solid var(--border-color-primary);
                         border-radius: 8px; }
#sources-panel .source.highlight { border-color: #e0a800; background: rgba(255, 214, 0, 0.14); }
#sources-panel .src-meta, #sources-panel .src-crumb, .muted { color: var(--body-text-color-subdued);
                                                              font-size: 0.85em; }
#sources-panel .src-text { margin-top: 4px; line-height: 1.6; }
#sources-panel mark.quote { background: #ffe066; color: inherit; padding: 0 2px; border-radius: 3px; }
#sources-panel .source.highlight mark.quote { background: #ffc400; }
a.cite { text-decoration: none; font-weight: 600; }
.answer ul { margin: 2px 0 6px 1.2em; } .answer p.side { margin: 6px 0 0 0; }
.notice, .hint { color: var(--body-text-color-subdued); font-size: 0.85em; }
.hint { color: #b26a00; }
.plain-copy { display: none; }
#filter-chip .chip { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: 0.85em;
                     background: rgba(0, 120, 255, 0.12); border: 1px solid rgba(0, 120, 255, 0.4); }
#filter-chip .chip.bad { background: rgba(255, 80, 0, 0.12); border-color: rgba(255, 80, 0, 0.5); }
#job-banner { padding: 4px 10px; border-radius: 6px; background: rgba(0, 120, 255, 0.08); }
#articles-table { max-width: 100%; overflow-x: auto; }
@media (max-width: 720px) {
  #sources-col { position: fixed !important; left: 0; right: 0; bottom: 0; z-index: 50; margin: 0 !important;
                 max-height: 72vh; padding: 4px 12px; background: var(--background-fill-primary);
                 border-top: 2px solid var(--border-color-primary); box-shadow: 0 -4px 16px rgba(0, 0, 0, 0.15);
                 transform: translateY(calc(100% - 46px)); transition: transform 0.2s;
                 flex-wrap: nowrap !important; overflow: hidden; }
  #sources-col.open { transform: none; }
  #sources-handle { cursor: pointer; }
  #sources-handle p::after { content: " ▴"; }
  #sources-col.open #sources-handle p::after { content: " ▾"; }
  #sources-col .sources-scroll { max-height: calc(72vh - 70px); }
  .gradio-container { padding-bottom: 56px !important; }
}
"""

# Capture-phase listeners (the chatbot re-renders its messages, so nothing is bound to them):
# - a citation highlights its card and scrolls the sources panel, never the page (the question box stays
#   in view); on a narrow screen it opens the sources drawer;
# - a message's copy button copies that message only: an answer as plain text with numbered sources (the
#   hidden .plain-copy in its own row), a question as shown; Gradio's own copy would give the Markdown/HTML
#   source. Gradio 6 puts a message's button bar in its row (panel layout) or just after it (bubble layout);
#   a bar we cannot place is left to Gradio rather than copy another message;
# - the sources heading opens and closes the drawer on a narrow screen.
HEAD = """
<script>
(() => {
const ownRow = (button) => {
  const bar = button.closest('.message-buttons');
  const row = button.closest('.message-row') || (bar && bar.previousElementSibling);
  return row && row.matches('.message-row') ? row : null;
};
const messageText = (row) => {
  const plain = row.querySelector('.plain-copy');
  if (plain) return plain.getAttribute('title');
  return [...row.querySelectorAll('[data-testid="user"], [data-testid="bot"]')]
    .map(m => m.innerText.trim()).join('\\n\\n');
};
const copyText = (text) => {
  if ('clipboard' in navigator) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');  // not a secure context (http on the network)
  area.value = text; area.style.position = 'fixed'; area.style.opacity = '0';
  document.body.append(area); area.select(); document.execCommand('copy'); area.remove();
};
document.addEventListener('click', function (e) {
  if (!e.target.closest) return;
  const link = e.target.closest('a.cite, a[href^="#src-"]');
  if (link) {
    e.preventDefault(); e.stopPropagation();
    const card = document.getElementById(link.getAttribute('href').slice(1));
    if (!card) return;
    document.querySelectorAll('#sources-panel .source.highlight').forEach(s => s.classList.remove('highlight'));
    card.closest('details.more') && (card.closest('details.more').open = true);
    const turn = card.closest('details.turn'); if (turn) turn.open = true;
    card.classList.add('highlight');
    const col = document.getElementById('sources-col'); if (col) col.classList.add('open');
    const box = card.closest('.sources-scroll');
    if (box) box.scrollTo({top: card.offsetTop - box.offsetTop - 8, behavior: 'smooth'});
    return;
  }
  const copy = e.target.closest('#chatbot button[aria-label="Copy message"], #chatbot button[title="Copy message"]');
  if (copy) {
    const row = ownRow(copy);
    if (!row) return;
    e.preventDefault(); e.stopPropagation();
    copyText(messageText(row));
    copy.setAttribute('data-copied', '1');
    return;
  }
  if (e.target.closest('#sources-handle')) {
    const col = document.getElementById('sources-col'); if (col) col.classList.toggle('open');
  }
}, true);
})();
</script>
"""

CHAT_GROUP = dict(concurrency_id="chat", concurrency_limit=4)
INDEX_GROUP = dict(concurrency_id="index", concurrency_limit=1)
PRIVATE = dict(api_visibility="private")
FEEDS_GROUP = dict(concurrency_id="feeds", concurrency_limit=1)
BACKGROUND = ("watch", "feeds")  # runs that start on their own; they do not hold the page's buttons
IDLE_POLL = 3.0  # seconds between the page's checks for such runs


def listed(job) -> bool:
    """The finished jobs the page lists: all but the watcher's and feed syncs' runs that changed nothing."""
    if job.kind not in BACKGROUND or job.state != "done":
        return True
    report = job_result(job).get("report")
    return bool(report and (report.added or report.updated or report.removed or report.failed))


def parse_day(value, end: bool = False) -> str | None:
    """A filter date as YYYY-MM-DD: "2021-07-01", "2021/7/1", "2021.07", "2021-07" or "2021" (a month or a
    year means its first day, or its last with ``end``). Raises ValueError on anything else."""
    text = str(value or "").strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?"
                     r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text)
    if not m:
        raise ValueError(text)
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    month = int(month) if month else (12 if end else 1)
    if not 1 <= month <= 12:
        raise ValueError(text)
    last = calendar.monthrange(year, month)[1]
    day = int(day) if day else (last if end else 1)
    if not 1 <= day <= last:
        raise ValueError(text)
    return f"{year:04d}-{month:02d}-{day:02d}"


def until(stop: threading.Event, pieces):
    """The pieces until ``stop`` is set. They are read in a thread of their own, so that Stop is seen at once
    even while the next piece is long in coming (a language model's first word), and none is asked for after
    it. An exception from the pieces is raised here."""
    ready = queue.Queue()

    def read():
        try:
            for piece in pieces:
                ready.put(("piece", piece))
                if stop.is_set():
                    break
            ready.put(("end", None))
        except Exception as exc:  # noqa: BLE001 - raised again below, in the caller's thread
            ready.put(("error", exc))
        finally:
            pieces.close()

    threading.Thread(target=read, daemon=True).start()
    while not stop.is_set():
        try:
            kind, value = ready.get(timeout=0.05)
        except queue.Empty:
            continue
        if kind == "error":
            raise value
        if kind == "end":
            return
        yield value


def typed_dates(inputs: list, *boxes) -> str:
    """The ``js`` of an event that reads the date fields: a box showing text its DateTime refused (marked
    invalid) sends that text instead of the field's value. A DateTime keeps its last valid date while its
    box shows a typo (or "2021/07", which ``parse_day`` reads), so the question would be answered with that
    stale date without a word; this way ``filters`` sees the text and reads it or refuses it, saying why."""
    spots = [[next(i for i, c in enumerate(inputs) if c is box), box.elem_id] for box in boxes]
    return ("(...args) => { for (const [i, id] of %s) { const box = document.querySelector(`#${id} input`);"
            " if (box && box.matches('.invalid')) args[i] = box.value; } return args; }" % json.dumps(spots))


def emptied(*boxes) -> str:
    """The ``js`` of "Clear filter": the boxes' text goes too (a refused text is not the field's value, so
    clearing the value alone would leave it in the box)."""
    return ("() => { for (const id of %s) { const box = document.querySelector(`#${id} input`);"
            " if (box) { box.value = ''; box.dispatchEvent(new Event('input')); } } return []; }"
            % json.dumps([box.elem_id for box in boxes]))


def filters(date_from, date_to, category, lang: str) -> tuple[dict, str]:
    """(the filters to search with, a short description for the chip); bad dates raise ValueError with
    the message to show."""
    out, what = {}, []
    for key, value, end in (("date_from", date_from, False), ("date_to", date_to, True)):
        try:
            out[key] = parse_day(value, end)
        except ValueError:
            raise ValueError(t(lang, "bad_date", field=t(lang, key), value=str(value))) from None
    if out["date_from"] and out["date_to"] and out["date_from"] > out["date_to"]:
        raise ValueError(t(lang, "dates_swapped", start=out["date_from"], end=out["date_to"]))
    if out["date_from"] or out["date_to"]:
        what.append(f"{out['date_from'] or '…'} – {out['date_to'] or '…'}")
    out["category"] = category or None
    if category:
        what.append(category)
    return out, " · ".join(what)


class Handlers:
    """What the page's buttons do, each a thin call into the Assistant plus rendering."""

    def __init__(self, a: Assistant):
        self.a = a
        self.jobs = a.jobs
        self.settings = a.settings
        self.folder = Path(a.settings.articles_dir).expanduser().resolve()
        self.stops: dict[str | None, threading.Event] = {}  # the answer each page is writing, set by Stop

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

    def chat(self, question, turns, store, k, answerer, date_from, date_to, category, lang,
             request: gr.Request | None = None):
        """Stream the answer into the chat; with the final answer, fill the sources panel and save the
        chat in the browser. Outputs: chatbot, panel, question box, turns, store, Ask, Stop.

        Stop (``stop``) ends the answer here, in this stream, rather than with Gradio's ``cancels``: a
        cancelled event's pieces still on their way reached the page after Stop's own update (Stop shown
        again, the answer written on) and Gradio marked the event's outputs as errors. Ended here, the
        last piece is the stopped answer, with Ask back."""
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        busy, idle = (gr.update(visible=False), gr.update(visible=True)), (gr.update(visible=True),
                                                                           gr.update(visible=False))
        turn = len(turns) + 1
        shown = messages(turns) + [{"role": "user", "content": inert_markdown(question)},
                                   {"role": "assistant", "content": "…"}]
        try:
            chosen, what = filters(date_from, date_to, category, lang)
        except ValueError as exc:
            shown[-1]["content"] = f"⚠️ {inert_markdown(str(exc))}"
            yield shown, gr.skip(), question, gr.skip(), gr.skip(), *idle
            return
        session = request.session_hash if request else None
        stop = self.stops[session] = threading.Event()  # before Stop shows
        try:
            yield shown, gr.skip(), "", gr.skip(), gr.skip(), *busy
            history = [(x["question"], x["text"]) for x in turns]
            for text, answer in until(stop, self.steps(question, history, answerer, k, **chosen)):
                if answer is None:
                    shown[-1]["content"] = streaming_html(text, turn)
                    yield shown, gr.skip(), "", gr.skip(), gr.skip(), *busy
            if stop.is_set():  # the partial answer stays, marked as stopped; it is not saved
                partial = "" if shown[-1]["content"] == "…" else shown[-1]["content"]
                shown[-1]["content"] = f'{partial}<p class="notice">{t(lang, "stopped")}</p>'
                yield shown, gr.skip(), "", gr.skip(), gr.skip(), *idle
                return
            hint = self.hint(answer, what, lang) if answer.abstained else ""
            turns = turns + [{"question": question, "text": answer.text,
                              "html": answer_html(answer, turn, lang, hint),
                              "plain": answer_plain(answer, self.folder, lang, hint),
                              "panel": turn_panel(answer, turn, self.folder, lang),
                              "citations": [CitationOut.of(c, self.folder).model_dump() for c in answer.citations],
                              "settings": {"k": int(k), "answerer": answer.answerer, **chosen,
                                           "history": history[-2:], "abstained": answer.abstained}}]
        except Exception as exc:  # noqa: BLE001 - show it in the chat; the app keeps serving
            if not isinstance(exc, AssistantError):
                log.exception("answering %r failed", question)
            shown[-1]["content"] = f"⚠️ {inert_markdown(str(exc) or type(exc).__name__)}"
            yield shown, gr.skip(), question, gr.skip(), gr.skip(), *idle
            return
        finally:
            stop.set()  # also when the page is gone: no more pieces are asked for
            if self.stops.get(session) is stop:
                del self.stops[session]
        yield messages(turns), sources_panel(turns, lang), "", turns, saved(store, turns), *idle

    def hint(self, answer: Answer, what: str, lang: str) -> str:
        """Why "not covered" may not be the last word: a filter left the answer out, or indexing runs."""
        job = self.jobs.current
        if job is not None and job.kind in ("first", "rebuild"):
            return t(lang, "still_indexing", progress=progress_text(job.progress, lang, every_file_new=True))
        if not what:
            return ""
        return t(lang, "filter_hint" if FILTERED_OUT in answer.notice else "filter_hint_maybe", what=what)

    def rate(self, turns, lang, evt: gr.LikeData):
        """A thumb on an answer: stored with its question, citations and settings (``assistant feedback``)."""
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if evt.liked not in (True, False) or not 0 <= index // 2 < len(turns):
            return  # a thumb taken back, or a message that is not an answer
        turn = turns[index // 2]
        self.a.add_feedback("up" if evt.liked else "down", turn["question"], turn["text"], turn.get("citations", []),
                            turn.get("settings", {}))
        gr.Info(t(lang, "thanks"))

    def placeholder(self, chatbot):
        """The answer being retried gives way to "…" at once, in a step of its own: sent with the new answer's
        stream, the placeholder could reach the page in one frame with the first piece and never show."""
        shown = list(chatbot or [])
        if shown and shown[-1].get("role") == "assistant":
            shown[-1] = {"role": "assistant", "content": "…"}
        return shown

    def retry(self, turns, store, k, answerer, date_from, date_to, category, lang, request: gr.Request):
        """Regenerate the last answer (the chatbot's retry button)."""
        if not turns:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield from self.chat(turns[-1]["question"], turns[:-1], store, k, answerer, date_from, date_to,
                             category, lang, request)

    def edit(self, turns, store, k, answerer, date_from, date_to, category, lang, evt: gr.EditData,
             request: gr.Request):
        """Ask an edited question again; the turns after it are dropped, as in other chat apps."""
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        yield from self.chat(text_of(evt.value), turns[:index // 2], store, k, answerer, date_from, date_to, category,
                             lang, request)

    def stop(self, request: gr.Request):
        """Stop: the answer this page is writing ends at once, in ``chat``."""
        stop = self.stops.get(request.session_hash)
        if stop is not None:
            stop.set()

    # -- chats kept in the browser --------------------------------------------------------
    def show_chat(self, store, lang):
        """Chatbot, panel, turns and the chat list for the browser's current chat."""
        current = current_chat(store)
        turns = current["turns"] if current else []
        return messages(turns), sources_panel(turns, lang), turns, chat_choices(store)

    def new_chat(self, store, lang):
        store = dict(store or {}, current="")
        return (*self.show_chat(store, lang)[:3], gr.update(choices=chat_choices(store)["choices"], value=None),
                store)

    def clear_chat(self, store, lang):
        """The chat's trash button: this chat is forgotten, not only left ("New chat" keeps it in the list)."""
        store = dict(store or {})
        store["chats"] = [c for c in store.get("chats", []) if c["id"] != store.get("current")]
        return self.new_chat(store, lang)

    def pick_chat(self, chat_id, store, lang):
        if not chat_id:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        store = dict(store or {}, current=chat_id)
        return (*self.show_chat(store, lang)[:3], store)

    # -- filters --------------------------------------------------------------------------
    def chip(self, date_from, date_to, category, lang):
        try:
            _, what = filters(date_from, date_to, category, lang)
        except ValueError as exc:
            return gr.update(visible=True), f'<span class="chip bad">⚠️ {html.escape(str(exc))}</span>'
        if not what:
            return gr.update(visible=False), ""
        return gr.update(visible=True), f'<span class="chip">{html.escape(t(lang, "filter_chip", what=what))}</span>'

    # -- the page as it loads -------------------------------------------------------------
    def load(self, store, request: gr.Request):
        """The language, the saved chat, the welcome text, the tables and the job state."""
        lang = language(request)
        chatbot, panel, turns, choices = self.show_chat(store, lang)
        return (lang, gr.update(value=chatbot, placeholder=self.welcome(lang)), panel, turns,
                gr.update(**choices), *self.library("", lang), self.jobs.version, *self.job_view(lang),
                *self.feeds_view(lang), *self.files_view(lang))

    def welcome(self, lang: str) -> str:
        articles, job = self.a.articles(), self.jobs.current
        if not articles and job is not None and job.kind == "first":
            return t(lang, "welcome_indexing", progress=progress_text(job.progress, lang, every_file_new=True))
        return welcome(articles, self.a.catalog.counts()[1], lang)

    # -- articles -------------------------------------------------------------------------
    def library(self, query: str = "", lang: str = "en"):
        """Articles table, statistics and the choices that depend on what is indexed."""
        folder = self.folder
        articles = self.a.articles()
        rows = [[article_link(r), r["date"][:10], ", ".join(r["categories"]), r["n_chunks"],
                 display_path(r["source"], folder)] for r in articles]
        q = (query or "").strip().lower()
        if q:
            rows = [r for r in rows if q in " ".join(map(str, r)).lower()]
        categories = sorted({c for r in articles for c in r["categories"]})
        return (pd.DataFrame(rows, columns=COLUMNS[lang]),
                stats_line(articles, self.a.catalog.counts()[1], lang),
                gr.update(choices=[(t(lang, "all"), "")] + [(c, c) for c in categories]),
                gr.update(choices=[(f"{r['title']} ({display_path(r['source'], folder)})", r["source"])
                                   for r in articles], value=None))

    def choose_row(self, evt: gr.SelectData):
        """Clicking a table row chooses that article for deletion."""
        shown = evt.row_value[-1] if evt.row_value else ""
        return next((r["source"] for r in self.a.articles() if display_path(r["source"], self.folder) == shown),
                    gr.skip())

    # -- jobs -----------------------------------------------------------------------------
    def job_view(self, lang: str):
        """Job status line, Cancel, the four job buttons, Undo, history, chat banner, timer.

        The buttons wait while a job of the page (or the API) is running or queued; the watcher's and
        feed syncs' runs do not hold them (a button pressed meanwhile queues its job behind them)."""
        job, queued = self.jobs.current, self.jobs.queued
        pending = [j for j in (job, *queued) if j is not None]
        page_busy = bool(self.page_jobs())
        history = [j for j in self.jobs.history if listed(j)]
        last = history[0] if history else None
        if job is not None:
            behind = t(lang, f"job_{job.kind}")
            status = "\n\n".join([job_line(job, lang)] + [job_line(q, lang, behind) for q in queued
                                                           if q.kind not in BACKGROUND])
        elif last is not None:
            status = job_report(last, self.folder, lang)
        else:
            status = ""
        undo = (not page_busy and last is not None and last.kind == "delete" and last.state == "done"
                and bool(job_result(last).get("undo")) and not job_result(last).get("undone"))
        banner = job_line(job, lang) if job is not None and job.kind in ("first", "rebuild") else ""
        return (status, gr.update(visible=bool(pending)),
                *(gr.update(interactive=not page_busy) for _ in range(4)), gr.update(visible=undo),
                job_history(history, lang), gr.update(value=banner, visible=bool(banner)),
                gr.Timer(value=1.0 if pending else IDLE_POLL, active=True))

    def page_jobs(self) -> list:
        """The running and queued jobs that hold the page's buttons (all but the watcher's and feeds')."""
        return [j for j in (self.jobs.current, *self.jobs.queued) if j is not None and j.kind not in BACKGROUND]

    def poll(self, query, seen, lang):
        """Timer tick (every second while a job runs, else every few seconds: the watcher's runs start on
        their own): progress; when a job ends, its report and fresh tables."""
        version = self.jobs.version
        if version == seen and not self.jobs.busy:
            return (gr.skip(),) * (4 + 2 + 10 + 5)
        fresh = version != seen
        library = self.library(query, lang) if fresh else (gr.skip(),) * 4
        placeholder = gr.update(placeholder=self.welcome(lang)) if fresh else gr.skip()
        ingest = (*self.feeds_view(lang), *self.files_view(lang)) if fresh else (gr.skip(),) * 5
        return (*library, placeholder, version, *self.job_view(lang), *ingest)

    def start(self, kind: str, work, lang: str):
        pending = self.page_jobs()
        if pending:  # the buttons are disabled meanwhile; a second tab may still press one
            return (t(lang, "busy", job=t(lang, f"job_{pending[0].kind}")), *self.job_view(lang)[1:])
        self.jobs.submit(kind, work)
        return self.job_view(lang)

    def indexing(self, run):
        """A job that indexes: ``run(progress)`` returns {"report": ..., ...}; the articles it added, updated
        and removed are found by comparing the catalog before and after."""
        def work(progress):
            before = self.snapshot()
            result = run(progress)
            after = self.snapshot()
            result["changes"] = {
                "added": [after[s][0] for s in after if s not in before],
                "updated": [after[s][0] for s in after if s in before and before[s][1] != after[s][1]],
                "removed": [before[s][0] for s in before if s not in after],
            }
            return result
        return work

    def snapshot(self) -> dict[str, tuple[str, str]]:
        return {r["source"]: (r["title"], r["content_hash"]) for r in self.a.articles()}

    def ingest(self, files, progress) -> tuple[IndexReport | None, list[tuple[str, str]], list[Path]]:
        """Save uploads into the folder and index just them; uploads that fail to index are set aside."""
        return actions.ingest(self.a, files, self.folder, progress)

    def start_upload(self, files, lang):
        if not files:
            return (t(lang, "no_uploads"), *self.job_view(lang)[1:])

        cost = estimate(files, self.a.settings)
        if cost.is_big:  # told before the indexing starts
            gr.Warning(t(lang, "upload_estimate", files=cost.files, passages=cost.passages, time=cost.duration))

        def run(progress):
            report, rejected, saved = self.ingest(files, progress)
            return {"report": report, "rejected": rejected, "saved": saved}
        return self.start("upload", self.indexing(run), lang)

    def start_reindex(self, lang):
        return self.start("reindex", self.indexing(
            lambda progress: {"report": self.a.index([self.folder], progress=progress)}), lang)

    def start_rebuild(self, lang):
        return self.start("rebuild", self.indexing(
            lambda progress: {"report": self.a.index([self.folder], rebuild=True, progress=progress)}), lang)

    def ask_delete(self, source, lang):
        """The confirmation row (shown) with the article's title, or a reminder to choose one."""
        title = next((r["title"] for r in self.a.articles() if r["source"] == source), "")
        if not source or not title:
            return gr.update(visible=False), "", t(lang, "choose_article")
        return gr.update(visible=True), t(lang, "confirm_text", title=title), gr.skip()

    def start_delete(self, source, lang):
        return (gr.update(visible=False),
                *self.start("delete", lambda progress: actions.delete(self.a, source, self.folder), lang))

    def start_restore(self, lang):
        last = next((j for j in self.jobs.history if listed(j)), None)
        undo = job_result(last).get("undo") if last is not None and last.kind == "delete" else None
        if not undo:
            return self.job_view(lang)

        def run(progress):
            moved, source = Path(undo["moved"]), Path(undo["source"])
            if not moved.is_file():
                return {"say": ("restore_gone", {"where": display_path(str(moved), self.folder)})}
            try:
                os.link(moved, source)  # never replaces a file that took the name meanwhile
            except FileExistsError:
                return {"say": ("restore_taken", {"file": display_path(str(source), self.folder)})}
            moved.unlink()
            last.result["undone"] = True
            report = self.a.index([source], progress=progress)
            return {"report": report, "say": ("restored", {"title": f"«{undo['title']}»"})}
        return self.start("restore", self.indexing(run), lang)

    def cancel(self, lang):
        """Stop the running job and drop the queued ones (a watcher's run too: its files then wait for
        their next change or a re-index)."""
        self.jobs.cancel_all()
        return self.job_view(lang)

    # -- feeds and file status (thin over Assistant.feeds and Assistant.file_status) -------------
    def feeds_view(self, lang: str):
        """The feeds table (last sync, new/updated/failed, last error) and the feed chooser."""
        feeds = self.a.feeds.list()
        rows = [[f["name"], f["url"], when(f["last_sync"], lang), f["new"], f["updated"], f["failed"], f["entries"],
                 f["last_error"]] for f in feeds]
        return (pd.DataFrame(rows, columns=FEED_COLUMNS[lang]),
                gr.update(choices=[(f["name"], f["name"]) for f in feeds], value=None))

    def files_view(self, lang: str):
        """The per-file summary, table (indexed / pending / failed with the reason, from which feed, the
        time of the last change seen) and the watcher's line."""
        files = self.a.file_status([self.folder]) if self.folder.is_dir() else []
        counts = {state: sum(1 for f in files if f["state"] == state) for state in ("indexed", "pending", "failed")}
        order = {"failed": 0, "pending": 1, "indexed": 2}
        files.sort(key=lambda f: (order[f["state"]], -(f["changed"] or 0)))
        rows = [[display_path(f["path"], self.folder), t(lang, f"state_{f['state']}"),
                 f"⚠️ {reason(lang, f['warning'])}" if f["warning"] else f["reason"], f["feed"],
                 when(f["changed"], lang)] for f in files]
        watcher = self.a.watcher
        if watcher is None:
            line = t(lang, "not_watching")
        else:
            status = watcher.status()
            waiting = len(status["pending"])
            line = t(lang, "watching", observer=status["observer"], minutes=watcher.feed_interval / 60,
                     pending=t(lang, "watching_pending", n=waiting) if waiting else "")
            if status["last_error"]:
                line += f" ⚠️ {status['last_error']}"
        return t(lang, "files_summary", **counts), pd.DataFrame(rows, columns=FILE_COLUMNS[lang]), line

    def feed_outputs(self, message: str, lang: str):
        return (message, *self.feeds_view(lang), *self.files_view(lang))

    def add_feed(self, url, name, lang):
        """Subscribe and sync at once; the new entries are indexed (queued with the other jobs)."""
        try:
            feed = self.a.feeds.add(url or "", (name or "").strip() or None)
            [result] = self.a.feeds.sync([feed["name"]])
        except AssistantError as exc:
            return (*self.feed_outputs(f"❌ {exc}", lang), gr.skip(), gr.skip())  # the URL stays to correct
        return (*self.feed_outputs(sync_line([result], lang), lang), "", "")

    def sync_feed(self, name, lang):
        """Sync one feed, or all of them when none is chosen."""
        try:
            results = self.a.feeds.sync([name] if name else None)
        except AssistantError as exc:
            return self.feed_outputs(f"❌ {exc}", lang)
        return self.feed_outputs(sync_line(results, lang) if results else t(lang, "feeds_none"), lang)

    def remove_feed(self, name, lang):
        if not name:
            return self.feed_outputs(t(lang, "feed_choose"), lang)
        try:
            self.a.feeds.remove(name)
        except AssistantError as exc:
            return self.feed_outputs(f"❌ {exc}", lang)
        return self.feed_outputs(t(lang, "feed_removed", name=name), lang)

    # -- gradio_client endpoints ----------------------------------------------------------
    def index_files(self, files: list[str]) -> dict:
        """Save and index uploads as a job (it shows in the page's history), after the jobs before it."""
        def run(progress):
            report, rejected, saved = self.ingest(files, progress)
            return {"report": report, "rejected": rejected, "saved": saved}

        job = self.jobs.submit("upload", self.indexing(run))
        self.jobs.wait(job)
        if job.state != "done":
            raise gr.Error(job.error or job.state)
        report, rejected, saved = job.result["report"], job.result["rejected"], job.result["saved"]
        out = {"saved": [display_path(str(p), self.folder) for p in saved],
               "rejected": [{"file": name, "reason": reason} for name, reason in rejected]}
        return out | (report or IndexReport()).to_dict()


def when(ts: float | None, lang: str) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else t(lang, "never")


def sync_line(results, lang: str) -> str:
    """One line per synced feed: what it brought, or why it failed."""
    lines = []
    for r in results:
        line = ("❌ " if r.error else "✅ ") + t(lang, "feed_synced", summary=r.summary())
        if r.index and r.index.get("failed"):
            line += " · " + "; ".join(f"{display_path(p, Path(p).parent)}: {why}" for p, why in r.index["failed"])
        lines.append(line)
    return "\n\n".join(lines)


def text_of(content) -> str:
    """A chat message's text (Gradio 6 hands messages back as a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content.get("text") or ""
    return "".join(text_of(part) for part in content or [])


def current_chat(store) -> dict | None:
    store = store or {}
    return next((c for c in store.get("chats", []) if c["id"] == store.get("current")), None)


def chat_choices(store) -> dict:
    store = store or {}
    return {"choices": [(c["title"], c["id"]) for c in store.get("chats", [])],
            "value": store.get("current") or None}


def saved(store, turns: list[dict]) -> dict:
    """The browser's chats with the current one updated (newest first, the oldest dropped)."""
    store = dict(store or {})
    chats = [c for c in store.get("chats", []) if c["id"] != store.get("current")]
    chat_id = store.get("current") or f"c{time.time_ns()}"
    title = turns[0]["question"][:40] if turns else ""
    store["chats"] = ([{"id": chat_id, "title": title, "turns": turns[-MAX_TURNS:]}] + chats)[:MAX_CHATS]
    store["current"] = chat_id
    return store


def first_index(a: Assistant, echo=None) -> None:
    """Index the articles folder in the background (the page is served meanwhile and shows progress)."""
    folder = Path(a.settings.articles_dir).expanduser()

    def work(progress):
        report = a.index([folder], progress=progress)
        print(report.summary() + report.failures() + report.warned(), flush=True)
        return {"report": report}

    a.jobs.submit("first", work, echo=echo)


def api_functions(h: Handlers):
    """``ask`` and ``search`` for ``gr.api``: their signatures and docstrings are the API's schema, with
    the configured defaults."""
    settings, folder = h.settings, h.folder

    def ask(question: str, k: int = settings.k, answerer: str = settings.answerer, date_from: str = "",
            date_to: str = "", category: str = "", history: list[list[str]] | None = None) -> tuple[str, list[dict]]:
        """Stream (answer text with [n] markers, sources): the cited passages, or the closest ones when
        the articles don't cover the question. ``history`` is [[question, answer], ...] for follow-ups."""
        try:
            required(question)
            if answerer not in ("extractive", "llm"):
                raise gr.Error("answerer must be extractive or llm")
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
            required(question)
            return [source_dict(p, folder) for p in h.a.search(question, k=int(k))]
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    def ingest_status() -> dict:
        """Feeds with their last sync, each file's state (indexed / pending / failed, from which feed),
        and the folder watcher's state (None when not watching)."""
        return actions.ingest_status(h.a, folder)

    return ask, search, ingest_status


# -- layout -------------------------------------------------------------------------------

def chat_tab(h: Handlers, lang, store):
    """The chat, its filter chip, the sources panel (a drawer on narrow screens) and the settings.
    Returns (chatbot, panel, turns, chats dropdown, category dropdown)."""
    settings = h.settings
    llm = bool(settings.llm_base_url and settings.llm_model)
    with gr.Row(elem_id="chat-row"):
        with gr.Column(scale=3, min_width=320, elem_id="chat-col"):
            with gr.Row(elem_id="chat-bar", equal_height=True):
                chats = gr.Dropdown(label=I18N("earlier_chats"), choices=[], elem_id="chats", scale=4)
                new = gr.Button(I18N("new_chat"), size="sm", elem_id="new-chat", scale=1, min_width=90)
            chatbot = gr.Chatbot(elem_id="chatbot", height=450, label=I18N("chat"), sanitize_html=True,
                                 render_markdown=True, buttons=["copy"], editable="user", show_label=False)
            with gr.Row(visible=False, elem_id="filter-row", equal_height=True) as filter_row:
                chip = gr.HTML(elem_id="filter-chip")
                clear_filters = gr.Button(I18N("clear_filters"), size="sm", elem_id="clear-filters", scale=0,
                                          min_width=120)
            with gr.Row(equal_height=True):
                question = gr.Textbox(label=I18N("question"), elem_id="question", placeholder=I18N("placeholder"),
                                      lines=1, show_label=False, scale=5, autofocus=True)  # the label names it for screen readers
                send = gr.Button(I18N("ask"), variant="primary", elem_id="send", scale=1, min_width=80)
                stop = gr.Button(I18N("stop"), variant="stop", elem_id="stop", scale=1, min_width=80,
                                 visible=False)
            with gr.Row(elem_id="examples"):
                gr.Markdown(I18N("try"), elem_classes="muted", container=False)
                example_buttons = [gr.Button(q, size="sm", elem_classes="example") for q in EXAMPLES]
        with gr.Column(scale=2, min_width=300, elem_id="sources-col"):
            gr.Markdown(I18N("sources"), elem_id="sources-handle", container=False)
            panel = gr.HTML(empty_panel(), elem_id="sources-panel")
    with gr.Accordion(I18N("settings"), open=False, elem_id="settings"):
        with gr.Row():
            k = gr.Slider(1, 10, value=settings.k, step=1, label=I18N("k"), info=I18N("k_info"), elem_id="k")
            answerer = gr.Radio([(I18N("answerer_extractive"), "extractive"), (I18N("answerer_llm"), "llm")],
                                value=settings.answerer, label=I18N("answerer"), visible=llm, elem_id="answerer")
        if not llm:
            gr.Markdown(I18N("extractive_only"), elem_classes="muted")
        with gr.Row():
            date_from = gr.DateTime(include_time=False, type="string", label=I18N("date_from"),
                                    info=I18N("date_info"), elem_id="date-from")
            date_to = gr.DateTime(include_time=False, type="string", label=I18N("date_to"),
                                  info=I18N("date_info"), elem_id="date-to")
            category = gr.Dropdown(label=I18N("category"), choices=[("all", "")], value="", elem_id="category")
    turns = gr.State([])

    options = [store, k, answerer, date_from, date_to, category, lang]
    outputs = [chatbot, panel, question, turns, store, send, stop]
    asked, again = [question, turns, *options], [turns, *options]
    ask_event = dict(fn=h.chat, inputs=asked, outputs=outputs, js=typed_dates(asked, date_from, date_to),
                     **PRIVATE, **CHAT_GROUP)
    again_event = dict(inputs=again, outputs=outputs, js=typed_dates(again, date_from, date_to), **PRIVATE,
                       **CHAT_GROUP)
    # the Ask button hides while an answer streams, which drops the keyboard focus on the page's body: after an
    # answer asked with a button, the focus goes back to the question box, ready for the next question
    refocus = dict(fn=None, js="() => document.querySelector('#question textarea')?.focus()", queue=False, **PRIVATE)
    chatbot.retry(h.placeholder, chatbot, chatbot, queue=False, **PRIVATE).then(h.retry, **again_event)
    question.submit(**ask_event)
    send.click(**ask_event).then(**refocus)
    chatbot.edit(h.edit, **again_event)
    for button, text in zip(example_buttons, EXAMPLES):
        (button.click(lambda text=text: text, None, question, queue=False, **PRIVATE)
         .then(**ask_event).then(**refocus))
    stop.click(h.stop, None, None, queue=False, **PRIVATE)  # no ``cancels``: see ``Handlers.chat``
    new.click(h.new_chat, [store, lang], [chatbot, panel, turns, chats, store], queue=False, **PRIVATE)
    chats.input(h.pick_chat, [chats, store, lang], [chatbot, panel, turns, store], queue=False, **PRIVATE)
    chatbot.clear(h.clear_chat, [store, lang], [chatbot, panel, turns, chats, store], queue=False, **PRIVATE)
    chatbot.like(h.rate, [turns, lang], None, queue=False, **PRIVATE)  # thumbs up/down

    chip_inputs = [date_from, date_to, category, lang]  # also on Enter and on asking: a refused date changes no value
    gr.on([date_from.change, date_to.change, category.change, date_from.submit, date_to.submit, question.submit,
           send.click], h.chip, chip_inputs, [filter_row, chip], js=typed_dates(chip_inputs, date_from, date_to),
          queue=False, **PRIVATE)
    clear_filters.click(lambda: (None, None, "", gr.update(visible=False), ""), None,
                        [date_from, date_to, category, filter_row, chip], js=emptied(date_from, date_to), queue=False,
                        **PRIVATE)
    return chatbot, panel, turns, chats, category


def ingest_panel(h: Handlers, lang):
    """Feeds (list with their status; add, sync now, remove) and every file's state, in an accordion.
    Returns the outputs the page refreshes: feeds table, feed chooser, files summary and table, watcher."""
    settings = h.settings
    with gr.Accordion(I18N("feeds_box"), open=False, elem_id="ingest-box"):
        gr.Markdown(I18N("feeds_intro"), elem_classes="muted")
        feeds_table = gr.Dataframe(headers=FEED_COLUMNS["en"], interactive=False, wrap=True, elem_id="feeds-table")
        feed_choice = gr.Dropdown(label=I18N("feed_choice"), elem_id="feed-choice", visible=not settings.read_only)
        if not settings.read_only:
            with gr.Row(equal_height=True):
                url = gr.Textbox(label=I18N("feed_url"), placeholder="https://example.com/feed.xml", scale=4,
                                 elem_id="feed-url")
                name = gr.Textbox(label=I18N("feed_name"), scale=2, elem_id="feed-name")
                add = gr.Button(I18N("feed_add"), variant="primary", scale=1, elem_id="feed-add")
            with gr.Row():
                sync = gr.Button(I18N("feed_sync"), elem_id="feed-sync")
                remove = gr.Button(I18N("feed_remove"), variant="stop", elem_id="feed-remove")
            feed_status = gr.Markdown(elem_id="feed-status")
        watch_line = gr.Markdown(elem_id="watch-status", elem_classes="muted")
        with gr.Row(equal_height=True):
            files_summary = gr.Markdown(elem_id="files-summary")
            refresh = gr.Button(I18N("files_refresh"), size="sm", scale=0, min_width=90, elem_id="files-refresh")
        files_table = gr.Dataframe(headers=FILE_COLUMNS["en"], interactive=False, wrap=True, elem_id="files-table",
                                   max_height=360)
    outputs = [feeds_table, feed_choice, files_summary, files_table, watch_line]
    refresh.click(lambda lang: (*h.feeds_view(lang), *h.files_view(lang)), [lang], outputs, **PRIVATE,
                  **FEEDS_GROUP)
    if not settings.read_only:
        add.click(h.add_feed, [url, name, lang], [feed_status, *outputs, url, name], **PRIVATE, **FEEDS_GROUP)
        sync.click(h.sync_feed, [feed_choice, lang], [feed_status, *outputs], **PRIVATE, **FEEDS_GROUP)
        remove.click(h.remove_feed, [feed_choice, lang], [feed_status, *outputs], **PRIVATE, **FEEDS_GROUP)
    return outputs


def articles_tab(h: Handlers, lang, category, banner, timer):
    """The articles table, uploads, re-index, rebuild and delete with its confirmation and undo; the job
    status next to the buttons; feeds and file status. Returns (library outputs, job outputs, query box,
    ingest outputs)."""
    settings = h.settings
    stats = gr.Markdown(elem_id="index-stats")
    query = gr.Textbox(label=I18N("filter_articles"), placeholder=I18N("filter_articles"), show_label=False,
                       elem_id="article-filter")
    table = gr.Dataframe(headers=COLUMNS["en"], datatype=["markdown", "str", "str", "number", "str"],
                         interactive=False, wrap=True, elem_id="articles-table", max_height=420)
    if settings.read_only:  # public deployments: look, don't touch (hidden stand-ins keep the wiring)
        gr.Markdown(I18N("read_only"), elem_classes="muted", elem_id="read-only")
        victim, history, status = gr.Dropdown(visible=False), gr.Markdown(visible=False), gr.Markdown(visible=False)
        library_outputs = [table, stats, category, victim]
        job_outputs = [status, *(gr.Button(visible=False) for _ in range(6)), history, banner, timer]
        query.change(h.library, [query, lang], library_outputs, queue=False, **PRIVATE)
        return library_outputs, job_outputs, query, ingest_panel(h, lang)
    with gr.Row():
        files = gr.File(file_count="multiple", type="filepath", elem_id="upload-files",
                        label=f"{' '.join(settings.extensions)} · ≤ {settings.max_upload_mb:g} MB")
        with gr.Column():
            upload_button = gr.Button(I18N("upload"), variant="primary", elem_id="upload")
            reindex_button = gr.Button(I18N("reindex"), elem_id="reindex")
            rebuild_button = gr.Button(I18N("rebuild"), elem_id="rebuild")
            with gr.Row(equal_height=True):
                status = gr.Markdown(elem_id="index-status")
                cancel = gr.Button(I18N("cancel_job"), size="sm", variant="stop", elem_id="cancel-job",
                                   visible=False, scale=0, min_width=90)
                undo = gr.Button(I18N("undo"), size="sm", elem_id="undo", visible=False, scale=0, min_width=110)
    with gr.Row(equal_height=True):
        victim = gr.Dropdown(label=I18N("victim"), elem_id="delete-choice", scale=4)
        delete_button = gr.Button(I18N("delete"), variant="stop", elem_id="delete", scale=1)
    with gr.Group(visible=False, elem_id="confirm-delete") as confirm:
        confirm_text = gr.Markdown(elem_id="confirm-text")
        with gr.Row():
            yes = gr.Button(I18N("confirm_delete"), variant="stop", elem_id="confirm-yes")
            keep = gr.Button(I18N("keep"), elem_id="confirm-keep")
    with gr.Accordion(I18N("job_history"), open=False, elem_id="job-history-box"):
        history = gr.Markdown(elem_id="job-history")
    ingest_outputs = ingest_panel(h, lang)

    library_outputs = [table, stats, category, victim]
    job_outputs = [status, cancel, upload_button, reindex_button, rebuild_button, delete_button, undo, history,
                   banner, timer]
    # queued, unlike the other buttons: a big upload's estimate is a toast (gr.Warning), which Gradio only
    # shows from a queued event
    upload_button.click(h.start_upload, [files, lang], job_outputs, **PRIVATE).then(
        lambda: None, None, files, queue=False, **PRIVATE)  # the uploads are saved: empty the drop zone
    reindex_button.click(h.start_reindex, [lang], job_outputs, queue=False, **PRIVATE)
    rebuild_button.click(h.start_rebuild, [lang], job_outputs, queue=False, **PRIVATE)
    delete_button.click(h.ask_delete, [victim, lang], [confirm, confirm_text, status], queue=False, **PRIVATE)
    yes.click(h.start_delete, [victim, lang], [confirm, *job_outputs], queue=False, **PRIVATE)
    keep.click(lambda: gr.update(visible=False), None, confirm, queue=False, **PRIVATE)
    undo.click(h.start_restore, [lang], job_outputs, queue=False, **PRIVATE)
    cancel.click(h.cancel, [lang], job_outputs, queue=False, **PRIVATE)
    query.change(h.library, [query, lang], library_outputs, queue=False, **PRIVATE)
    table.select(h.choose_row, None, victim, **PRIVATE)
    return library_outputs, job_outputs, query, ingest_outputs


def api_endpoints(h: Handlers) -> None:
    """API-only endpoints for gradio_client (the /index inputs are hidden components so files get
    Gradio's upload checks)."""
    ask, search, ingest_status = api_functions(h)
    gr.api(ask, api_name="ask", **CHAT_GROUP)
    gr.api(search, api_name="search", **CHAT_GROUP)
    gr.api(ingest_status, api_name="ingest_status", **CHAT_GROUP)
    if h.settings.read_only:
        return
    api_files = gr.File(file_count="multiple", type="filepath", visible=False, label="files")
    api_report = gr.JSON(visible=False, label="report")
    gr.Button(visible=False).click(h.index_files, api_files, api_report, api_name="index", **INDEX_GROUP)


def browser_key(a: Assistant) -> tuple[str, str]:
    """(storage key, secret) of the chats kept in the browser: one history per index, readable again
    after a restart (a random secret would lose it)."""
    digest = hashlib.sha256(f"assistant-chats:{a.settings.index_path.resolve()}".encode()).hexdigest()
    return f"assistant-chats-{digest[:10]}", digest[10:42]


def build(a: Assistant) -> gr.Blocks:
    """The page; its jobs (and the first indexing's progress) are those of ``a.jobs``."""
    h = Handlers(a)
    key, secret = browser_key(a)
    cache_seconds = a.settings.upload_cache_minutes * 60  # Gradio's copies of uploads: checked and deleted
    with gr.Blocks(title="Article assistant", delete_cache=(cache_seconds, cache_seconds)) as demo:
        lang = gr.State("en")
        seen = gr.State(-1)
        store = gr.BrowserState({"chats": [], "current": ""}, storage_key=key, secret=secret)
        gr.Markdown(I18N("title"), elem_id="title")
        banner = gr.Markdown(visible=False, elem_id="job-banner")
        timer = gr.Timer(1.0, active=False)
        with gr.Tabs():
            with gr.Tab(I18N("tab_chat"), id="chat", elem_id="tab-chat"):
                chatbot, panel, turns, chats, category = chat_tab(h, lang, store)
            with gr.Tab(I18N("tab_articles"), id="articles", elem_id="tab-articles"):
                library_outputs, job_outputs, query, ingest_outputs = articles_tab(h, lang, category, banner, timer)
        store.change(lambda s: gr.update(**chat_choices(s)), store, chats, queue=False, **PRIVATE)
        api_endpoints(h)
        timer.tick(h.poll, [query, seen, lang], [*library_outputs, chatbot, seen, *job_outputs, *ingest_outputs],
                   queue=False, **PRIVATE)
        demo.load(h.load, [store], [lang, chatbot, panel, turns, chats, *library_outputs, seen, *job_outputs,
                                    *ingest_outputs], **PRIVATE)
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo
