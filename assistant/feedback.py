"""Users' thumbs up/down on answers, kept in ``<index>/feedback.sqlite`` and exported as eval questions.

The ratings live beside the feeds store, outside the index generations: a full rebuild writes a new
catalog and swaps it in (``indexer.py``), and must not lose them. Ratings stored in the catalog by
earlier versions are copied over the first time the store is opened.

An answer a user liked becomes a question in the shared eval format (``{"id", "q", "lang", "file",
"gold", "type"}``): its file is the first cited article, its gold strings the cited sentences, so
``assistant eval`` checks that retrieval keeps finding them. A liked abstention ("not covered": the
rating's ``settings["abstained"]``, which the page and ``POST /api/feedback``'s ``abstained`` store, or for
older ratings an answer that opens with the "not covered" sentence) becomes an unanswerable question.
A liked answer without cited sentences that is no abstention is left out, and counted: it has no gold
to check, and exporting it as unanswerable would test the opposite of what the user liked. Disliked
answers are exported only with ``include_down`` and typed ``review`` with no gold, never unanswerable:
someone has to write what the right answer is.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from pathlib import Path

from .answerers import NOT_COVERED
from .catalog import thread_connection

log = logging.getLogger(__name__)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def language(text: str) -> str:
    return "zh" if _HAN.search(text) else "en"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL, rating TEXT, question TEXT, answer TEXT,
    citations TEXT, settings TEXT, comment TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class FeedbackStore:
    """The ratings of one index (all its generations)."""

    def __init__(self, path: Path, catalog=None):
        self.path = path
        self._local = threading.local()
        self.db.executescript(_SCHEMA)
        if catalog is not None:
            self._adopt(catalog)

    @property
    def db(self) -> sqlite3.Connection:
        return thread_connection(self._local, self.path)

    def _adopt(self, catalog) -> None:
        """Copy the ratings an older version kept in the catalog, once."""
        if self.db.execute("SELECT 1 FROM meta WHERE key = 'adopted'").fetchone():
            return
        rows = catalog.db.execute("SELECT created, rating, question, answer, citations, settings, comment "
                                  "FROM feedback ORDER BY id").fetchall()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            if not self.db.execute("SELECT 1 FROM meta WHERE key = 'adopted'").fetchone():
                self.db.executemany("INSERT INTO feedback (created, rating, question, answer, citations, settings, "
                                    "comment) VALUES (?,?,?,?,?,?,?)", rows)
                self.db.execute("INSERT INTO meta (key, value) VALUES ('adopted', ?)", (str(len(rows)),))

    def add(self, rating: str, question: str, answer: str, citations: list, settings: dict, comment: str = "") -> int:
        cur = self.db.execute(
            "INSERT INTO feedback (created, rating, question, answer, citations, settings, comment) "
            "VALUES (?,?,?,?,?,?,?)",
            (time.time(), rating, question, answer, json.dumps(citations, ensure_ascii=False),
             json.dumps(settings, ensure_ascii=False), comment))
        return int(cur.lastrowid)

    def all(self) -> list[dict]:
        rows = self.db.execute("SELECT id, created, rating, question, answer, citations, settings, comment "
                               "FROM feedback ORDER BY id").fetchall()
        return [{"id": r[0], "created": r[1], "rating": r[2], "question": r[3], "answer": r[4],
                 "citations": json.loads(r[5] or "[]"), "settings": json.loads(r[6] or "{}"), "comment": r[7]}
                for r in rows]


def abstained(f: dict) -> bool:
    """Was the rated answer the "not covered" abstention? Said by the rating when it was stored with the
    answer's flag; older ratings are read from the answer's text (every abstention opens with it)."""
    flag = (f.get("settings") or {}).get("abstained")
    if isinstance(flag, bool):
        return flag
    return (f.get("answer") or "").strip().startswith(tuple(NOT_COVERED.values()))


def eval_rows(feedback: list[dict], include_down: bool = False, skipped: list | None = None) -> list[dict]:
    """The eval questions of the ratings (see the module's docstring); the liked answers left out (no cited
    sentence, no abstention) are appended to ``skipped``."""
    rows = []
    for f in feedback:
        if f["rating"] != "up" and not include_down:
            continue
        cited = [c for c in f["citations"] if isinstance(c, dict)]
        quotes = [c.get("quote", "") for c in cited if c.get("quote")]
        if f["rating"] == "up" and not quotes and not abstained(f):
            if skipped is not None:
                skipped.append(f)
            continue
        first = cited[0].get("passage", {}) if cited else {}
        row = {"id": f"feedback-{f['id']}", "q": f["question"], "lang": language(f["question"]),
               "file": (first.get("source") or None) if quotes else None,
               "gold": list(dict.fromkeys(quotes)) if f["rating"] == "up" else [],
               "type": "feedback" if quotes else "unanswerable"}
        if f["rating"] != "up":
            row |= {"file": None, "type": "review"}
        history = (f.get("settings") or {}).get("history") or []
        if history:
            row["history"] = [h[0] if isinstance(h, (list, tuple)) else str(h) for h in history]
        row |= {"rating": f["rating"], "answer": f["answer"], "comment": f["comment"]}
        rows.append(row)
    return rows


def export(feedback: list[dict], path: str | Path, include_down: bool = False, skipped: list | None = None) -> int:
    """Write the eval JSON Lines file; returns how many questions it holds. Liked answers left out for
    want of cited sentences are appended to ``skipped`` when given, for the caller to report (the command
    line says how many in its summary); without it they are counted in a logged warning."""
    left_out: list[dict] = []
    rows = eval_rows(feedback, include_down, left_out)
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if skipped is not None:
        skipped.extend(left_out)
    elif left_out:
        log.warning("left out %d liked answer(s) without cited sentences (feedback %s): no gold to check, and not "
                    "\"not covered\" answers either; rate answers with their citations", len(left_out),
                    ", ".join(str(f["id"]) for f in left_out[:10]) + (" …" if len(left_out) > 10 else ""))
    return len(rows)
