"""The server's three faces over real HTTP: ``python app.py`` in a subprocess on a free port, called with
httpx (REST, Server-Sent Events), the official ``openai`` package and LangChain's ``ChatOpenAI`` (/v1),
``gradio_client`` (the page), and the ``assistant feedback export`` command. Auth on every route."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi import FastAPI, File, UploadFile  # module level: the route's annotations must resolve
from app_helpers import ARTICLES, DEMO, NEW_FACT, NEW_QUESTION, NEW_TITLE, REPO, app_process, new_article

from assistant.evaluate import load_jsonl

from conftest import FLAGSHIP_EN, FLAGSHIP_ZH, write

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")]

KEY = "test-key-0123456789"
LIMIT = 5  # the guarded server's ASSISTANT_LOGIN_ATTEMPTS (the default)
OTHER_KEY = "second-key-abcdefgh"
AUTH = {"Authorization": f"Bearer {KEY}"}


def demo_folder(root):
    folder = root / "articles"
    folder.mkdir(parents=True)
    for name in ARTICLES:
        shutil.copyfile(DEMO / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app with two API keys (so auth is on) over two demo articles; yields (base url, folder, root)."""
    root = tmp_path_factory.mktemp("web")
    folder = demo_folder(root)
    env = {"ASSISTANT_API_KEYS": f"{KEY},{OTHER_KEY}", "ASSISTANT_LOGIN_ATTEMPTS": "1000",
           # the vectors of the demo articles are shared with the app tests: embedded once per session
           "ASSISTANT_EMBEDDING_CACHE": str(root.parent / "app-embeddings.sqlite")}
    with app_process(["--articles-dir", str(folder), "--index-dir", str(root / "index")], env, root) as (base, _):
        yield base, folder, root


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server[0], headers=AUTH, timeout=60) as client:
        yield client


def assert_cited(answer: dict) -> None:
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer["text"])}
    assert numbers and numbers == {c["number"] for c in answer["citations"]}, answer["text"]
    for c in answer["citations"]:
        assert c["quote"] and c["quote"] in c["passage"]["text"]
        assert c["passage"]["source"] == "01-digital-transformation.md"


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    events, name = [], "message"
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            events.append((name, json.loads(line[6:])))
            name = "message"
    return events


# -- REST ---------------------------------------------------------------------------------

def test_ask_answers_with_citations(http):
    r = http.post("/api/ask", json={"question": FLAGSHIP_ZH})
    assert r.status_code == 200
    answer = r.json()
    assert_cited(answer)
    assert "前端数字化" in answer["text"] and not answer["abstained"]


def test_ask_streams_server_sent_events(http):
    with http.stream("POST", "/api/ask", json={"question": FLAGSHIP_EN, "k": 3, "stream": True}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r)
    names = [name for name, _ in events]
    assert names.count("delta") >= 2 and names[-1] == "answer" and names.count("answer") == 1
    answer = events[-1][1]
    assert "".join(data["text"] for name, data in events if name == "delta") == answer["text"]
    assert_cited(answer)


@pytest.mark.skipif(not shutil.which("curl"), reason="no curl")
def test_curl_reads_the_event_stream(server):
    """The README's curl line, as written there."""
    out = subprocess.run(["curl", "-sN", "-H", f"Authorization: Bearer {KEY}", f"{server[0]}/api/ask",
                          "-H", "Content-Type: application/json",
                          "-d", json.dumps({"question": FLAGSHIP_ZH, "stream": True})],
                         capture_output=True, text=True, timeout=60).stdout
    events = re.findall(r"^event: (\w+)$", out, re.M)
    assert events.count("delta") >= 2 and events[-1] == "answer"
    assert "[1]" in json.loads(out.strip().splitlines()[-1][len("data: "):])["text"]


def test_ask_abstains_with_closest_passages(http):
    answer = http.post("/api/ask", json={"question": "火星上一共有几只猫？"}).json()
    assert answer["abstained"] and answer["citations"] == [] and answer["passages"]
    assert not re.search(r"\[\d+\]", answer["text"])


@pytest.mark.parametrize("body, words", [
    ({"question": FLAGSHIP_ZH, "date_from": "last week"}, "YYYY-MM-DD"),
    ({"question": FLAGSHIP_ZH, "k": 99}, "k"),
    ({"question": ""}, "question"),
    ({"question": FLAGSHIP_ZH, "answerer": "magic"}, "answerer"),
])
def test_bad_input_is_a_400_with_a_json_error(http, body, words):
    for stream in (False, True):
        r = http.post("/api/ask", json=body | {"stream": stream})
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "bad_request" and words in r.json()["detail"]


def test_rest_refuses_unknown_fields_and_loose_booleans(http):
    """A misspelt filter is named, not ignored (it answered unfiltered), and "yes" is no boolean (it started a
    full rebuild); /v1 is not strict (see test_openai_takes_its_extra_fields_and_names_a_bad_message)."""
    r = http.post("/api/ask", json={"question": "换电", "date_form": "2030-01-01"})
    assert r.status_code == 422 and r.json()["error"] == "unprocessable", r.text
    assert "unknown field 'date_form' (did you mean 'date_from'?)" in r.json()["detail"]
    r = http.post("/api/search", json={"query": "换电", "stream": True, "kk": 3})
    detail = r.json()["detail"]
    assert r.status_code == 422 and "'stream'" in detail and "'kk' (did you mean 'k'?)" in detail
    r = http.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "up", "ratting": "up"})
    assert r.status_code == 422 and "'ratting'" in r.json()["detail"]
    r = http.get("/api/articles", params={"categroy": "资讯"})
    assert r.status_code == 422 and "unknown query parameter 'categroy' (did you mean 'category'?)" in r.text
    for flag in ("yes", 1, "true"):  # refused before the route runs: no job is started
        r = http.post("/api/index", json={"rebuild": flag})
        assert r.status_code == 400 and "rebuild: must be true or false" in r.json()["detail"], r.text
    r = http.post("/api/ask", json={"question": FLAGSHIP_ZH, "stream": "false"})
    assert r.status_code == 400 and "stream: must be true or false" in r.json()["detail"]


