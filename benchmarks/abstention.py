"""Calibrate when to abstain: evidence of answerable vs. unanswerable questions.

Answerable: the 36kr dev set (36) and CMRC 2018 trial (1002). Unanswerable: the dev set's 4 plus
benchmarks/unanswerable_probes.jsonl (24 questions we wrote about topics absent from the corpus; their
key entities were grepped and are absent). For each question it records the best sentence cosine and
the keyword coverage, then prints how the current rule and a small grid of alternatives split them.

    python benchmarks/abstention.py --work-dir /tmp/bench   # reuses indexes built by retrieval.py
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from retrieval import DEFAULT_CACHE, SHARED, corpus_files  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from assistant.answerers import Evidence, idf_weights, keyword_coverage  # noqa: E402
from assistant.evaluate import load_questions  # noqa: E402
from assistant.prompts import language_of  # noqa: E402


def evidence_rows(a: Assistant, questions, name: str) -> list[dict]:
    rows = []
    for q in questions:
        r = a.retriever.retrieve(q.q, a.settings.k)
        doc_freq, n = a.catalog.doc_freq(r.query_tokens)
        coverage = keyword_coverage(r.query_tokens, r.passages, idf_weights(r.query_tokens, doc_freq, n))
        rows.append({"set": name, "id": q.id, "question": q.q.strip(), "lang": language_of(q.q), "answerable": q.answerable,
                     "evidence": Evidence(r.top_sentence, coverage)})
    return rows


def rates(rows: list[dict], settings: Settings) -> tuple[float, float, str]:
    """(false abstentions on CMRC, on dev, abstained unanswerable as 'n/m')."""
    def weak(r):
        return r["evidence"].is_weak(settings, r["lang"])

    cmrc = [r for r in rows if r["set"] == "cmrc"]
    dev = [r for r in rows if r["set"] == "dev" and r["answerable"]]
    negative = [r for r in rows if not r["answerable"]]
    return (sum(map(weak, cmrc)) / max(len(cmrc), 1), sum(map(weak, dev)) / max(len(dev), 1),
            f"{sum(map(weak, negative))}/{len(negative)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-dir", type=Path, required=True, help="indexes live (or are built) here")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()

    common = dict(embedding_cache=str(args.cache), quiet=True)
    dev = Assistant(index_dir=str(args.work_dir / "dev-index"), **common)
    dev.index(corpus_files(SHARED / "corpus"))
    articles = args.work_dir / "cmrc-articles"
    cmrc_questions = load_questions(SHARED / "eval" / "cmrc2018_trial.json", articles)
    cmrc = Assistant(index_dir=str(args.work_dir / "cmrc-index"), **common)
    cmrc.index([articles])

    rows = (evidence_rows(dev, load_questions(SHARED / "eval" / "36kr_dev.jsonl"), "dev")
            + evidence_rows(dev, load_questions(ROOT / "benchmarks" / "unanswerable_probes.jsonl"), "probe")
            + evidence_rows(cmrc, cmrc_questions, "cmrc"))

    for lang in ("zh", "en"):
        print(f"\nunanswerable ({lang}): best sentence cosine, keyword coverage")
        for r in sorted((r for r in rows if not r["answerable"] and r["lang"] == lang),
                        key=lambda r: -r["evidence"].top_sentence):
            e = r["evidence"]
            print(f"  {r['id']:<9} {e.top_sentence:.3f} {e.coverage:.2f}")
        lowest = min((r["evidence"].top_sentence for r in rows
                      if r["answerable"] and r["lang"] == lang and r["question"]), default=None)
        print(f"lowest best-sentence cosine of an answerable {lang} question: {lowest}")

    current = Settings.from_env()
    print("\nrule: abstain_zh, confident_zh, min_keyword_coverage, abstain_en -> "
          "false abstentions CMRC, dev; unanswerable abstained")
    print("current", (current.abstain_zh, current.confident_zh, current.min_keyword_coverage, current.abstain_en),
          "->", rates(rows, current))
    for low, high, coverage in itertools.product([0.86, 0.87, 0.88], [0.89, 0.90, 0.91], [0.5, 0.6, 0.7]):
        s = current.replace(abstain_zh=low, confident_zh=high, min_keyword_coverage=coverage)
        cm, dv, neg = rates(rows, s)
        print(f"  {low} {high} {coverage} -> CMRC {cm:.3f}  dev {dv:.3f}  unanswerable {neg}")


if __name__ == "__main__":
    main()
