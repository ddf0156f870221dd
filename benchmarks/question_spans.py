"""Question sets we wrote, kept in the repo without the articles' text: gold and key as character spans.

A set written by hand (`question_sets.md`) holds its gold passages and key facts verbatim from the articles — third-
party text that must stay in ../shared. This module swaps each of those strings for where it stands in the article's
visible text (front matter dropped, tags removed, entities unescaped, whitespace collapsed: `check_question_set.py`'s
reading), and reads them back from ../shared/corpus:

    python benchmarks/question_spans.py SET.jsonl [...] > benchmarks/training_questions.jsonl

Unanswerable rows are left out (the near-miss files keep those), and so is a question (or its history) that quotes ten
or more Chinese characters of the corpus in a row: the repo holds no run of article text. A row whose string is not in
its article stops the conversion with the row's id.
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval import strip_tags  # noqa: E402

from assistant.evaluate import Question, normalise  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


@lru_cache(maxsize=None)
def visible_text(file: str) -> str:
    return normalise(strip_tags(CORPUS / file)[1])


_RUN = 10
_CHINESE_RUN = re.compile(r"[\u4e00-\u9fff]{%d,}" % _RUN)


@lru_cache(maxsize=None)
def corpus_runs() -> frozenset[str]:
    """Every run of ``_RUN`` Chinese characters in the corpus's titles and visible text."""
    grams = set()
    for path in CORPUS.rglob("*.md"):
        for run in _CHINESE_RUN.findall(" ".join(strip_tags(path))):
            grams.update(run[i:i + _RUN] for i in range(len(run) - _RUN + 1))
    return frozenset(grams)


def quotes_corpus(text: str) -> bool:
    runs = _CHINESE_RUN.findall(text)
    return any(run[i:i + _RUN] in corpus_runs() for run in runs for i in range(len(run) - _RUN + 1))


def to_spans(row: dict) -> dict:
    text = visible_text(row["file"])
    out = {k: row[k] for k in ("id", "q", "lang", "file", "type")}
    for field in ("gold", "key"):
        spans = []
        for s in row.get(field) or []:
            start = text.find(normalise(s))
            if start < 0:
                raise SystemExit(f"{row['id']}: its {field} {s!r} is not in {row['file']}'s visible text")
            spans.append([start, start + len(normalise(s))])
        out[f"{field}_at"] = spans
    if row.get("history"):
        out["history"] = row["history"]
    return out


def load_spanned(path: Path) -> list[Question]:
    """The questions of a spans file, their gold and key read from the articles under ../shared/corpus."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        text = visible_text(row["file"])
        questions.append(Question(id=row["id"], q=row["q"], lang=row["lang"], file=row["file"], type=row["type"],
                                  gold=[text[a:b] for a, b in row["gold_at"]],
                                  key=[text[a:b] for a, b in row["key_at"]], history=row.get("history", [])))
    return questions


def main() -> None:
    for path in sys.argv[1:]:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if row and row.get("file") and not quotes_corpus(" ".join([row["q"], *row.get("history", [])])):
                print(json.dumps(to_spans(row), ensure_ascii=False))


if __name__ == "__main__":
    main()
