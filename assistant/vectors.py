"""The Chroma side of the index: one collection of passage vectors in cosine space.

Embedded (``PersistentClient`` in ``index_dir/chroma``) by default, or a Chroma server when
``chroma_url`` is set. Chroma never embeds anything itself: its default embedding function would
download a model, so the collection has none and every call passes our vectors.

Server mode moves only the vectors. The catalog (``assistant.sqlite``: articles, passages, the FTS5
keyword index, the journal of unfinished writes) and the embedding cache stay in the local
``index_dir``: the catalog is the commit point that makes indexing crash-safe, and it must sit beside
the lock file that keeps one writer per index. So a server-mode index is the pair (``index_dir``,
collection): give each index folder its own ``collection`` (ASSISTANT_COLLECTION) when several share
one server; two folders on one collection would see each other's vectors as orphans, and a
``--rebuild`` in one would empty the other. A lost connection raises StoreError naming the server;
the journal makes the next run finish what was cut off.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence
from urllib.parse import urlparse

import numpy as np

from .errors import StoreError
from .settings import Settings


class VectorStore:
    def __init__(self, settings: Settings, root: Path | None = None, name: str | None = None):
        """``root``: the folder of this index generation (default ``index_dir``); ``name``: the collection
        (default ``settings.collection``). A rebuild opens a second store beside the live one."""
        self.settings = settings
        self.root = Path(root) if root is not None else settings.index_path
        self.name = name or settings.collection
        self._lock = threading.Lock()
        self._client = None
        self._collection = None

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.root / "chroma")

    @property
    def client(self):
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
            try:
                if self.settings.chroma_url:
                    url = urlparse(self.settings.chroma_url)
                    self._client = chromadb.HttpClient(
                        host=url.hostname or "localhost", port=url.port or (443 if url.scheme == "https" else 8000),
                        ssl=url.scheme == "https", settings=chroma_settings,
                    )
                    self._client.heartbeat()
                else:
                    path = Path(self.location)
                    path.mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            except Exception as exc:  # noqa: BLE001
                where = self.settings.chroma_url or self.location
                raise StoreError(f"cannot open the Chroma store at {where}: {exc}") from exc
        return self._client

    @property
    def collection(self):
        if self._collection is None:
            with self._lock:
                if self._collection is None:
                    ef_search = self.settings.dense_ef_search
                    collection = self.client.get_or_create_collection(
                        self.name, embedding_function=None,
                        configuration={"hnsw": {"space": "cosine", "ef_search": ef_search}},
                    )
                    _search_wide(collection, ef_search)
                    self._collection = _Guarded(collection, self.settings.chroma_url) if self.settings.chroma_url \
                        else collection
        return self._collection

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict],
               documents: Sequence[str] | None = None) -> None:
        """Store vectors with the one metadata key search filters on (``article_id``). Passage texts and
        the other metadata are read from the catalog, never from Chroma; keeping copies there (with
        Chroma's own full-text index of documents) made the store 5x larger and writes 7x slower at
        100k passages (benchmarks/scale.py). ``documents`` is accepted and not stored."""
        step = 1000
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=list(ids[i:i + step]), embeddings=np.asarray(vectors[i:i + step], dtype=np.float32),
                metadatas=[{"article_id": m["article_id"]} for m in metadatas[i:i + step]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[i:i + 1000])

    def existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        ids = list(ids)
        for i in range(0, len(ids), 1000):
            found.update(self.collection.get(ids=ids[i:i + 1000], include=[])["ids"])
        return found

    def all_ids(self) -> set[str]:
        found: set[str] = set()
        offset, step = 0, 5000
        while True:
            part = self.collection.get(include=[], limit=step, offset=offset)["ids"]
            found.update(part)
            if len(part) < step:
                return found
            offset += step

    def present(self, ids: Sequence[str], step: int = 5000) -> set[str]:
        """Which of ``ids`` have a vector: looked up by id, part by part (reading every id by offset, as
        ``all_ids`` does, slows down with each page: ~4 min at 1M passages)."""
        found: set[str] = set()
        ids = list(ids)
        for i in range(0, len(ids), step):
            found.update(self.collection.get(ids=ids[i:i + step], include=[])["ids"])
        return found

    def count(self) -> int:
        return self.collection.count()

    # A filter over at most this many articles goes to Chroma as a metadata filter (exact; ~0.3 s at 1M
    # passages whatever the set's size, as Chroma reads the matching rows of its SQLite); a larger one,
    # e.g. a year or a common category at 1M passages, is applied to an unfiltered search that fetches
    # more hits until enough are left (Chroma also refuses more ids than SQLite has variables, 32,766).
    MAX_WHERE_IDS = 1000
    MAX_FETCH = 16384  # beyond this many unfiltered hits, the large filter goes to Chroma in parts
    WHERE_PART = 20000  # ids per Chroma metadata filter: ~0.4 s for 20k at 1M passages

    def query(self, vector: np.ndarray, n: int, article_ids: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first; ``article_ids`` restricts the search to those articles."""
        if n <= 0:
            return []
        if article_ids is not None and not article_ids:
            return []
        if article_ids is not None and len(article_ids) > self.MAX_WHERE_IDS:
            return self._query_many(vector, n, article_ids)
        where = None
        if article_ids is not None:
            ids = sorted(article_ids)
            where = {"article_id": {"$in": ids}} if len(ids) > 1 else {"article_id": ids[0]}
        return self._query(vector, n, where)

    def query_among(self, vector: np.ndarray, n: int, chunk_ids: Sequence[str]) -> list[tuple[str, float]]:
        """Exact cosines against the given passages only: a filter down to a few articles reads their
        vectors instead of asking the HNSW graph to skip the other million (0.3 s at 1M passages)."""
        if not chunk_ids or n <= 0:
            return []
        got = self.collection.get(ids=list(chunk_ids), include=["embeddings"])
        if got["embeddings"] is None or not len(got["embeddings"]):
            return []
        matrix = np.asarray(got["embeddings"], dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-12
        query = np.asarray(vector, dtype=np.float32)
        sims = matrix @ (query / (np.linalg.norm(query) + 1e-12))
        return [(got["ids"][i], float(sims[i])) for i in np.argsort(-sims, kind="stable")[:n]]

    def _query(self, vector: np.ndarray, n: int, where: dict | None) -> list[tuple[str, float]]:
        """The ``n`` nearest, from a wider search of the approximate graph (``Settings.dense_fetch``)."""
        result = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=max(n, self.settings.dense_fetch),
            where=where, include=["distances"],
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0][:n], result["distances"][0][:n])]

    def _query_many(self, vector: np.ndarray, n: int, article_ids: set[str]) -> list[tuple[str, float]]:
        from .chunking import article_of

        total = self.count()
        fetch = n * 4
        while True:
            fetch = min(fetch, total)
            hits = [(cid, s) for cid, s in self._query(vector, fetch, None) if article_of(cid) in article_ids]
            if len(hits) >= n or fetch >= total:
                return hits[:n]
            if fetch >= self.MAX_FETCH:
                break
            fetch *= 4
        ids = sorted(article_ids)  # a large set of rare articles: exact, part by part
        parts = [self._query(vector, n, {"article_id": {"$in": ids[i:i + self.WHERE_PART]}})
                 for i in range(0, len(ids), self.WHERE_PART)]
        return sorted((hit for part in parts for hit in part), key=lambda h: h[1], reverse=True)[:n]

    def reset(self) -> None:
        client = self.client  # a server that cannot be reached is an error, not an absent collection
        try:
            _Guarded(client, self.settings.chroma_url).delete_collection(self.name)
        except StoreError:
            raise
        except Exception:  # noqa: BLE001 - absent collection is fine
            pass
        self._collection = None

    def close(self) -> None:
        """Release the embedded client's files (a retired index generation is about to be deleted)."""
        client, self._client, self._collection = self._client, None, None
        if client is not None and not self.settings.chroma_url:
            try:
                client.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass


def _search_wide(collection, ef_search: int) -> None:
    """An index built before ``Settings.dense_ef_search`` (or with another value) gets it now: the setting is
    mutable in Chroma, and without it the graph's default (100) is searched."""
    try:
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search") != ef_search:
            collection.modify(configuration={"hnsw": {"ef_search": ef_search}})
    except Exception:  # noqa: BLE001 - an older server or a read-only store: the default search still works
        pass


class _Guarded:
    """Server mode: a Chroma collection whose calls turn a lost connection into a StoreError that
    names the server, instead of an httpx traceback. Nothing else changes."""

    def __init__(self, collection, url: str):
        self._collection, self._url = collection, url

    def __getattr__(self, name):
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except Exception as exc:
                import httpx

                if isinstance(exc, httpx.TransportError):
                    raise StoreError(
                        f"lost the connection to the Chroma server at {self._url} ({exc}); check that it "
                        "is running. The index stays consistent: run the same command again when it is back"
                    ) from exc
                raise

        return call
