"""Side by side: the plain recipe vs. this project, on the 36kr dev sets and the CMRC 2018 trial set.

Note: the shipped ranking/answer/abstention models were trained on these very questions
(benchmarks/train_models.py), so the figures here are in-sample; the held-out figures are the ones
train_models.py prints (cross-validation by article).

Plain recipe: tag-stripped text, RecursiveCharacterTextSplitter(500, 50), the same e5 embeddings,
dense top-k (exact cosine). Ours: heading chunks, hybrid retrieval, and the extractive answerer.

    python benchmarks/retrieval.py                       # both sets, our default settings
    python benchmarks/retrieval.py --sets dev --chunk-size 400 --chunk-overlap 60
    python benchmarks/retrieval.py --mode dense          # ablation: our chunks, dense only

Vectors are cached in --cache (shared by every run and both recipes), so only the first run embeds.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from assistant import Assistant  # noqa: E402
from assistant.chunking import text_hash  # noqa: E402
from assistant.evaluate import evaluate, evaluate_search, format_metrics, load_questions  # noqa: E402
from assistant.results import Passage  # noqa: E402

SHARED = ROOT.parent / "shared"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "assistant" / "bench-embeddings.sqlite"


def strip_tags(path: Path) -> tuple[str, str]:
    """(title, text) the way the plain recipe sees an article: front matter off, tags off, entities decoded."""
    raw = path.read_text(encoding="utf-8")
    title, body = path.stem, raw
    m = re.match(r"\s*---\n(.*?)\n---\n", raw, re.S)
    if m:
        body = raw[m.end():]
        t = re.search(r"^title:\s*'?(.*?)'?\s*$", m.group(1), re.M)
        title = t.group(1) if t else title
    return title, html.unescape(re.sub(r"<[^>]+>", "", body))


class PlainRecipe:
    def __init__(self, assistant: Assistant, files: list[Path]):
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
        self.assistant = assistant
        self.passages: list[Passage] = []
        for path in files:
            title, text = strip_tags(path)
            for i, piece in enumerate(splitter.split_text(text)):
                self.passages.append(Passage(chunk_id=f"{path.name}-{i}", text=piece, title=title, heading=title,
                                             source=str(path.resolve()), date=""))
        texts = [p.text for p in self.passages]
        model = assistant.embedder.model_id
        cached = assistant.cache.get(model, [text_hash(t) for t in texts], "passage")
        todo = {text_hash(t): t for t in texts if text_hash(t) not in cached}
        if todo:
            vectors = assistant.embedder.embed_passages(list(todo.values()))
            fresh = dict(zip(todo.keys(), vectors))
            assistant.cache.put(model, fresh, "passage")
            cached.update(fresh)
        self.matrix = np.stack([cached[text_hash(t)] for t in texts])

    def search(self, query: str, k: int) -> list[Passage]:
        scores = self.matrix @ self.assistant.embedder.embed_query(query)
        return [self.passages[i] for i in np.argsort(-scores)[:k]]


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.md") if not p.name.lower().startswith("readme"))


def run_set(name: str, question_sets, files: list[Path], args, index_dir: Path) -> dict:
    """``question_sets``: (label, questions, folder their ``file`` names are relative to)."""
    out: dict = {"set": name, "questions": sum(len(q) for _, q, _ in question_sets)}
    settings = dict(index_dir=str(index_dir), embedding_cache=str(args.cache), quiet=True)
    for key in ("chunk_size", "chunk_overlap", "mode", "rrf_k", "per_article", "merge_max_chars", "ranking"):
        value = getattr(args, key)
        if value is not None:
            settings["search_mode" if key == "mode" else key] = value
    a = Assistant(**settings)
    t = time.perf_counter()
    report = a.index(files)
    out["index"] = {"articles": report.added + report.updated + report.unchanged, "failed": len(report.failed),
                    "passages": report.chunks_total, "seconds": round(time.perf_counter() - t, 1)}
    lengths = [len(t) for (t,) in a.catalog.db.execute("SELECT text FROM chunks")]
    out["ours_passage_chars_median"] = statistics.median(lengths)

    plain = None if args.skip_plain else PlainRecipe(a, files)
    if plain:
        out["plain_passage_chars_median"] = statistics.median(len(p.text) for p in plain.passages)
        out["plain_passages"] = len(plain.passages)
    a.search("warm-up", k=1)
    out["ours"], out["plain"], out["ours_rows"] = {}, {}, []
    for label, questions, files_dir in question_sets:
        if plain:
            out["plain"][label] = evaluate_search(plain.search, questions, k=10, files_dir=files_dir).metrics
        result = evaluate(a, questions, k=5, files_dir=files_dir, answers=not args.no_answers)
        out["ours"][label] = result.metrics
        out["ours_rows"] += result.rows
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="dev,cmrc", help="dev, cmrc or both (default)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"shared vector cache ({DEFAULT_CACHE})")
    parser.add_argument("--work-dir", type=Path, help="where the indexes go (default: a temporary folder)")
    parser.add_argument("--chunk-size", type=int)
    parser.add_argument("--chunk-overlap", type=int)
    parser.add_argument("--mode", choices=["hybrid", "dense", "keyword"])
    parser.add_argument("--rrf-k", type=int)
    parser.add_argument("--ranking", choices=["learned", "rrf"], help="ablation: the fusion used before the learned ranker")
    parser.add_argument("--per-article", type=int)
    parser.add_argument("--merge-max-chars", type=int)
    parser.add_argument("--skip-plain", action="store_true", help="only our pipeline")
    parser.add_argument("--no-answers", action="store_true", help="retrieval only")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--json", type=Path, help="write all figures (and per-question rows) here")
    args = parser.parse_args()
    args.cache.parent.mkdir(parents=True, exist_ok=True)

    tmp = tempfile.TemporaryDirectory(prefix="assistant-retrieval-")
    work = args.work_dir or Path(tmp.name)
    results = []
    if "dev" in args.sets:
        corpus = SHARED / "corpus"
        sets = [("dev", load_questions(SHARED / "eval" / "36kr_dev.jsonl"), corpus / "36kr"),
                ("dev2", load_questions(SHARED / "eval" / "36kr_dev2.jsonl"), corpus)]
        results.append(run_set("36kr", sets, corpus_files(corpus), args, work / "dev-index"))
    if "cmrc" in args.sets:
        articles = work / "cmrc-articles"
        questions = load_questions(SHARED / "eval" / "cmrc2018_trial.json", articles)
        results.append(run_set("cmrc", [("cmrc", questions, articles)], corpus_files(articles), args, work / "cmrc-index"))

    for r in results:
        print(f"\n== {r['set']}: {r['questions']} questions; index {r['index']}")
        for label, metrics in r["plain"].items():
            print(f"plain recipe, {label} ({r['plain_passages']} passages, median {r['plain_passage_chars_median']} chars):")
            print(format_metrics(metrics))
        for label, metrics in r["ours"].items():
            print(f"ours, {label} (median {r['ours_passage_chars_median']} chars):")
            print(format_metrics(metrics))
        if args.show_misses:
            for row in r["ours_rows"]:
                if row["answerable"] and (not row["rank"] or row["rank"] > 1):
                    print(f"  rank={row['rank']} {row['id']} {row['q'][:60]}")
                if not row["answerable"] and not row.get("abstained", True):
                    print(f"  NOT ABSTAINED {row['id']} {row['q'][:60]}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
