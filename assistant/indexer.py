"""Incremental, crash-safe indexing of article files and folders.

Per changed article the order is: embed what the cache lacks → journal the ids about to be touched →
upsert vectors → commit passages + keyword rows in one SQLite transaction → delete the article's old
vectors → clear the journal. Search only trusts passages SQLite has committed, so a run killed at any
point leaves an index that answers queries; the next run replays the journal and finishes the job.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from filelock import FileLock, Timeout

from .articles import Article, read_article
from .catalog import Catalog
from .chunking import Chunk, chunk_article, embed_text_for, sentence_texts, text_hash
from .embeddings import Embedder, EmbeddingCache
from .errors import ArticleError, StoreError
from .keywords import tokenize
from .progress import ProgressCallback, no_progress
from .results import IndexReport
from .settings import Settings
from .vectors import VectorStore

log = logging.getLogger(__name__)

PARSER_VERSION = "2"  # bump when reading/chunking changes so every article is re-chunked
GROUP_PASSAGES = 256  # passages embedded and written per step: a killed run loses at most one group


class _Stopped(Exception):
    """Raised between two embedding batches when the run was cancelled."""


@dataclass
class _Planned:
    article: Article
    chunks: list[Chunk]
    is_new: bool


@dataclass
class Indexer:
    settings: Settings
    catalog: Catalog
    vectors: VectorStore
    embedder: Embedder
    cache: EmbeddingCache

    # -- public ---------------------------------------------------------------------------
    def index(self, paths: Sequence[str | os.PathLike], rebuild: bool = False,
              progress: ProgressCallback | None = None, clear_cache: bool = False,
              cancel: threading.Event | None = None) -> IndexReport:
        """Index in place. ``rebuild`` empties this store first (queries see it empty meanwhile):
        ``Assistant.index(rebuild=True)`` builds a new generation beside the live one instead.
        ``cancel``: set it (from another thread) to stop after the article being written; what is
        committed stays, ``report.interrupted`` is True and the next run finishes the job."""
        with self.exclusive():
            if rebuild:  # journaled: a rebuild killed between its two resets is finished by recover()
                self.catalog.set_meta("rebuilding", "1")
            return self.run(paths, progress=progress, clear_cache=clear_cache, cancel=cancel)

    def run(self, paths: Sequence[str | os.PathLike], progress: ProgressCallback | None = None,
            clear_cache: bool = False, cancel: threading.Event | None = None) -> IndexReport:
        """``index`` for a caller that holds the writer lock already."""
        progress = progress or no_progress
        self._cancel = cancel
        started = time.perf_counter()
        report = IndexReport()
        if clear_cache:
            self.cache.clear()
        self.recover()
        self._check_signature()
        files, scopes, report.failed = discover(paths, self.settings)
        plans, seen = self._plan(files, report, progress)
        self._remove_missing(scopes, seen, report)
        self._write(plans, report, progress)
        self.catalog.record_failures(report.failed)
        if scopes:
            folders = set(json.loads(self.catalog.get_meta("folders") or "[]")) | {str(s) for s in scopes}
            self.catalog.set_meta("folders", json.dumps(sorted(folders), ensure_ascii=False))
        for plan in plans:
            others = [s for s in self.catalog.sources_with_fingerprint(plan.article.fingerprint)
                      if s != plan.article.path]
            for other in others:
                if (other, plan.article.path) not in report.duplicates:
                    report.duplicates.append((plan.article.path, other))
        report.chunks_total = self.catalog.counts()[1]
        report.seconds = time.perf_counter() - started
        return report

    def remove(self, sources: Iterable[str | os.PathLike]) -> int:
        """Drop articles (by file path, or every article under a folder path) from the index; the files
        themselves are left alone, and need not exist any more."""
        removed = 0
        with self.exclusive():
            self.recover()
            known = self.catalog.article_by_source()  # read under the lock: a run may have just added one
            for source in sources:
                key = _source_key(source)
                under = key.rstrip(os.sep) + os.sep
                for indexed in [k for k in known if k == key or k.startswith(under)]:
                    self._drop(known.pop(indexed)[0])
                    removed += 1
        return removed

    def recover(self) -> None:
        """Finish what a killed run left in the journal: stale vectors out, committed ones back in."""
        if self.catalog.get_meta("rebuilding"):
            self.vectors.reset()
            self.catalog.reset()  # clears the flag in the same transaction as the passages
        for article_id, ids in self.catalog.pending().items():
            committed = set(self.catalog.chunk_ids(article_id))
            stale = [i for i in ids if i not in committed]
            if stale:
                self.vectors.delete(stale)
            self._restore_vectors(committed - self.vectors.existing(committed))
            self.catalog.clear_pending(article_id)

    def check(self, repair: bool = False) -> list[str]:
        """Compare the vector store with the committed passages; optionally fix what differs.

        A repair holds the writer lock from the first read to the last write: orphans computed before
        it, while a run was between its vector upsert and its commit, would name vectors that are
        committed by the time they are deleted."""
        if not repair:
            return self._problems()[0]
        with self.exclusive():
            problems, orphans, missing = self._problems()
            if problems:
                self.recover()
                problems, orphans, missing = self._problems()  # what recover() left to fix
                self.vectors.delete(sorted(orphans))
                self._restore_vectors(missing)
        return problems

    def _problems(self) -> tuple[list[str], set[str], set[str]]:
        committed = self.catalog.all_chunk_ids()
        present = self.vectors.present(sorted(committed))
        # as many vectors as committed passages that have one: there is no other (the usual case); else
        # every stored id is read to find the orphans
        stored = present if self.vectors.count() == len(present) else self.vectors.all_ids()
        problems = []
        orphans, missing = stored - committed, committed - stored
        if orphans:
            problems.append(f"{len(orphans)} vectors without a committed passage")
        if missing:
            problems.append(f"{len(missing)} committed passages without a vector")
        fts = self.catalog.db.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
        if fts != len(committed):
            problems.append(f"keyword index has {fts} rows for {len(committed)} passages")
        pending = self.catalog.pending()
        if pending:
            problems.append(f"{len(pending)} articles with unfinished writes")
        return problems, orphans, missing

    def exclusive(self):
        """One writer per index: a second indexing process gets a clear error instead of a race."""
        return writer_lock(self.settings.index_path, self.settings.lock_wait)

    # -- steps ----------------------------------------------------------------------------
    def _check_signature(self) -> None:
        """Refuse to mix vectors of two models; re-chunk everything when chunking settings change."""
        model = self.catalog.get_meta("model_id")
        if model and model != self.embedder.model_id and self.catalog.counts()[1]:
            raise StoreError(
                f"the index at {self.settings.index_path} was built with the embedding model {model}, "
                f"not {self.embedder.model_id}; run `assistant index --rebuild PATH...` to rebuild it"
            )
        self.catalog.set_meta("model_id", self.embedder.model_id)

    def _chunker_signature(self) -> str:
        s = self.settings
        return f"parser={PARSER_VERSION};size={s.chunk_size};overlap={s.chunk_overlap};min={s.min_chunk}"

    def _plan(self, files: list[Path], report: IndexReport, progress: ProgressCallback):
        known = self.catalog.article_by_source()
        rechunk_all = self.catalog.get_meta("chunker") != self._chunker_signature()
        max_bytes = int(self.settings.max_file_mb * 1_000_000)
        plans: list[_Planned] = []
        seen: set[str] = set()
        for i, path in enumerate(files):
            progress("reading", i, len(files))
            source = str(path)
            seen.add(source)
            previous = known.get(source)
            try:
                if previous and not rechunk_all and _file_hash(path, max_bytes) == previous[1]:
                    report.unchanged += 1
                    continue
                article = read_article(path, max_bytes)
            except ArticleError as exc:
                report.failed.append((exc.path, exc.reason))
                continue
            report.warnings.extend((article.path, w) for w in article.warnings)
            chunks = chunk_article(article, self.settings.chunk_size, self.settings.chunk_overlap,
                                   self.settings.min_chunk)
            if len(chunks) > self.settings.max_passages_per_file:
                report.failed.append((article.path, too_many_passages(len(chunks), self.settings)))
                continue
            plans.append(_Planned(article, chunks, previous is None))
        progress("reading", len(files), len(files))
        return plans, seen

    def _remove_missing(self, scopes: list[Path], seen: set[str], report: IndexReport) -> None:
        """Articles indexed from a given folder whose file is gone (or now excluded) are removed."""
        for source, (article_id, _) in self.catalog.article_by_source().items():
            if source in seen:
                continue
            if any(is_within(source, scope) for scope in scopes):
                self._drop(article_id)
                report.removed += 1

    def _write(self, plans: list[_Planned], report: IndexReport, progress: ProgressCallback) -> None:
        if plans:
            _ = self.vectors.collection  # an unreachable Chroma server fails here, not after the embedding
        all_pairs = [(c.embed_text, c.text) for p in plans for c in p.chunks]
        missing = self._missing(all_pairs)
        report.chunks_reused = sum(1 for p in plans for c in p.chunks if ("passage", c.text_hash) not in missing)
        total, done = len(missing), 0
        progress("embedding", 0, total)

        def embedded(n: int) -> None:
            nonlocal done
            done += n
            progress("embedding", done, total)
            if self._cancelled(report):  # between two batches of the model: a big file stops too
                raise _Stopped

        try:
            self._write_groups(plans, report, progress, missing, embedded)
        except _Stopped:
            return
        if report.interrupted:
            return  # no chunker signature either: the next run still sees what is left to re-chunk
        self.catalog.set_meta("chunker", self._chunker_signature())
        progress("embedding", total, total)
        progress("writing", len(plans), len(plans))

    def _write_groups(self, plans, report, progress, missing, embedded) -> None:
        for group in _groups(plans):
            if self._cancelled(report):
                return
            report.chunks_embedded += self._ensure_vectors(
                [(c.embed_text, c.text) for p in group for c in p.chunks], missing, on_batch=embedded)
            for plan in group:
                if self._cancelled(report):
                    return
                self._commit(plan)
                if plan.is_new:
                    report.added += 1
                else:
                    report.updated += 1
                progress("writing", report.added + report.updated, len(plans))

    def _cancelled(self, report: IndexReport) -> bool:
        cancel = getattr(self, "_cancel", None)
        if cancel is not None and cancel.is_set():
            report.interrupted = True
        return report.interrupted

    def _missing(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """(kind, hash) of the passage and sentence vectors the cache lacks for these passages."""
        model = self.embedder.model_id
        passages = {text_hash(embed) for embed, _ in pairs}
        sentences = {text_hash(s) for _, text in pairs for s in sentence_texts(text)}
        have_p = self.cache.get(model, sorted(passages), "passage")
        have_s = self.cache.get(model, sorted(sentences), "sentence")
        return {("passage", h) for h in passages - set(have_p)} | {("sentence", h) for h in sentences - set(have_s)}

    def _ensure_vectors(self, pairs: list[tuple[str, str]], missing: set[tuple[str, str]] | None = None,
                        on_batch=None) -> int:
        """Embed the passages (and their sentences) of ``pairs`` that are not cached yet, each distinct
        text once. Returns how many passages went through the model."""
        if missing is None:
            missing = self._missing(pairs)
        todo: dict[str, dict[str, str]] = {"passage": {}, "sentence": {}}
        for embed, text in pairs:
            for kind, item in [("passage", embed), *(("sentence", s) for s in sentence_texts(text))]:
                h = text_hash(item)
                if (kind, h) in missing:
                    todo[kind][h] = item
        model = self.embedder.model_id
        for kind, items in todo.items():
            if items:
                vectors = self.embedder.embed_passages(list(items.values()), on_batch=on_batch)
                self.cache.put(model, dict(zip(items.keys(), vectors)), kind)
                missing -= {(kind, h) for h in items}
        return len(todo["passage"])

    def _commit(self, plan: _Planned) -> None:
        article, chunks = plan.article, plan.chunks
        old_ids = set(self.catalog.chunk_ids(article.article_id))
        new_ids = [c.chunk_id for c in chunks]
        found = self.cache.get(self.embedder.model_id, [c.text_hash for c in chunks])
        self.catalog.add_pending(article.article_id, old_ids | set(new_ids))
        if chunks:
            self.vectors.upsert(new_ids, np.stack([found[c.text_hash] for c in chunks]),
                                [_metadata(c) for c in chunks], [c.text for c in chunks])
        self.catalog.commit_article(article, chunks, [tokenize(c.embed_text) for c in chunks])
        stale = old_ids - set(new_ids)
        if stale:
            self.vectors.delete(sorted(stale))
        self.catalog.clear_pending(article.article_id)

    def _drop(self, article_id: str) -> None:
        ids = self.catalog.chunk_ids(article_id)
        self.catalog.add_pending(article_id, ids)
        self.catalog.remove_article(article_id)
        self.vectors.delete(ids)
        self.catalog.clear_pending(article_id)

    def _restore_vectors(self, chunk_ids: set[str]) -> None:
        if not chunk_ids:
            return
        rows = list(self.catalog.chunks(sorted(chunk_ids)).values())
        pairs = {r.chunk_id: (embed_text_for(r.title, r.headings, r.text), r.text) for r in rows}
        self._ensure_vectors(list(pairs.values()))
        vectors = self.cache.get(self.embedder.model_id, [text_hash(e) for e, _ in pairs.values()])
        self.vectors.upsert(
            [r.chunk_id for r in rows], np.stack([vectors[text_hash(pairs[r.chunk_id][0])] for r in rows]),
            [_row_metadata(r) for r in rows], [r.text for r in rows],
        )


# -- the writer lock and index generations ------------------------------------------------

@contextmanager
def writer_lock(index_path: Path, wait: float = 0.0):
    """One writer per index folder (all its generations). Inside one process writes queue in the
    ``Assistant``'s job runner (``jobs.py``); a writer from another process (or a thread outside the
    runner) waits up to ``wait`` seconds for the lock, then gets a clear error."""
    path = index_path / "index.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _flock(path, index_path, wait):
        yield


@contextmanager
def _flock(path: Path, index_path: Path, wait: float = 0.0):
    """``filelock`` locks the same way on Linux, macOS and Windows."""
    lock = FileLock(path, timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        if wait <= 0:
            raise StoreError(f"another process is indexing {index_path} (lock {path}); "
                             "wait for it to finish") from None
        log.warning("another process is indexing %s: waiting up to %g s for it (ASSISTANT_LOCK_WAIT)",
                    index_path, wait)
        try:
            lock.acquire(timeout=wait, poll_interval=0.2)
        except Timeout:
            raise StoreError(f"another process is indexing {index_path} (lock {path}) and did not finish "
                             f"within {wait:g} s; try again when it has finished, or raise ASSISTANT_LOCK_WAIT"
                             ) from None
    try:
        yield
    finally:
        lock.release()


# A full rebuild writes a new generation (catalog + Chroma folder) in ``index_dir/gen-N`` while the live
# one keeps answering, then points ``index_dir/CURRENT`` at it with one atomic rename. Without that file
# the live generation is the index folder itself (every index before its first rebuild). The embedding
# cache and the lock stay at the top, shared by all generations, so a rebuild re-embeds nothing.
CURRENT = "CURRENT"
_GENERATION = re.compile(r"gen-(\d+)")


def live_generation(index_path: Path) -> str:
    """Name of the live generation ("" = the index folder itself)."""
    try:
        name = (index_path / CURRENT).read_text("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return ""
    except OSError as exc:
        raise StoreError(f"cannot read {index_path / CURRENT} ({exc}); check the index folder's permissions") from exc
    if name and not (_GENERATION.fullmatch(name) and (index_path / name).is_dir()):
        raise StoreError(f"{index_path / CURRENT} names {name!r}, which is not an index generation in "
                         f"{index_path}; delete the file to use the index in the folder itself")
    return name


def generation_dir(index_path: Path, name: str) -> Path:
    return index_path / name if name else index_path


def next_generation(index_path: Path) -> str:
    numbers = [int(m.group(1)) for p in index_path.glob("gen-*") if (m := _GENERATION.fullmatch(p.name))]
    return f"gen-{max(numbers, default=0) + 1}"


def set_live_generation(index_path: Path, name: str) -> None:
    """The swap: readers see either the old generation or the new one, never a mix."""
    temp = index_path / f".{CURRENT}.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, index_path / CURRENT)
    fd = os.open(index_path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_generations(index_path: Path, live: str) -> list[str]:
    """Delete generations that are not live: replaced ones and interrupted rebuilds. Needs the lock."""
    removed = []
    for path in sorted(index_path.glob("gen-*")):
        if path.name != live and _GENERATION.fullmatch(path.name) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    if live:  # the folder's own generation was replaced
        top = [index_path / n for n in ("assistant.sqlite", "assistant.sqlite-wal", "assistant.sqlite-shm")]
        if any(p.exists() for p in top) or (index_path / "chroma").is_dir():
            for p in top:
                p.unlink(missing_ok=True)
            shutil.rmtree(index_path / "chroma", ignore_errors=True)
            removed.append(".")
    return removed


# -- helpers ------------------------------------------------------------------------------

def too_many_passages(n: int, settings: Settings) -> str:
    return (f"{n:,} passages, over the limit of {settings.max_passages_per_file:,} per file "
            f"(≈{n / settings.indexing_rate / 60:.0f} min of indexing); split the file, or raise "
            "ASSISTANT_MAX_PASSAGES_PER_FILE")


def discover(paths: Sequence[str | os.PathLike], settings: Settings) -> tuple[list[Path], list[Path], list[tuple[str, str]]]:
    """Files to index, the folders they came from (for deletions), and paths that cannot be used."""
    files: list[Path] = []
    scopes: list[Path] = []
    failed: list[tuple[str, str]] = []
    allowed = tuple(e.lower() for e in settings.extensions)
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            failed.append((str(raw), "no such file or folder"))
        elif path.is_dir():
            folder = path.resolve()
            scopes.append(folder)
            for root, dirs, names in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if not _excluded(d, settings))
                for name in sorted(names):
                    if name.lower().endswith(allowed) and not _excluded(name, settings):
                        files.append(Path(root, name).resolve())
        elif path.suffix.lower() in allowed:
            files.append(path.resolve())
        else:
            failed.append((str(raw), f"unsupported file type {path.suffix or '(none)'}; "
                                     f"supported: {', '.join(settings.extensions)}"))
    return list(dict.fromkeys(files)), scopes, failed


def file_status(catalog: Catalog, settings: Settings, folders: Sequence[str | os.PathLike] | None = None,
                feeds: dict[str, str] | None = None) -> list[dict]:
    """Every file of the indexed folders (or ``folders``) and every indexed article: ``indexed``,
    ``pending`` (new, changed since it was indexed, or deleted and not yet removed) or ``failed`` (with
    the reason), the feed it came from, and the time it last changed. ``warning``: what indexing an
    ``indexed`` file warned about (its front matter ignored, …; also its ``reason``), else empty."""
    if folders is None:
        folders = [f for f in json.loads(catalog.get_meta("folders") or "[]") if Path(f).is_dir()]
    files, _, _ = discover(folders, settings) if folders else ([], [], [])
    indexed = catalog.indexed_times()
    failures = catalog.failures()
    warned = catalog.warnings()
    feeds = feeds or {}
    max_bytes = int(settings.max_file_mb * 1_000_000)
    rows = []
    for source in dict.fromkeys([*map(str, files), *indexed, *failures]):
        path = Path(source)
        try:
            changed = path.stat().st_mtime
        except OSError:
            changed = None
        state, reason, warning = "pending", "", ""
        if changed is None:
            reason = "file is gone" if source in indexed else "not found"
            state = "failed" if source in failures and source not in indexed else state
            reason = failures[source][0] if state == "failed" else reason
        elif source in failures and failures[source][1] >= changed:
            state, reason = "failed", failures[source][0]
        elif source in indexed:
            at, digest = indexed[source]
            if at >= changed or _file_hash(path, max_bytes) == digest:
                state = "indexed"
                reason = warning = "; ".join(warned.get(source, []))
            else:
                reason = "changed since it was indexed"
        else:
            reason = "new"
        rows.append({"path": source, "state": state, "reason": reason, "warning": warning,
                     "feed": feeds.get(source, ""), "changed": changed,
                     "indexed_at": indexed.get(source, (None, ""))[0]})
    return rows


def _excluded(name: str, settings: Settings) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in settings.exclude)


def is_within(source: str, folder: Path | str) -> bool:
    """``source`` is a path inside ``folder`` (not the folder itself, not "/a/bc" for "/a/b")."""
    return source.startswith(str(folder).rstrip(os.sep) + os.sep)


def _source_key(path: str | os.PathLike) -> str:
    return str(Path(path).expanduser().resolve())


def _file_hash(path: Path, max_bytes: int) -> str | None:
    """sha256 of the bytes, or None when the file is too big or unreadable (read_article explains)."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _groups(plans: list[_Planned]) -> Iterable[list[_Planned]]:
    group: list[_Planned] = []
    size = 0
    for plan in plans:
        group.append(plan)
        size += len(plan.chunks)
        if size >= GROUP_PASSAGES:
            yield group
            group, size = [], 0
    if group:
        yield group


def _metadata(chunk: Chunk) -> dict:
    return {
        "article_id": chunk.article_id, "source": chunk.source, "title": chunk.title,
        "heading": chunk.breadcrumb, "position": chunk.position, "start": chunk.start, "end": chunk.end,
        "date": chunk.date, "categories": ",".join(chunk.categories),
    }


def _row_metadata(row) -> dict:
    chunk = Chunk(row.chunk_id, row.article_id, row.source, row.title, row.date, row.categories,
                  row.headings, row.position, row.start, row.end, row.text)
    return _metadata(chunk)