def test_rest_and_v1_take_k_only_as_a_json_integer(http):
    """true was read as k=1 and "5" as 5, while "yes" is no boolean; a count must be a JSON integer too."""
    for value in (True, "5", 5.0, [5]):
        said = f"k: must be a whole number (a JSON integer), not {json.dumps(value)}"
        for stream in (False, True):
            r = http.post("/api/ask", json={"question": "换电", "k": value, "stream": stream})
            assert r.status_code == 400 and r.json() == {"error": "bad_request", "detail": said}, r.text
        r = http.post("/api/search", json={"query": "换电", "k": value})
        assert r.status_code == 400 and r.json()["detail"] == said, r.text
        r = http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "换电"}], "k": value})
        assert r.status_code == 400 and r.json()["error"]["message"] == said, r.text
    r = http.post("/api/search", json={"query": "换电", "k": 2})
    assert r.status_code == 200 and len(r.json()["passages"]) == 2


def test_search(http):
    r = http.post("/api/search", json={"query": "远程办公对哪类工作的效率影响最大？", "k": 2})
    passages = r.json()["passages"]
    assert len(passages) == 2 and passages[0]["source"] == "05-remote-work-productivity.md"
    assert passages[0]["text"] and passages[0]["url"].startswith(f"/articles/{passages[0]['article_id']}?")
    only = http.post("/api/search", json={"query": "数字化", "source": "05-remote-work-productivity.md"}).json()
    assert only["passages"] and {p["source"] for p in only["passages"]} == {"05-remote-work-productivity.md"}


def test_articles_list_page_and_full_article(http):
    listed = http.get("/api/articles", params={"limit": 1}).json()
    assert listed["total"] == 2 and len(listed["articles"]) == 1
    assert http.get("/api/articles", params={"q": "remote-work"}).json()["total"] == 1
    assert http.get("/api/articles", params={"category": "no such category"}).json()["total"] == 0

    answer = http.post("/api/ask", json={"question": FLAGSHIP_ZH}).json()
    cited = answer["citations"][0]
    full = http.get(f"/api/articles/{cited['passage']['article_id']}").json()
    assert full["current"] and full["title"] == cited["passage"]["title"]
    passage = cited["passage"]
    assert cited["quote"] in full["text"][passage["start"]:passage["end"]]  # offsets point into the text
    for span in full["passage_spans"]:
        assert full["text"][span["start"]:span["end"]].strip()
    assert any(b["kind"] == "heading" for b in full["blocks"])
    assert http.get("/api/articles/nope").status_code == 404
    assert http.get("/api/articles/nope").json() == {"error": "not_found", "detail": "no article 'nope' in the index"}


