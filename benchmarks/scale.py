"""Scale benchmark: indexes of 10k and 100k passages built from the real corpus, then latency, memory,
disk, open time and the cost of adding one article, measured in a fresh process per size.

    python benchmarks/scale.py                                    # 10k and 100k, temporary folders
    python benchmarks/scale.py --sizes 10000,100000 --json scale.json
    python benchmarks/scale.py --base-index /tmp/corpus-index --work /tmp/scale   # reuse earlier work
    python benchmarks/scale.py --sizes 1000000 --work /tmp/scale --build-only      # build now, measure later
    python benchmarks/scale.py --sizes 1000000 --work /tmp/scale --reuse --json 1m.json
    python benchmarks/scale.py --sizes 1000000 --work /tmp/scale --resume   # go on with a stopped build

A build stops cleanly on Ctrl-C/SIGTERM (after the current article, vectors flushed), and ``--resume``
continues it where it stopped, giving the same index an uninterrupted build gives. An index folder is
read the way the assistant reads it: ``index_dir/CURRENT`` names the live generation after a rebuild.

Each index is measured once per embedding backend (``--backends onnx,torch``), in a fresh process
each, one right after the other, with the load average printed beside the figures (a shared CPU).

How the big indexes are made: ../shared/corpus is indexed once for real (``--base-index``; its
embedding cache means every distinct text is embedded once). Its passages are then replicated under
new source paths (so new article ids and chunk ids), written through ``Catalog.commit_article`` (one
transaction per article, keyword rows included) and ``VectorStore.upsert`` (vectors read back from the
base index's Chroma collection; the base's embedding cache, sentence vectors included, is copied along).
Replica 0 is the real corpus; copies 1..n get their vector nudged by seeded noise (cosine ~0.995 to the
original), since thousands of identical vectors are not what an HNSW graph meets in real use.
Replicas also keep the same keyword tokens, so BM25 sees 50 copies of each term distribution: keyword
queries match ~50x more rows at 100k, which is the realistic worst case of a corpus of similar articles.

Measured per size in a subprocess that opens the finished index (nothing shared with the build):
open time (import, ``Assistant()``, first query including model and HNSW load), search latency p50/p95
over the 40 dev questions per mode, the parts of a dense query (query embedding, Chroma, SQLite) and of
a keyword query (SQLite FTS5), ask latency when ``Assistant.ask`` exists, RSS, and the time to add one
new article (a real article under a new title, so its passages really go through the model) with
``Assistant.index(folder)``, then to remove it again. Disk size is measured on the index folder.

Reads ../shared (never copied into the repo); writes only under --work (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
TARGETS = {"hybrid_p95_ms": 300.0, "add_article_s": 5.0, "rss_mb": 4096.0}
BACKENDS = ("onnx", "torch")  # measured one after the other on the same index, each in a fresh process
NOISE = 0.005  # per-dimension sigma of the nudge given to replica vectors (then re-normalised)


# ---------------------------------------------------------------------------------------------
# building


def _replica_class():
    from dataclasses import dataclass

    from assistant.articles import Article

    @dataclass
    class Replica(Article):
        """An Article with no blocks: commit_article reads only its fields, text length and fingerprint."""

        fp: str = ""
        chars: int = 0

        @property
        def text(self) -> str:
            return " " * self.chars

        @property
        def fingerprint(self) -> str:
            return self.fp

    return Replica


def build_base(base_dir: Path, corpus: Path) -> None:
    from assistant import Assistant

    a = Assistant(index_dir=str(base_dir), quiet=True)
    t = time.perf_counter()
    report = a.index([corpus])
    print(f"base index: {report.summary()} ({time.perf_counter() - t:.0f} s)", flush=True)


def load_base(base_dir: Path):
    """Articles, their chunks (in order), tokens and vectors (read back from Chroma) of the corpus index."""
    import numpy as np

    from assistant import Assistant
    from assistant.chunking import embed_text_for
    from assistant.keywords import tokenize

    a = Assistant(index_dir=str(base_dir), quiet=True)
    problems = a.check()
    if problems:
        raise SystemExit(f"base index {base_dir} is inconsistent: {problems}")
    db = a.catalog.db
    articles = db.execute(
        "SELECT article_id, source, content_hash, title, date, date_ts, categories, author, chars, warnings, "
        "fingerprint FROM articles ORDER BY source").fetchall()
    vectors: dict[str, np.ndarray] = {}
    ids = sorted(a.catalog.all_chunk_ids())
    for i in range(0, len(ids), 1000):
        got = a.vectors.collection.get(ids=ids[i:i + 1000], include=["embeddings"])
        vectors.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
    base = []
    for art in articles:
        rows = a.catalog.article_chunks(art[0])
        texts = [embed_text_for(r.title, r.headings, r.text) for r in rows]
        base.append({
            "article": art, "rows": rows, "texts": texts, "tokens": [tokenize(t) for t in texts],
            "vectors": np.stack([vectors[r.chunk_id] for r in rows]),
        })
    meta = {k: a.catalog.get_meta(k) for k in ("model_id", "chunker")}
    a.catalog.close()
    return base, meta


def build_scaled(index_dir: Path, size: int, base, meta: dict, base_dir: Path, resume: bool = False) -> dict:
    """Replicate the base articles until the index holds ``size`` passages.

    ``resume``: continue a partial index left in ``index_dir`` by a build of the same ``size`` that was
    stopped. Articles are committed in a fixed order (replica by replica) and the noise comes from one
    generator seeded by ``size``, so the build skips the articles already in the catalog (drawing their
    noise again to keep the generator in step) and goes on from there: the result is the index an
    uninterrupted build would have made. Ctrl-C (SIGINT) or SIGTERM stops a build cleanly after the
    current article: the vectors written so far are flushed, so the partial index is consistent and can
    be measured or resumed."""
    import signal
    import sqlite3

    import numpy as np

    from assistant import Assistant
    from assistant.articles import article_id_for
    from assistant.chunking import Chunk
    from assistant.indexer import _metadata

    resuming = resume and index_dir.exists() and any(index_dir.iterdir())
    if not resuming:
        if index_dir.exists():
            shutil.rmtree(index_dir)
        index_dir.mkdir(parents=True)
        with sqlite3.connect(_cache_file(base_dir)) as src, \
                sqlite3.connect(index_dir / "embeddings.sqlite") as dst:  # a real index has its cache beside it
            src.backup(dst)
    a = Assistant(index_dir=str(index_dir), quiet=True)
    done: set[str] = set()
    if resuming:
        done = {r[0] for r in a.catalog.db.execute("SELECT article_id FROM articles")}
        n_chunks, n_vectors = a.catalog.counts()[1], a.vectors.count()
        if n_chunks != n_vectors:
            raise SystemExit(f"cannot resume {index_dir}: {n_chunks} passages but {n_vectors} vectors "
                             "(a build killed between its catalog commits and its vector flush); build anew")
        print(f"resuming {index_dir}: {len(done)} articles, {n_chunks} passages already in", flush=True)
    for key, value in meta.items():
        a.catalog.set_meta(key, value)
    _Replica = _replica_class()
    rng = np.random.default_rng(size)
    t0 = time.perf_counter()
    t_catalog = t_vectors = 0.0
    total, replica, added, resumed_at, skipped = 0, 0, 0, 0, 0
    last_skipped = None  # (chunk ids, replayed vectors, base vectors) of the last article found in the index
    batch_ids: list[str] = []
    batch_vecs: list = []
    batch_meta: list[dict] = []
    batch_docs: list[str] = []
    stop = []
    previous = {sig: signal.signal(sig, lambda *_: stop.append(True)) for sig in (signal.SIGINT, signal.SIGTERM)}
    next_report = 50_000

    def flush() -> None:
        nonlocal t_vectors
        if batch_ids:
            t = time.perf_counter()
            a.vectors.upsert(batch_ids, np.concatenate(batch_vecs), batch_meta, batch_docs)
            t_vectors += time.perf_counter() - t
            batch_ids.clear(), batch_vecs.clear(), batch_meta.clear(), batch_docs.clear()

    try:
        while total < size and not stop:
            for item in base:
                if total >= size or stop:
                    break
                (aid, source, chash, title, date, _ts, cats, author, chars, warnings, fp) = item["article"]
                rows = item["rows"][: size - total]
                src = source if replica == 0 else f"/scale-replica/{replica:04d}{source}"
                new_aid = aid if replica == 0 else article_id_for(src)
                vecs = item["vectors"][: len(rows)]
                if replica:
                    vecs = vecs + rng.normal(0, NOISE, vecs.shape).astype(np.float32)
                    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
                chunk_ids = [new_aid + r.chunk_id[len(aid):] for r in rows]
                if new_aid in done:
                    last_skipped = (chunk_ids, vecs, item["vectors"][: len(rows)])
                    skipped += 1
                    total += len(rows)
                    resumed_at = total
                    continue
                if last_skipped is not None:  # the first new article: check the replay before going on
                    _check_replay(a, *last_skipped, resumed_at, skipped, len(done))
                    last_skipped = None
                categories = json.loads(cats or "[]")
                article = _Replica(path=src, article_id=new_aid, title=title, date=date, categories=categories,
                                   blocks=[], content_hash=chash, author=author,
                                   warnings=json.loads(warnings or "[]"), fp=fp, chars=chars)
                chunks = [Chunk(chunk_id=cid, article_id=new_aid, source=src, title=title, date=date,
                                categories=categories, headings=r.headings, position=r.position, start=r.start,
                                end=r.end, text=r.text, embed_text=text)
                          for cid, r, text in zip(chunk_ids, rows, item["texts"])]
                t = time.perf_counter()
                a.catalog.commit_article(article, chunks, item["tokens"][: len(rows)])
                t_catalog += time.perf_counter() - t
                batch_ids.extend(chunk_ids)
                batch_vecs.append(vecs)
                batch_meta.extend(_metadata(c) for c in chunks)
                batch_docs.extend(c.text for c in chunks)
                if len(batch_ids) >= 5000:
                    flush()
                total += len(rows)
                added += len(rows)
                if total >= next_report:
                    next_report = (total // 50_000 + 1) * 50_000
                    s = time.perf_counter() - t0
                    print(f"  {total:,} passages ({added / s:.0f}/s this run; catalog {t_catalog:.0f} s, "
                          f"vectors {t_vectors:.0f} s; load avg {os.getloadavg()[0]:.1f})", flush=True)
            replica += 1
        flush()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    a.catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - t0
    n_articles, n_chunks = a.catalog.counts()
    problems = a.check()
    if problems or n_chunks != total:
        raise SystemExit(f"scaled index is inconsistent: {problems} ({n_chunks} passages, {total} expected)")
    note = f"stopped by a signal at {n_chunks} of {size} passages" if n_chunks < size else ""
    print(f"built {n_chunks} passages ({n_articles} articles), {added} added in {seconds:.0f} s "
          f"(catalog {t_catalog:.0f} s, vectors {t_vectors:.0f} s) {note}", flush=True)
    return {"build_s": round(seconds, 1), "build_catalog_s": round(t_catalog, 1),
            "build_vectors_s": round(t_vectors, 1), "articles": n_articles, "passages": n_chunks,
            "added": added, "resumed_at": resumed_at, "target": size, "build_note": note}


def _check_replay(a, ids: list[str], replayed, original, resumed_at: int, n_skipped: int, n_done: int) -> None:
    """The last article found in the index must have the vectors the replay computes (same base, same
    order, same noise), and the articles found must be all of the index's (a prefix of the order);
    otherwise resuming would not give the index an uninterrupted build makes. A vector equal to the
    base's own (no noise) is accepted: ``assistant check --repair`` restores vectors lost by a killed
    build from the embedding cache, which holds the base's."""
    import numpy as np

    got = a.vectors.collection.get(ids=ids, include=["embeddings"])
    stored = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
    same = [i in stored and np.allclose(stored[i], v, atol=1e-5) for i, v in zip(ids, replayed)]
    restored = [i in stored and np.allclose(stored[i], v, atol=1e-5) for i, v in zip(ids, original)]
    if not all(s or r for s, r in zip(same, restored)) or not any(same) or n_skipped != n_done:
        raise SystemExit("cannot resume: the index was not built from this base in this order "
                         f"(vectors of its last article match: {sum(same)} of {len(ids)}); build anew")
    note = f" ({sum(restored)} of the last article's {len(ids)} restored without noise by a repair)" \
        if any(restored) else ""
    print(f"resuming after {resumed_at:,} passages: the replayed vectors match the stored ones{note}", flush=True)


