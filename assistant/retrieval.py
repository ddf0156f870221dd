"""Finding passages for a question: dense vectors (Chroma) and BM25 keywords (SQLite FTS5), fused.

Only passages committed in the catalog are returned, so vectors left behind by an interrupted
indexing run never surface.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .catalog import Catalog, ChunkRow
from .chunking import BREADCRUMB_SEP
from .embeddings import Embedder
from .errors import ConfigError
from .keywords import tokenize
from .results import Passage
from .settings import Settings
from .vectors import VectorStore

MODES = ("hybrid", "dense", "keyword")


@dataclass
class Filters:
    """Optional restrictions; dates are ISO strings (``2021-07-01``), category matches exactly
    (case-insensitive), source is a file path or a folder prefix."""

    date_from: str | None = None
    date_to: str | None = None
    category: str | None = None
    source: str | None = None

    def is_empty(self) -> bool:
        return not (self.date_from or self.date_to or self.category or self.source)


class HybridRetriever:
    def __init__(self, settings: Settings, catalog: Catalog, vectors: VectorStore, embedder: Embedder):
        self.settings = settings
        self.catalog = catalog
        self.vectors = vectors
        self.embedder = embedder

    def search(self, query: str, k: int = 5, filters: Filters | None = None, mode: str = "dense") -> list[Passage]:
        if mode not in MODES:
            raise ConfigError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        query = (query or "").strip()
        if not query or k <= 0:
            return []
        article_ids = self._filter(filters)
        fetch = max(k * 4, 20)
        ranked = self._dense(query, fetch, article_ids)
        rows = self.catalog.chunks([cid for cid, _ in ranked])
        hits = [(rows[cid], score) for cid, score in ranked if cid in rows]
        return [to_passage(row, score) for row, score in hits[:k]]

    def _dense(self, query: str, n: int, article_ids: set[str] | None) -> list[tuple[str, float]]:
        vector = self.embedder.embed_query(query)
        return self.vectors.query(vector, n, article_ids)

    def _filter(self, filters: Filters | None) -> set[str] | None:
        if filters is None or filters.is_empty():
            return None
        return self.catalog.filter_articles(
            date_from=_epoch(filters.date_from, end=False), date_to=_epoch(filters.date_to, end=True),
            category=filters.category, source=filters.source,
        )


def to_passage(row: ChunkRow, score: float) -> Passage:
    return Passage(
        chunk_id=row.chunk_id, text=row.text, title=row.title,
        heading=BREADCRUMB_SEP.join([row.title, *row.headings]), source=row.source, date=row.date,
        score=float(score), article_id=row.article_id, categories=row.categories, position=row.position,
        start=row.start, end=row.end,
    )


def _epoch(value: str | None, end: bool) -> int | None:
    if not value:
        return None
    try:
        day = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"cannot read date {value!r}; use YYYY-MM-DD") from None
    if day.tzinfo is None:
        day = day.replace(tzinfo=dt.timezone.utc)
    if end and len(str(value).strip()) <= 10:
        day += dt.timedelta(days=1, seconds=-1)  # a bare date includes the whole day
    return int(day.timestamp())