def test_article_viewer_highlights_the_cited_sentence(http):
    answer = http.post("/api/ask", json={"question": FLAGSHIP_ZH}).json()
    cited = answer["citations"][1]
    page = http.get(cited["passage"]["url"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert f"<h1>{cited['passage']['title']}</h1>" in html and "01-digital-transformation.md" in html
    marked = re.findall(r'<mark class="quote">(.*?)</mark>', html)
    assert "".join(marked) == cited["quote"]
    assert html.count('id="cited"') == 1 and html.index('id="cited"') < html.index('<mark class="quote">')
    assert "<script src" not in html and "http" not in html.split("<body>")[1]  # works offline
    assert httpx.get(str(http.base_url) + cited["passage"]["url"]).status_code == 401  # no key
    # a mangled link still opens the article as a page, unmarked where it cannot be read
    mangled = http.get(f"/articles/{cited['passage']['article_id']}", params={"start": "abc", "end": "-5"})
    assert mangled.status_code == 200 and mangled.headers["content-type"].startswith("text/html")
    assert f"<h1>{cited['passage']['title']}</h1>" in mangled.text and 'id="cited"' not in mangled.text


def test_upload_ask_reindex_and_delete(http, server, tmp_path):
    _, folder, _ = server
    article = new_article(tmp_path)
    picture = write(tmp_path / "cover.png", "not an article")
    files = [("files", (article.name, article.read_bytes(), "text/markdown")),
             ("files", ("cover.png", picture.read_bytes(), "image/png"))]
    r = http.post("/api/articles", files=files)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["saved"] == [article.name] and out["report"]["added"] == 1
    assert out["rejected"][0]["file"] == "cover.png" and (folder / article.name).exists()
    found = http.post("/api/search", json={"query": NEW_QUESTION}).json()["passages"]
    assert found[0]["title"] == NEW_TITLE and NEW_FACT in found[0]["text"]
    # the same name with different content (a corrected version) is kept beside the old one, and says so
    edited = article.read_bytes().replace(NEW_FACT.encode(), NEW_FACT.encode() + "（已更正）".encode())
    r = http.post("/api/articles", files=[("files", (article.name, edited, "text/markdown"))])
    second = r.json()["saved"][0]
    assert r.status_code == 201 and second != article.name and (folder / second).exists()
    assert [w["file"] for w in r.json()["report"]["warnings"]] == [second]
    assert f"delete {article.name}" in r.json()["report"]["warnings"][0]["reason"]
    second_id = next(a["article_id"] for a in http.get("/api/articles").json()["articles"] if a["source"] == second)
    assert http.delete(f"/api/articles/{second_id}").status_code == 200

    big = ("files", ("big.md", b"# big\n\n" + "很长的句子。".encode() * 400_000, "text/markdown"))
    r = http.post("/api/articles", files=[big])
    assert r.status_code == 413 and r.json()["error"] == "too_large" and not (folder / "big.md").exists()

    with socket.create_connection(("127.0.0.1", http.base_url.port)) as raw:  # refused before it is read
        raw.sendall(b"POST /api/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY.encode() +
                    b"\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 900000000\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 413")

    job = http.post("/api/index", json={"rebuild": True}).json()
    second = http.post("/api/index", json={})  # queued behind the first (one writer at a time)
    assert second.status_code == 202
    for body in (job, second.json()):  # a queued job has not started (it used to report when it was asked for)
        assert (body["started"] is None) == (body["status"] == "queued") and body["created"] > 0, body
    while (state := http.get(f"/api/jobs/{second.json()['id']}").json())["status"] in ("queued", "running"):
        time.sleep(0.2)
    first = http.get(f"/api/jobs/{job['id']}").json()
    assert first["status"] == state["status"] == "done", (first, state)
    assert first["report"]["chunks_total"] > 0 and first["report"]["failed"] == []
    assert state["started"] >= first["finished"]  # it ran after the first had finished
    assert http.get("/api/jobs/nope").status_code == 404

    new_id = next(a["article_id"] for a in http.get("/api/articles").json()["articles"] if a["title"] == NEW_TITLE)
    r = http.delete(f"/api/articles/{new_id}")
    assert r.json() == {"removed": 1, "moved_to": f".deleted/{article.name}"}
    assert not (folder / article.name).exists() and (folder / ".deleted" / article.name).exists()
    assert http.delete(f"/api/articles/{new_id}").status_code == 404
    found = http.post("/api/search", json={"query": NEW_QUESTION}).json()["passages"]
    assert found and NEW_TITLE not in {p["title"] for p in found}


def test_openapi_schema_and_docs(server):
    schema = httpx.get(server[0] + "/openapi.json").json()
    for path in ("/api/ask", "/api/search", "/api/articles", "/api/articles/{article_id}", "/api/index",
                 "/api/jobs/{job_id}", "/api/feedback", "/api/ingest_status", "/v1/chat/completions", "/v1/models"):
        assert path in schema["paths"], path
    assert {"AnswerOut", "CitationOut", "PassageOut", "IndexReportOut"} <= set(schema["components"]["schemas"])
    rebuild = schema["components"]["schemas"]["IndexIn"]["properties"]["rebuild"]["description"]
    assert "beside the live one" in rebuild and "drop" not in rebuild  # it said "drop everything"
    docs = httpx.get(server[0] + "/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text
    assert "<script src" not in docs.text and "<link" not in docs.text  # nothing from a CDN: works offline


# -- OpenAI-compatible --------------------------------------------------------------------

def test_openai_client_non_stream_and_stream(server):
    from openai import BadRequestError, NotFoundError, OpenAI

    client = OpenAI(base_url=server[0] + "/v1", api_key=KEY)
    assert [m.id for m in client.models.list()] == ["assistant"]
    messages = [{"role": "user", "content": FLAGSHIP_ZH}]
    reply = client.chat.completions.create(model="assistant", messages=messages)
    content = reply.choices[0].message.content
    text, sources = content.split("\n\n**Sources**\n")
    citations = reply.model_extra["citations"]
    assert {int(n) for n in re.findall(r"\[(\d+)\]", text)} == {c["number"] for c in citations}
    assert len(sources.splitlines()) == len(citations) and "01-digital-transformation.md" in sources
    assert "前端数字化" in text and reply.choices[0].finish_reason == "stop"

    chunks = list(client.chat.completions.create(model="assistant", messages=messages, stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == content and len(chunks) >= 4
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].model_extra["citations"] == citations
    # asked for, the usage comes in a last chunk without choices, as OpenAI sends it
    counted = list(client.chat.completions.create(model="assistant", messages=messages, stream=True,
                                                  stream_options={"include_usage": True}))
    assert counted[-1].choices == [] and counted[-1].usage == reply.usage and reply.usage.completion_tokens > 0
    assert all(c.usage is None for c in counted[:-1])
    assert "".join(c.choices[0].delta.content or "" for c in counted if c.choices) == content

    narrow = client.chat.completions.create(model="assistant", messages=messages, extra_body={"k": 1})
    assert len({c["passage"]["chunk_id"] for c in narrow.model_extra["citations"]}) == 1
    with pytest.raises(BadRequestError, match="YYYY-MM-DD"):
        client.chat.completions.create(model="assistant", messages=messages, extra_body={"date_from": "soon"})
    with pytest.raises(NotFoundError, match="assistant-llm"):
        client.chat.completions.create(model="assistant-llm", messages=messages)


def test_openai_follow_up_uses_the_history(server):
    from openai import OpenAI

    client = OpenAI(base_url=server[0] + "/v1", api_key=OTHER_KEY)
    first = client.chat.completions.create(model="assistant", messages=[
        {"role": "system", "content": "You are helpful."}, {"role": "user", "content": "前端数字化是什么？"}])
    follow = client.chat.completions.create(model="assistant", messages=[
        {"role": "user", "content": "前端数字化是什么？"},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": [{"type": "text", "text": "那后端呢？"}]}])
    assert follow.model_extra["search_query"] == "后端数字化是什么？"  # rewritten with the earlier turn
    assert follow.model_extra["citations"] and "后端数字化" in follow.choices[0].message.content
    # the swapped-out term's sentences answered the first question: "前端数字化更多是聚焦于…" (and "它要回答的…" after it)
    # led the answer to "那后端呢？" after "前端数字化更多聚焦什么？", in Chinese and in English
    for fragment in ("那后端呢？", "What about back-end?"):
        swap = client.chat.completions.create(model="assistant", messages=[
            {"role": "user", "content": "前端数字化更多聚焦什么？"}, {"role": "assistant", "content": "…"},
            {"role": "user", "content": fragment}])
        content = swap.choices[0].message.content
        assert "后端数字化更多是基于" in content and "前端数字化更多是聚焦于" not in content, content
        assert "它要回答的核心问题是“用户在哪里" not in content, content
    # asked in English after a Chinese question: searched in the articles' words, answered with the English note
    english = client.chat.completions.create(model="assistant", messages=[
        {"role": "user", "content": "远程办公的效率如何？"}, {"role": "assistant", "content": "…"},
        {"role": "user", "content": "What about communication costs?"}])
    assert english.model_extra["search_query"].endswith("远程办公的效率如何？")
    assert "成本" in english.model_extra["search_query"] and "costs" not in english.model_extra["search_query"]
    content = english.choices[0].message.content
    assert "Quoted from the Chinese articles" in content and "沟通" in content, content


def test_openai_takes_its_extra_fields_and_names_a_bad_message(server, http):
    """Sampling options clients send unasked are ignored; a message that cannot be read is named with its
    problem; errors carry OpenAI's type; /v1 and /api themselves are 404s in their own shapes."""
    from openai import BadRequestError, OpenAI

    client = OpenAI(base_url=server[0] + "/v1", api_key=KEY, max_retries=0)
    reply = client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": FLAGSHIP_ZH}],
                                           temperature=0.2, top_p=0.9, max_tokens=50, n=1, stop=["###"], seed=1,
                                           user="tester", presence_penalty=0.5)
    assert reply.model_extra["citations"] and len(reply.choices) == 1
    bad = [([{"role": "system", "content": "Be brief."}, {"role": "wizard", "content": "你好"}],
            "messages[1]: unknown role 'wizard'"),
           ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}]}],
            "messages[0] has no text, only image_url content"),
           ([{"role": "user", "content": FLAGSHIP_ZH}, {"role": "assistant", "content": "…"}],
            "messages[1] is the assistant's: end with the user's question"),
           ([{"role": "user", "content": "  "}], "messages[0] is empty: the last user message must be a non-empty question")]
    for messages, words in bad:
        with pytest.raises(BadRequestError) as caught:
            client.chat.completions.create(model="assistant", messages=messages)
        assert words in caught.value.message and caught.value.type == "invalid_request_error", caught.value.body

    root = http.get("/v1")
    assert root.status_code == 404 and root.json()["error"]["type"] == "invalid_request_error", root.text
    assert http.get("/api").json() == {"error": "not_found", "detail": "no route /api; the routes are listed at /docs"}
    assert httpx.get(server[0] + "/api").status_code == 401  # the key first, as everywhere


