"""Measure retrieval and answers on a question set: users run this on their own corpora.

Formats:
- JSON Lines, one ``{"id", "q", "lang", "file", "gold": [...], "type"}`` per line, optionally with
  ``"key": [...]`` (short strings a right answer contains; the gold strings serve when absent) and
  ``"history": [...]`` (the earlier questions of the chat as strings, not question/answer pairs: the
  answers are the assistant's own; for ``type: "followup"``). ``file`` is a path relative to
  ``--files-dir`` (or a bare file name); null with empty ``gold`` for questions the articles cannot
  answer. A single string stands for a one-item ``gold`` or ``key``. ``type: "review"`` without gold (a
  disliked answer from ``assistant feedback export --include-down``) is asked and counted (``review``),
  but left out of the answerable and the unanswerable rates.
- SQuAD JSON (e.g. CMRC 2018): every ``data[i]`` becomes one article titled ``data[i].title``, written
  as a Markdown file next to the index and indexed, and every answer span becomes a gold string.

A retrieved passage is a hit when it comes from the question's file and contains a gold string,
whitespace runs collapsed to one space on both sides. An answer holds the key fact when its text
contains one of the key strings. Follow-ups are asked as a chat: the history questions first, each
with the answers the assistant gave, then the follow-up.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import ConfigError

_WS = re.compile(r"\s+")


@dataclass
class Question:
    id: str
    q: str
    lang: str = ""
    file: str | None = None
    gold: list[str] = field(default_factory=list)
    type: str = ""
    key: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return bool(self.file and self.gold)

    @property
    def review(self) -> bool:
        """A disliked answer exported for review (``type: "review"``, no gold yet): asked, its answer kept in
        the rows, but neither answerable nor unanswerable in the rates until someone writes its gold."""
        return self.type == "review" and not self.answerable

    @property
    def keys(self) -> list[str]:
        """What a right answer contains: the key strings, else the gold strings."""
        return self.key or self.gold


def load_jsonl(path: Path) -> list[Question]:
    questions = []
    for n, line in enumerate(_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise TypeError("a JSON object per line")
            question = Question(id=_id(row, n), q=row["q"], lang=_string(row, "lang"),
                                file=_string(row, "file") or None, gold=_strings(row, "gold"),
                                type=_string(row, "type"), key=_strings(row, "key"),
                                history=_strings(row, "history", one=False))
        except _Shape as exc:
            raise ConfigError(f"{path}:{n}: {exc}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{n}: not a question line ({exc})") from None
        if not isinstance(question.q, str) or not question.q.strip():
            raise ConfigError(f"{path}:{n}: q must be the question's text")
        questions.append(question)
    return questions


class _Shape(ValueError):
    """A field of a question line has the wrong shape; the message says which and what it should be."""


_SHAPES = {"gold": "strings the passage holds", "key": "strings a right answer holds",
           "history": "earlier questions (strings)"}
_STRING = {"lang": "a language code such as \"zh\"", "type": "the question's kind such as \"followup\"",
           "file": "the article's path"}


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save the question file as UTF-8") from None


def _string(row: dict, name: str) -> str:
    """A string field; null stands for absent (``""``). A number, list or object is refused: it would
    fail later, mid-run, as a traceback (``"file": 42``) or group the metrics by an unhashable key."""
    value = row.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Shape(f"{name} must be {_STRING[name]} (a string) or null, not {json.dumps(value)}")
    return value


def _id(row: dict, n: int) -> str:
    """The question's id, a string or a number; the line number when absent."""
    value = row.get("id")
    if value is None:
        return str(n)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Shape(f"id must be a string or a number, not {json.dumps(value)}")
    return str(value)


def _strings(row: dict, name: str, one: bool = True) -> list[str]:
    """A list-of-strings field. ``one``: a single string stands for a list of it (``"gold": "3 到 5 分钟"``
    would otherwise be read letter by letter). History must be the earlier questions alone: a list of
    [question, answer] pairs is refused rather than guessed at."""
    value = row.get(name)
    if value is None:
        return []
    if one and isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise _Shape(f"{name} must be a list of {_SHAPES[name]}")


