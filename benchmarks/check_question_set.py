"""Check a question set written for testing (fresh sets, near misses) before it is used.

    python benchmarks/check_question_set.py SET.jsonl [--no-keys]

Checks the format of ../shared/eval's sets (keys in order, lang, type, follow-ups' history), that each answerable
question's file exists under ../shared/corpus and that its gold and key strings are verbatim in the article's visible
text (front matter dropped, tags removed, entities unescaped, whitespace collapsed), and that unanswerable questions
have no file, gold or key. Prints the counts by type and language, then every problem, or OK. ``--no-keys``: questions
without gold or key (as in benchmarks/near_miss_questions.jsonl). Exits 1 on a problem.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from question_spans import visible_text  # noqa: E402  (the article's text as the sets quote it)

from assistant.evaluate import normalise  # noqa: E402  (whitespace runs collapsed, as the eval sets' matching rule)

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
TYPES = {"fact", "number", "why", "compare", "followup", "unanswerable"}


def problems(path: Path, keys: bool = True) -> tuple[Counter, list[str]]:
    counts: Counter = Counter()
    found, seen = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            found.append(f"line {n}: not JSON ({exc})")
            continue
        where = f"line {n} ({row.get('id')})"
        missing = [k for k in ("id", "q", "lang", "file", "gold", "type") if k not in row]
        if missing:
            found.append(f"{where}: missing {', '.join(missing)}")
            continue
        if row["id"] in seen:
            found.append(f"{where}: the id is used twice")
        seen.add(row["id"])
        kind = row["type"]
        counts[kind] += 1
        counts[row["lang"]] += 1
        if row["lang"] not in ("zh", "en") or kind not in TYPES:
            found.append(f"{where}: lang must be zh or en, type one of {sorted(TYPES)}")
        if kind == "unanswerable":
            if row["file"] is not None or row["gold"] or row.get("key"):
                found.append(f"{where}: an unanswerable question has file null, gold [] and key []")
            continue
        if kind == "followup" and not row.get("history"):
            found.append(f"{where}: a follow-up needs its history")
        article = CORPUS / (row["file"] or "")
        if not row["file"] or not article.is_file():
            found.append(f"{where}: no article {row['file']} under {CORPUS}")
            continue
        if keys:
            text = visible_text(row["file"])
            if not row["gold"] or not row.get("key"):
                found.append(f"{where}: an answerable question needs gold and key")
            for s in row["gold"] + row.get("key", []):
                if normalise(s) not in text:
                    found.append(f"{where}: not verbatim in {row['file']}: {s!r}")
    return counts, found


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    counts, found = problems(Path(args[0]), keys="--no-keys" not in sys.argv)
    print("counts:", dict(counts))
    print("\n".join(found) if found else "OK")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