def test_langchain_chat_openai(server):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=server[0] + "/v1", api_key=KEY, model="assistant", max_retries=0)
    reply = llm.invoke(FLAGSHIP_EN)
    assert "[1]" in reply.content and "**Sources**" in reply.content
    streamed = "".join(chunk.content for chunk in llm.stream(FLAGSHIP_EN))
    assert streamed == reply.content


# -- the page ---------------------------------------------------------------------------------

def test_gradio_page_needs_the_login_too(server):
    from gradio_client import Client

    with pytest.raises(Exception, match="credentials were not provided"):
        Client(server[0] + "/", verbose=False)
    client = Client(server[0] + "/", auth=("anyone", KEY), verbose=False)  # an API key is a password too
    text, sources = client.predict(FLAGSHIP_ZH, api_name="/ask")
    assert "[1]" in text and sources[0]["file"] == "01-digital-transformation.md"


@pytest.fixture(scope="module")
def page_handlers(server, tmp_path_factory):
    """The page's own handlers (what its buttons call) in this process, over a copy of the server's index."""
    from assistant import Assistant
    from assistant.web.ui import Handlers

    _, folder, root = server
    copy = tmp_path_factory.mktemp("page") / "index"
    shutil.copytree(root / "index", copy)
    return Handlers(Assistant(index_dir=str(copy), articles_dir=str(folder)))


