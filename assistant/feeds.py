"""RSS 2.0 and Atom feeds saved as articles: ``<articles>/feeds/<name>/<date>-<title>-<id>.md``.

Each entry becomes a Hexo-style file like the 36kr corpus (YAML front matter: title, date, link, author,
categories, feed; an HTML body), so the indexer reads it like any other article and the file stays
readable on its own. The body is the entry's full content; when the feed carries only a summary, the
linked page is fetched and its main text extracted with trafilatura (the summary is the fallback).

An entry is identified by its guid/id (else its link): one seen before with the same content is
skipped, a re-published one rewrites its file (same path), and one that leaves the feed keeps its file
(feeds list only their latest entries). Requests are conditional (ETag / Last-Modified), time-limited
and size-capped; a feed that fails (network, HTTP status, not a feed, malformed XML, too big, too slow)
gets its reason recorded and written nowhere, and the other feeds go on.

Subscriptions and their status live in ``<index>/feeds.sqlite`` beside the catalog rather than in it:
a full rebuild writes a new catalog (see ``indexer.py``), and must not forget the subscriptions.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import os
import re
import sqlite3
import threading
import time
import unicodedata
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from .catalog import thread_connection
from .errors import AssistantError, StoreError
from .results import IndexReport

USER_AGENT = "assistant-feeds/0.1 (+offline article assistant)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    name TEXT PRIMARY KEY, url TEXT UNIQUE, folder TEXT, added_at REAL, etag TEXT, modified TEXT,
    last_sync REAL, last_ok REAL, new INTEGER DEFAULT 0, updated INTEGER DEFAULT 0, failed INTEGER DEFAULT 0,
    last_error TEXT DEFAULT '');
CREATE TABLE IF NOT EXISTS feed_entries (
    feed TEXT, entry_id TEXT, path TEXT, content_hash TEXT, seen_at REAL, PRIMARY KEY (feed, entry_id));
CREATE INDEX IF NOT EXISTS feed_entries_path ON feed_entries(path);
"""


class FeedError(AssistantError):
    """One feed could not be read; the message says why."""


@dataclass
class SyncResult:
    """What one sync of one feed did. ``error`` is set when the feed could not be read at all."""

    name: str
    url: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (entry link or id, reason)
    not_modified: bool = False
    requests: int = 0
    written: list[str] = field(default_factory=list)
    error: str = ""
    index: dict | None = None  # the IndexReport of the written files

    def summary(self) -> str:
        if self.error:
            return f"{self.name}: failed: {self.error}"
        if self.not_modified:
            return f"{self.name}: not modified since the last sync"
        return (f"{self.name}: new {self.new}, updated {self.updated}, unchanged {self.unchanged}, "
                f"failed {len(self.failed)}")

    def to_dict(self) -> dict:
        return asdict(self)


