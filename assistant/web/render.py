"""HTML, Markdown and plain text for the browser: pure functions of the library's results (no Gradio, no
state). ``lang`` ("zh" or "en") picks our own words; article text is never translated.

Everything from an article reaches the page escaped; the only markup we add is our own (citation links,
source cards, highlights). An answer is laid out for reading: a comparison as two labelled parts, three or
more quoted sentences as a list, each citation once per sentence and never twice in a row.
"""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

from .. import Answer, IndexReport, Passage
from ..answerers import QUOTES_CHINESE, comparison_sides
from ..chain import FILTERED_OUT, NO_MATCH
from ..prompts import language_of
from ..sanitize import inert_markdown
from .strings import reason, t

_CITED = re.compile(r"(.*?)((?:\s*\[\d{1,3}\])+)", re.S)


def empty_panel(lang: str = "en") -> str:
    return f'<p class="muted">{html.escape(t(lang, "empty_panel"))}</p>'


EMPTY_PANEL = empty_panel()


def display_path(source: str, folder: Path) -> str:
    """Path relative to the articles folder when inside it (short and unique), else the full path."""
    try:
        return str(Path(source).resolve().relative_to(folder))
    except ValueError:
        return source


def viewer_url(p: Passage, quote: str = "") -> str:
    """The article viewer (web/viewer.py) scrolled to this passage, ``quote`` marked in it."""
    query = {"start": p.start, "end": p.end} | ({"quote": quote} if quote else {})
    return f"/articles/{urlquote(p.article_id)}?{urlencode(query)}#cited"


def article_url(article_id: str) -> str:
    """The article viewer at the top of the article."""
    return f"/articles/{urlquote(article_id)}"


# -- the answer, laid out ------------------------------------------------------------------

@dataclass
class Piece:
    """A sentence (or run of sentences) of the answer and the citation numbers that follow it."""

    text: str
    numbers: tuple[int, ...]


@dataclass
class Block:
    label: str | None  # a comparison side, "Also", or None
    pieces: list[Piece]
    as_list: bool


def pieces(text: str) -> list[Piece]:
    """The answer split at its citations: each number once per piece, and a piece whose numbers are the
    same as the next one's gives them up (``A[3]B[3]`` reads ``A B[3]``)."""
    out: list[Piece] = []
    pos = 0
    for m in _CITED.finditer(text):
        numbers = tuple(dict.fromkeys(int(n) for n in re.findall(r"\d+", m.group(2))))
        out.append(Piece(m.group(1).strip(), numbers))
        pos = m.end()
    rest = text[pos:].strip()
    if rest:
        out.append(Piece(rest, ()))
    return [p for p in out if p.text or p.numbers]


def merged(items: list[Piece]) -> list[Piece]:
    """Back-to-back pieces citing the same passages become one piece with one citation."""
    out: list[Piece] = []
    for p in items:
        if out and out[-1].numbers == p.numbers and p.numbers and "\n" not in out[-1].text:
            out[-1] = Piece(_join(out[-1].text, p.text), p.numbers)
        else:
            out.append(p)
    return out


def _join(a: str, b: str) -> str:
    return a + ("" if language_of(a + b) == "zh" else " ") + b