def test_the_chat_refuses_a_date_it_cannot_read(page_handlers):
    """The filter the user last saw working must not quietly stay in force: the chat says which date it
    cannot read and how to write it, keeps the question in the box and answers nothing."""
    import gradio as gr

    h, store = page_handlers, {"chats": [], "current": ""}
    *_, (_, _, _, turns, store, _, _) = h.chat(FLAGSHIP_ZH, [], store, 5, "extractive", "2021-07-01", None, "", "en")
    assert len(turns) == 1 and turns[0]["settings"]["date_from"] == "2021-07-01"
    assert turns[0]["settings"]["abstained"] is False  # a thumb on it is exported by this flag
    steps = list(h.chat(FLAGSHIP_ZH, turns, store, 5, "extractive", "not a date", "", "", "en"))
    assert len(steps) == 1  # nothing was searched
    shown, panel, box, kept, saved, ask, stop = steps[0]
    error = shown[-1]["content"]
    assert error.startswith("⚠️") and "not a date" in error and "YYYY-MM-DD" in error and "From date" in error
    assert box == FLAGSHIP_ZH and kept == saved == panel == gr.skip() and len(shown) == 2 * len(turns) + 2
    assert ask["visible"] and not stop["visible"]
    _, chip = h.chip("2021-07-01", "31.12.2021", "", "en")
    assert 'class="chip bad"' in chip and "31.12.2021" in chip and "YYYY-MM-DD" in chip and "To date" in chip
    _, chip = h.chip("not a date", "", "", "zh")
    assert "not a date" in chip and "YYYY-MM-DD" in chip and "起始日期" in chip


def test_new_chat_keeps_the_chat_and_clear_forgets_it(page_handlers):
    h, store = page_handlers, {"chats": [], "current": ""}
    *_, (_, _, _, turns, store, _, _) = h.chat(FLAGSHIP_ZH, [], store, 5, "extractive", None, None, "", "en")
    first = store["current"]
    shown, _, kept, chats, store = h.new_chat(store, "en")
    assert shown == [] and kept == [] and [c["id"] for c in store["chats"]] == [first] and store["current"] == ""
    assert chats["choices"] == [(FLAGSHIP_ZH[:40], first)]
    *_, (_, _, _, turns, store, _, _) = h.chat("远程办公的效率如何？", [], store, 5, "extractive", None, None, "", "en")
    second = store["current"]
    assert [c["id"] for c in store["chats"]] == [second, first]
    shown, _, kept, chats, store = h.clear_chat(store, "en")  # the trash button: this chat is gone from the list
    assert shown == [] and kept == [] and [c["id"] for c in store["chats"]] == [first] and store["current"] == ""
    assert chats["choices"] == [(FLAGSHIP_ZH[:40], first)]


def test_a_browser_session_opens_the_viewer_and_the_api(server, http):
    """The viewer's links are followed by a browser that logged in on the page: its cookie is enough."""
    url = http.post("/api/ask", json={"question": FLAGSHIP_ZH}).json()["citations"][0]["passage"]["url"]
    with httpx.Client(base_url=server[0]) as browser:
        assert browser.get(url).status_code == 401
        assert browser.post("/login", data={"username": "me", "password": KEY}).status_code == 200
        page = browser.get(url)
        assert page.status_code == 200 and '<mark class="quote">' in page.text
        assert browser.get("/api/stats").status_code == 200
        browser.get("/logout")
        assert browser.get(url).status_code == 401


# -- feedback ---------------------------------------------------------------------------------

def test_feedback_is_stored_and_exported_as_eval_questions(http, server, tmp_path):
    """Liked answers become questions with their cited sentences as gold, a liked "not covered" one an
    unanswerable question; a liked answer sent without citations (the README's example) is left out and
    counted, not exported as unanswerable (the opposite of what the user liked)."""
    _, _, root = server
    liked = http.post("/api/ask", json={"question": FLAGSHIP_ZH}).json()
    disliked = http.post("/api/ask", json={"question": "远程办公对哪类工作的效率影响最大？"}).json()
    covered_not = http.post("/api/ask", json={"question": "火星上一共有几只猫？"}).json()
    assert covered_not["abstained"]
    for answer, rating in ((liked, "up"), (disliked, "down"), (covered_not, "up")):
        r = http.post("/api/feedback", json={"question": answer["question"], "answer": answer["text"],
                                             "rating": rating, "citations": answer["citations"],
                                             "abstained": answer["abstained"], "settings": {"k": 5},
                                             "comment": "test"})
        assert r.status_code == 201 and r.json()["id"] >= 1
    readme = {"question": "换电站换一次电要多久？", "answer": "三分钟左右。", "rating": "up", "citations": []}
    assert http.post("/api/feedback", json=readme).status_code == 201
    assert http.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "meh"}).status_code == 400

    out = tmp_path / "feedback.jsonl"
    done = subprocess.run([sys.executable, "-m", "assistant", "feedback", "export", str(out),
                           "--index-dir", str(root / "index")], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote 2 question(s) to {out}; left out 1 liked answer without citations"
    assert "left out" not in done.stderr  # said once, in the summary
    questions = load_jsonl(out)  # the eval harness reads it
    assert [q.q for q in questions] == [FLAGSHIP_ZH, "火星上一共有几只猫？"]
    assert questions[0].answerable and questions[0].file == "01-digital-transformation.md"
    assert set(questions[0].gold) == {c["quote"] for c in liked["citations"]}
    assert not questions[1].answerable
    done = subprocess.run([sys.executable, "-m", "assistant", "feedback", "export", str(out), "--include-down",
                           "--index-dir", str(root / "index")], check=True, capture_output=True, text=True, cwd=REPO)
    assert done.stdout.strip() == f"wrote 3 question(s) to {out}; left out 1 liked answer without citations"
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["type"] for r in rows] == ["feedback", "review", "unanswerable"] and rows[1]["gold"] == []