class Feeds:
    """The feed subscriptions of one index: ``add``, ``list``, ``remove``, ``sync``."""

    def __init__(self, assistant):
        self.assistant = assistant
        self.settings = assistant.settings
        self.path = self.settings.index_path / "feeds.sqlite"
        self._local = threading.local()
        self.db.executescript(_SCHEMA)

    @property
    def db(self) -> sqlite3.Connection:
        return thread_connection(self._local, self.path)

    # -- subscriptions -------------------------------------------------------------------------
    def add(self, url: str, name: str | None = None, articles_dir: str | os.PathLike | None = None) -> dict:
        url = url.strip()
        if not re.match(r"https?://[^/\s]+", url):
            raise AssistantError(f"{url!r} is not an http(s) URL; give the feed's address, "
                                 "e.g. https://example.com/rss")
        name = feed_name(name or _name_from_url(url))
        if self.db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone():
            raise AssistantError(f"{url} is already subscribed; `assistant feeds list` shows it")
        if self.db.execute("SELECT 1 FROM feeds WHERE name = ?", (name,)).fetchone():
            raise AssistantError(f"a feed named {name!r} exists already; choose another with --name")
        folder = Path(articles_dir or self.settings.articles_dir).expanduser().resolve() / "feeds" / name
        self.db.execute("INSERT INTO feeds (name, url, folder, added_at) VALUES (?, ?, ?, ?)",
                        (name, url, str(folder), time.time()))
        return self.get(name)

    def get(self, name: str) -> dict:
        row = self.db.execute("SELECT name, url, folder, added_at, last_sync, last_ok, new, updated, failed, "
                              "last_error FROM feeds WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise AssistantError(f"no feed named {name!r}; `assistant feeds list` shows the feeds")
        keys = ("name", "url", "folder", "added_at", "last_sync", "last_ok", "new", "updated", "failed",
                "last_error")
        out = dict(zip(keys, row))
        out["entries"] = self.db.execute("SELECT COUNT(*) FROM feed_entries WHERE feed = ?", (name,)).fetchone()[0]
        return out

    def list(self) -> list[dict]:
        return [self.get(r[0]) for r in self.db.execute("SELECT name FROM feeds ORDER BY name")]

    def remove(self, name: str, delete_files: bool = False) -> int:
        """Forget a feed. Its saved articles stay (and stay indexed) unless ``delete_files``."""
        feed = self.get(name)
        removed = 0
        if delete_files:
            paths = [r[0] for r in self.db.execute("SELECT path FROM feed_entries WHERE feed = ?", (name,))]
            for p in paths:
                Path(p).unlink(missing_ok=True)
            removed = self.assistant.remove(paths) if paths else 0
            folder = Path(feed["folder"])
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        self.db.execute("DELETE FROM feed_entries WHERE feed = ?", (name,))
        self.db.execute("DELETE FROM feeds WHERE name = ?", (name,))
        return removed

    def source_feeds(self) -> dict[str, str]:
        """File path -> name of the feed it came from."""
        return dict(self.db.execute("SELECT path, feed FROM feed_entries"))

    # -- syncing -------------------------------------------------------------------------------
    def sync(self, names: list[str] | None = None, index: bool = True) -> list[SyncResult]:
        """Fetch the feeds (all, or ``names``), save new and changed entries, then index those files."""
        feeds = [self.get(n) for n in names] if names else self.list()
        results = [self._sync_one(feed) for feed in feeds]
        written = [p for r in results for p in r.written]
        if index and written:  # a "feeds" job: it queues behind this process's other writes
            from .jobs import Cancelled

            try:
                report = self.assistant.jobs.run(
                    "feeds", lambda progress: self.assistant.index(written, progress=progress))
            except StoreError as exc:  # another process indexed too long: a watcher picks the files up
                report = IndexReport(failed=[("(index)", str(exc))])
            except Cancelled:
                report = IndexReport(interrupted=True)
            by_path = dict(report.failed)
            # a failure of the whole step ("(index)": another process held the index) or a stop leaves every
            # saved entry unindexed: each is listed, so the exit code and the summary say so
            whole = "; ".join(reason for p, reason in report.failed if p not in written)
            if report.interrupted:
                whole = whole or "indexing stopped; the watcher or the next sync indexes it"
            for r in results:
                r.index = {"added": report.added, "updated": report.updated,
                           "chunks_embedded": report.chunks_embedded,
                           "failed": [(p, by_path.get(p) or whole) for p in r.written if p in by_path or whole]}
        return results

    def _sync_one(self, feed: dict) -> SyncResult:
        result = SyncResult(feed["name"], feed["url"])
        etag, modified = self.db.execute("SELECT etag, modified FROM feeds WHERE name = ?",
                                         (feed["name"],)).fetchone()
        try:
            with _client(self.settings) as client:
                response = fetch(client, feed["url"], self.settings, etag=etag, modified=modified)
                result.requests += 1
                if response.status == 304:
                    result.not_modified = True
                else:
                    entries = parse_feed(response, feed["url"])
                    self._save_entries(client, feed, entries[:self.settings.feed_max_entries], result)
        except FeedError as exc:
            result.error = str(exc)
        now = time.time()
        if result.error:
            self.db.execute("UPDATE feeds SET last_sync = ?, failed = 0, new = 0, updated = 0, last_error = ? "
                            "WHERE name = ?", (now, result.error, feed["name"]))
        else:
            self.db.execute(
                "UPDATE feeds SET last_sync = ?, last_ok = ?, new = ?, updated = ?, failed = ?, last_error = ?, "
                "etag = COALESCE(?, etag), modified = COALESCE(?, modified) WHERE name = ?",
                (now, now, result.new, result.updated, len(result.failed),
                 "; ".join(f"{e}: {r}" for e, r in result.failed[:3]),
                 None if result.not_modified else response.etag,
                 None if result.not_modified else response.modified, feed["name"]))
        return result

    def _save_entries(self, client, feed: dict, entries: list, result: SyncResult) -> None:
        folder = Path(feed["folder"])
        known = {r[0]: (r[1], r[2]) for r in self.db.execute(
            "SELECT entry_id, path, content_hash FROM feed_entries WHERE feed = ?", (feed["name"],))}
        for entry in entries:
            entry_id = (entry.get("id") or entry.get("link")
                        or _hash(entry.get("title", "") + entry.get("published", "")))
            label = entry.get("link") or entry_id
            previous = known.get(entry_id)
            try:
                body = _entry_body(client, entry, self.settings, result)
                text = hexo_article(entry, body, feed["name"])
                digest = _hash(text)
                if previous and previous[1] == digest and Path(previous[0]).is_file():
                    result.unchanged += 1
                    continue
                path = Path(previous[0]) if previous else folder / entry_file_name(entry, entry_id)
                write_atomic(path, text)
            except (FeedError, OSError) as exc:
                result.failed.append((label, str(exc)))
                continue
            self.db.execute("INSERT OR REPLACE INTO feed_entries (feed, entry_id, path, content_hash, seen_at) "
                            "VALUES (?, ?, ?, ?, ?)", (feed["name"], entry_id, str(path), digest, time.time()))
            result.written.append(str(path))
            if previous:
                result.updated += 1
            else:
                result.new += 1


def sync_feeds(assistant, names: list[str] | None = None) -> list[SyncResult]:
    return assistant.feeds.sync(names)


# -- HTTP ------------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    etag: str | None
    modified: str | None
    url: str


def _client(settings):
    import httpx

    timeout = httpx.Timeout(settings.feed_timeout, connect=min(10.0, settings.feed_timeout))
    return httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT},
                        trust_env=False)


