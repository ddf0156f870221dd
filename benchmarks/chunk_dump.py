"""Every passage (and its sentences) of a folder of articles as JSON Lines, to compare two versions of
the reader and chunker byte for byte:

    PYTHONPATH=/path/to/old python benchmarks/chunk_dump.py ../shared/corpus old.jsonl
    PYTHONPATH=/path/to/new python benchmarks/chunk_dump.py ../shared/corpus new.jsonl
    cmp old.jsonl new.jsonl

Uses whichever ``assistant`` package is first on the path (so run it from outside the repo, or set
PYTHONPATH). Default chunking settings (500/80/80).
"""

import json
import sys
from pathlib import Path

from assistant.articles import read_article
from assistant.chunking import chunk_article, passage_sentences


def main() -> None:
    root, out_path = Path(sys.argv[1]), sys.argv[2]
    with open(out_path, "w", encoding="utf-8") as out:
        for path in sorted(root.rglob("*")):
            if path.suffix not in (".md", ".html", ".txt") or path.name.startswith("README"):
                continue
            article = read_article(path)
            chunks = chunk_article(article, 500, 80, 80)
            out.write(json.dumps({
                "path": str(path.relative_to(root)), "title": article.title, "date": article.date,
                "chunks": [[c.chunk_id[17:], c.start, c.end, c.headings, c.text,
                            [c.text[s:e] for s, e in passage_sentences(c.text)]] for c in chunks],
            }, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
