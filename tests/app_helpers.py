"""Starting app.py for the app and browser tests: its real ``main()``, in this process (the embedding
model is loaded once per test session), over a copy of two demo articles with an index of its own."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported anywhere

import shutil
import socket
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import hexo, write

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "articles"
ARTICLES = ("01-digital-transformation.md", "05-remote-work-productivity.md")  # 19 passages: a few seconds

# an article of our own with a fact no demo article has
NEW_TITLE = "星河咖啡的无人仓实验"
NEW_QUESTION = "星河咖啡的无人仓里有多少台搬运机器人？"
NEW_FACT = "47 台搬运机器人"
NEW_ARTICLE = hexo(NEW_TITLE, "<p>星河咖啡在杭州建了一座无人仓，仓内共有 47 台搬运机器人，每天处理约 9000 个订单。</p>\n"
                              "<p>负责人表示，无人仓让分拣错误率从千分之三下降到万分之五。</p>",
                   date="Fri, 05 Mar 2021 10:00:00 GMT", categories=("新媒体", "测试"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_app():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import app

    return app


@contextmanager
def running_app(root: Path, wait: bool = True):
    """Yield (url, articles folder) of the app serving a fresh copy of ARTICLES; stop it afterwards.
    ``wait``: return once the first indexing is done (else while it runs in the background). The app
    watches its folder, as by default."""
    folder = root / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ARTICLES:
        shutil.copyfile(DEMO / name, folder / name)
    with pytest.MonkeyPatch.context() as env:
        # vectors cached across the session's apps: the second app indexes without the model
        env.setenv("ASSISTANT_EMBEDDING_CACHE", str(root.parent / "app-embeddings.sqlite"))
        demo, url = load_app().main(["--port", str(free_port()), "--articles-dir", str(folder),
                                     "--index-dir", str(root / "index")],
                                    block=False, wait=wait)
    try:
        yield url, folder
    finally:
        demo.close()


def new_article(folder: Path, name: str = "星河咖啡.md") -> Path:
    return write(folder / name, NEW_ARTICLE)


@contextmanager
def app_process(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 180):
    """``python app.py ARGS`` in a subprocess on a free port; yields (base url without the slash, process).
    Waits for /api/health; stops the process afterwards and leaves its output in ``proc.output``."""
    import json
    import subprocess
    import time
    import urllib.request

    port = free_port()
    proc = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO), **env), cwd=cwd)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                    if json.load(r)["ready"]:  # the first indexing runs in the background: wait for it
                        break
                time.sleep(0.3)
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    proc.kill()
                    raise RuntimeError(f"app.py did not start:\n{proc.communicate()[0]}") from None
                time.sleep(0.3)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.output = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.output = proc.communicate()[0]