def fetch(client, url: str, settings, etag: str | None = None, modified: str | None = None) -> Response:
    """GET with a time limit for the whole response and a size cap; FeedError says what went wrong."""
    import httpx

    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    limit = int(settings.feed_max_mb * 1_000_000)
    deadline = time.monotonic() + settings.feed_timeout
    try:
        with client.stream("GET", url, headers=headers) as r:
            if r.status_code == 304:
                return Response(304, b"", "", etag, modified, str(r.url))
            if r.status_code >= 400:
                raise FeedError(f"HTTP {r.status_code} {r.reason_phrase} from {url}")
            declared = r.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FeedError(f"{url} is {int(declared) / 1e6:.1f} MB, over the {settings.feed_max_mb:g} MB "
                                "limit (ASSISTANT_FEED_MAX_MB)")
            chunks, size = [], 0
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FeedError(f"{url} sent more than {settings.feed_max_mb:g} MB; stopped reading "
                                    "(ASSISTANT_FEED_MAX_MB)")
                if time.monotonic() > deadline:
                    raise FeedError(f"{url} took longer than {settings.feed_timeout:g} s; stopped reading "
                                    "(ASSISTANT_FEED_TIMEOUT)")
                chunks.append(chunk)
            return Response(r.status_code, b"".join(chunks), r.headers.get("content-type", ""),
                            r.headers.get("etag"), r.headers.get("last-modified"), str(r.url))
    except httpx.TimeoutException:
        raise FeedError(f"{url} did not answer within {settings.feed_timeout:g} s (ASSISTANT_FEED_TIMEOUT)") from None
    except httpx.HTTPError as exc:
        raise FeedError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from None


