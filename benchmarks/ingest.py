"""Ingest benchmark: how fast a new file in a watched folder becomes answerable, what a feed sync
with a few new entries costs, and whether the app keeps answering during a full rebuild.

    python benchmarks/ingest.py                          # all three parts
    python benchmarks/ingest.py --full-index /tmp/ingest-full --files 20 --json ingest.json
    python benchmarks/ingest.py --skip-watch --skip-rebuild   # only the feed part (no whole-corpus index)

1. Watch latency. A copy of an index of the whole shared corpus (``--full-index``; default: copy
   /work/idx/full into a temporary folder, never written in place) is opened, a folder is watched with
   ``assistant.watch.Watcher`` (native observer, default debounce/settle), and ``--files`` new articles of our
   own (one invented fact each) are written one after another. For each, the time from the write to
   the first ``Assistant.ask`` of its question that is answered (not "not covered") with a citation of
   that file is measured, polling every 0.1 s. Target: median and max under 10 s.
2. Feed sync. A local HTTP server serves an RSS feed of 50 entries made from our demo articles
   (examples/articles); 48 are synced first, then the feed gains 2 entries and is synced again. Counted:
   requests to the feed (1 per sync; full content, so no pages), files written (2), passages embedded
   (exactly the passages of those 2 files) and the seconds the second sync took.
3. Rebuild in the app. The real app (``app.main``, folder watcher on) serves the copy of the whole-corpus
   index with the corpus as its articles folder. The covered questions are the Chinese questions of the
   shared eval sets (36kr_dev, 36kr_dev2) it answers before; then a full rebuild is started through the
   app (``POST /api/index {"rebuild": true}``, the same job runner and ``Assistant.index(rebuild=True)`` as
   the page's button) and the covered questions are asked over HTTP (``POST /api/ask``) one after another
   until the job has finished. Counted: questions asked during the rebuild and how many said "not
   covered" (target 0), and whether the app had swapped to the new generation at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

TARGET_S = 10.0
PLACES = ["澜星", "青穹", "墨川", "白榆", "赤松", "云岫", "北辰", "南溪", "东篱", "西岭",
          "临江", "望舒", "星渚", "雾屿", "松涛", "竹溪", "枫桥", "石门", "柳岸", "桐庐"]


def _new_article(i: int) -> tuple[str, str, str]:
    """(file text, question, fact) of an invented article: nothing in the corpus answers it."""
    place = PLACES[i % len(PLACES)]
    n = 37 + i * 13
    title = f"{place}储能示范站投运"
    fact = f"{place}储能示范站共安装了{n}组液冷电池柜"
    body = (f"<p>{fact}，总容量约为{n * 2}兆瓦时，是当地首个用户侧储能示范项目。</p>"
            f"<p>项目由{place}新能源公司建设运营，主要用于工业园区的削峰填谷和应急备电。</p>"
            f"<p>负责人介绍，{place}储能示范站的电池柜采用液冷方案，夏季高温时也能保持电芯温差在三度以内。</p>")
    text = (f"---\ntitle: '{title}'\ncategories:\n - 资讯\nauthor: benchmark\n"
            f"date: 2031-03-{(i % 28) + 1:02d} 10:00:00\n---\n\n<div>\n{body}\n</div>\n")
    return text, f"{place}储能示范站安装了多少组液冷电池柜？", fact


def copy_full_index(full_index: Path | None, work: Path) -> Path:
    """A copy of the whole-corpus index (flat, or generations with CURRENT): never written in place."""
    index = work / "full-index"
    if not index.exists():
        source = full_index or Path("/work/idx/full")
        if not (source / "assistant.sqlite").exists() and not (source / "CURRENT").exists():
            raise SystemExit(f"no index at {source}: build one of ../shared/corpus or pass --full-index")
        shutil.copytree(source, index, ignore=shutil.ignore_patterns("index.lock"))
    return index


def bench_watch(full_index: Path | None, files: int, work: Path) -> dict:
    from assistant import Assistant
    from assistant.watch import Watcher

    index = copy_full_index(full_index, work)
    a = Assistant(index_dir=str(index), quiet=True)
    stats = a.stats()
    a.warm_up()
    folder = work / "watched"
    folder.mkdir()
    latencies, runs = [], []
    with Watcher(a, [folder], on_run=runs.append) as w:
        while not w.idle():
            time.sleep(0.05)
        for i in range(files):
            text, question, fact = _new_article(i)
            path = folder / f"new-{i:02d}.md"
            start = time.monotonic()
            path.write_text(text, encoding="utf-8")
            while True:
                answer = a.ask(question)
                if not answer.abstained and any(c.passage.source == str(path.resolve()) for c in answer.citations):
                    latencies.append(time.monotonic() - start)
                    break
                if time.monotonic() - start > 60:
                    latencies.append(float("inf"))
                    break
                time.sleep(0.1)
            print(f"  file {i + 1:2d}: answerable after {latencies[-1]:.2f} s", flush=True)
    return {"index_articles": stats["articles"], "index_passages": stats["passages"], "files": files,
            "median_s": round(statistics.median(latencies), 2), "max_s": round(max(latencies), 2),
            "indexing_runs": len(runs), "target_s": TARGET_S,
            "met": max(latencies) < TARGET_S}


def _fifty_entries() -> list[dict]:
    """50 entries from our demo articles: one paragraph each, numbered."""
    from feed_server import DEMO

    entries = []
    for path in sorted(DEMO.glob("0*.md")):
        text = path.read_text("utf-8")
        title = re.search(r"^title: '(.*)'$", text, re.M).group(1)
        paragraphs = [p for p in re.findall(r"<p>.*?</p>", text, re.S)  # not bold titles or empty lines
                      if not p.startswith("<p><strong>") and len(re.sub(r"<[^>]+>|&\w+;", "", p)) > 20]
        for j, paragraph in enumerate(paragraphs):
            entries.append({"id": f"urn:bench:{path.stem}:{j}", "slug": f"{path.stem}-{j}",
                            "title": f"{title}（{j + 1}）", "html": paragraph,
                            "date": 1626000000 + len(entries) * 3600, "author": "示例作者", "tags": ["示例"]})
    if len(entries) < 50:
        raise SystemExit(f"the demo articles give only {len(entries)} entries")
    return entries[-50:]  # the newest 50 (one entry an hour)


def bench_feeds(work: Path) -> dict:
    from assistant import Assistant
    from assistant.articles import read_article
    from assistant.chunking import chunk_article
    from feed_server import FeedServer, rss

    entries = _fifty_entries()
    a = Assistant(index_dir=str(work / "feed-index"), articles_dir=str(work / "feed-articles"), quiet=True)
    a.warm_up()
    with FeedServer() as server:
        url = server.set("/feed.xml", rss(entries[:-2], server.url))  # the 48 older entries
        a.feeds.add(url, name="bench")
        [first] = a.feeds.sync()
        assert first.new == 48 and not first.error, first.summary()
        hits_before = len(server.log)
        server.set("/feed.xml", rss(entries, server.url))  # the two newest entries appear
        start = time.perf_counter()
        [second] = a.feeds.sync()
        seconds = time.perf_counter() - start
        requests = server.log[hits_before:]
    s = a.settings
    new_passages = sum(len(chunk_article(read_article(p), s.chunk_size, s.chunk_overlap, s.min_chunk))
                       for p in second.written)
    return {"entries_in_feed": 50, "new_entries": 2, "requests": len(requests),
            "feed_requests": sum(1 for p, _, _ in requests if p == "/feed.xml"),
            "files_written": len(second.written), "new": second.new, "unchanged": second.unchanged,
            "passages_of_new_files": new_passages, "passages_embedded": second.index["chunks_embedded"],
            "seconds": round(seconds, 2),
            "met": len(requests) == 1 and len(second.written) == 2
            and second.index["chunks_embedded"] == new_passages}


def covered_questions(ask) -> list[str]:
    """The Chinese questions of the shared eval sets that ``ask(question) -> abstained`` answers."""
    questions = []
    for name in ("36kr_dev.jsonl", "36kr_dev2.jsonl"):
        for line in (ROOT.parent / "shared" / "eval" / name).read_text("utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if row.get("lang") == "zh" and row.get("file") and not row.get("history"):
                questions.append(row["q"])
    return [q for q in questions if not ask(q)]


def bench_rebuild(full_index: Path | None, work: Path) -> dict:
    import httpx
    from app_helpers import free_port, load_app

    index = copy_full_index(full_index, work)
    corpus = ROOT.parent / "shared" / "corpus"
    server, url = load_app().main(["--port", str(free_port()), "--articles-dir", str(corpus),
                                   "--index-dir", str(index)], block=False, wait=True)
    try:
        with httpx.Client(base_url=url.rstrip("/"), timeout=120, trust_env=False) as http:
            def abstained(question: str) -> bool:
                r = http.post("/api/ask", json={"question": question})
                r.raise_for_status()
                out = r.json()
                return out["abstained"] or not out["citations"]

            covered = covered_questions(abstained)
            before = http.get("/api/stats").json()
            job = http.post("/api/index", json={"rebuild": True}).json()
            asked, not_covered, i = 0, [], 0
            started = time.monotonic()
            while (state := http.get(f"/api/jobs/{job['id']}").json())["status"] in ("queued", "running"):
                question = covered[i % len(covered)]
                i += 1
                asked += 1
                if abstained(question):
                    not_covered.append(question)
            seconds = time.monotonic() - started
            after = http.get("/api/stats").json()
    finally:
        server.close()
    generations = sorted(p.name for p in index.glob("gen-*"))
    return {"covered_questions": len(covered), "asked_during_rebuild": asked, "not_covered": len(not_covered),
            "not_covered_questions": not_covered[:5], "rebuild_status": state["status"],
            "rebuild_seconds": round(seconds, 1), "passages_before": before["passages"],
            "passages_after": after["passages"],
            "chunks_embedded": (state.get("report") or {}).get("chunks_embedded"),
            "live_generation": (index / "CURRENT").read_text().strip() if (index / "CURRENT").exists() else "",
            "generations": generations,
            "met": state["status"] == "done" and asked > 0 and not not_covered}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full-index", type=Path, help="index of the whole corpus to copy (default /work/idx/full)")
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--skip-watch", action="store_true")
    parser.add_argument("--skip-feeds", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_watch:
            print("watch: new file -> answerable", flush=True)
            results["watch"] = bench_watch(args.full_index, args.files, work)
            print(json.dumps(results["watch"], ensure_ascii=False), flush=True)
        if not args.skip_feeds:
            print("feeds: sync of a 50-entry feed with 2 new entries", flush=True)
            results["feeds"] = bench_feeds(work)
            print(json.dumps(results["feeds"], ensure_ascii=False), flush=True)
        if not args.skip_rebuild:
            print("rebuild: covered questions asked through the app during a full rebuild", flush=True)
            results["rebuild"] = bench_rebuild(args.full_index, work)
            print(json.dumps(results["rebuild"], ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if all(r["met"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