def test_feedback_export_rules_for_older_ratings():
    """Ratings stored before the abstained flag: a "not covered" answer is known by its opening sentence."""
    from assistant.answerers import NOT_COVERED
    from assistant.feedback import eval_rows

    def rating(i, answer, settings=None, rating="up"):
        return {"id": i, "rating": rating, "question": f"q{i}", "answer": answer, "citations": [],
                "settings": settings or {}, "comment": ""}

    skipped = []
    rows = eval_rows([rating(1, NOT_COVERED["zh"] + "\n以下是最接近的段落："), rating(2, "三分钟左右。"),
                      rating(3, "三分钟左右。", {"abstained": True}), rating(4, NOT_COVERED["en"], {"abstained": False}),
                      rating(5, NOT_COVERED["en"], rating="down")], include_down=True, skipped=skipped)
    assert [(r["id"], r["type"]) for r in rows] == [("feedback-1", "unanswerable"), ("feedback-3", "unanswerable"),
                                                   ("feedback-5", "review")]
    assert [f["id"] for f in skipped] == [2, 4]


def test_feedback_export_hands_the_left_out_answers_to_its_caller(tmp_path, caplog):
    """The command line counts them in its summary line: no second warning then; a library caller that does
    not ask for them still gets the warning."""
    from assistant.feedback import export

    ratings = [{"id": 1, "rating": "up", "question": "q1", "answer": "三分钟左右。", "citations": [], "settings": {},
                "comment": ""}]
    skipped = []
    with caplog.at_level("WARNING", logger="assistant.feedback"):
        assert export(ratings, tmp_path / "a.jsonl", skipped=skipped) == 0
    assert [f["id"] for f in skipped] == [1] and not caplog.records
    with caplog.at_level("WARNING", logger="assistant.feedback"):
        export(ratings, tmp_path / "b.jsonl")
    assert "left out 1 liked answer(s) without cited sentences (feedback 1)" in caplog.text


# -- auth -------------------------------------------------------------------------------------

ROUTES = [("GET", "/api/stats", None), ("POST", "/api/ask", {"question": "x"}), ("POST", "/api/search", {"query": "x"}),
          ("GET", "/api/articles", None), ("GET", "/api/articles/x", None), ("POST", "/api/articles", None),
          ("DELETE", "/api/articles/x", None), ("POST", "/api/index", {}), ("GET", "/api/jobs/x", None),
          ("POST", "/api/feedback", {"question": "q", "answer": "a", "rating": "up"}),
          ("GET", "/api/ingest_status", None), ("GET", "/api", None), ("GET", "/v1", None),
          ("GET", "/v1/models", None), ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": "x"}]})]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key-0000"}, {"Authorization": "Basic eDp5"},
                                     {"Authorization": KEY}], ids=["none", "wrong", "basic", "no-scheme"])
def test_every_route_needs_a_key(server, headers):
    for method, path, body in ROUTES:
        r = httpx.request(method, server[0] + path, json=body, headers=headers, timeout=30)
        assert r.status_code == 401, (method, path, r.text)
        error = r.json()["error"]
        assert (error["code"] if path.startswith("/v1") else error) == "unauthorized"
    assert httpx.get(server[0] + "/articles/x", headers=headers).status_code == 401  # the viewer
    assert httpx.get(server[0] + "/config", headers=headers).status_code == 401  # the page's config
    health = httpx.get(server[0] + "/api/health", headers=headers)
    assert health.status_code == 200 and health.json()["ready"]  # open: load balancers poll it


@pytest.fixture(scope="module")
def read_only(server, tmp_path_factory):
    """A second, read-only server on a copy of the first one's index, with a login. Nothing here fails a login:
    the lockout is tested on a server of its own (``limits``), whose tests lock their address out."""
    _, folder, root = server
    copy = tmp_path_factory.mktemp("read-only")
    shutil.copytree(root / "index", copy / "index")
    env = {"ASSISTANT_API_KEYS": KEY, "ASSISTANT_AUTH": "alice:secret", "ASSISTANT_READ_ONLY": "1"}
    with app_process(["--articles-dir", str(folder), "--index-dir", str(copy / "index")], env, copy) as (base, p):
        yield base, p


def test_read_only_refuses_writes_but_answers(read_only):
    base, _ = read_only
    with httpx.Client(base_url=base, headers=AUTH, timeout=60) as http:
        writes = [http.post("/api/articles", files=[("files", ("a.md", b"# a\n\ntext", "text/markdown"))]),
                  http.delete("/api/articles/x"), http.post("/api/index", json={"rebuild": True})]
        for r in writes:
            assert r.status_code == 403 and r.json()["error"] == "forbidden", r.request.url
        assert_cited(http.post("/api/ask", json={"question": FLAGSHIP_ZH}).json())
        assert http.get("/api/stats").json()["read_only"] is True
        assert http.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "up"}).status_code == 201
    assert httpx.post(base + "/api/search", json={"query": "远程办公"}, auth=("alice", "secret")).status_code == 200
    missing = httpx.post(base + "/api/search", json={"query": "远程办公"})  # both ways in are named
    assert missing.status_code == 401 and "Bearer" in missing.text and "HTTP Basic" in missing.text

    from gradio_client import Client

    client = Client(base + "/", auth=("alice", "secret"), verbose=False)
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert "/ask" in endpoints and "/index" not in endpoints  # no uploads through gradio_client either
    page = httpx.get(base + "/config", cookies=client.cookies).json()
    ids = {c.get("props", {}).get("elem_id") for c in page["components"]}
    assert "read-only" in ids and not ids & {"upload", "reindex", "rebuild", "delete"}