def layout(answer: Answer) -> list[Block]:
    """Blocks to show: for a comparison, one labelled list per side (sentences naming one side go to it,
    the answerer's first two sentences are its best per side); else a list of three or more sentences."""
    items = pieces(answer.text)
    sides = comparison_sides(answer.question) if answer.citations and answer.answerer == "extractive" else []
    if len(sides) == 2 and len(items) >= 2:
        groups: list[list[Piece]] = [[], [], []]
        for i, p in enumerate(items):
            named = [n for n, side in enumerate(sides) if side.lower() in p.text.lower()]
            if len(named) == 1:
                groups[named[0]].append(p)
            elif i < 2 and not groups[i]:
                groups[i].append(p)
            else:  # an English question's sides never appear in Chinese sentences: follow the opening words
                near = [_common_prefix(p.text, g[0].text) if g else 0 for g in groups[:2]]
                best = max(range(2), key=lambda n: near[n])
                groups[best if near[best] >= 2 and near[0] != near[1] else 2].append(p)
        if groups[0] and groups[1]:
            return [Block(side, merged(g), True) for side, g in zip(sides, groups)] + \
                   ([Block(None, merged(groups[2]), True)] if groups[2] else [])
    items = merged(items)
    return [Block(None, items, len(items) >= 3 and bool(answer.citations))]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _cite_links(numbers: tuple[int, ...], turn: int, quotes: dict[int, str]) -> str:
    out = []
    for n in numbers:
        title = f' title="{inert_markdown(quotes[n])}"' if quotes.get(n) else ""
        out.append(f'<a class="cite" href="#src-{turn}-{n}"{title}>[{n}]</a>')
    return "".join(out)


def _text_html(text: str) -> str:
    """Article text for the chat, inert (``inert_markdown``): no image, link or URL of an article's
    reaches the browser."""
    return inert_markdown(text).replace("\n", "<br>")


def streaming_html(text: str, turn: int) -> str:
    """The answer while it is being written: the raw text with its citation links."""
    parts = re.split(r"\[(\d{1,3})\]", text)  # text, number, text, number, …, text
    return "".join(_cite_links((int(part),), turn, {}) if i % 2 else _text_html(part) for i, part in enumerate(parts))


def answer_html(answer: Answer, turn: int, lang: str = "en", hint: str = "", folder: Path | None = None) -> str:
    """The final answer for the chat: laid out, citations linked to cards ``src-<turn>-<n>``, notes below.
    When the articles don't cover the question, the closest passages follow as links to their cards."""
    quotes = {c.number: c.quote for c in answer.citations}
    parts = []
    if answer.abstained:
        first = answer.text.strip().splitlines()[0] if answer.text.strip() else ""
        parts.append(f"<p>{_text_html(first)}</p>")
        if hint:
            parts.append(f'<p class="hint">⚠️ {html.escape(hint)}</p>')
        if answer.passages:
            items = "".join(f'<li><a class="cite" href="#src-{turn}-c{i}">{html.escape(p.title)}</a>'
                            f'<span class="muted"> · {html.escape(p.date[:10])}</span> — '
                            f'{html.escape(_snippet(p.text))}</li>'
                            for i, p in enumerate(answer.passages[:3], 1))
            parts.append(f'<p class="muted">{html.escape(t(lang, "closest"))}</p><ul class="closest">{items}</ul>')
    else:
        caveat, answer = caveat_apart(answer)
        if caveat:
            parts.append(f'<p class="hint">⚠️ {html.escape(caveat)}</p>')
        answer = without_quotes_note(answer)  # the notice below says it
        blocks = layout(answer)
        for block in blocks:
            rendered = [_text_html(p.text) + _cite_links(p.numbers, turn, quotes) for p in block.pieces]
            label = block.label or t(lang, "other")
            heading = f'<p class="side"><strong>{html.escape(label)}</strong></p>' if len(blocks) > 1 else ""
            if block.as_list:
                parts.append(f'{heading}<ul>{"".join(f"<li>{r}</li>" for r in rendered)}</ul>')
            else:
                parts.append(f"{heading}<p>{''.join(rendered)}</p>")
        if language_of(answer.question) == "en" and answer.answerer == "extractive" and answer.citations:
            parts.append(f'<p class="notice">ⓘ {html.escape(t(lang, "quotes_chinese"))}</p>')
    # the hint says in the page's language what the filter notes say in English
    notice = "; ".join(n for n in answer.notice.split("; ") if n and not (hint and n in (FILTERED_OUT, NO_MATCH)))
    if notice:
        parts.append(f'<p class="notice">ⓘ {html.escape(notice)}</p>')
    return f'<div class="answer">{"".join(parts)}</div>'


