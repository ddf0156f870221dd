"""Shared fixtures. Tests run the real thing: real files, the real embedding model, real Chroma on disk.

Third-party articles are read from ../shared (beside the repo) and copied only into pytest's
temporary folders, never into the repo.
"""

from __future__ import annotations

import os

# before anything imports transformers: nothing may reach a model hub
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
for key in [k for k in os.environ if k.startswith("ASSISTANT_") and k != "ASSISTANT_CACHE_DIR"]:
    del os.environ[key]  # a developer's own settings must not change test results

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = CORPUS / "seed" / "000_9dcaa4cc1a55138b.md"
DEV_SET = SHARED / "eval" / "36kr_dev.jsonl"
CMRC = SHARED / "eval" / "cmrc2018_trial.json"

# a small slice of the real corpus: the seed article, digitalisation/SaaS neighbours as distractors,
# and the articles behind a few dev questions
SLICE = ["seed/000_9dcaa4cc1a55138b.md", "36kr/015.md", "36kr/016.md", "36kr/050.md", "36kr/054.md",
         "36kr/070.md", "36kr/089.md", "36kr-newsflash/001.md"]

FLAGSHIP_ZH = "前端数字化和后端数字化有什么区别？"
FLAGSHIP_EN = "What is the difference between front-end and back-end digitalization?"


def shared_question(qid: str) -> str:
    """A question of the shared dev set, read by id (the sets are third-party text: read, never copied)."""
    import json

    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        if line.strip() and json.loads(line)["id"] == qid:
            return json.loads(line)["q"]
    raise KeyError(f"{qid} is not in {DEV_SET}")


def pytest_sessionstart(session):
    if not CORPUS.exists():
        raise pytest.UsageError(f"test data not found: {CORPUS} (../shared must sit beside the repo)")


@pytest.fixture(scope="session")
def corpus_slice(tmp_path_factory) -> Path:
    """A copy of a few real articles in a temporary folder (tests may not touch ../shared)."""
    root = tmp_path_factory.mktemp("slice")
    for rel in SLICE:
        target = root / rel.replace("/", "__")
        shutil.copyfile(CORPUS / rel, target)
    return root


@pytest.fixture(scope="session")
def sliced_assistant(tmp_path_factory, corpus_slice):
    """An Assistant over the corpus slice, indexed once per session (read-only for tests)."""
    from assistant import Assistant

    a = Assistant(index_dir=str(tmp_path_factory.mktemp("slice-index")), quiet=True)
    report = a.index([corpus_slice])
    assert report.failed == [] and report.added == len(SLICE)
    return a


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def hexo(title: str, body_html: str, date: str = "Thu, 15 Jul 2021 02:14:44 GMT",
         categories=("新媒体", "36kr", "资讯")) -> str:
    """An article in the corpus's Hexo format, with our own text."""
    cats = "\n".join(f" - {c}" for c in categories)
    return (f"\n---\ntitle: '{title}'\ncategories: \n{cats}\nauthor: test\ncomments: false\n"
            f"date: {date}\n---\n\n<div>\n{body_html}\n</div>\n")
