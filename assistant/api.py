"""``Assistant``: the one object the CLI, the Gradio app and user code talk to."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Sequence

from .catalog import Catalog
from .embeddings import Embedder, EmbeddingCache
from .indexer import Indexer
from .progress import ProgressCallback
from .results import IndexReport, Passage
from .retrieval import Filters, HybridRetriever
from .settings import Settings
from .vectors import VectorStore


class Assistant:
    """Index articles, search them, answer questions with citations.

    >>> a = Assistant(index_dir="vectorstore")       # or ASSISTANT_* environment variables
    >>> a.index(["articles/"]).summary()
    >>> a.search("前端数字化和后端数字化有什么区别？", k=5)
    """

    def __init__(self, settings: Settings | None = None, **overrides: Any):
        self.settings = settings.replace(**overrides) if settings else Settings.from_env(**overrides)
        index = self.settings.index_path
        self.catalog = Catalog(index / "assistant.sqlite")
        self.cache = EmbeddingCache(index / "embeddings.sqlite")
        self.embedder = Embedder(self.settings)
        self.vectors = VectorStore(self.settings)
        self.indexer = Indexer(self.settings, self.catalog, self.vectors, self.embedder, self.cache)
        self.retriever = HybridRetriever(self.settings, self.catalog, self.vectors, self.embedder)

    # -- indexing -------------------------------------------------------------------------
    def index(self, paths: Sequence[str | os.PathLike] | str | os.PathLike, rebuild: bool = False,
              progress: ProgressCallback | None = None, clear_cache: bool = False) -> IndexReport:
        """Add new and changed articles, drop deleted ones; embeds only passages never seen before."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        return self.indexer.index(paths, rebuild=rebuild, progress=progress, clear_cache=clear_cache)

    def remove(self, paths: Iterable[str | os.PathLike]) -> int:
        """Remove articles (by file path) from the index. Returns how many were indexed."""
        return self.indexer.remove(paths)

    def check(self, repair: bool = False) -> list[str]:
        """Consistency problems between the vector store and the catalog (empty list: all good)."""
        return self.indexer.check(repair=repair)

    # -- searching ------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, *, mode: str = "dense", date_from: str | None = None,
               date_to: str | None = None, category: str | None = None, source: str | None = None) -> list[Passage]:
        filters = Filters(date_from=date_from, date_to=date_to, category=category, source=source)
        return self.retriever.search(query, k=k, filters=filters, mode=mode)

    # -- inspecting -----------------------------------------------------------------------
    def articles(self) -> list[dict]:
        return [vars(a) for a in self.catalog.articles()]

    def stats(self) -> dict:
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
            "cached_vectors": len(self.cache),
            "disk_bytes": size,
        }

    @property
    def is_empty(self) -> bool:
        return self.catalog.counts()[1] == 0
