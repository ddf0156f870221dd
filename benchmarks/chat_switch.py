"""Questions that stand on their own, asked in a chat about something else: does the chat bend them?

    python benchmarks/chat_switch.py --index-dir /tmp/full-index [SET.jsonl ...] [--json OUT.json]

A user who moves on to a new question in the same chat must get the answer a fresh chat gives: issue 8 asks that a
question "that already stands on its own is not bent by the history". For each answerable question without a history
in the sets (default: ``../shared/eval/36kr_dev.jsonl`` and ``36kr_dev2.jsonl``; any set in that format, such as the
fresh sets of ``benchmarks/question_sets.md``), the script asks it alone, then after an unrelated question (the
next answerable one of the list about another article, with the answer the assistant gave it), and counts the
answers that hold a key alone and in the chat, and those whose text changed. Follow-up handling that leans on the
chat (the chat's article, rewrites with the previous question's words) shows up here as lost keys.

The index must hold the whole shared corpus (``assistant index ../shared/corpus``). About three answers per question
(~0.1–0.3 s each on the 2-core machine): the two shared sets take a minute or two.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from assistant.evaluate import has_key, load_questions  # noqa: E402

SHARED = ROOT.parent / "shared"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help="question sets (JSON Lines); default: the shared 36kr sets")
    parser.add_argument("--index-dir", required=True, help="an index of the whole shared corpus")
    parser.add_argument("--json", type=Path, help="write every question's outcome here")
    args = parser.parse_args()
    sets = args.sets or [SHARED / "eval" / "36kr_dev.jsonl", SHARED / "eval" / "36kr_dev2.jsonl"]
    questions = [q for path in sets for q in load_questions(path) if q.file and not q.history]
    if len(questions) < 2:
        parser.error("need at least two answerable questions without a history")
    assistant = Assistant(index_dir=args.index_dir, quiet=True)
    outcomes = {}
    for i, question in enumerate(questions):
        before = next(p for p in questions[i + 1:] + questions[:i] if p.file != question.file)
        told = assistant.ask(before.q)
        alone = assistant.ask(question.q)
        in_chat = assistant.ask(question.q, history=[(before.q, told.text)])
        outcomes[question.id] = {
            "q": question.q, "after": before.q, "key_alone": has_key(alone.text, question),
            "key_in_chat": has_key(in_chat.text, question), "same": alone.text == in_chat.text}
        got = outcomes[question.id]
        if not got["same"]:
            print(f"{question.id}: key {got['key_alone']} alone, {got['key_in_chat']} in the chat — {question.q} "
                  f"(after: {before.q})", flush=True)
    n = len(outcomes)
    alone = sum(o["key_alone"] for o in outcomes.values())
    in_chat = sum(o["key_in_chat"] for o in outcomes.values())
    changed = sum(not o["same"] for o in outcomes.values())
    print(f"\n{n} questions: key alone {alone}, after an unrelated question {in_chat}; answer changed {changed}")
    if args.json:
        args.json.write_text(json.dumps(outcomes, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
