"""A real HTTP server on 127.0.0.1 serving feeds and pages we write ourselves (tests and benchmarks).

Routes are set per path: body, content type, status, an optional delay and drip-feeding (a slow server),
and ETag / Last-Modified answered with 304 when the client sends them back. Every request is logged.
Feeds are built from our own demo articles (examples/articles), never from the shared corpus.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "examples" / "articles"


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    delay: float = 0.0  # before the headers
    drip: float = 0.0  # seconds between 1 KB pieces of the body
    conditional: bool = True  # ETag / Last-Modified and 304s
    modified: float = 0.0


class FeedServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, int, dict]] = []  # (path, status, request headers)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                route = server.routes.get(self.path)
                if route is None:
                    return self._send(404, b"not found", "text/plain", {})
                if route.delay:
                    time.sleep(route.delay)
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                modified = formatdate(route.modified or 0, usegmt=True)
                headers = {"ETag": etag, "Last-Modified": modified} if route.conditional else {}
                if route.conditional and (self.headers.get("If-None-Match") == etag
                                          or self.headers.get("If-Modified-Since") == modified
                                          and not self.headers.get("If-None-Match")):
                    return self._send(304, b"", route.content_type, headers)
                self._send(route.status, route.body, route.content_type, headers, route.drip)

            def _send(self, status, body, content_type, headers, drip=0.0):
                server.log.append((self.path, status, dict(self.headers)))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if not drip:
                    self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if status == 304:
                    return
                try:
                    if drip:
                        for i in range(0, len(body), 1024):
                            self.wfile.write(body[i:i + 1024])
                            self.wfile.flush()
                            time.sleep(drip)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def set(self, path: str, body: str | bytes, **kw) -> str:
        self.routes[path] = Route(body.encode("utf-8") if isinstance(body, str) else body,
                                  modified=time.time(), **kw)
        return self.url + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _, _ in self.log if p == path)


# -- feeds made from our demo articles -------------------------------------------------------------

def demo_entries(n_paragraphs: int = 2) -> list[dict]:
    """One entry per demo article: its title and first paragraphs (HTML), a date and a link."""
    out = []
    for i, path in enumerate(sorted(DEMO.glob("0*.md"))):
        text = path.read_text("utf-8")
        title = re.search(r"^title: '(.*)'$", text, re.M).group(1)
        paragraphs = re.findall(r"<p>.*?</p>", text, re.S)
        out.append({"id": f"urn:demo:{path.stem}", "slug": path.stem, "title": title,
                    "html": "\n".join(paragraphs[:n_paragraphs]), "all_html": "\n".join(paragraphs),
                    "date": 1626000000 + i * 86400, "author": "示例作者", "tags": ["示例", f"主题{i + 1}"]})
    return out


def rss(entries: list[dict], base: str, full: bool = True) -> str:
    items = []
    for e in entries:
        body = (f"<content:encoded><![CDATA[{e['html']}]]></content:encoded>" if full
                else f"<description>{escape(e.get('summary', ''))}</description>")
        cats = "".join(f"<category>{escape(t)}</category>" for t in e.get("tags", []))
        items.append(f"<item><title>{escape(e['title'])}</title><link>{base}/posts/{e['slug']}.html</link>"
                     f"<guid isPermaLink=\"false\">{e['id']}</guid><pubDate>{formatdate(e['date'], usegmt=True)}"
                     f"</pubDate><author>{escape(e['author'])}</author>{cats}{body}</item>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>示例频道</title>'
            f'<link>{base}/</link><description>demo</description>{"".join(items)}</channel></rss>')


def atom(entries: list[dict], base: str) -> str:
    """An Atom feed with summaries only: the text is on the linked pages."""
    items = []
    for e in entries:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(e["date"]))
        items.append(f"<entry><title>{escape(e['title'])}</title><id>{e['id']}</id>"
                     f"<link href=\"{base}/pages/{e['slug']}.html\"/><updated>{stamp}</updated>"
                     f"<author><name>{escape(e['author'])}</name></author>"
                     f"<summary>{escape(e.get('summary') or e['title'])}</summary></entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>示例 Atom</title><id>{base}/atom</id><updated>2021-07-20T00:00:00Z</updated>'
            f'{"".join(items)}</feed>')


def page(entry: dict) -> str:
    """A web page around the article, with navigation and footer noise the extraction must drop."""
    nav = "".join(f"<li><a href='/c/{i}'>栏目导航{i}</a></li>" for i in range(12))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(entry['title'])}</title></head>"
            f"<body><nav><ul>{nav}</ul></nav><main><article><h1>{escape(entry['title'])}</h1>"
            f"{entry['all_html']}</article></main><footer><p>版权所有 示例站点 · 京ICP备00000000号 · "
            "联系我们 · 隐私政策</p></footer></body></html>")