def _index_files(index_dir: Path) -> Path:
    """The folder holding the live catalog and Chroma store: ``index_dir`` itself, or the generation
    ``index_dir/CURRENT`` names after a rebuild (see assistant/indexer.py)."""
    from assistant.indexer import generation_dir, live_generation

    return generation_dir(index_dir, live_generation(index_dir))


def _cache_file(index_dir: Path) -> Path:
    """The embedding cache: at the top of the index folder, shared by all its generations."""
    return index_dir / "embeddings.sqlite"


# ---------------------------------------------------------------------------------------------
# measuring (in a fresh process)


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            values[key] = int(value.split()[0]) / 1024
    return round(values.get("VmRSS", 0.0), 1), round(values.get("VmHWM", 0.0), 1)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    pos = (len(values) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def summary(ms: list[float]) -> dict:
    return {"p50_ms": round(pct(ms, 0.5), 1), "p95_ms": round(pct(ms, 0.95), 1),
            "mean_ms": round(statistics.fmean(ms), 1) if ms else None, "n": len(ms)}


def measure(index_dir: Path, questions: list[str], new_article: str, work: Path, rounds: int) -> dict:
    t0 = time.perf_counter()
    from assistant import Assistant
    from assistant.keywords import tokenize
    from assistant.retrieval import MODES

    t_import = time.perf_counter() - t0
    t = time.perf_counter()
    a = Assistant(index_dir=str(index_dir), quiet=True)
    t_ctor = time.perf_counter() - t
    t = time.perf_counter()
    a.search(questions[0], k=5)
    t_first = time.perf_counter() - t
    out: dict = {"backend": a.settings.embedding_backend, "load_avg_start": round(os.getloadavg()[0], 2),
                 "open": {"import_s": round(t_import, 2), "assistant_s": round(t_ctor, 3),
                          "first_query_s": round(t_first, 2), "total_s": round(t_import + t_ctor + t_first, 2)},
                 "model_load_s": round(a.embedder.load_seconds, 2), "rss_after_open_mb": rss_mb()[0]}
    for q in questions[:3]:  # warm caches (tokenizer, SQLite pages)
        for mode in MODES:
            a.search(q, k=5, mode=mode)

    search: dict = {}
    for mode in MODES:
        ms = []
        for _ in range(rounds):
            for q in questions:
                t = time.perf_counter()
                a.search(q, k=5, mode=mode)
                ms.append((time.perf_counter() - t) * 1000)
        search[mode] = summary(ms)
    out["search"] = search
    out["search_filtered"] = search_filtered(a, questions[:10])

    # the parts of a query, to see what limits it
    parts: dict[str, list[float]] = {"embed_query": [], "chroma_query": [], "catalog_rows": [], "fts_bm25": []}
    for q in questions:
        t = time.perf_counter()
        vec = a.embedder.embed_query(q)
        parts["embed_query"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        ranked = a.vectors.query(vec, 20)
        parts["chroma_query"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        a.catalog.chunks([cid for cid, _ in ranked])
        parts["catalog_rows"].append((time.perf_counter() - t) * 1000)
        tokens = tokenize(q)
        t = time.perf_counter()
        a.catalog.keyword_search(tokens, 20)
        parts["fts_bm25"].append((time.perf_counter() - t) * 1000)
        # the same query with every token (no cap): what FTS5 BM25 costs without keyword_max_*
        if len(parts["fts_bm25"]) <= 20:
            caps = a.catalog.keyword_max_df, a.catalog.keyword_max_postings
            a.catalog.keyword_max_df, a.catalog.keyword_max_postings = 1.0, 0
            t = time.perf_counter()
            a.catalog.keyword_search(tokens, 20)
            parts.setdefault("fts_bm25_uncapped", []).append((time.perf_counter() - t) * 1000)
            a.catalog.keyword_max_df, a.catalog.keyword_max_postings = caps
    out["parts"] = {k: summary(v) for k, v in parts.items()}

    if hasattr(a, "ask"):
        ms, errors = [], []
        for q in questions[:10]:
            t = time.perf_counter()
            try:
                a.ask(q)
            except Exception as exc:  # noqa: BLE001 - e.g. no LLM endpoint configured
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            ms.append((time.perf_counter() - t) * 1000)
        out["ask"] = summary(ms) if ms else {"error": errors[0] if errors else "no answers"}

    out["rss_after_queries_mb"], out["rss_peak_mb"] = rss_mb()

    # one new article: a real one of median size under a new title, so all its text is new to the model
    folder = work / f"new-article-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    text = Path(new_article).read_text(encoding="utf-8")
    text = text.replace("title: ", f"title: 规模测试{os.getpid()}·", 1)
    (folder / "new.md").write_text(text, encoding="utf-8")
    model_s = [0.0]
    embed = a.embedder.embed_passages

    def timed_embed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return embed(*args, **kwargs)
        finally:
            model_s[0] += time.perf_counter() - t

    a.embedder.embed_passages = timed_embed
    t = time.perf_counter()
    report = a.index([folder])
    add_s = time.perf_counter() - t
    a.embedder.embed_passages = embed
    if report.added != 1:
        raise SystemExit(f"adding one article failed: {report.summary()} {report.failed}")
    t = time.perf_counter()
    # its paragraphs also sit in every replica of the original, so ask for it by its source
    source = str((folder / "new.md").resolve())
    hits = a.search(text.split("<p>")[3].split("</p>")[0][:60], k=5, source=source)
    findable = bool(hits) and all(h.source == source for h in hits)
    t_q = time.perf_counter() - t
    t = time.perf_counter()
    removed = a.remove([folder / "new.md"])
    remove_s = time.perf_counter() - t
    shutil.rmtree(folder)
    out["add_article"] = {"seconds": round(add_s, 2), "passages": report.chunks_embedded,
                          "model_s": round(model_s[0], 2), "other_s": round(add_s - model_s[0], 2),
                          "index_report_s": round(report.seconds, 2), "findable": findable,
                          "query_after_add_ms": round(t_q * 1000, 1), "remove_s": round(remove_s, 2),
                          "removed": removed}
    out["rss_end_mb"], out["rss_peak_mb"] = rss_mb()
    out["check"] = a.check()
    out["load_avg_end"] = round(os.getloadavg()[0], 2)
    return out


def search_filtered(a, questions: list[str]) -> dict:
    """Hybrid search restricted by a filter: one article (its source), a year, the most common category
    and a less common one. A filter is a set of article ids both Chroma and FTS5 must honour, and at 1M
    passages a year or a common category names ~10^5 articles."""
    from collections import Counter

    from assistant.retrieval import Filters

    rows = a.catalog.db.execute("SELECT source, date, categories FROM articles").fetchall()
    years = Counter((d or "")[:4] for _, d, _ in rows if (d or "")[:4].isdigit())
    cats = Counter(c for _, _, cs in rows for c in json.loads(cs or "[]")).most_common()
    year = years.most_common(1)[0][0] if years else "2021"
    filters = {"one article (source)": {"source": min(r[0] for r in rows)},
               f"year {year}": {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}}
    if cats:
        filters[f"category {cats[0][0]}"] = {"category": cats[0][0]}
        filters[f"category {cats[len(cats) // 2][0]}"] = {"category": cats[len(cats) // 2][0]}
    out = {}
    for name, kw in filters.items():
        ms = []
        for q in questions:
            t = time.perf_counter()
            a.search(q, k=5, **kw)
            ms.append((time.perf_counter() - t) * 1000)
        out[name] = {**summary(ms), "articles": len(a.retriever._filter(Filters(**kw)))}
    return out


def du(path: Path) -> dict:
    """Bytes of the whole index folder, and of each file of the live generation and the shared cache."""
    def size(p: Path) -> int:
        if p.is_file():
            return p.stat().st_size
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())

    live = _index_files(path)
    parts = {p.name: size(p) for p in sorted(path.iterdir()) if p != live and not p.name.startswith("gen-")}
    if live != path:
        parts.update({p.name: size(p) for p in sorted(live.iterdir())})
    return {"total_mb": round(size(path) / 1e6, 1),
            **{f"{k}_mb": round(v / 1e6, 1) for k, v in parts.items() if v > 100_000}}


# ---------------------------------------------------------------------------------------------
# the report


ROWS = [
    ("backend", lambda r: r["m"].get("backend", "?")),
    ("load avg start / end", lambda r: f'{r["m"].get("load_avg_start")} / {r["m"].get("load_avg_end")}'),
    ("build (s)", lambda r: r["build"].get("build_s")),
    ("articles", lambda r: r["build"].get("articles")),
    ("search dense p50/p95 (ms)", lambda r: _pp(r["m"]["search"].get("dense"))),
    ("search keyword p50/p95 (ms)", lambda r: _pp(r["m"]["search"].get("keyword"))),
    ("search hybrid p50/p95 (ms)", lambda r: _pp(r["m"]["search"].get("hybrid"))),
    ("search filtered p50/p95 (ms)", lambda r: "; ".join(
        f'{k} [{v["articles"]}]: {_pp(v)}' for k, v in r["m"].get("search_filtered", {}).items()) or "n/a"),
    ("  query embedding p50 (ms)", lambda r: r["m"]["parts"]["embed_query"]["p50_ms"]),
    ("  chroma k=20 p50/p95 (ms)", lambda r: _pp(r["m"]["parts"]["chroma_query"])),
    ("  FTS5 bm25 k=20 p50/p95 (ms)", lambda r: _pp(r["m"]["parts"]["fts_bm25"])),
    ("  the same, no token cap (ms)", lambda r: _pp(r["m"]["parts"].get("fts_bm25_uncapped"))),
    ("ask p50/p95 (ms)", lambda r: _pp(r["m"].get("ask")) if "ask" in r["m"] else "n/a"),
    ("RSS after queries (MB)", lambda r: r["m"]["rss_after_queries_mb"]),
    ("RSS peak (MB)", lambda r: r["m"]["rss_peak_mb"]),
    ("index on disk (MB)", lambda r: r["disk"]["total_mb"]),
    ("open: import+Assistant+1st query (s)", lambda r: r["m"]["open"]["total_s"]),
    ("  first query incl. model+HNSW load (s)", lambda r: r["m"]["open"]["first_query_s"]),
    ("add one article (s)",
     lambda r: f'{r["m"]["add_article"]["seconds"]} ({r["m"]["add_article"]["passages"]} passages)'),
    ("  of which the model (s)", lambda r: r["m"]["add_article"]["model_s"]),
    ("  of which everything else (s)", lambda r: r["m"]["add_article"]["other_s"]),
    ("remove it again (s)", lambda r: r["m"]["add_article"]["remove_s"]),
]


def _pp(s):
    if not s:
        return "n/a"
    if "error" in s:
        return "error"
    return f'{s["p50_ms"]} / {s["p95_ms"]}'


def table(results: dict[tuple[int, str], dict]) -> str:
    keys = sorted(results, key=lambda k: (k[0], BACKENDS.index(k[1]) if k[1] in BACKENDS else 9))
    head = ["passages"] + [f"{n:,}" for n, _ in keys]
    lines = [head]
    for name, get in ROWS:
        vals = []
        for key in keys:
            try:
                vals.append(get(results[key]))
            except (KeyError, TypeError):
                vals.append("n/a")
        lines.append([name] + [str(v) for v in vals])
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in lines)


def verdict(results: dict[tuple[int, str], dict]) -> list[str]:
    n = max(size for size, _ in results)
    lines = []
    for (size, backend), r in results.items():
        if size == n:
            lines += [f"at {n:,} passages, {backend}: {line}" for line in _verdict(r["m"])]
    return lines


def _verdict(m: dict) -> list[str]:
    out = []
    s = m["search"]["hybrid"]
    ok = s["p95_ms"] <= TARGETS["hybrid_p95_ms"]
    out.append(f"search hybrid p95 {s['p95_ms']} ms {'<=' if ok else '>'} {TARGETS['hybrid_p95_ms']:.0f} ms: "
               f"{'ok' if ok else 'MISSED'} (load avg {m.get('load_avg_start')}..{m.get('load_avg_end')})")
    add = m["add_article"]["seconds"]
    out.append(f"add one article {add} s {'<=' if add <= TARGETS['add_article_s'] else '>'} 5 s: "
               f"{'ok' if add <= TARGETS['add_article_s'] else 'MISSED'}")
    rss = m["rss_peak_mb"]
    out.append(f"RSS peak {rss} MB {'<=' if rss <= TARGETS['rss_mb'] else '>'} {TARGETS['rss_mb']:.0f} MB: "
               f"{'ok' if rss <= TARGETS['rss_mb'] else 'MISSED'}")
    if not m["add_article"]["findable"] or m["check"]:
        out.append(f"PROBLEM: new article findable={m['add_article']['findable']}, check={m['check']}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="passage counts, comma-separated")
    parser.add_argument("--corpus", default=str(SHARED / "corpus"))
    parser.add_argument("--eval", default=str(SHARED / "eval" / "36kr_dev.jsonl"))
    parser.add_argument("--base-index", help="index of --corpus to replicate (built here when missing)")
    parser.add_argument("--work", help="folder for the scaled indexes (default: temporary, deleted)")
    parser.add_argument("--reuse", action="store_true", help="keep scaled indexes already in --work")
    parser.add_argument("--resume", action="store_true",
                        help="continue a stopped build of --work/index-SIZE (or measure it, if already complete)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions per mode")
    parser.add_argument("--json", help="write all figures to this JSON file")
    parser.add_argument("--new-article", help="article file for the add-one-article figure "
                                              "(default: the corpus article of median passage count)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="embedding backends to measure")
    parser.add_argument("--build-only", action="store_true", help="build the indexes into --work, measure nothing")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure this index, print JSON
    args = parser.parse_args()

    questions = [json.loads(line)["q"] for line in Path(args.eval).read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    if args.measure:
        work = Path(args.work or tempfile.mkdtemp(prefix="scale-add-"))
        result = measure(Path(args.measure), questions, args.new_article, work, args.rounds)
        print("MEASURE " + json.dumps(result, ensure_ascii=False))
        return

    tmp = None
    if args.work:
        work = Path(args.work)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="assistant-scale-")
        work = Path(tmp.name)
    base_dir = Path(args.base_index) if args.base_index else work / "base"
    if not (_index_files(base_dir) / "assistant.sqlite").exists():
        build_base(base_dir, Path(args.corpus))
    base, meta = load_base(base_dir)
    print(f"base: {len(base)} articles, {sum(len(b['rows']) for b in base)} passages", flush=True)
    if not args.new_article:
        by_size = sorted(base, key=lambda b: (len(b["rows"]), b["article"][1]))
        args.new_article = by_size[len(by_size) // 2]["article"][1]

    results: dict[tuple[int, str], dict] = {}
    backends = [b for b in args.backends.split(",") if b]
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        index_dir = work / f"index-{size}"
        stamp = index_dir / "scale.json"
        build = json.loads(stamp.read_text()) if stamp.exists() else {}
        if (args.reuse or args.resume) and build.get("passages", 0) >= size:
            print(f"reusing {index_dir}", flush=True)
        elif args.reuse and build:
            print(f"reusing {index_dir} ({build.get('passages')} passages; {build.get('build_note', '')})", flush=True)
        else:
            build = build_scaled(index_dir, size, base, meta, base_dir, resume=args.resume)
            stamp.write_text(json.dumps(build))
        if args.build_only:
            continue
        disk = du(index_dir)
        for backend in backends:  # same index, one fresh process per backend, one right after the other
            proc = subprocess.run(
                [sys.executable, __file__, "--measure", str(index_dir), "--eval", args.eval, "--new-article",
                 args.new_article, "--work", str(work), "--rounds", str(args.rounds)],
                capture_output=True, text=True, env={**os.environ, "ASSISTANT_EMBEDDING_BACKEND": backend},
            )
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("MEASURE ")), None)
            if proc.returncode or line is None:
                raise SystemExit(f"measuring {index_dir} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
            m = json.loads(line[len("MEASURE "):])
            results[build.get("passages", size), backend] = {"build": build, "disk": disk, "m": m}
            print(f"{size} {backend}: {json.dumps(m, ensure_ascii=False)}", flush=True)
            if args.json:  # after every measurement: a long run interrupted keeps what it measured
                Path(args.json).write_text(json.dumps({f"{k[0]}-{k[1]}": v for k, v in results.items()}, indent=2,
                                                      ensure_ascii=False), encoding="utf-8")

    if args.build_only:
        return
    print()
    print(table(results))
    print()
    for line in verdict(results):
        print(line)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
