"""Users' thumbs up/down on answers, kept in ``<index>/feedback.sqlite`` and exported as eval questions.

The ratings live beside the feeds store, outside the index generations: a full rebuild writes a new
catalog and swaps it in (``indexer.py``), and must not lose them. Ratings stored in the catalog by
earlier versions are copied over the first time the store is opened.

An answer a user liked becomes a question in the shared eval format (``{"id", "q", "lang", "file",
"gold", "type"}``): its file is the first cited article, its gold strings the cited sentences, so
``assistant eval`` checks that retrieval keeps finding them. A liked abstention becomes an
unanswerable question. Disliked answers are exported only with ``include_down`` and typed ``review``
with no gold: someone has to write what the right answer is.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from pathlib import Path

from .catalog import thread_connection

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


def eval_rows(feedback: list[dict], include_down: bool = False) -> list[dict]:
    rows = []
    for f in feedback:
        if f["rating"] != "up" and not include_down:
            continue
        cited = [c for c in f["citations"] if isinstance(c, dict)]
        quotes = [c.get("quote", "") for c in cited if c.get("quote")]
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


def export(feedback: list[dict], path: str | Path, include_down: bool = False) -> int:
    """Write the eval JSON Lines file; returns how many questions it holds."""
    rows = eval_rows(feedback, include_down)
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)