def parse_feed(response: Response, url: str) -> list:
    """The entries of an RSS/Atom document, newest first; FeedError when it is not a readable feed."""
    import feedparser

    parsed = feedparser.parse(response.body, response_headers={"content-type": response.content_type or
                                                               "application/xml"})
    problem = parsed.get("bozo_exception")
    if not parsed.get("version"):
        what = response.content_type.split(";")[0] or "unknown content type"
        detail = f": {_short(problem)}" if problem else ""
        raise FeedError(f"{url} is not an RSS or Atom feed (the server sent {what}{detail})")
    if problem is not None and not isinstance(problem, feedparser.CharacterEncodingOverride):
        raise FeedError(f"{url} is malformed XML ({_short(problem)}); nothing saved from it")
    entries = list(parsed.entries)
    entries.sort(key=lambda e: _entry_time(e) or 0, reverse=True)
    return entries


def _short(exc) -> str:
    return str(getattr(exc, "getMessage", lambda: exc)())[:200] if exc else ""


# -- entries -> files --------------------------------------------------------------------------------

def _entry_body(client, entry, settings, result: SyncResult) -> str:
    """The entry's HTML: its full content; else the linked page's main text; else its summary."""
    contents = [c for c in entry.get("content", []) if c.get("value", "").strip()]
    if contents:
        return max(contents, key=lambda c: len(c["value"]))["value"]
    summary = entry.get("summary", "")
    link = entry.get("link", "")
    if link.startswith(("http://", "https://")):
        try:
            page = fetch(client, link, settings)
            result.requests += 1
            extracted = extract_page(page)
            if extracted:
                return extracted
        except FeedError:
            if not summary.strip():
                raise
    if not summary.strip():
        raise FeedError("the entry has no content, no summary and no readable page")
    return summary


def extract_page(page: Response) -> str:
    """Main text of a web page as simple HTML (paragraphs, headings, lists) via trafilatura."""
    import trafilatura

    text = page.body.decode("utf-8", errors="replace")
    out = trafilatura.extract(text, url=page.url, output_format="html", include_comments=False,
                              include_tables=True, include_images=False, include_formatting=True,
                              favor_precision=True)
    return out or ""


def hexo_article(entry, body_html: str, feed: str) -> str:
    """The entry as a Hexo post: YAML front matter, then the HTML body."""
    tags = [t.get("term", "") for t in entry.get("tags", []) if t.get("term")]
    meta = {
        "title": _plain(entry.get("title", "")) or "(untitled)",
        "date": _iso(_entry_time(entry)),
        "link": entry.get("link", ""),
        "author": _plain(entry.get("author", "")),
        "categories": [feed, *dict.fromkeys(tags)],
        "feed": feed,
    }
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{body_html.strip()}\n"


def entry_file_name(entry, entry_id: str) -> str:
    stamp = time.strftime("%Y%m%d", time.gmtime(_entry_time(entry) or time.time()))
    title = unicodedata.normalize("NFC", _plain(entry.get("title", "")))
    slug = re.sub(r"[^\w]+", "-", title).strip("-_")[:40] or "entry"
    return f"{stamp}-{slug}-{_hash(entry_id)[:8]}.md"


def feed_name(name: str) -> str:
    """A folder name for a feed: letters, digits, ``.-_``; never hidden or ``_``-prefixed (skipped by
    the indexer)."""
    clean = re.sub(r"[^\w.-]+", "-", unicodedata.normalize("NFC", name)).strip("-._")[:60]
    if not clean:
        raise AssistantError(f"{name!r} cannot be a feed name; use letters and digits")
    return clean


def write_atomic(path: Path, text: str) -> None:
    """Write beside the target under a hidden name, then rename: a watcher never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def _name_from_url(url: str) -> str:
    from urllib.parse import urlparse

    u = urlparse(url)
    path = re.sub(r"\.(xml|rss|atom)$", "", u.path.strip("/"))
    return f"{u.hostname or 'feed'}-{path}" if path else (u.hostname or "feed")


def _entry_time(entry) -> float | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return float(calendar.timegm(value))
    return None


def _iso(ts: float | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else ""


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text or ""))).strip()


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
