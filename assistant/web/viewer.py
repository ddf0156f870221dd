"""The article viewer: ``/articles/{id}?start=&end=&quote=`` shows the whole article (title, date, file,
headings) with the cited passage highlighted, its quoted sentence marked, and scrolled into view.
Self-contained HTML (no scripts or styles from elsewhere: it works offline); article text is escaped."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from .. import Assistant
from .auth import Guard, Refusal
from .render import display_path

PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 16px/1.75 system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", sans-serif; color: #1f2328;
       max-width: 46em; margin: 2em auto; padding: 0 1.2em; }}
.meta {{ color: #656d76; font-size: .9em; margin-bottom: 1.5em; }}
.cited {{ background: rgba(255, 214, 0, .18); box-shadow: -6px 0 0 #e0a800; }}
mark.quote {{ background: #ffc400; color: inherit; padding: 0 2px; border-radius: 3px; }}
.stale {{ border: 1px solid #d4a72c; background: #fff8c5; padding: .5em .8em; border-radius: 6px; }}
blockquote {{ border-left: 4px solid #d0d7de; margin-left: 0; padding-left: 1em; color: #57606a; }}
</style></head>
<body><article><h1>{title}</h1><div class="meta">{meta}</div>{stale}{body}</article>
<script>const c = document.getElementById("cited"); if (c) c.scrollIntoView({{block: "center"}});</script>
</body></html>"""

TAGS = {"heading": "h{level}", "paragraph": "p", "item": "li", "quote": "blockquote"}


def marked(text: str, offset: int, ranges: list[tuple[int, int, str]], first: list[bool]) -> str:
    """``text`` (which starts at ``offset`` in the article) as HTML, the parts inside each
    (start, end, css class) range wrapped in a span or mark; the first cited piece gets id="cited"."""
    cuts = sorted({0, len(text)} | {min(max(x - offset, 0), len(text)) for s, e, _ in ranges for x in (s, e)})
    out = []
    for lo, hi in zip(cuts, cuts[1:]):
        piece = html.escape(text[lo:hi])
        inside = {cls for start, end, cls in ranges if start <= offset + lo and offset + hi <= end}
        if "quote" in inside:
            piece = f'<mark class="quote">{piece}</mark>'
        if inside:
            anchor = ' id="cited"' if first[0] else ""
            first[0] = False
            piece = f'<span class="{"cited" if "cited" in inside else "quoted"}"{anchor}>{piece}</span>'
        out.append(piece)
    return "".join(out)


def page(full: dict, folder: Path, start: int | None, end: int | None, quote: str) -> str:
    text = full["text"]
    ranges: list[tuple[int, int, str]] = []
    if start is not None and end is not None and 0 <= start < end:
        ranges.append((start, end, "cited"))
        at = text.find(quote, start, end + 1) if quote else -1
        if at >= 0:
            ranges.append((at, at + len(quote), "quote"))
    elif quote and (at := text.find(quote)) >= 0:
        ranges.append((at, at + len(quote), "quote"))
    first = [True]
    blocks = full["blocks"] or [{"kind": "paragraph", "level": 0, "text": line, "start": pos, "end": pos + len(line)}
                                for line, pos in _lines(text)]
    body, in_list = [], False
    for b in blocks:
        if (b["kind"] == "item") != in_list:
            body.append("<ul>" if not in_list else "</ul>")
            in_list = not in_list
        tag = TAGS.get(b["kind"], "p").format(level=min(max(b["level"], 1) + 1, 6))
        body.append(f"<{tag}>{marked(b['text'], b['start'], ranges, first)}</{tag}>")
    if in_list:
        body.append("</ul>")
    meta = " · ".join(html.escape(x) for x in (full["date"][:10], ", ".join(full["categories"]),
                                               display_path(full["source"], folder)) if x)
    stale = ('<p class="stale">The file changed or is gone since it was indexed: showing the indexed passages. '
             'Re-index the folder to see the current text.</p>') if not full["current"] else ""
    return PAGE.format(title=html.escape(full["title"]), meta=meta, stale=stale, body="\n".join(body))


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            yield line, pos
        pos += len(line) + 1


def _offset(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def refused(refusal: Refusal) -> HTMLResponse:
    """The page for a request ``Guard.admit`` refused: a person follows these links, so HTML, not JSON."""
    if refusal.status == 429:  # Retry-After as on /api; the detail says how long
        text = html.escape(refusal.detail[0].upper() + refusal.detail[1:]) + "."
    else:
        text = 'Log in first: <a href="/">open the assistant</a>, then follow the link again.'
    return HTMLResponse(f"<p>{text}</p>", status_code=refusal.status, headers=refusal.headers)


def router(a: Assistant, guard: Guard) -> APIRouter:
    folder = Path(a.settings.articles_dir).expanduser().resolve()
    views = APIRouter(tags=["article viewer"])

    @views.get("/articles/{article_id}", response_class=HTMLResponse)
    def article_page(request: Request, article_id: str, start: str | None = Query(None, description="offset"),
                     end: str | None = Query(None, description="offset"), quote: str = Query("")):
        """The article as a page, the passage [start, end) highlighted and ``quote`` marked within it. A
        link mangled on its way (offsets that are not numbers, a cut quote) still opens the article, unmarked
        where it cannot be read: a person follows it, and a page beats a JSON error."""
        refusal = guard.admit(request.headers, request.cookies, request.client.host if request.client else "?")
        if refusal is not None:  # the API's rule: HTTP Basic shares the login's count and lockout
            return refused(refusal)
        full = a.article(article_id)
        if full is None:
            return HTMLResponse(f"<p>No article {html.escape(article_id)} in the index.</p>", status_code=404)
        return HTMLResponse(page(full, folder, _offset(start), _offset(end), quote[:2000]))

    return views
