"""The Gradio app through its public API (gradio_client): ask, search, upload, login."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request

import httpx
import pytest
from app_helpers import NEW_FACT, NEW_QUESTION, NEW_TITLE, REPO, free_port, new_article, running_app
from gradio_client import Client, handle_file

from assistant import Answer
from assistant.web import render

from conftest import FLAGSHIP_EN, FLAGSHIP_ZH, write

pytestmark = [pytest.mark.slow,  # gradio 6.31's queue statistics use pandas options pandas 3 deprecates
              pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("app")) as (url, folder):
        yield url, folder


@pytest.fixture(scope="module")
def client(served):
    return Client(served[0], verbose=False)


def assert_cited(text: str, sources: list[dict]) -> None:
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    assert numbers, text
    assert numbers == {s["number"] for s in sources}
    for s in sources:
        assert s["title"] and s["file"] and s["quote"] and s["quote"] in s["text"]


@pytest.mark.parametrize("question", [FLAGSHIP_ZH, FLAGSHIP_EN])
def test_ask_answers_with_citations(client, question):
    text, sources = client.predict(question, api_name="/ask")
    assert_cited(text, sources)
    assert {s["file"] for s in sources} == {"01-digital-transformation.md"}
    assert "前端数字化" in text


def test_ask_streams_and_takes_options(client):
    job = client.submit(FLAGSHIP_ZH, 2, "extractive", "2021-01-01", "2021-12-31", "资讯", api_name="/ask")
    steps = list(job)
    text, sources = job.result()
    assert len(steps) >= 2 and steps[0][1] == []  # text first, sources with the final answer
    assert_cited(text, sources)


def test_ask_abstains_with_closest_passages(client):
    text, sources = client.predict("火星上一共有几只猫？", api_name="/ask")
    assert not re.search(r"\[\d+\]", text)
    assert sources and all(s["number"] is None for s in sources)


def test_ask_reports_bad_input(client):
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        client.predict(FLAGSHIP_ZH, date_from="last week", api_name="/ask")


def test_an_empty_question_is_refused_not_answered(client):
    """"" was answered "The articles don't cover this." while REST gives a 400 and the command line exit 2."""
    for blank in ("", "  \n\u3000"):
        for api_name in ("/ask", "/search"):
            with pytest.raises(Exception, match="the question is empty"):
                client.predict(blank, api_name=api_name)


def test_search(client):
    passages = client.predict("远程办公对哪类工作的效率影响最大？", 2, api_name="/search")
    assert len(passages) == 2
    assert passages[0]["file"] == "05-remote-work-productivity.md" and passages[0]["text"]


def test_upload_then_ask_about_it(client, served, tmp_path):
    _, folder = served
    article = new_article(tmp_path)
    picture = write(tmp_path / "cover.png", "not an article")
    report = client.predict([handle_file(str(article)), handle_file(str(picture))], api_name="/index")
    assert report["saved"] == [article.name] and report["added"] == 1 and report["failed"] == []
    assert [r["file"] for r in report["rejected"]] == ["cover.png"]
    assert (folder / article.name).read_bytes() == article.read_bytes()
    assert not (folder / "cover.png").exists()

    text, sources = client.predict(NEW_QUESTION, api_name="/ask")
    assert NEW_FACT in text
    # the fact is cited from the uploaded file (another article's sentence may come first in the answer)
    assert any(s["title"] == NEW_TITLE and s["file"] == article.name and NEW_FACT in s["text"] for s in sources)

    again = client.predict([handle_file(str(article))], api_name="/index")  # same file: nothing new
    assert again["saved"] == [article.name] and again["added"] == 0 and again["unchanged"] == 1


def test_answer_html_links_citations_and_escapes_article_text():
    out = render.streaming_html("<b>x</b> 句子。[2]", turn=3)
    assert "&lt;b&gt;" in out and '<a class="cite" href="#src-3-2">[2]</a>' in out
    assert render.highlighted("甲。乙<丙>。", ["乙<丙>。"]) == '甲。<mark class="quote">乙&lt;丙&gt;。</mark>'
    assert render.claims("A 一。[1]B 二。[1][2]") == {1: ["A 一。", "B 二。"], 2: ["B 二。"]}
    notice = render.answer_html(Answer(question="q", text="t", notice="no LLM configured"), 1)
    assert '<p class="notice">' in notice and "no LLM configured" in notice


def test_login_required_when_auth_is_set(tmp_path):
    """The real command line in a subprocess: ASSISTANT_AUTH, --port, the ready line."""
    (tmp_path / "articles").mkdir()  # empty: starts without loading the model
    port = free_port()
    env = dict(os.environ, ASSISTANT_AUTH="alice:secret")
    proc = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port),
                             "--articles-dir", str(tmp_path / "articles"), "--index-dir", str(tmp_path / "index")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.3)
        with pytest.raises(Exception, match="credentials were not provided"):
            Client(url, verbose=False)
        with pytest.raises(Exception, match="Could not login"):
            Client(url, auth=("alice", "wrong"), verbose=False)
        assert Client(url, auth=("alice", "secret"), verbose=False).predict("远程办公", api_name="/search") == []
        # a login and no API keys: a 401 asks for the login, not for a key nobody can have
        refused = httpx.post(url + "api/search", json={"query": "远程办公"})
        assert refused.status_code == 401 and "HTTP Basic" in refused.text and "Bearer" not in refused.text
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert re.search(rf"Ready in \d+\.\d s: {re.escape(url)} \(login required\)", out), out


def test_a_bad_or_taken_port_is_one_error_line_before_anything_is_created(tmp_path):
    """--port 99999 printed "Watching …" and then bind()'s OverflowError traceback; a taken port was refused
    only after the index had been created and its first indexing started. Both are now one line, exit 2,
    and neither the articles folder nor the index exists afterwards."""
    import socket

    def start(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(REPO / "app.py"), *args, "--articles-dir", str(tmp_path / "new"),
                               "--index-dir", str(tmp_path / "index")], capture_output=True, text=True, cwd=tmp_path,
                              env=dict(os.environ, **(env or {})), timeout=120)

    for done in (start("--port", "99999"), start(env={"ASSISTANT_PORT": "-1"})):
        assert done.returncode == 2 and done.stdout == "", done.stdout + done.stderr
        assert done.stderr.startswith("error: port must be between 0 and 65535") and done.stderr.count("\n") == 1
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = start("--port", str(port))
    assert done.returncode == 2 and "indexing" not in done.stdout and "Watching" not in done.stdout, done.stdout
    assert done.stderr == f"error: cannot serve on 127.0.0.1:{port} (Address already in use); try --port\n"
    assert not (tmp_path / "index").exists() and not (tmp_path / "new").exists()