@pytest.fixture(scope="module")
def guarded(server, tmp_path_factory):
    """The app as app.py builds it (``create_app``), in this process, with a login, an API key and the default
    attempt limit, over a copy of the first server's index; yields (base url, its ``Guard``)."""
    from assistant import Assistant
    from assistant.web.server import Server, create_app

    _, folder, root = server
    copy = tmp_path_factory.mktemp("guarded") / "index"
    shutil.copytree(root / "index", copy)
    a = Assistant(index_dir=str(copy), articles_dir=str(folder), quiet=True, read_only=True, api_keys=KEY,
                  auth="alice:secret", login_attempts=LIMIT, login_window=300)
    app = create_app(a)
    guard = app.state.guard
    assert guard.limiter.attempts == guard.key_limiter.attempts == LIMIT
    running = Server(app, "127.0.0.1", 0).start()
    try:
        yield running.url.rstrip("/"), guard
    finally:
        running.close()


@pytest.fixture
def limits(guarded):
    """The guarded server with no failure counted, before and after the test: every test that fails logins
    starts from a clean count and leaves none, so none depends on another or on the order they run in. The
    limiters are the server's own (the page login's middleware and ``Guard.admit`` hold the same objects)."""
    base, guard = guarded
    for limiter in (guard.limiter, guard.key_limiter):
        limiter.clear()
    yield base
    for limiter in (guard.limiter, guard.key_limiter):
        limiter.clear()


def test_a_right_api_key_passes_after_wrong_ones_from_its_address(limits):
    """On localhost or behind a proxy every client shares one address: past the limit wrong keys get 429, but
    one client's stale key locks out neither the others' right keys nor the page's login (keys are long random
    tokens: guessing them is no risk, a lockout is)."""
    base = limits
    stale = {"Authorization": "Bearer stale-key-0123456789"}
    assert [httpx.get(base + "/api/stats", headers=stale).status_code for _ in range(LIMIT)] == [401] * LIMIT
    refused = httpx.get(base + "/api/stats", headers=stale)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0, refused.text
    assert refused.json()["error"] == "too_many_attempts"
    assert httpx.get(base + "/v1/models", headers=stale).json()["error"]["code"] == "too_many_attempts"
    assert httpx.get(base + "/api/stats", headers=AUTH).status_code == 200  # right after 5 wrong: passes
    assert httpx.get(base + "/v1/models", headers=AUTH).status_code == 200
    assert httpx.post(base + "/login", data={"username": "alice", "password": "secret"}).status_code == 200
    assert httpx.get(base + "/api/stats", auth=("alice", "secret")).status_code == 200
    assert httpx.get(base + "/api/stats").status_code == 401  # no credentials: asked for, not counted


def test_failed_logins_lock_the_password_out_for_their_address(limits):
    """The page's password is chosen by a person and may be weak: past the limit of failed logins from an
    address every login from it gets 429 without its password being checked, so a guesser cannot tell a right
    guess; HTTP Basic shares the count and the lockout. A right login before the limit clears the count."""
    base = limits
    wrong, right = {"username": "alice", "password": "guess"}, {"username": "alice", "password": "secret"}

    def login(form):
        return httpx.post(base + "/login", data=form).status_code

    assert [login(wrong) for _ in range(LIMIT - 1)] + [login(right)] == [400] * (LIMIT - 1) + [200]
    assert [login(wrong) for _ in range(LIMIT - 1)] == [400] * (LIMIT - 1)  # counted afresh
    assert httpx.get(base + "/api/stats", auth=("alice", "guess")).status_code == 401  # the 5th failure
    locked = httpx.post(base + "/login", data=right)  # right after 5 wrong: not even checked
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0, locked.text
    assert locked.json()["error"] == "too_many_attempts"
    assert login(wrong) == 429 and login({"username": "x", "password": KEY}) == 429  # a key as the password too
    basic = httpx.get(base + "/api/stats", auth=("alice", "secret"))  # guessing cannot move to HTTP Basic
    assert basic.status_code == 429 and int(basic.headers["retry-after"]) > 0
    assert httpx.get(base + "/api/stats", headers=AUTH).status_code == 200  # API keys are no passwords


def test_the_viewer_counts_wrong_passwords_and_shares_the_lockout(limits):
    """HTTP Basic on the article viewer is HTTP Basic on /api (it checked every guess, uncounted): a wrong
    password counts toward the page login's limit, and past it the viewer answers 429 without checking the
    password, right or wrong. Wrong API keys count apart, as on /api: a right key still opens the article."""
    base = limits
    article = httpx.get(base + "/api/articles", params={"limit": 1}, headers=AUTH).json()["articles"][0]
    url = f"{base}/articles/{article['article_id']}"

    def view(**kw):
        return httpx.get(url, **kw)

    opened = view(auth=("alice", "secret"))
    assert opened.status_code == 200 and html_title(opened.text) == article["title"]
    stale = {"Authorization": "Bearer stale-key-0123456789"}
    assert [view(headers=stale).status_code for _ in range(LIMIT)] == [401] * LIMIT
    refused = view(headers=stale)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0, refused.text
    assert view(headers=AUTH).status_code == 200 and view(auth=("alice", "secret")).status_code == 200
    wrong = [view(auth=("alice", f"guess-{i}")) for i in range(LIMIT - 1)]
    assert [r.status_code for r in wrong] == [401] * (LIMIT - 1) and "Log in first" in wrong[0].text
    assert httpx.post(base + "/login", data={"username": "alice", "password": "guess"}).status_code == 400  # 5th
    locked = view(auth=("alice", "secret"))  # right, but not even checked
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0, locked.text
    assert "too many failed logins" in locked.text.lower() and article["title"] not in locked.text
    assert view(auth=("alice", "guess")).status_code == 429
    assert httpx.get(base + "/api/stats", auth=("alice", "secret")).status_code == 429  # one lockout, every face
    assert httpx.post(base + "/login", data={"username": "alice", "password": "secret"}).status_code == 429
    assert view(headers=AUTH).status_code == 200  # API keys are no passwords


