"""HTML and Markdown for the browser: pure functions of the library's results (no Gradio, no state).

Everything from an article reaches the page escaped; the only markup we add is our own (citation
links, source cards, highlights).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import quote as quote_url, urlencode

from .. import Answer, IndexReport, Passage
from ..sanitize import inert_markdown

EMPTY_PANEL = ('<p class="muted">The sources of each answer appear here. '
               'Click a citation such as [1] to highlight its passage.</p>')


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


def viewer_url(p: Passage, quote: str = "") -> str:
    """The article viewer (web/viewer.py) scrolled to this passage, ``quote`` marked in it."""
    query = {"start": p.start, "end": p.end} | ({"quote": quote} if quote else {})
    return f"/articles/{quote_url(p.article_id)}?{urlencode(query)}#cited"


def source_card(card_id: str, label: str, p: Passage, quotes: list[str], folder: Path) -> str:
    meta = " · ".join(x for x in (p.date[:10], html.escape(display_path(p.source, folder))) if x)
    if p.article_id:
        meta += (f' · <a class="src-open" href="{html.escape(viewer_url(p, next(iter(quotes), "")))}" '
                 'target="_blank" rel="noopener">open article</a>')
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
    """A passage as the gradio_client API returns it."""
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
