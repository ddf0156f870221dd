"""Feeds end to end: a real HTTP server on 127.0.0.1 serving RSS/Atom we write from our demo articles,
real files in the articles folder, the real model and Chroma. Hostile feeds must fail alone."""

from __future__ import annotations

import json

import pytest
import yaml

from assistant import Assistant
from assistant.cli import main as cli
from assistant.feeds import FeedError

from feed_server import FeedServer, atom, demo_entries, page, rss


@pytest.fixture(scope="module")
def server():
    with FeedServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One vector cache for the module: a text embedded by one test is not embedded again by the next."""
    return str(tmp_path_factory.mktemp("feed-cache") / "embeddings.sqlite")


def _assistant(tmp_path, cache, **kw) -> Assistant:
    return Assistant(index_dir=str(tmp_path / "index"), articles_dir=str(tmp_path / "articles"),
                     embedding_cache=cache, quiet=True, **kw)


def _front(path) -> tuple[dict, str]:
    text = open(path, encoding="utf-8").read()
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def test_rss_full_content_then_added_edited_removed(server, shared_cache, tmp_path):
    entries = demo_entries()[:3]
    url = server.set("/full/rss.xml", rss(entries, server.url))
    a = _assistant(tmp_path, shared_cache)
    feed = a.feeds.add(url, name="demo")
    [first] = a.feeds.sync()
    assert (first.error, first.new, first.updated, first.failed) == ("", 3, 0, [])
    assert first.requests == 1 and server.hits("/full/rss.xml") == 1  # full content: no page fetched
    assert first.index["added"] == 3 and first.index["chunks_embedded"] > 0
    files = sorted((tmp_path / "articles" / "feeds" / "demo").glob("*.md"))
    assert [str(f) for f in files] == sorted(first.written) and len(files) == 3
    meta, body = _front(files[0])
    assert meta["title"] == entries[0]["title"] and meta["link"].endswith("/posts/01-digital-transformation.html")
    assert meta["author"] == "示例作者" and meta["categories"] == ["demo", "示例", "主题1"]
    assert meta["date"].startswith("2021-07-11") and meta["feed"] == "demo"
    assert "前端数字化" in body
    hit = a.search("数字化转型 前端数字化 后端数字化", k=1)[0]
    assert hit.source == str(files[0]) and hit.date.startswith("2021-07-11")

    # nothing changed: a conditional GET answered 304, nothing written or embedded
    [again] = a.feeds.sync()
    assert again.not_modified and again.written == [] and again.index is None
    assert server.log[-1][1] == 304 and server.log[-1][2].get("If-None-Match")

    # one entry added, one edited (re-published under the same guid), one gone from the feed
    edited = dict(entries[1], html=entries[1]["html"] + "<p>更新：订阅制软件的续费率成为采购的关键指标。</p>")
    added = demo_entries()[3]
    server.set("/full/rss.xml", rss([added, edited, entries[0]], server.url))
    [third] = a.feeds.sync()
    assert (third.new, third.updated, third.unchanged, third.failed) == (1, 1, 1, [])
    assert third.index["added"] == 1 and third.index["updated"] == 1
    edited_file = next(f for f in files if "SaaS" in f.name)
    assert str(edited_file) in third.written  # the same file, rewritten
    assert "续费率成为采购的关键指标" in a.search("续费率成为采购的关键指标", k=1)[0].text
    assert len(list(feed_folder(tmp_path).glob("*.md"))) == 4  # the entry that left the feed keeps its file
    status = a.feeds.get("demo")
    assert (status["new"], status["updated"], status["failed"], status["last_error"]) == (1, 1, 0, "")
    assert status["entries"] == 4 and status["last_ok"] == status["last_sync"] and feed["folder"] == status["folder"]
    assert a.check() == []


def feed_folder(tmp_path, name="demo"):
    return tmp_path / "articles" / "feeds" / name


def test_atom_with_summaries_fetches_the_linked_pages(server, shared_cache, tmp_path):
    entries = demo_entries()[3:]
    for e in entries:
        e["summary"] = e["title"] + "（摘要）"
        server.set(f"/pages/{e['slug']}.html", page(e), content_type="text/html; charset=utf-8")
    url = server.set("/atom.xml", atom(entries, server.url), content_type="application/atom+xml")
    a = _assistant(tmp_path, shared_cache)
    a.feeds.add(url)  # name from the URL
    [result] = a.feeds.sync()
    assert (result.error, result.new, result.failed) == ("", 2, [])
    assert result.requests == 3  # the feed and the two pages
    llm = next(p for p in result.written if "20210714" in p)
    meta, body = _front(llm)
    assert meta["title"] == entries[0]["title"] and meta["link"].endswith("/pages/04-llm-customer-service.html")
    assert "提示词注入" in body  # deep in the page, not in the summary
    assert "栏目导航" not in body and "京ICP备" not in body  # navigation and footer are left out
    hits = a.search("什么是提示词注入？", k=3)
    assert hits and hits[0].source == llm


def test_hostile_feeds_fail_alone_with_their_reason(server, shared_cache, tmp_path):
    good = demo_entries()[4:]
    server.set("/ok.xml", rss(good, server.url))
    server.set("/html-page", "<!doctype html><html><body><h1>Welcome</h1><p>Not a feed.</p></body></html>",
               content_type="text/html; charset=utf-8")
    server.set("/broken.xml", rss(demo_entries()[:2], server.url)[:-60])  # cut off mid-document
    server.set("/huge.xml", b"<?xml version='1.0'?><rss version='2.0'><channel>" + b"<!-- padding -->" * 200_000)
    server.set("/slow.xml", rss(good, server.url), delay=3.0)
    server.set("/drip.xml", rss(demo_entries(), server.url), drip=0.5)
    a = _assistant(tmp_path, shared_cache, feed_timeout=1.5, feed_max_mb=1.0)
    for name, path in [("ok", "/ok.xml"), ("html", "/html-page"), ("broken", "/broken.xml"), ("huge", "/huge.xml"),
                       ("slow", "/slow.xml"), ("drip", "/drip.xml"), ("gone", "/missing.xml")]:
        a.feeds.add(server.url + path, name=name)
    a.feeds.add("http://127.0.0.1:9/closed.xml", name="refused")  # nothing listens on port 9

    results = {r.name: r for r in a.feeds.sync()}
    assert results["ok"].error == "" and results["ok"].new == 1
    assert "not an RSS or Atom feed" in results["html"].error and "text/html" in results["html"].error
    assert "malformed XML" in results["broken"].error
    assert "MB" in results["huge"].error and "ASSISTANT_FEED_MAX_MB" in results["huge"].error
    assert "did not answer within 1.5 s" in results["slow"].error
    assert "took longer than 1.5 s" in results["drip"].error or "did not answer" in results["drip"].error
    assert "HTTP 404" in results["gone"].error
    assert "cannot fetch" in results["refused"].error
    for name in ("html", "broken", "huge", "slow", "drip", "gone", "refused"):
        assert results[name].written == [] and not feed_folder(tmp_path, name).exists()
        status = a.feeds.get(name)
        assert status["last_error"] == results[name].error and status["last_ok"] is None
    assert a.stats()["articles"] == 1 and a.check() == []
    assert "远程办公" in a.search("远程办公 效率", k=1)[0].title

    # the command line shows the same, and a failing feed never stops the others
    assert cli(["feeds", "list", "--index-dir", str(tmp_path / "index"), "--json"]) == 0


def test_feed_commands(server, shared_cache, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_EMBEDDING_CACHE", shared_cache)
    url = server.set("/cli.xml", rss(demo_entries()[4:], server.url))
    index = ["--index-dir", str(tmp_path / "index")]
    assert cli(["feeds", "add", url, "--name", "cli", "--articles-dir", str(tmp_path / "articles"), *index]) == 0
    out = capsys.readouterr().out
    assert "added cli" in out and "cli: new 1" in out and "indexed: added 1" in out
    assert cli(["feeds", "add", url, *index]) == 2
    assert "already subscribed" in capsys.readouterr().err
    assert cli(["feeds", "sync", "--json", *index]) == 0
    assert json.loads(capsys.readouterr().out)[0]["not_modified"] is True
    assert cli(["feeds", "list", *index]) == 0
    assert "1 entries in" in capsys.readouterr().out
    assert cli(["feeds", "remove", "cli", "--delete-files", *index]) == 0
    assert "and 1 article(s)" in capsys.readouterr().out and not feed_folder(tmp_path, "cli").exists()
    assert cli(["feeds", "sync", "nope", *index]) == 2
    assert "no feed named 'nope'" in capsys.readouterr().err
    assert cli(["feeds", "add", "ftp://x", *index]) == 2
    with pytest.raises(FeedError):
        from assistant.feeds import parse_feed, Response

        parse_feed(Response(200, b"{}", "application/json", None, None, "x"), "x")


def test_sync_whose_indexing_fails_as_a_whole_says_so(server, shared_cache, tmp_path, capsys, monkeypatch):
    """Another process holds the index's lock past ASSISTANT_LOCK_WAIT: the entries are saved (a watcher or the next
    sync indexes them), and the command names each one as not indexed and exits 1, not 0."""
    from filelock import FileLock

    monkeypatch.setenv("ASSISTANT_EMBEDDING_CACHE", shared_cache)
    monkeypatch.setenv("ASSISTANT_LOCK_WAIT", "0.3")
    url = server.set("/locked.xml", rss(demo_entries()[4:], server.url))
    index = ["--index-dir", str(tmp_path / "index")]
    assert cli(["feeds", "add", url, "--name", "locked", "--no-sync", "--articles-dir", str(tmp_path / "articles"),
                *index]) == 0
    capsys.readouterr()
    other = FileLock(str(tmp_path / "index" / "index.lock"), timeout=0, thread_local=False)
    other.acquire()
    try:
        assert cli(["feeds", "sync", *index]) == 1
    finally:
        other.release()
    out = capsys.readouterr().out
    assert "locked: new 1" in out
    [line] = [line for line in out.splitlines() if "not indexed:" in line]
    assert "another process is indexing" in line and line.strip().split(": ")[1].endswith(".md")
    saved = list(feed_folder(tmp_path, "locked").glob("*.md"))
    assert len(saved) == 1 and str(saved[0]) in line