def load_squad(path: Path, articles_dir: Path) -> list[Question]:
    """Write one Markdown article per SQuAD entry into ``articles_dir``; return its questions. The whole file
    is read first: a malformed entry is an error naming it, before any article is written."""
    try:
        data = json.loads(_text(path))
    except ValueError as exc:
        raise ConfigError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ConfigError(f"{path}: not SQuAD JSON (no top-level 'data' list)")
    articles, questions = {}, []
    for i, entry in enumerate(data["data"]):
        name = f"{i:04d}.md"
        try:
            title = str(entry.get("title") or name).replace("'", "''")
            contexts = [p["context"] for p in entry.get("paragraphs", [])]
            if not all(isinstance(c, str) for c in contexts):
                raise TypeError("a context must be text")
            articles[name] = f"---\ntitle: '{title}'\n---\n\n" + "\n\n".join(contexts) + "\n"
            for para in entry.get("paragraphs", []):
                for qa in para.get("qas", []):
                    gold = list(dict.fromkeys(a["text"] for a in qa.get("answers", []) if a.get("text")))
                    if not isinstance(qa["question"], str) or not all(isinstance(g, str) for g in gold):
                        raise TypeError("question and answer texts must be strings")
                    questions.append(Question(id=str(qa.get("id")), q=qa["question"], lang="zh", file=name,
                                              gold=gold, type="squad"))
        except (AttributeError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: data[{i}] is not a SQuAD entry (title, paragraphs of context and qas; "
                              f"{type(exc).__name__}: {exc})") from None
    articles_dir.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        target = articles_dir / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return questions


QUESTION_FILES = "JSON Lines (.jsonl or .ndjson) or SQuAD JSON (.json)"


def load_questions(path: str | Path, articles_dir: Path | None = None) -> list[Question]:
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such file")
    if path.is_dir():
        raise ConfigError(f"{path} is a folder: give a question file, {QUESTION_FILES}")
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return load_jsonl(path)
    if articles_dir is None:
        if path.suffix.lower() != ".json":
            raise ConfigError(f"{path}: not a question file; name it after its format, {QUESTION_FILES}")
        raise ConfigError("SQuAD files need a folder to write their articles into")
    return load_squad(path, articles_dir)


def normalise(text: str) -> str:
    return _WS.sub(" ", text).strip()


def files_not_found(questions: list[Question], files_dir: Path) -> list[str]:
    """The questions' file names that are not files under ``files_dir``: every such question would count as a
    miss, so a wrong ``--files-dir`` ("36kr_dev.jsonl" names "036.md", relative to corpus/36kr) reads hit@1 0."""
    return sorted({q.file for q in questions if q.file and not (files_dir / q.file).is_file()})


def from_file(source: str, question: Question, files_dir: Path | None) -> bool:
    """The passage's file is the question's: exactly under ``files_dir``, else by trailing path parts."""
    if not question.file:
        return False
    if files_dir is not None:
        return Path(source).resolve() == (files_dir / question.file).resolve()
    want = Path(question.file).parts
    return Path(source).parts[-len(want):] == want


def is_hit(passage, question: Question, files_dir: Path | None) -> bool:
    if not from_file(passage.source, question, files_dir):
        return False
    # a gold that is a section heading ("2. 平价产品：赢在渠道") is held by the passages under it
    text = normalise(f"{passage.section} {passage.text}")
    return any(normalise(g) in text for g in question.gold)


def has_key(text: str, question: Question) -> bool:
    text = normalise(text)
    return any(normalise(k) in text for k in question.keys)


def first_hit_rank(passages, question: Question, files_dir: Path | None) -> int | None:
    for rank, passage in enumerate(passages, 1):
        if is_hit(passage, question, files_dir):
            return rank
    return None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[idx]


@dataclass
class EvalResult:
    rows: list[dict]
    metrics: dict

    def to_dict(self) -> dict:
        return {"metrics": self.metrics, "questions": self.rows}


def wilson(successes: int, n: int, z: float = 1.96) -> list[float]:
    """The 95% Wilson interval of a rate: how far a figure from n questions can be trusted (17 of 24 is
    0.71, anywhere from 0.51 to 0.85)."""
    if not n:
        return [0.0, 1.0]
    p, spread = successes / n, z * z / n
    centre = (p + spread / 2) / (1 + spread)
    half = z * math.sqrt(p * (1 - p) / n + spread / (4 * n)) / (1 + spread)
    return [round(max(0.0, centre - half), 3), round(min(1.0, centre + half), 3)]


def summarize(rows: list[dict], ks=(1, 3, 5)) -> dict:
    """Retrieval ranks over the answerable rows; answers and abstention where rows have them, the main
    rates with their 95% intervals (``…_95``). Review rows (disliked answers without gold) are only counted
    (``review``): they are neither answerable nor unanswerable."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"] and not r.get("review")]
    n = len(answerable)
    out: dict = {"questions": len(rows), "answerable": n}
    reviews = sum(1 for r in rows if r.get("review"))
    if reviews:
        out["review"] = reviews
    if n:
        for k in ks:
            out[f"hit@{k}"] = round(sum(1 for r in answerable if r["rank"] and r["rank"] <= k) / n, 4)
        out["hit@1_95"] = wilson(sum(1 for r in answerable if r["rank"] == 1), n)
        out["mrr@10"] = round(sum(1 / r["rank"] for r in answerable if r["rank"] and r["rank"] <= 10) / n, 4)
    if rows and "abstained" in rows[0]:
        if n:
            out["answer_has_key"] = round(sum(r["answer_has_key"] for r in answerable) / n, 4)
            out["answer_has_key_95"] = wilson(sum(r["answer_has_key"] for r in answerable), n)
            out["answer_cites_gold"] = round(sum(r["cited_gold"] for r in answerable) / n, 4)
            out["abstain_answerable"] = round(sum(r["abstained"] for r in answerable) / n, 4)
            out["doubtful_answerable"] = round(sum(r["doubtful"] for r in answerable) / n, 4)
        if unanswerable:
            out["abstain_unanswerable"] = round(sum(r["abstained"] for r in unanswerable) / len(unanswerable), 4)
            out["abstain_unanswerable_95"] = wilson(sum(r["abstained"] for r in unanswerable), len(unanswerable))
            # answered, but with the caveat: what a reader is warned about besides the abstentions
            out["abstain_or_doubtful_unanswerable"] = round(
                sum(r["abstained"] or r["doubtful"] for r in unanswerable) / len(unanswerable), 4)
            out["unanswerable"] = len(unanswerable)
    return out


def _groups(rows: list[dict], key: str) -> dict:
    return {name: summarize([r for r in rows if r[key] == name]) for name in sorted({r[key] for r in rows})}


def evaluate(assistant, questions: list[Question], k: int = 5, files_dir: Path | None = None,
             answers: bool = True, progress: Callable[[int, int], None] | None = None) -> EvalResult:
    """Ranks of the first right passage in the top 10 (for MRR@10) and, with ``answers``, what ``ask``
    makes of each question. Follow-ups are asked after their history, as in a chat."""
    rows, search_ms, ask_ms = [], [], []
    for i, question in enumerate(questions):
        history: list[tuple[str, str]] = []
        for earlier in question.history:
            history.append((earlier, assistant.ask(earlier, history=list(history), k=k).text))
        query = assistant.chain.resolve(question.q, history, k=k)[0] if history else question.q
        assistant.embedder.forget_queries()  # timed as a user's first search and answer, not from the kept vectors
        start = time.perf_counter()
        passages = assistant.search(query, k=10)
        search_ms.append((time.perf_counter() - start) * 1000)
        row = {
            "id": question.id, "q": question.q, "lang": question.lang, "type": question.type,
            "answerable": question.answerable, "review": question.review,
            "rank": first_hit_rank(passages, question, files_dir), "search_query": query,
            "chars": [len(p.text) for p in passages[:5]],
            "top": [{"source": Path(p.source).name, "heading": p.heading, "score": round(p.score, 4)}
                    for p in passages[:3]],
        }
        if answers:
            assistant.embedder.forget_queries()
            answer = assistant.ask(question.q, history=history, k=k)
            ask_ms.append(answer.seconds * 1000)
            row.update(abstained=answer.abstained, doubtful=answer.doubtful, answer=answer.text,
                       answer_has_key=(not answer.abstained) and has_key(answer.text, question),
                       cited_gold=any(is_hit(c.passage, question, files_dir) for c in answer.citations))
        rows.append(row)
        if progress:
            progress(i + 1, len(questions))
    metrics = summarize(rows)
    metrics["by_lang"] = _groups(rows, "lang")
    metrics["by_type"] = _groups(rows, "type")
    metrics["top5_chars_median"] = statistics.median([n for r in rows for n in r["chars"]] or [0])
    metrics["search_ms_p50"] = round(percentile(search_ms, 50), 1)
    metrics["search_ms_p95"] = round(percentile(search_ms, 95), 1)
    if answers:
        metrics["ask_ms_p50"] = round(percentile(ask_ms, 50), 1)
        metrics["ask_ms_p95"] = round(percentile(ask_ms, 95), 1)
    return EvalResult(rows, metrics)


def evaluate_search(search: Callable[[str, int], list], questions: list[Question], k: int = 10,
                    files_dir: Path | None = None) -> EvalResult:
    """Rank-based metrics for any search function ``search(query, k) -> passages`` (e.g. a baseline);
    follow-ups are searched as typed, since a bare search function has no chat."""
    rows = []
    for question in questions:
        passages = search(question.q, k)
        rows.append({"id": question.id, "lang": question.lang, "type": question.type,
                     "answerable": question.answerable, "review": question.review,
                     "rank": first_hit_rank(passages, question, files_dir),
                     "chars": [len(p.text) for p in passages[:5]]})
    metrics = summarize(rows)
    metrics["by_lang"] = _groups(rows, "lang")
    metrics["by_type"] = _groups(rows, "type")
    metrics["top5_chars_median"] = statistics.median([n for r in rows for n in r["chars"]] or [0])
    return EvalResult(rows, metrics)


def format_metrics(metrics: dict) -> str:
    lines = []
    head = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
    lines.append("  ".join(f"{k}={v}" for k, v in head.items()))
    for group in ("by_lang", "by_type"):
        for name, sub in metrics.get(group, {}).items():
            lines.append(f"  {group[3:]}={name:<12} " + "  ".join(f"{k}={v}" for k, v in sub.items()))
    return "\n".join(lines)
