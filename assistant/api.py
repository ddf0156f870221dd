"""``Assistant``: the one object the CLI, the Gradio app and user code talk to."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .answerers import lead_with_the_answer
from .articles import read_article
from .catalog import Catalog, is_corrupt, quick_check, unusable
from .chunking import BREADCRUMB_SEP
from .errors import AssistantError, ConfigError, StoreError
from .chain import AnswerChain
from .embeddings import Embedder, EmbeddingCache
from .indexer import (CURRENT, Indexer, file_status, generation_dir, live_generation, next_generation,
                      remove_stale_generations, set_live_generation, writer_lock)
from .keywords import tagged_words, tokenize
from .progress import ProgressCallback
from .reranker import Reranker
from .results import Answer, IndexReport, Passage
from .retrieval import Filters, HybridRetriever
from .settings import Settings
from .vectors import VectorStore


log = logging.getLogger("assistant")


def open_cache(path: Path) -> EmbeddingCache:
    """The vector cache, or a fresh one when the file is damaged: it only holds what the model can
    compute again, so a broken cache costs re-embedding, never a failed start. A cache that is only
    locked or cannot be opened is someone's sound file: it stays where it is and the error says why."""
    try:
        return EmbeddingCache(path)
    except sqlite3.DatabaseError as exc:
        if not is_corrupt(exc):
            raise unusable(path, exc) from None
        aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
        log.warning("vector cache %s is unreadable (%s); moved to %s, texts will be embedded again", path, exc, aside)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.replace(aside)
        return EmbeddingCache(path)


def check_index_folder(index: Path) -> None:
    """Say in one line why the index folder cannot be used, before SQLite and Chroma fail on it with a
    traceback. Even answering writes there (the databases' journals), so it must be writable."""
    if index.exists() and not index.is_dir():
        raise StoreError(f"the index folder {index} is a file, not a folder: point --index-dir "
                         "(ASSISTANT_INDEX_DIR) at a folder")
    try:
        index.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        there = next((p for p in index.parents if p.exists()), None)
        why = f"{there} is a file" if there and not there.is_dir() else exc.strerror
        raise StoreError(f"cannot create the index folder {index} ({why}); check that every part of the path "
                         "is a folder you may write to") from None
    if not os.access(index, os.R_OK | os.W_OK | os.X_OK):
        raise StoreError(f"the index folder {index} is not writable: the index writes its lock and journals even "
                         "to answer questions; give yourself write permission, or copy the folder somewhere "
                         "writable and use that")


