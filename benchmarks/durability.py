"""What ``PRAGMA synchronous=FULL`` costs the catalog (``assistant.sqlite``) compared with ``NORMAL``.

With WAL, NORMAL skips the fsync at each commit: a power cut can take back the last commits, so an
article the report counted as indexed may be gone after the reboot (the index stays consistent, the
next run indexes it again). FULL syncs every commit. The catalog commits once per article, so the cost
is one fsync per article; this measures it on a slice of the corpus with every vector already cached
(no model work: what is left is reading, chunking, tokenising, Chroma and SQLite).

    python benchmarks/durability.py                        # 60 articles, 3 runs per mode
    python benchmarks/durability.py --cache /tmp/x/embeddings.sqlite   # a warm vector cache to copy

Reads ../shared/corpus (never copied into the repo).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
import assistant.catalog as catalog  # noqa: E402

SHARED = ROOT.parent / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(SHARED / "corpus" / "36kr"))
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", help="an embeddings.sqlite that already holds the slice's vectors")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="assistant-durability-") as tmp:
        tmp = Path(tmp)
        folder = tmp / "articles"
        folder.mkdir()
        for path in sorted(Path(args.corpus).glob("*.md"))[: args.articles]:
            shutil.copyfile(path, folder / path.name)
        cache = tmp / "embeddings.sqlite"
        if args.cache:
            with sqlite3.connect(args.cache) as source, sqlite3.connect(cache) as target:
                source.backup(target)
        warm = Assistant(index_dir=str(tmp / "warm"), embedding_cache=str(cache), quiet=True)
        report = warm.index([folder])  # fills the cache with whatever it lacks
        print(f"{report.added} articles, {report.chunks_total} passages; warm-up embedded {report.chunks_embedded}")

        seconds: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
        for run in range(args.repeat):
            for mode in seconds:
                catalog.SYNCHRONOUS = mode
                a = Assistant(index_dir=str(tmp / f"{mode}-{run}"), embedding_cache=str(cache), quiet=True)
                report = a.index([folder])
                assert report.chunks_embedded == 0 and report.added == len(list(folder.iterdir()))
                seconds[mode].append(report.seconds)
                a.catalog.close()
        n = len(list(folder.iterdir()))
        for mode, values in seconds.items():
            median = statistics.median(values)
            print(f"synchronous={mode:<6}  index {n} articles (vectors cached): median {median:.2f} s "
                  f"({median / n * 1000:.1f} ms/article)  runs: {', '.join(f'{v:.2f}' for v in values)}")
        extra = statistics.median(seconds["FULL"]) - statistics.median(seconds["NORMAL"])
        print(f"FULL costs {extra / n * 1000:+.1f} ms per article; embedding one article costs ≈1000 ms "
              "(benchmarks/foundation.py: 6.4 passages/s, ≈9 passages per article)")


if __name__ == "__main__":
    main()
