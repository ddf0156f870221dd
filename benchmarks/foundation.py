"""Foundation benchmark: the embedding backends side by side in one run (torch, ONNX fp32, ONNX int8).

    python benchmarks/foundation.py                        # everything below, temporary folders
    python benchmarks/foundation.py --work /tmp/f --json f.json --cmrc
    python benchmarks/foundation.py --articles 40          # cold-index a slice only (quicker); quality
                                                           # still on the whole corpus (--fp32-index reuses one)
    python benchmarks/foundation.py --skip-index           # conversion, curve and query latency only

Per backend: conversion/export time into an empty model cache, load time, the throughput curve by
batch size (passages and sentences of a corpus sample, texts sorted by length), query latency over the
dev questions, a cold index of ../shared/corpus (passages/s with sentences, as ``assistant index``
does it), a warm re-index, and retrieval quality with that index (hybrid, the default search): hit@1
and MRR@10 on 36kr_dev + 36kr_dev2, and on the CMRC 2018 trial set with ``--cmrc``. Timed parts run
interleaved (backend A, B, C, A, B, C, ...) so a busy machine weighs on all of them alike; the load
average is printed beside each figure. torch and ONNX fp32 share a model id (their vectors agree
within 1e-5); they get separate index folders anyway so each cold index really embeds.

Reads ../shared (never copied into the repo).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402
from assistant.evaluate import evaluate_search, load_questions  # noqa: E402

SHARED = ROOT.parent / "shared"
BACKENDS = {"torch": dict(embedding_backend="torch", embedding_precision="fp32"),
            "onnx": dict(embedding_backend="onnx", embedding_precision="fp32"),
            "onnx-int8": dict(embedding_backend="onnx", embedding_precision="int8")}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    pos = (len(values) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def corpus_files(corpus: Path, limit: int | None) -> list[Path]:
    files = sorted(p for p in corpus.rglob("*.md") if not p.name.lower().startswith("readme"))
    return files[:limit] if limit else files


def sample_texts(files: list[Path], n_articles: int) -> tuple[list[str], list[str]]:
    """Passages (as embedded: breadcrumb + text) and sentences of every 5th article, as indexing sees them."""
    from assistant.articles import read_article
    from assistant.chunking import chunk_article, sentence_texts

    passages, sentences = [], []
    for path in files[::5][:n_articles]:
        for chunk in chunk_article(read_article(path, 10_000_000), 500, 80, 80):
            passages.append(chunk.embed_text)
            sentences.extend(sentence_texts(chunk.text))
    return passages, list(dict.fromkeys(sentences))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(SHARED / "corpus"))
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--batch-sizes", default="8,16,32,64")
    parser.add_argument("--sample-articles", type=int, default=8, help="articles in the throughput sample")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds of the curve")
    parser.add_argument("--articles", type=int, help="cold-index only the first N corpus articles")
    parser.add_argument("--skip-index", action="store_true", help="no cold index and no quality")
    parser.add_argument("--fp32-index", help="with --articles: an existing whole-corpus index made with torch or "
                                             "ONNX fp32 (copied, never written) for the quality figures")
    parser.add_argument("--cmrc", action="store_true", help="also index the CMRC 2018 trial set, report quality")
    parser.add_argument("--work", help="folder for model caches and indexes (default: temporary)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="assistant-bench-")
    work = Path(args.work or tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    backends = [b for b in args.backends.split(",") if b]
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    corpus = Path(args.corpus)
    figures: dict = {"cpus": os.cpu_count(), "backends": {b: {} for b in backends}}
    out = figures["backends"]

    # -- conversion and export into one empty cache: torch needs the conversion only, ONNX the export
    # on top (fp32 traced once; int8 quantised from it)
    cache = work / "model-cache"
    for name in backends:
        t = time.perf_counter()
        a = Assistant(index_dir=str(work / f"probe-{name}"), cache_dir=str(cache), quiet=True, **BACKENDS[name])
        _ = a.embedder.model_id
        convert_s = time.perf_counter() - t
        t = time.perf_counter()
        _ = a.embedder.model
        out[name]["convert_or_export_s"] = round(convert_s + a.embedder.export_seconds, 1)
        out[name]["load_s"] = round(a.embedder.load_seconds, 2)
        out[name]["load_avg"] = load()
        print(f"{name}: conversion/export {out[name]['convert_or_export_s']} s, load {out[name]['load_s']} s "
              f"(load avg {load()})", flush=True)
    files = corpus_files(corpus, args.articles)
    embedders = {}
    for name in backends:
        for bs in batch_sizes:
            embedders[name, bs] = Assistant(index_dir=str(work / f"probe-{name}"), cache_dir=str(cache), quiet=True,
                                            embed_batch_size=bs, **BACKENDS[name]).embedder

    # -- the curve: passages/s and sentences/s by batch size, interleaved
    passages, sentences = sample_texts(corpus_files(corpus, None), args.sample_articles)
    print(f"curve sample: {len(passages)} passages, {len(sentences)} sentences", flush=True)
    curve: dict = {}
    for _ in range(args.rounds):
        for bs in batch_sizes:
            for name in backends:
                e = embedders[name, bs]
                t, c = time.perf_counter(), time.process_time()
                e.embed_passages(passages)
                tp, cp = time.perf_counter() - t, time.process_time() - c
                t, c = time.perf_counter(), time.process_time()
                e.embed_passages(sentences)
                ts, cs = time.perf_counter() - t, time.process_time() - c
                curve.setdefault((name, bs), []).append(
                    (len(passages) / tp, len(sentences) / ts, len(passages) / cp, len(sentences) / cs, load()))
    # wall-clock rates depend on what else runs; rates per CPU-second (this process's threads, which sleep
    # instead of spinning) compare the backends' work even on a busy machine
    print(f"\nthroughput by batch size (best of {args.rounds} interleaved rounds; load avg at that round)")
    print("backend     batch  passages/s  sentences/s  passages/CPU-s  sentences/CPU-s  load")
    for (name, bs), runs in curve.items():
        best = max(runs, key=lambda r: r[0])
        row = {"passages_per_s": round(best[0], 2), "sentences_per_s": round(max(r[1] for r in runs), 1),
               "passages_per_cpu_s": round(max(r[2] for r in runs), 2),
               "sentences_per_cpu_s": round(max(r[3] for r in runs), 1), "load_avg": best[4]}
        out[name].setdefault("curve", {})[bs] = row
        print(f"{name:<11} {bs:>5}  {row['passages_per_s']:>10}  {row['sentences_per_s']:>11}  "
              f"{row['passages_per_cpu_s']:>14}  {row['sentences_per_cpu_s']:>15}  {row['load_avg']}")
    sys.stdout.flush()

    # -- query latency, interleaved question by question
    questions = load_questions(SHARED / "eval" / "36kr_dev.jsonl") + load_questions(SHARED / "eval" / "36kr_dev2.jsonl")
    default_bs = Settings.from_env().embed_batch_size
    query_ms: dict[str, list[float]] = {name: [] for name in backends}
    query_cpu: dict[str, list[float]] = {name: [] for name in backends}
    for name in backends:
        embedders[name, batch_sizes[0]].embed_query("warm-up")
    for q in questions:
        for name in backends:
            t, c = time.perf_counter(), time.process_time()
            embedders[name, batch_sizes[0]].embed_query(q.q)
            query_ms[name].append((time.perf_counter() - t) * 1000)
            query_cpu[name].append((time.process_time() - c) * 1000)
    print(f"\nquery embedding over {len(questions)} questions (load avg {load()})")
    for name, ms in query_ms.items():
        out[name]["query_ms"] = {"p50": round(pct(ms, 0.5), 1), "p95": round(pct(ms, 0.95), 1),
                                 "mean": round(statistics.fmean(ms), 1),
                                 "cpu_p50": round(pct(query_cpu[name], 0.5), 1)}
        print(f"  {name:<11} p50 {out[name]['query_ms']['p50']} ms  p95 {out[name]['query_ms']['p95']} ms  "
              f"CPU p50 {out[name]['query_ms']['cpu_p50']} ms")

    if not args.skip_index:
        # -- cold index of the corpus, warm re-index, quality: one backend after the other
        dev = load_questions(SHARED / "eval" / "36kr_dev.jsonl")
        dev2 = load_questions(SHARED / "eval" / "36kr_dev2.jsonl")
        cmrc_dir = work / "cmrc-articles"
        cmrc = load_questions(SHARED / "eval" / "cmrc2018_trial.json", cmrc_dir) if args.cmrc else []
        for name in backends:
            index_dir = work / f"index-{name}"
            a = Assistant(index_dir=str(index_dir), cache_dir=str(cache), quiet=True,
                          embed_batch_size=default_bs, **BACKENDS[name])
            start_load, cpu = load(), time.process_time()
            report = a.index(files)
            cpu = time.process_time() - cpu
            out[name]["cold_index"] = {
                "articles": report.added + report.updated, "failed": len(report.failed),
                "passages": report.chunks_embedded, "seconds": round(report.seconds, 1), "cpu_s": round(cpu, 1),
                "passages_per_s": round(report.chunks_embedded / report.seconds, 2) if report.chunks_embedded else None,
                "passages_per_cpu_s": round(report.chunks_embedded / cpu, 2) if report.chunks_embedded else None,
                "load_avg_start_end": [start_load, load()]}
            t = time.perf_counter()
            warm = Assistant(index_dir=str(index_dir), cache_dir=str(cache), quiet=True, **BACKENDS[name]).index(files)
            out[name]["warm_reindex_s"] = round(time.perf_counter() - t, 2)
            assert warm.chunks_embedded == 0, warm.summary()
            print(f"\n{name}: cold index {out[name]['cold_index']} warm {out[name]['warm_reindex_s']} s", flush=True)
            if args.articles:  # quality needs the whole corpus: an index of this model id, reused or made once
                a = whole_corpus_index(name, work, cache, corpus, args, default_bs)
            quality = {}
            sets = [("36kr_dev", dev, corpus / "36kr"), ("36kr_dev2", dev2, corpus)]
            for set_name, qs, files_dir in sets:
                m = evaluate_search(lambda q, k: a.search(q, k=k), qs, k=10, files_dir=files_dir).metrics
                quality[set_name] = {"hit@1": m.get("hit@1"), "mrr@10": m.get("mrr@10"), "answerable": m["answerable"]}
            both = [quality["36kr_dev"], quality["36kr_dev2"]]  # weighted by answerable questions
            n = sum(m["answerable"] for m in both)
            quality["36kr_dev+dev2"] = {k: round(sum(m[k] * m["answerable"] for m in both) / n, 4)
                                        for k in ("hit@1", "mrr@10")}
            if cmrc:
                c = Assistant(index_dir=str(work / f"cmrc-{_model_key(name)}"), cache_dir=str(cache), quiet=True,
                              **BACKENDS[name])
                c.index([cmrc_dir])
                m = evaluate_search(lambda q, k: c.search(q, k=k), cmrc, k=10, files_dir=cmrc_dir).metrics
                quality["cmrc_trial"] = {"hit@1": m.get("hit@1"), "mrr@10": m.get("mrr@10"),
                                         "answerable": m["answerable"]}
            out[name]["quality"] = quality
            print(f"{name}: quality {json.dumps(quality)}", flush=True)

    # -- side by side
    print("\n" + "=" * 80)
    rows = [("conversion/export (s)", lambda f: f.get("convert_or_export_s")),
            ("model load (s)", lambda f: f.get("load_s")),
            *[(f"passages/s, batch {bs}", lambda f, bs=bs: f.get("curve", {}).get(bs, {}).get("passages_per_s"))
              for bs in batch_sizes],
            *[(f"sentences/s, batch {bs}", lambda f, bs=bs: f.get("curve", {}).get(bs, {}).get("sentences_per_s"))
              for bs in batch_sizes],
            ("query embedding p50/p95 (ms)", lambda f: f"{f['query_ms']['p50']} / {f['query_ms']['p95']}"),
            ("query embedding CPU p50 (ms)", lambda f: f["query_ms"]["cpu_p50"]),
            *[(f"passages/CPU-s, batch {bs}",
               lambda f, bs=bs: f.get("curve", {}).get(bs, {}).get("passages_per_cpu_s")) for bs in batch_sizes],
            *[(f"sentences/CPU-s, batch {bs}",
               lambda f, bs=bs: f.get("curve", {}).get(bs, {}).get("sentences_per_cpu_s")) for bs in batch_sizes],
            ("cold index (s)", lambda f: f.get("cold_index", {}).get("seconds")),
            ("cold index passages/s", lambda f: f.get("cold_index", {}).get("passages_per_s")),
            ("cold index passages/CPU-s", lambda f: f.get("cold_index", {}).get("passages_per_cpu_s")),
            ("  load avg start/end", lambda f: f.get("cold_index", {}).get("load_avg_start_end")),
            ("warm re-index (s)", lambda f: f.get("warm_reindex_s")),
            *[(f"{s} hit@1 / MRR@10", lambda f, s=s: _q(f, s)) for s in ("36kr_dev", "36kr_dev2", "36kr_dev+dev2",
                                                                          "cmrc_trial")]]
    table = [["", *backends]] + [[label, *(str(get(out[b])) for b in backends)] for label, get in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    print("\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in table))
    print(f"({os.cpu_count()} CPUs, load avg now {load()})")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


def _model_key(name: str) -> str:
    """torch and ONNX fp32 share a model id, hence whole-corpus indexes (tests/test_embeddings.py)."""
    return "int8" if name.endswith("int8") else "fp32"


def whole_corpus_index(name: str, work: Path, cache: Path, corpus: Path, args, batch_size: int) -> Assistant:
    import shutil

    index_dir = work / f"full-{_model_key(name)}"
    if not index_dir.exists() and args.fp32_index and _model_key(name) == "fp32":
        shutil.copytree(args.fp32_index, index_dir, ignore=shutil.ignore_patterns("index.lock"))
    a = Assistant(index_dir=str(index_dir), cache_dir=str(cache), quiet=True, embed_batch_size=batch_size,
                  **BACKENDS[name])
    t = time.perf_counter()
    report = a.index(corpus_files(corpus, None))
    if report.chunks_embedded:
        print(f"{name}: whole corpus indexed for quality ({report.chunks_embedded} passages embedded, "
              f"{time.perf_counter() - t:.0f} s, load avg {load()})", flush=True)
    return a


def _q(f: dict, name: str) -> str:
    q = f.get("quality", {}).get(name)
    return f"{q['hit@1']} / {q['mrr@10']}" if q else "n/a"


if __name__ == "__main__":
    main()