class Assistant:
    """Index articles, search them, answer questions with citations.

    >>> a = Assistant(index_dir="vectorstore")       # or ASSISTANT_* environment variables
    >>> a.index(["articles/"]).summary()
    >>> a.search("前端数字化和后端数字化有什么区别？", k=5)
    """

    def __init__(self, settings: Settings | None = None, **overrides: Any):
        self.settings = settings.replace(**overrides) if settings else Settings.from_env(**overrides)
        index = self.settings.index_path
        check_index_folder(index)
        self.cache = open_cache(Path(self.settings.embedding_cache).expanduser() if self.settings.embedding_cache
                                else index / "embeddings.sqlite")
        self.embedder = Embedder(self.settings)
        self.reranker = Reranker(self.settings)
        self._swap_lock = threading.Lock()
        self._retired: list[_Generation] = []
        self._live = self._open(live_generation(index))
        self.watcher = None  # an assistant.watch.Watcher, when the app watches its articles folder

    # The handles of the live index generation. A rebuild replaces all of them with one assignment, so a
    # query that has started keeps a consistent (old) set until it ends.
    catalog = property(lambda self: self._live.catalog)
    vectors = property(lambda self: self._live.vectors)
    indexer = property(lambda self: self._live.indexer)
    retriever = property(lambda self: self._live.retriever)
    chain = property(lambda self: self._live.chain)

    def _open(self, name: str) -> "_Generation":
        index = self.settings.index_path
        root = generation_dir(index, name)
        catalog = Catalog(root / "assistant.sqlite", self.settings.keyword_max_df, self.settings.keyword_max_postings)
        vectors = VectorStore(self.settings, root=root,
                              name=f"{self.settings.collection}-{name}" if name else self.settings.collection)
        indexer = Indexer(self.settings, catalog, vectors, self.embedder, self.cache)
        retriever = HybridRetriever(self.settings, catalog, vectors, self.embedder, self.cache, self.reranker)
        return _Generation(name, catalog, vectors, indexer, retriever,
                           AnswerChain(self.settings, retriever, catalog, self.embedder))

    @property
    def feeds(self):
        """The RSS/Atom subscriptions of this index (``assistant.feeds.Feeds``): add, list, remove, sync."""
        if getattr(self, "_feeds", None) is None:
            from .feeds import Feeds

            self._feeds = Feeds(self)
        return self._feeds

    def refresh(self) -> None:
        """Follow a rebuild another process has swapped in (cheap: reads one small file)."""
        name = live_generation(self.settings.index_path)
        if name != self._live.name:
            with self._swap_lock:
                if name != self._live.name:
                    self._retired.append(self._live)
                    self._live = self._open(name)

    # -- indexing -------------------------------------------------------------------------
    @property
    def jobs(self):
        """The queue every write of this process goes through (``assistant.jobs.JobRunner``): indexing
        runs, removals, the watcher's runs, feed syncs, the app's buttons and API jobs run one at a time."""
        if getattr(self, "_jobs", None) is None:
            with self._swap_lock:
                if getattr(self, "_jobs", None) is None:
                    from .jobs import JobRunner

                    self._jobs = JobRunner()
        return self._jobs

    def index(self, paths: Sequence[str | os.PathLike] | str | os.PathLike, rebuild: bool = False,
              progress: ProgressCallback | None = None, clear_cache: bool = False,
              cancel: threading.Event | None = None) -> IndexReport:
        """Add new and changed articles, drop deleted ones; embeds only passages never seen before.
        Setting ``cancel`` stops the run after the current article (``report.interrupted``).

        ``rebuild`` builds a new index from ``paths`` beside the live one and swaps it in when it is
        complete: questions are answered from the old index meanwhile, and an interrupted (or
        cancelled) rebuild leaves it untouched (the unfinished generation is deleted by the next run).

        The run waits for this process's other writes (``jobs``) and, up to ``lock_wait`` seconds,
        for another process's."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]

        def work(job_progress):
            def both(phase: str, done: int, total: int) -> None:
                job_progress(phase, done, total)
                if progress:
                    progress(phase, done, total)

            with writer_lock(self.settings.index_path, self.settings.lock_wait):
                self.refresh()
                self._remove_retired()
                if rebuild:
                    return self._rebuild(paths, both, clear_cache, cancel)
                return self.indexer.run(paths, progress=both, clear_cache=clear_cache, cancel=cancel)

        return self.jobs.run("rebuild" if rebuild else "index", work)

    def _rebuild(self, paths, progress, clear_cache, cancel=None) -> IndexReport:
        index = self.settings.index_path
        fresh = self._open(next_generation(index))
        try:
            if self.settings.chroma_url:
                fresh.vectors.reset()  # a collection left by an interrupted rebuild
            report = fresh.indexer.run(paths, progress=progress, clear_cache=clear_cache, cancel=cancel)
        except BaseException:
            fresh.close()
            raise
        if report.interrupted:  # cancelled: the live index stays; the next run deletes the unfinished one
            fresh.close()
            return report
        set_live_generation(index, fresh.name)
        with self._swap_lock:
            old, self._live = self._live, fresh
        if self.settings.chroma_url:
            old.vectors.reset()  # its catalog goes with the next run; a server collection has no folder
        self._retired.append(old)
        return report

    def _remove_retired(self, grace: float = 30.0) -> None:
        """Delete replaced and abandoned generations (under the writer lock), once queries that started
        on a replaced one (here or in another process) have had ``grace`` seconds to finish."""
        index = self.settings.index_path
        current = index / CURRENT
        if current.exists() and time.time() - current.stat().st_mtime < grace:
            return
        for old in self._retired:
            old.close()
        self._retired.clear()
        remove_stale_generations(index, self._live.name)

    def remove(self, paths: Iterable[str | os.PathLike]) -> int:
        """Remove articles (by file path) from the index. Returns how many were indexed."""
        paths = list(paths)

        def work(progress):
            self.refresh()
            return self.indexer.remove(paths)

        return self.jobs.run("remove", work)

    def check(self, repair: bool = False) -> list[str]:
        self.refresh()
        """Damaged database files, then consistency problems between the vector store and the catalog
        (empty list: all good)."""
        damaged = quick_check(self.catalog.path) + quick_check(self.cache.path)
        if damaged:
            return [*damaged, "move the damaged file away and run `assistant index --rebuild PATH...` "
                              "(a lost embeddings.sqlite only costs re-embedding)"]
        return self.indexer.check(repair=repair)

    # -- searching ------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, *, mode: str | None = None, date_from: str | None = None,
               date_to: str | None = None, category: str | None = None, source: str | None = None) -> list[Passage]:
        """The passages for a query, best first: the ranking's order, except that (hybrid mode, learned ranking,
        ``Settings.answer_first``) the one holding the likeliest answer sentence among the first k leads."""
        self.settings.check_request(query, k)
        self.refresh()
        filters = Filters(date_from=date_from, date_to=date_to, category=category, source=source)
        result = self.retriever.retrieve(query, k=k or self.settings.k, filters=filters, mode=mode)
        if self.settings.answer_first and self.retriever.ranks_by_model(mode):
            return lead_with_the_answer(result, self.settings)
        return result.passages

    # -- answering ------------------------------------------------------------------------
    def ask(self, question: str, history: list[tuple[str, str]] | None = None, *, answerer: str | None = None,
            k: int | None = None, date_from: str | None = None, date_to: str | None = None,
            category: str | None = None, source: str | None = None) -> Answer:
        """Answer with numbered citations, or abstain when the articles don't cover the question."""
        self.settings.check_request(question, k)
        self.refresh()
        filters = Filters(date_from=date_from, date_to=date_to, category=category, source=source)
        return self.chain.ask(question, history=history, answerer=answerer, k=k, filters=filters)

    def stream(self, question: str, history: list[tuple[str, str]] | None = None, *, answerer: str | None = None,
               k: int | None = None, date_from: str | None = None, date_to: str | None = None,
               category: str | None = None, source: str | None = None) -> Iterator[str | Answer]:
        """Text deltas as the answer is written, then the final Answer."""
        self.settings.check_request(question, k)  # here, not at the first next(): the caller sees it at once
        self.refresh()
        filters = Filters(date_from=date_from, date_to=date_to, category=category, source=source)
        return self.chain.stream(question, history=history, answerer=answerer, k=k, filters=filters)

    def as_retriever(self, k: int | None = None):
        """The hybrid retriever as a LangChain retriever (Documents with our metadata) for your own chains."""
        from .langchain import PassageRetriever

        return PassageRetriever(assistant=self, k=k or self.settings.k)

    # -- inspecting -----------------------------------------------------------------------
    def articles(self) -> list[dict]:
        self.refresh()
        return [vars(a) for a in self.catalog.articles()]

    def article(self, article_id: str) -> dict | None:
        """One indexed article in full: its text, blocks (headings, paragraphs) and passage offsets.

        The text is read again from the file when it is unchanged since indexing; otherwise (``current``
        false) it is rebuilt from the indexed passages, so cited passages can always be shown."""
        row = self.catalog.article(article_id)
        if row is None:
            return None
        chunks = self.catalog.article_chunks(article_id)
        blocks: list[dict] = []
        try:
            article = read_article(row.source, max_bytes=int(self.settings.max_file_mb * 1_000_000))
            current = article.content_hash == row.content_hash
        except (AssistantError, OSError):
            current = False
        if current:
            text = article.text
            blocks = [{"kind": b.kind, "level": b.level, "text": b.text, "start": b.start, "end": b.end}
                      for b in article.blocks]
        else:
            size = max((c.end for c in chunks), default=0)
            chars = [" "] * size
            for c in chunks:
                chars[c.start:c.start + len(c.text)] = c.text
            text = "".join(chars[:size])
        spans = [{"chunk_id": c.chunk_id, "position": c.position, "start": c.start, "end": c.end,
                  "heading": BREADCRUMB_SEP.join([row.title, *c.headings])} for c in chunks]
        return {"article_id": row.article_id, "title": row.title, "date": row.date, "categories": row.categories,
                "source": row.source, "passages": row.n_chunks, "chars": row.chars, "text": text,
                "blocks": blocks, "passage_spans": spans, "current": current}

    def add_feedback(self, rating: str, question: str, answer: str, citations: list | None = None,
                     settings: dict | None = None, comment: str = "") -> int:
        """Store a user's thumbs up/down on an answer (``assistant feedback export`` turns them into eval
        questions). Returns the feedback's id."""
        if rating not in ("up", "down"):
            raise ConfigError(f"rating must be up or down, got {rating!r}")
        return self.feedback_store.add(rating, question, answer, citations or [], settings or {}, comment)

    @property
    def feedback_store(self):
        """``assistant.feedback.FeedbackStore`` in ``<index>/feedback.sqlite``: outside the index
        generations, so a full rebuild keeps the ratings."""
        if getattr(self, "_feedback", None) is None:
            from .feedback import FeedbackStore

            self._feedback = FeedbackStore(self.settings.index_path / "feedback.sqlite", self.catalog)
        return self._feedback

    def feedback(self) -> list[dict]:
        """The stored ratings, oldest first: ``{id, created, rating, question, answer, citations, settings,
        comment}``."""
        return self.feedback_store.all()

    def stats(self) -> dict:
        self.refresh()
        n_articles, n_chunks = self.catalog.counts()
        index = self.settings.index_path
        size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file()) if index.exists() else 0
        return {
            "articles": n_articles,
            "passages": n_chunks,
            "vectors": self.vectors.count(),
            "index_dir": str(index),
            "vector_store": self.vectors.location,
            "embedding_model": self.catalog.get_meta("model_id") or self.settings.embedding_model,
            "chunking": self.catalog.get_meta("chunker") or "",
            "cached_vectors": self.cache.count("passage"),
            "cached_sentence_vectors": self.cache.count("sentence"),
            "disk_bytes": size,
        }

    def file_status(self, folders: Sequence[str | os.PathLike] | None = None) -> list[dict]:
        """Per file of the indexed folders (or ``folders``): ``{path, state, reason, feed, changed,
        indexed_at}`` with state ``indexed`` / ``pending`` / ``failed`` (reason says why), the feed the
        file came from ("" if none) and the times (epoch seconds) it last changed and was indexed."""
        self.refresh()
        feeds = self.feeds.source_feeds() if (self.settings.index_path / "feeds.sqlite").exists() else {}
        return file_status(self.catalog, self.settings, folders, feeds)

    def warm_up(self) -> float:
        """Load the model and the tokenizers now rather than on the first question; returns seconds."""
        start = time.perf_counter()
        self.embedder.embed_query("warm up")
        tokenize("预热")
        tagged_words("预热")  # jieba's part-of-speech tables (0.2 s): follow-ups and who-questions read them
        self.vectors.count()
        if self.settings.crosslingual:
            self.retriever.question_info("Warm up the dictionary")  # CC-CEDICT and the index's names (pinyin, translated names)
        return time.perf_counter() - start

    @property
    def is_empty(self) -> bool:
        return self.catalog.counts()[1] == 0


@dataclass
class _Generation:
    """One complete index (catalog + vectors) and the objects that read and write it together."""

    name: str
    catalog: Catalog
    vectors: VectorStore
    indexer: Indexer
    retriever: HybridRetriever
    chain: AnswerChain

    def close(self) -> None:
        self.catalog.close()
        self.vectors.close()
