"""The first start of the app: how soon the page answers, and how soon the index is ready.

``python app.py`` is started in a subprocess over a copy of ``examples/articles`` with an empty index and
an empty embedding cache (what a new user gets). Printed: seconds until ``GET /`` answers (the page, with
its "indexing N of M articles" banner) and until ``/api/health`` says ready (the first indexing, which runs
in the background, is done). Target: the page answers within a few seconds, long before the index is ready.

    nice -n 10 python benchmarks/first_start.py [--work-dir /tmp/first-start]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, proc: subprocess.Popen, timeout: float = 600) -> float:
    """Seconds until ``check()`` is true (polled every 0.1 s)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"app.py stopped:\n{proc.communicate()[0]}")
        try:
            if check():
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"not ready within {timeout} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--work-dir", help="where the articles copy and the index go (default: a temporary folder)")
    args = p.parse_args()
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="first-start-"))
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(ROOT / "examples" / "articles", work / "articles")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ASSISTANT_EMBEDDING_CACHE=str(work / "embeddings.sqlite"))
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--articles-dir",
                             str(work / "articles"), "--index-dir", str(work / "index")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        page = wait_for(lambda: urllib.request.urlopen(base + "/", timeout=2).status == 200, proc)

        def ready() -> bool:
            with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                return json.load(r)["ready"]

        indexed = page + wait_for(ready, proc)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    articles = len([f for f in (work / "articles").iterdir() if f.suffix == ".md" and f.name != "README.md"])
    print(f"first start over {articles} demo articles (empty index, empty vector cache):")
    print(f"  page answers after   {page:6.1f} s")
    print(f"  index ready after    {indexed:6.1f} s")


if __name__ == "__main__":
    main()