def without_quotes_note(answer: Answer) -> Answer:
    """An English answer without its "Quoted from the Chinese articles (not translated):" line: laid out with the
    quotes, it read as the start of the first one (inside the first side's first bullet); the page and the copy
    say it once, below the answer."""
    if not answer.text.startswith(QUOTES_CHINESE):
        return answer
    return dataclasses.replace(answer, text=answer.text[len(QUOTES_CHINESE):])


def caveat_apart(answer: Answer) -> tuple[str, Answer]:
    """A doubtful answer's caveat line (without its brackets) and the answer without it: the caveat is shown
    above the sentences it qualifies, not laid out as one of them."""
    if not answer.doubtful:
        return "", answer
    caveat, _, rest = answer.text.partition("\n")
    return caveat.strip("（）() "), dataclasses.replace(answer, text=rest)


def _snippet(text: str, size: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[:size].rstrip() + "…"


def answer_plain(answer: Answer, folder: Path, lang: str = "en", hint: str = "") -> str:
    """What the copy button copies: the answer as readable text, then the numbered sources."""
    lines: list[str] = []
    if answer.abstained:
        lines.append(answer.text.strip().splitlines()[0] if answer.text.strip() else "")
        if hint:
            lines.append(hint)
        if answer.passages:
            lines += ["", t(lang, "closest")]
            lines += [f"- {_source_line(p, folder)}" for p in answer.passages[:3]]
        return "\n".join(lines)
    caveat, answer = caveat_apart(answer)
    if caveat:
        lines.append(f"({caveat})")
    answer = without_quotes_note(answer)  # said once, below
    blocks = layout(answer)
    for block in blocks:
        text = [p.text + "".join(f"[{n}]" for n in p.numbers) for p in block.pieces]
        if len(blocks) > 1:
            lines.append(f"{block.label or t(lang, 'other')}:")
        if block.as_list:
            lines += [f"- {x}" for x in text]
        else:
            lines.append(_join_all(text))
    if language_of(answer.question) == "en" and answer.answerer == "extractive" and answer.citations:
        lines.append(f"({t(lang, 'quotes_chinese')})")
    lines += ["", t(lang, "sources_copy")]
    lines += [f"[{c.number}] {_source_line(c.passage, folder)}" for c in answer.citations]
    return "\n".join(lines)


def _join_all(texts: list[str]) -> str:
    out = ""
    for x in texts:
        out = _join(out, x) if out else x
    return out


def _source_line(p: Passage, folder: Path) -> str:
    where = display_path(p.source, folder) + (f" › {p.section}" if p.section else "")
    date = f" ({p.date[:10]})" if p.date else ""
    return f"{p.title}{date} — {where}"


# -- the sources panel ---------------------------------------------------------------------

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


def source_card(card_id: str, label: str, p: Passage, quotes: list[str], folder: Path, lang: str = "en") -> str:
    meta = " · ".join(x for x in (p.date[:10], html.escape(display_path(p.source, folder))) if x)
    crumb = f'<div class="src-crumb">{html.escape(p.section)}</div>' if p.section else ""
    link = (f' · <a class="src-open" href="{html.escape(viewer_url(p, quotes[0] if quotes else ""))}" '
            f'target="_blank" rel="noopener">{html.escape(t(lang, "read_article"))} ↗</a>') if p.article_id else ""
    return (f'<div class="source" id="{card_id}"><div><b>{label} {html.escape(p.title)}</b></div>'
            f'<div class="src-meta">{meta}{link}</div>{crumb}'
            f'<div class="src-text">{highlighted(p.text, quotes)}</div></div>')


def turn_panel(answer: Answer, turn: int, folder: Path, lang: str = "en") -> str:
    """The sources of one answer (the passages read but not cited folded below them); when it
    abstained, the closest passages instead."""
    if answer.citations:
        said = claims(answer.text)
        cards = [source_card(f"src-{turn}-{c.number}", f"[{c.number}]", c.passage,
                             [c.quote, *said.get(c.number, [])], folder, lang) for c in answer.citations]
        cited = {c.passage.chunk_id for c in answer.citations}
        others = [p for p in answer.passages if p.chunk_id not in cited]
        if others:
            cards.append(f'<details class="more"><summary>{html.escape(t(lang, "also_read", n=len(others)))}'
                         f'</summary>' + "".join(source_card(f"src-{turn}-r{i}", "·", p, [], folder, lang)
                                                 for i, p in enumerate(others, 1)) + "</details>")
    elif answer.passages:
        cards = [f'<p class="muted">{html.escape(t(lang, "closest"))}</p>'] + [
            source_card(f"src-{turn}-c{i}", "·", p, [], folder, lang) for i, p in enumerate(answer.passages, 1)]
    else:
        cards = [f'<p class="muted">{html.escape(t(lang, "no_passages"))}</p>']
    return "".join(cards)


def sources_panel(turns: list[dict], lang: str = "en") -> str:
    """All turns, newest first and open; older answers' citations still find their cards."""
    if not turns:
        return empty_panel(lang)
    parts = [f'<details class="turn"{" open" if i == len(turns) else ""}><summary>Q{i}: '
             f'{html.escape(t["question"])}</summary>{t["panel"]}</details>'
             for i, t in reversed(list(enumerate(turns, 1)))]
    return f'<div class="sources-scroll">{"".join(parts)}</div>'


def messages(turns: list[dict]) -> list[dict]:
    """The chat's messages; the plain-text copy rides along (hidden) for the copy button."""
    return [m for t in turns for m in ({"role": "user", "content": inert_markdown(t["question"])},
                                       {"role": "assistant", "content": t["html"] + _copy_span(t.get("plain"))})]


def _copy_span(plain: str | None) -> str:
    if not plain:
        return ""
    return f'<span class="plain-copy" title="{html.escape(plain, quote=True).replace(chr(10), "&#10;")}"></span>'


def source_dict(p: Passage, folder: Path, number: int | None = None, quote: str = "") -> dict:
    """A passage as the gradio_client API returns it."""
    return {"number": number, "title": p.title, "date": p.date, "heading": p.heading,
            "file": display_path(p.source, folder), "quote": quote, "text": p.text, "score": round(p.score, 4)}


# -- the welcome panel and the articles tab ------------------------------------------------

def date_span(articles: list[dict], lang: str) -> str:
    dates = sorted(r["date"][:10] for r in articles if r.get("date"))
    return t(lang, "span", first=dates[0], last=dates[-1]) if dates else t(lang, "no_dates")


def welcome(articles: list[dict], passages: int, lang: str) -> str:
    if not articles:
        return t(lang, "welcome_empty")
    return t(lang, "welcome", articles=len(articles), passages=passages, span=date_span(articles, lang))


def stats_line(articles: list[dict], passages: int, lang: str) -> str:
    return t(lang, "stats", articles=len(articles), passages=passages, span=date_span(articles, lang))


def article_link(row: dict) -> str:
    """A table cell (Markdown): the title linking to the article viewer."""
    title = row["title"].replace("[", "［").replace("]", "］") or "(untitled)"
    return f"[{title}]({article_url(row['article_id'])})"


# -- indexing jobs -------------------------------------------------------------------------

def progress_text(progress: dict[str, tuple[int, int]], lang: str, every_file_new: bool = False) -> str:
    """How far a job got, from the library's phases: articles indexed (of the files found, when every
    file is new as on the first start), the share embedded, else the files checked."""
    parts = []
    files, written, embedded = (progress.get(k) for k in ("reading", "writing", "embedding"))
    if written and written[1]:
        parts.append(t(lang, "phase_writing", done=written[0], total=written[1]))
    elif every_file_new and files and files[1] and files[0] >= files[1]:
        parts.append(t(lang, "phase_writing", done=0, total=files[1]))
    elif files and files[1] and files[0] < files[1]:
        parts.append(t(lang, "phase_reading", done=files[0], total=files[1]))
    if embedded and embedded[1] and embedded[0] < embedded[1]:
        parts.append(t(lang, "phase_embedding", pct=int(100 * embedded[0] / embedded[1])))
    return " · ".join(parts) or t(lang, "preparing")


def job_line(job, lang: str, behind: str = "") -> str:
    """One line: what the job is doing (or, queued, the job it waits for: ``behind``), or how it ended."""
    name = t(lang, f"job_{job.kind}")
    if job.state == "queued":
        return t(lang, "queued", job=name, behind=behind or "…")
    if job.state == "running":
        return t(lang, "running", job=name,
                 progress=t(lang, "cancelling") if job.cancel.is_set()
                 else progress_text(job.progress, lang, every_file_new=job.kind in ("first", "rebuild")))
    if job.state == "cancelled":
        return t(lang, "cancelled", job=name)
    if job.state == "failed":
        return t(lang, "failed", job=name, error=job.error)
    return t(lang, "done", job=name, summary=job_summary(job_result(job), lang), seconds=job.seconds)


def job_result(job) -> dict:
    """A job's result as the page reads it: the watcher's runs return a bare IndexReport, a removal a
    count (nothing to show), the page's and the API's jobs a dict."""
    result = job.result
    if isinstance(result, IndexReport):
        return {"report": result}
    return result if isinstance(result, dict) else {}


def job_summary(result: dict, lang: str) -> str:
    if result.get("say"):  # (string key, values): said in the viewer's language
        key, values = result["say"]
        return t(lang, key, **values)
    report: IndexReport | None = result.get("report")
    if report is None:
        return t(lang, "nothing")
    text = t(lang, "summary", added=report.added, updated=report.updated, removed=report.removed,
             unchanged=report.unchanged)
    left_out = len(report.failed) + len(result.get("rejected", []))
    return text + (t(lang, "summary_failed", n=left_out) if left_out else "")


def job_report(job, folder: Path, lang: str, limit: int = 12) -> str:
    """Markdown: the job's line, then the articles it added, updated or removed and the files left out."""
    lines = [job_line(job, lang)]
    result = job_result(job)
    for key in ("added", "updated", "removed"):
        titles = result.get("changes", {}).get(key, [])
        if titles:
            shown = ", ".join(f"«{x}»" for x in titles[:limit])
            more = (" " + t(lang, "more", n=len(titles) - limit)) if len(titles) > limit else ""
            lines.append(f"- {t(lang, key)}: {shown}{more}")
    report: IndexReport | None = result.get("report")
    problems = [(name, reason) for name, reason in result.get("rejected", [])]
    if report:
        problems += [(display_path(p, folder), reason) for p, reason in report.failed]
    for name, why in problems[:limit]:
        lines.append(f"- ❌ {t(lang, 'left_out')} `{name}`: {reason(lang, why)}")
    if report:
        for path, why in report.warnings[:limit]:
            lines.append(f"- ⚠️ `{display_path(path, folder)}`: {reason(lang, why)}")
        for path, other in report.duplicates[:limit]:
            lines.append("- ⚠️ " + t(lang, "same_text", file=f"`{display_path(path, folder)}`",
                                      other=f"`{display_path(other, folder)}`"))
    return "\n".join(lines)


def job_history(jobs, lang: str) -> str:
    """Markdown: the finished jobs, newest first, each with the time it ended (the order of the list: a queued
    job cancelled late was listed by its end and dated by its request, out of order)."""
    import time

    return "\n".join(f"- {time.strftime('%H:%M:%S', time.localtime(j.finished or j.started or j.created))} "
                     f"{job_line(j, lang)}" for j in jobs) or "—"
