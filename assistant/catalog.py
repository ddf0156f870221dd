"""The index's SQLite side: which articles are indexed, their passages, and the BM25 keyword index.

Chroma holds the vectors; this file (``assistant.sqlite``) is the source of truth for what is
committed. An article becomes visible to search in one SQLite transaction, so a crash can never show
half an article: vectors Chroma holds without a committed passage row are ignored by search and
removed by the next indexing run (see ``pending``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .articles import Article
from .chunking import Chunk
from .errors import StoreError
from .keywords import fts_query
from .migrations import LATEST, damaged, migrate

SCHEMA_VERSION = str(LATEST)  # how many steps of migrations.py the catalog has run

# NORMAL, measured against FULL (benchmarks/durability.py, 60 articles with cached vectors: 93 vs 138 ms
# per article; FULL would add ≈3% to a cold index and ≈5% to adding one article). With WAL, NORMAL never
# corrupts the file; a power cut can only roll back the last commits, as a whole suffix of them, which
# leaves a consistent index (the journal in `pending` is replayed) whose next `assistant index` run
# indexes those articles again. Set FULL here if a counted article must survive a power cut.
SYNCHRONOUS = "NORMAL"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, source TEXT UNIQUE, content_hash TEXT, title TEXT, date TEXT,
    date_ts INTEGER, categories TEXT, author TEXT, n_chunks INTEGER, chars INTEGER,
    indexed_at REAL, warnings TEXT, fingerprint TEXT);
CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles(fingerprint);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE, article_id TEXT, position INTEGER,
    start INTEGER, end INTEGER, headings TEXT, text TEXT, embed_hash TEXT);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS pending (article_id TEXT PRIMARY KEY, ids TEXT);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL, rating TEXT, question TEXT, answer TEXT,
    citations TEXT, settings TEXT, comment TEXT);
CREATE TABLE IF NOT EXISTS file_failures (source TEXT PRIMARY KEY, reason TEXT, at REAL);
"""


def quick_check(path: Path) -> list[str]:
    """SQLite's own check of a database file (``PRAGMA quick_check``): empty when its pages are sound."""
    try:
        db = sqlite3.connect(path, timeout=60)
        try:
            rows = [r[0] for r in db.execute("PRAGMA quick_check")]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return [f"{path}: {exc}"]
    return [] if rows == ["ok"] else [f"{path}: {r}" for r in rows[:5]]


# SQLite's primary result codes for a file whose bytes are not a sound database. Every other error
# (locked, busy, cannot open, read-only, disk full, I/O) is about reaching a file that may be fine.
_CORRUPT_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB


def is_corrupt(exc: sqlite3.Error) -> bool:
    """True when SQLite says the file itself is damaged ("file is not a database", "malformed"): only
    such a file may be set aside. A locked or unreadable one belongs to someone and must stay."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _CORRUPT_CODES
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def unusable(path: Path, exc: sqlite3.Error) -> StoreError:
    """The one-line message for a database file SQLite cannot use now, though it may be sound."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (5, 6) or "locked" in str(exc):  # SQLITE_BUSY, SQLITE_LOCKED
        return StoreError(f"{path} is locked by another process ({exc}); wait until it has finished (or stop it) "
                          "and try again")
    return StoreError(f"cannot use {path} ({exc}); check that you may read and write it and its folder (the index "
                      "writes its journal even to answer questions) and that the disk is not full")


def sqlite_problem(path: Path, exc: sqlite3.Error) -> StoreError:
    """``damaged`` for a corrupt file, ``unusable`` for one that cannot be reached."""
    return damaged(path, exc) if is_corrupt(exc) else unusable(path, exc)


def thread_connection(local: threading.local, path: Path) -> sqlite3.Connection:
    """This thread's connection to one of the small SQLite files beside the index generations
    (feeds.sqlite, feedback.sqlite): autocommit, WAL, created on first use. Switching a new file to WAL can be
    refused at once ("database is locked", no busy wait) while another process creates the same file — the app's
    first rating beside `assistant feedback`: it is tried again for up to 10 s (the rating was lost)."""
    db = getattr(local, "db", None)
    if db is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        deadline = time.monotonic() + 10
        while True:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    db.close()
                    raise
                time.sleep(0.05)
        local.db = db
    return db


