"""Users' thumbs up/down on answers, kept in the catalog and exported as eval questions.

An answer a user liked becomes a question in the shared eval format (``{"id", "q", "lang", "file",
"gold", "type"}``): its file is the first cited article, its gold strings the cited sentences, so
``assistant eval`` checks that retrieval keeps finding them. A liked abstention becomes an
unanswerable question. Disliked answers are exported only with ``include_down`` and typed ``review``
with no gold: someone has to write what the right answer is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_HAN = re.compile(r"[\u4e00-\u9fff]")


def language(text: str) -> str:
    return "zh" if _HAN.search(text) else "en"


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