def html_title(page: str) -> str:
    import html

    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))


def test_refuses_to_serve_the_network_without_a_login(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "app.py"), "--host", "0.0.0.0", "--port", "9",
                           "--articles-dir", str(tmp_path), "--index-dir", str(tmp_path / "index")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode != 0 and "refusing to serve on 0.0.0.0 without a login" in done.stderr
    assert "--insecure-no-auth" in done.stderr and not (tmp_path / "index").exists()


def test_an_upload_over_the_request_limit_is_cut_off_while_it_arrives():
    """A chunked upload (no Content-Length) is counted as it arrives and refused with 413 at the limit."""
    from assistant.web.http import BodyLimit, install_errors
    from assistant.web.server import Server

    app = FastAPI()
    install_errors(app)

    @app.post("/api/articles")
    def upload(files: list[UploadFile] = File(...)) -> dict:
        return {"files": len(files)}

    app.add_middleware(BodyLimit, path="/api/articles", limit=100_000)
    server = Server(app, "127.0.0.1", 0).start()

    def body(parts: int):
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.md"\r\n\r\n'
        yield from (b"x" * 10_000 for _ in range(parts))
        yield b"\r\n--b--\r\n"

    try:
        for parts, status in ((5, 200), (50, 413)):
            r = httpx.post(server.url + "api/articles", content=body(parts),
                           headers={"content-type": "multipart/form-data; boundary=b"})
            assert r.status_code == status, r.text
        assert r.json() == {"error": "too_large", "detail": "upload over 0.1 MB in one request; "
                                                            "send fewer or smaller files"}
    finally:
        server.close()


def test_models_list_the_llm_when_one_is_configured(tmp_path):
    """Wiring only: the endpoint is never called here (listing models needs no index and no model)."""
    from openai import APIStatusError, OpenAI

    from assistant import Assistant
    from assistant.web.server import Server, create_app

    a = Assistant(index_dir=str(tmp_path / "index"), articles_dir=str(tmp_path),
                  llm_base_url="http://127.0.0.1:9/v1", llm_model="some-model")
    server = Server(create_app(a), "127.0.0.1", 0).start()
    try:
        client = OpenAI(base_url=server.url + "v1", api_key="unused", max_retries=0)
        assert [m.id for m in client.models.list()] == ["assistant", "assistant-llm"]
        with pytest.raises(APIStatusError, match="index is empty") as caught:
            client.chat.completions.create(model="assistant-llm", messages=[{"role": "user", "content": "x"}])
        assert caught.value.status_code == 503
        assert httpx.post(server.url + "api/search", json={"query": "x"}).status_code == 503
    finally:
        server.close()


def test_api_keys_from_a_file_or_a_list(tmp_path):
    from assistant.errors import ConfigError
    from assistant.web.auth import load_keys

    keys = write(tmp_path / "keys.txt", "# one key per line\nfirst-key-123456\n\n  second-key-654321  \n")
    assert load_keys(str(keys)) == ["first-key-123456", "second-key-654321"]
    assert load_keys("first-key-123456, second-key-654321,") == ["first-key-123456", "second-key-654321"]
    assert load_keys("") == []
    with pytest.raises(ConfigError, match="cannot read key file"):
        load_keys(str(tmp_path / "missing.txt"))
    with pytest.raises(ConfigError, match="at least 8 characters"):
        load_keys("short")
    with pytest.raises(ConfigError, match="no keys"):
        load_keys(str(write(tmp_path / "empty.txt", "# nothing\n")))


def test_an_article_deleted_through_the_api_shows_in_the_page_with_undo(tmp_path):
    """A delete is one kind of job whoever starts it: the page's job report and Undo read the API's too
    (the page used to fail on every poll after a REST delete)."""
    from assistant import Assistant
    from assistant.web.server import Server, create_app
    from assistant.web.ui import Handlers

    folder = demo_folder(tmp_path)
    a = Assistant(index_dir=str(tmp_path / "index"), articles_dir=str(folder), quiet=True,
                  embedding_cache=str(tmp_path.parent / "app-embeddings.sqlite"))
    a.index([folder])
    server = Server(create_app(a), "127.0.0.1", 0).start()
    try:
        r = httpx.get(server.url + "api/articles")
        assert r.status_code == 200, r.text
        listed = r.json()["articles"]
        gone = next(x for x in listed if x["source"] == ARTICLES[0])
        r = httpx.delete(f"{server.url}api/articles/{gone['article_id']}")
        assert r.status_code == 200 and r.json() == {"removed": 1, "moved_to": f".deleted/{ARTICLES[0]}"}
    finally:
        server.close()
    page = Handlers(a)
    status, _, *buttons, undo, history, _, _ = page.job_view("en")
    assert f"deleted «{gone['title']}»" in status and undo["visible"] and "delete" in history.lower()
    page.start_restore("en")
    while a.jobs.current is not None or a.jobs.queued:
        time.sleep(0.1)
    assert a.jobs.history[0].kind == "restore" and a.jobs.history[0].state == "done", a.jobs.history[0].error
    assert (folder / ARTICLES[0]).is_file() and any(x["title"] == gone["title"] for x in a.articles())