@dataclass
class ArticleRow:
    article_id: str
    source: str
    content_hash: str
    title: str
    date: str
    categories: list[str]
    n_chunks: int
    chars: int
    indexed_at: float


@dataclass
class ChunkRow:
    chunk_id: str
    article_id: str
    position: int
    start: int
    end: int
    headings: list[str]
    text: str
    embed_hash: str
    source: str
    title: str
    date: str
    categories: list[str]


class Catalog:
    """The narrow interface the rest of the assistant sees (articles, passages, BM25, meta, pending
    writes). Moving the catalog to another database (docs/scaling.md) means reimplementing this class.

    ``keyword_max_df`` / ``keyword_max_postings``: BM25 in FTS5 reads the whole posting list of every
    query token (for its IDF too), so a token in 60% of a million passages costs ~1 s. Query tokens are
    taken rarest first; a token is left out of the keyword query when it sits in more than
    ``keyword_max_df`` of all passages, or when it would take the posting lists read past
    ``keyword_max_postings`` (the rarest token, and any token in at most ``CHEAP_POSTINGS`` passages, are
    always kept: small indexes search exactly as without the caps). See benchmarks/scale.py, the README.
    """

    ROWID_LOOKUPS_BELOW = 50  # passages: a keyword search within fewer looks each one up (keyword_search)
    EXACT_DF_BELOW = 20_000  # passages; above, document frequencies are cached (see doc_freq)
    CHEAP_POSTINGS = 1_000  # a token in fewer passages costs nothing worth saving: never left out

    def __init__(self, path: Path, keyword_max_df: float = 1.0, keyword_max_postings: int = 0):
        self.path = path
        self.keyword_max_df = keyword_max_df
        self.keyword_max_postings = keyword_max_postings
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._df: dict[str, int] = {}  # document frequency by token, for big indexes (see doc_freq)
        self._df_n = 0
        self._df_lock = threading.Lock()
        try:
            self.schema_found = migrate(self.db, path, _SCHEMA)
        except sqlite3.DatabaseError as exc:  # random bytes, a truncated file: say what to do
            self.close()
            raise sqlite_problem(path, exc) from None
        except StoreError as exc:
            self.close()
            cause = exc.__context__  # migrate calls every SQLite error "damaged", a locked file too
            if isinstance(cause, sqlite3.DatabaseError) and not is_corrupt(cause):
                raise unusable(path, cause) from None
            raise

    @property
    def db(self) -> sqlite3.Connection:
        """One connection per thread; WAL lets searches read while an indexing run writes."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
            except sqlite3.DatabaseError as exc:
                db.close()
                raise sqlite_problem(self.path, exc) from None
            self._local.db = db
        return db

    def integrity(self) -> list[str]:
        return quick_check(self.path)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- articles ---------------------------------------------------------------------------
    def articles(self) -> list[ArticleRow]:
        rows = self.db.execute(
            "SELECT article_id, source, content_hash, title, date, categories, n_chunks, chars, "
            "indexed_at FROM articles ORDER BY date DESC, title"
        ).fetchall()
        return [ArticleRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "[]"), r[6], r[7], r[8])
                for r in rows]

    def article(self, article_id: str) -> ArticleRow | None:
        r = self.db.execute(
            "SELECT article_id, source, content_hash, title, date, categories, n_chunks, chars, "
            "indexed_at FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        return ArticleRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "[]"), r[6], r[7], r[8]) if r else None

    def article_by_source(self) -> dict[str, tuple[str, str]]:
        """source path -> (article_id, content_hash)."""
        return {s: (a, h) for a, s, h in self.db.execute("SELECT article_id, source, content_hash FROM articles")}

    def sources_with_fingerprint(self, fingerprint: str) -> list[str]:
        """Sources of articles with the same title and text (duplicates under other names)."""
        return [r[0] for r in self.db.execute("SELECT source FROM articles WHERE fingerprint = ?", (fingerprint,))]

    def chunk_ids(self, article_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT chunk_id FROM chunks WHERE article_id = ?", (article_id,))]

    def all_chunk_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT chunk_id FROM chunks")}

    def counts(self) -> tuple[int, int]:
        articles = self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        return articles, self.passage_count()

    def passage_count(self) -> int:
        """COUNT(*) scans the table (~50 ms at 1M passages): counted again only after a write, by this
        connection (total_changes) or another one (data_version)."""
        db = self.db
        key = (db.execute("PRAGMA data_version").fetchone()[0], db.total_changes)
        cached = getattr(self._local, "count", None)
        if cached is None or cached[0] != key:
            cached = (key, db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
            self._local.count = cached
        return cached[1]

    def commit_article(self, article: Article, chunks: Sequence[Chunk], tokens: Sequence[list[str]]) -> None:
        """Replace the article's passages and keyword rows in one transaction (the commit point)."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            self._delete_article_rows(article.article_id)
            db.execute("DELETE FROM articles WHERE source = ?", (article.path,))
            db.execute(
                "INSERT INTO articles (article_id, source, content_hash, title, date, date_ts, categories, "
                "author, n_chunks, chars, indexed_at, warnings, fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (article.article_id, article.path, article.content_hash, article.title, article.date,
                 article.date_ts, json.dumps(article.categories, ensure_ascii=False), article.author,
                 len(chunks), len(article.text), time.time(),
                 json.dumps(article.warnings, ensure_ascii=False), article.fingerprint),
            )
            for chunk, toks in zip(chunks, tokens):
                cur = db.execute(
                    "INSERT INTO chunks (chunk_id, article_id, position, start, end, headings, text, embed_hash) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    (chunk.chunk_id, chunk.article_id, chunk.position, chunk.start, chunk.end,
                     json.dumps(chunk.headings, ensure_ascii=False), chunk.text, chunk.text_hash),
                )
                db.execute("INSERT INTO chunks_fts (rowid, tokens) VALUES (?, ?)", (cur.lastrowid, " ".join(toks)))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def remove_article(self, article_id: str) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            self._delete_article_rows(article_id)
            db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _delete_article_rows(self, article_id: str) -> None:
        self.db.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE article_id = ?)",
                        (article_id,))
        self.db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))

    def reset(self) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        for table in ("articles", "chunks", "chunks_fts", "pending"):
            db.execute(f"DELETE FROM {table}")
        db.execute("DELETE FROM meta WHERE key != 'schema_version'")
        db.execute("COMMIT")

    # -- files the last runs could not index (per-file status) --------------------------------
    def record_failures(self, failed: Sequence[tuple[str, str]]) -> None:
        """Keep the reasons of this run's failures; forget those of files since indexed or gone."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM file_failures WHERE source IN (SELECT source FROM articles)")
            gone = [r[0] for r in db.execute("SELECT source FROM file_failures") if not Path(r[0]).exists()]
            db.executemany("DELETE FROM file_failures WHERE source = ?", [(g,) for g in gone])
            now = time.time()
            db.executemany("INSERT OR REPLACE INTO file_failures (source, reason, at) VALUES (?, ?, ?)",
                           [(source, reason, now) for source, reason in failed])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def failures(self) -> dict[str, tuple[str, float]]:
        """source -> (reason, time)."""
        return {s: (r, t) for s, r, t in self.db.execute("SELECT source, reason, at FROM file_failures")}

    def warnings(self) -> dict[str, list[str]]:
        """source -> the warnings its last indexing gave (e.g. broken front matter, ignored), for the
        articles that had some; indexing the file again replaces them."""
        found = {}
        for source, text in self.db.execute("SELECT source, warnings FROM articles "
                                            "WHERE warnings IS NOT NULL AND warnings NOT IN ('', '[]')"):
            try:
                listed = json.loads(text)
            except ValueError:
                listed = [text]
            if listed:
                found[source] = [str(w) for w in (listed if isinstance(listed, list) else [listed])]
        return found

    def indexed_times(self) -> dict[str, tuple[float, str]]:
        """source -> (indexed_at, content_hash)."""
        return {s: (t, h) for s, t, h in self.db.execute("SELECT source, indexed_at, content_hash FROM articles")}

    # -- the journal of vector writes not yet matched by a commit ---------------------------
    def add_pending(self, article_id: str, ids: Iterable[str]) -> None:
        self.db.execute("INSERT OR REPLACE INTO pending (article_id, ids) VALUES (?, ?)",
                        (article_id, json.dumps(sorted(set(ids)))))

    def pending(self) -> dict[str, list[str]]:
        return {a: json.loads(ids) for a, ids in self.db.execute("SELECT article_id, ids FROM pending")}

    def clear_pending(self, article_id: str) -> None:
        self.db.execute("DELETE FROM pending WHERE article_id = ?", (article_id,))

    # -- reading passages --------------------------------------------------------------------
    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        out: dict[str, ChunkRow] = {}
        ids = list(dict.fromkeys(chunk_ids))
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows = self.db.execute(
                "SELECT c.chunk_id, c.article_id, c.position, c.start, c.end, c.headings, c.text, c.embed_hash, "
                "a.source, a.title, a.date, a.categories FROM chunks c JOIN articles a USING (article_id) "
                f"WHERE c.chunk_id IN ({','.join('?' * len(part))})", part,
            )
            for r in rows:
                out[r[0]] = ChunkRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], r[8], r[9],
                                     r[10], json.loads(r[11] or "[]"))
        return out

    def article_chunks(self, article_id: str) -> list[ChunkRow]:
        ids = [r[0] for r in self.db.execute(
            "SELECT chunk_id FROM chunks WHERE article_id = ? ORDER BY position", (article_id,))]
        rows = self.chunks(ids)
        return [rows[i] for i in ids]

    def keyword_tokens(self, tokens: Sequence[str]) -> list[str]:
        """The query tokens BM25 scores: without the very common ones (see the class docstring)."""
        return self._keyword_plan(tokens)[0]

    def _keyword_plan(self, tokens: Sequence[str]) -> tuple[list[str], dict[str, int]]:
        """``keyword_tokens`` and the document frequencies of those the index holds as tokens."""
        unique = list(dict.fromkeys(tokens))
        df, n = self.doc_freq(unique)
        if len(unique) < 2 or (self.keyword_max_df >= 1 and not self.keyword_max_postings):
            return unique, df
        keep: set[str] = set()
        postings = 0
        for token in sorted((t for t in unique if df.get(t)), key=lambda t: df[t]):
            if keep and df[token] > self.CHEAP_POSTINGS and (
                    df[token] > self.keyword_max_df * n
                    or (self.keyword_max_postings and postings + df[token] > self.keyword_max_postings)):
                break
            keep.add(token)
            postings += df[token]
        # tokens the vocabulary does not know cost nothing (or are phrases FTS5 splits): kept
        return [t for t in unique if t in keep or not df.get(t)], df

    def keyword_search(self, tokens: list[str], n: int, article_ids: set[str] | None = None,
                       rowids: list[int] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) best first; higher is better. ``article_ids`` restricts the search;
        ``rowids``, their passages (``chunks_of``), lets a search within a few passages look each one up
        (FTS5 matches per rowid, ~0.6 ms each) instead of joining every match of the whole index with
        the filter (~70 ms at 1M passages)."""
        query = fts_query(*self._keyword_plan(tokens))
        if not query:
            return []
        if rowids is not None and len(rowids) <= self.ROWID_LOOKUPS_BELOW:
            return [(r[0], float(r[1])) for r in self.db.execute(
                "SELECT c.chunk_id, -bm25(chunks_fts) FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
                "WHERE chunks_fts MATCH ? AND chunks_fts.rowid IN (SELECT value FROM json_each(?)) "
                "ORDER BY bm25(chunks_fts) LIMIT ?", (query, json.dumps(rowids), n))] if rowids else []
        if article_ids is None:  # rank inside FTS5, join only the n best: 25-30% faster at 100k passages
            return [(r[0], float(r[1])) for r in self.db.execute(
                "SELECT c.chunk_id, -f.rank FROM (SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ? "
                "ORDER BY rank LIMIT ?) f JOIN chunks c ON c.rowid = f.rowid ORDER BY f.rank", (query, n))]
        sql = ("SELECT c.chunk_id, -bm25(chunks_fts) AS score FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
               "WHERE chunks_fts MATCH ?")
        params: list = [query]
        if article_ids is not None:
            if not article_ids:
                return []
            # one JSON parameter, not one per id: a filter may name more articles than SQLite has variables
            sql += " AND c.article_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(article_ids)))
        sql += " ORDER BY bm25(chunks_fts) LIMIT ?"
        params.append(n)
        return [(r[0], float(r[1])) for r in self.db.execute(sql, params)]

    def doc_freq(self, tokens: Sequence[str]) -> tuple[dict[str, int], int]:
        """How many passages contain each token, and how many passages there are (for IDF weights)."""
        unique = list(dict.fromkeys(tokens))
        if not unique:
            return {}, 0
        n = self.passage_count()
        if n < self.EXACT_DF_BELOW:  # exact and cheap
            return self._vocab(unique), n
        # counting a common token reads its whole posting list (~100 ms at 1M passages): counts are
        # kept while the index stays within 2% of the size they were counted at
        with self._df_lock:
            if abs(n - self._df_n) > 0.02 * max(self._df_n, 1):
                self._df.clear()
                self._df_n = n
            missing = [t for t in unique if t not in self._df]
        if missing:
            found = self._vocab(missing)
            with self._df_lock:
                self._df.update({t: found.get(t, 0) for t in missing})
        with self._df_lock:
            return {t: self._df[t] for t in unique if self._df.get(t)}, n

    def vocabulary(self) -> list[str]:
        """Every keyword token of the index (for reading romanised names, crosslingual.py)."""
        return [row[0] for row in self.db.execute("SELECT term FROM chunks_vocab")]

    def bracketed_articles(self) -> list[str]:
        """The text of each article that has a bracket (where articles give a name's translation,
        crosslingual.article_aliases), its headings (each once: "9.《把事情做好》（Getting Things Done）") and its
        passages joined."""
        rows = self.db.execute(
            "SELECT article_id, headings, text FROM chunks WHERE article_id IN (SELECT DISTINCT article_id FROM chunks "
            "WHERE instr(text, '（') OR instr(text, '(') OR instr(headings, '（') OR instr(headings, '(')) "
            "ORDER BY article_id, position")
        articles: dict[str, tuple[dict[str, None], list[str]]] = {}
        for article_id, headings, text in rows:
            heads, texts = articles.setdefault(article_id, ({}, []))
            heads.update(dict.fromkeys(json.loads(headings or "[]")))
            texts.append(text)
        return ["\n".join([*heads, *texts]) for heads, texts in articles.values()]

    def titles(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT title FROM articles")]

    def _vocab(self, tokens: list[str]) -> dict[str, int]:
        rows = self.db.execute(
            f"SELECT term, doc FROM chunks_vocab WHERE term IN ({','.join('?' * len(tokens))})", tokens)
        return dict(rows.fetchall())

    def chunks_of(self, article_ids: set[str], limit: int) -> list[tuple[int, str]] | None:
        """(rowid, chunk_id) of the articles' passages, or None when there are more than ``limit``."""
        rows = self.db.execute(
            "SELECT rowid, chunk_id FROM chunks WHERE article_id IN (SELECT value FROM json_each(?)) LIMIT ?",
            (json.dumps(sorted(article_ids)), limit + 1)).fetchall()
        return None if len(rows) > limit else [(r[0], r[1]) for r in rows]

    def filter_articles(self, date_from: int | None = None, date_to: int | None = None,
                        category: str | None = None, source: str | None = None) -> set[str]:
        """Article ids matching all given filters (dates as epoch seconds, source as a path prefix)."""
        sql, params = "SELECT article_id FROM articles WHERE 1=1", []
        if date_from is not None:
            sql += " AND date_ts >= ? AND date_ts > 0"
            params.append(date_from)
        if date_to is not None:
            sql += " AND date_ts <= ? AND date_ts > 0"
            params.append(date_to)
        if source:
            sql += " AND (source = ? OR source LIKE ? ESCAPE '\\')"
            escaped = source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [source, escaped.rstrip("/") + "/%"]
        if category:  # in SQLite: parsing 114k articles' categories in Python took 0.5 s
            sql += " AND EXISTS (SELECT 1 FROM json_each(articles.categories) WHERE lower(value) = ?)"
            params.append(category.strip().lower())
        return {r[0] for r in self.db.execute(sql, params)}

    # feedback (users' ratings) lives in feedback.sqlite, outside the generations: assistant/feedback.py
