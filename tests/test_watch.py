"""The folder watcher on real files: what is written, edited, renamed or deleted shows in search within a
bounded wait, a file still being written is never indexed half-way, and a burst of 200 files is a
handful of indexing runs."""

from __future__ import annotations

import re
import threading
import time

import httpx
import pytest

from assistant import Assistant
from assistant.watch import Watcher

from conftest import hexo, write

WAIT = 30.0  # generous bound for a loaded machine; a change normally shows within 2-5 s


def wait_until(check, timeout: float = WAIT, what: str = "", watcher=None) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"not reflected within {timeout:.0f} s: {what}"
                         + (f"; watcher: {watcher.status()}" if watcher else ""))


def sources(a: Assistant) -> set[str]:
    return {r["source"].rsplit("/", 2)[-2] + "/" + r["source"].rsplit("/", 1)[-1] for r in a.articles()}


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("watch-cache") / "embeddings.sqlite")


def test_writes_edits_renames_deletes_and_a_burst(tmp_path, cache):
    folder = tmp_path / "articles"
    write(folder / "cloud.md", hexo("云计算的价值", "<p>云计算把计算和存储变成按需付费的服务。</p>"))
    write(folder / "README.md", "# notes\n\nnot an article\n")
    a = Assistant(index_dir=str(tmp_path / "index"), embedding_cache=cache, quiet=True)
    a.warm_up()  # loading the model is not part of what is measured here
    with Watcher(a, [folder]) as w:
        assert w.observer_kind == "native"
        wait_until(lambda: sources(a) == {"articles/cloud.md"}, what="the initial sync", watcher=w)

        write(folder / "quantum.md", hexo("量子计算", "<p>量子比特可以同时处于叠加态，纠错是最大的工程难题。</p>"))
        wait_until(lambda: any(h.source.endswith("quantum.md") for h in a.search("量子比特 叠加态", k=2)),
                   what="a new file")

        write(folder / "quantum.md", hexo("量子计算", "<p>量子比特可以同时处于叠加态，低温制冷机是最贵的部件。</p>"))
        wait_until(lambda: "低温制冷机" in a.search("低温制冷机", k=1)[0].text, what="an edit")

        (folder / "topics").mkdir()
        (folder / "quantum.md").rename(folder / "topics" / "qc.md")
        wait_until(lambda: sources(a) == {"articles/cloud.md", "topics/qc.md"}, what="a rename")
        assert a.search("低温制冷机", k=1)[0].source.endswith("topics/qc.md")

        (folder / "topics" / "qc.md").unlink()
        wait_until(lambda: sources(a) == {"articles/cloud.md"}, what="a deletion")
        assert not any("低温制冷机" in h.text for h in a.search("低温制冷机", k=5))

        # a slow writer: the file grows for ~3 s; it is indexed only once it is complete
        paragraphs = [f"<p>第{i}段：边缘计算把算力放到离数据更近的地方，第{i}个场景。</p>" for i in range(12)]
        partial_seen = []

        def slow_writer():
            with open(folder / "edge.md", "w", encoding="utf-8") as handle:
                handle.write("---\ntitle: 边缘计算\ndate: 2021-07-01\n---\n\n")
                for p in paragraphs:
                    handle.write(p + "\n")
                    handle.flush()
                    time.sleep(0.25)

        writer = threading.Thread(target=slow_writer)
        writer.start()
        while writer.is_alive():
            for r in a.articles():
                if r["source"].endswith("edge.md"):
                    partial_seen.append(r["chars"])
            time.sleep(0.1)
        wait_until(lambda: any(r["source"].endswith("edge.md") for r in a.articles()), what="the slow file")
        assert partial_seen == []
        assert "第11段" in a.search("边缘计算 第11个场景", k=1)[0].text

        # a burst of 200 small files is a few runs, not 200
        wait_until(w.idle, what="idle before the burst")
        runs = w.runs
        for i in range(200):
            write(folder / "burst" / f"{i:03d}.md", hexo(f"短讯{i}", f"<p>第{i}号短讯：编号{i * 7919 % 1000}。</p>"))
        wait_until(lambda: len(a.articles()) == 202, timeout=120, what="the 200-file burst")
        wait_until(w.idle, what="idle after the burst")
        assert w.runs - runs <= 4, w.runs - runs
        assert a.check() == [] and w.last_error == ""
    assert not w._thread.is_alive()


def test_polling_observer(tmp_path, cache):
    folder = tmp_path / "articles"
    folder.mkdir()
    a = Assistant(index_dir=str(tmp_path / "index"), embedding_cache=cache, quiet=True)
    a.warm_up()
    reports = []
    with Watcher(a, [folder], poll=True, on_run=reports.append) as w:
        assert w.observer_kind == "polling"
        write(folder / "a.md", hexo("云计算的价值", "<p>云计算把计算和存储变成按需付费的服务。</p>"))
        wait_until(lambda: len(a.articles()) == 1, what="a new file seen by polling", watcher=w)
        (folder / "a.md").unlink()
        wait_until(lambda: len(a.articles()) == 0, what="a deletion seen by polling", watcher=w)
    assert sum(r.added for r in reports) == 1 and sum(r.removed for r in reports) == 1


def test_watch_syncs_feeds_into_the_watched_folder(tmp_path, cache):
    from feed_server import FeedServer, demo_entries, rss

    folder = tmp_path / "articles"
    folder.mkdir()
    a = Assistant(index_dir=str(tmp_path / "index"), articles_dir=str(folder), embedding_cache=cache, quiet=True)
    errors = []
    with FeedServer() as server:
        a.feeds.add(server.set("/feed.xml", rss(demo_entries()[4:], server.url)), name="demo")
        a.feeds.add(server.url + "/missing.xml", name="broken")
        with Watcher(a, [folder], feed_interval=60, on_error=errors.append) as w:
            wait_until(lambda: any("远程办公" in r["title"] for r in a.articles()), what="the feed's entry",
                       watcher=w)
            wait_until(w.idle, what="idle")
    [row] = [f for f in a.file_status() if f["feed"]]
    assert row["feed"] == "demo" and row["state"] == "indexed" and "/feeds/demo/" in row["path"]
    assert errors == [f"feed broken: HTTP 404 Not Found from {server.url}/missing.xml"]


def test_bad_folder_is_a_clear_error(tmp_path):
    from assistant import AssistantError

    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    with pytest.raises(AssistantError, match="not a folder"):
        Watcher(a, [tmp_path / "missing"])



def test_app_watches_its_folder_and_reports_file_status(tmp_path):
    """The real app (main(), Gradio, gradio_client): a file dropped into its folder is indexed by the
    watcher without pressing anything, and /ingest_status shows each file's state and the watcher."""
    from gradio_client import Client

    from app_helpers import NEW_QUESTION, NEW_TITLE, new_article, running_app

    with running_app(tmp_path) as (url, folder):
        client = Client(url, verbose=False)
        article = new_article(folder)
        wait_until(lambda: client.predict(NEW_QUESTION, 3, api_name="/search")[0]["title"] == NEW_TITLE,
                   what="a file written into the app's folder")
        status = client.predict(api_name="/ingest_status")
        assert status["watch"]["observer"] == "native" and status["watch"]["last_error"] == ""
        assert status["feeds"] == []
        states = {f["file"]: f["state"] for f in status["files"]}
        assert states[article.name] == "indexed" and set(states.values()) == {"indexed"}
        assert httpx.get(url + "api/ingest_status").json() == status  # the same through REST


def test_app_creates_and_watches_an_articles_folder_that_did_not_exist(tmp_path, capsys):
    """It used to start without a watcher and say nothing: the folder the first upload created was never
    watched. Now it is created at start, watched, and /api/stats says which folder is watched."""
    from app_helpers import NEW_TITLE, free_port, load_app, new_article

    folder = tmp_path / "not" / "there"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ASSISTANT_EMBEDDING_CACHE", str(tmp_path.parent / "app-embeddings.sqlite"))
        server, url = load_app().main(["--port", str(free_port()), "--articles-dir", str(folder),
                                       "--index-dir", str(tmp_path / "index")], block=False, wait=True)
    try:
        out = capsys.readouterr().out
        assert f"Created the articles folder {folder}" in out and f"Watching {folder} for changes" in out, out
        assert httpx.get(url + "api/stats").json()["watching"] == [str(folder.resolve())]
        article = new_article(folder)
        wait_until(lambda: [a["title"] for a in httpx.get(url + "api/articles").json()["articles"]] == [NEW_TITLE],
                   what="a file written into the folder created at start")
        status = httpx.get(url + "api/ingest_status").json()
        assert status["watch"]["folders"] == ["."] and status["watch"]["last_error"] == ""
        assert [(f["file"], f["state"]) for f in status["files"]] == [(article.name, "indexed")]
    finally:
        server.close()


def test_app_says_when_it_does_not_watch(tmp_path, capsys):
    from app_helpers import free_port, load_app

    (tmp_path / "articles").mkdir()
    server, url = load_app().main(["--port", str(free_port()), "--articles-dir", str(tmp_path / "articles"),
                                   "--index-dir", str(tmp_path / "index"), "--no-watch"], block=False, wait=True)
    try:
        assert "Not watching the articles folder (--no-watch" in capsys.readouterr().out
        assert httpx.get(url + "api/stats").json()["watching"] == []
        assert httpx.get(url + "api/ingest_status").json()["watch"] is None
    finally:
        server.close()


def test_an_index_run_started_while_the_watcher_writes_queues_behind_it(tmp_path, cache):
    """Writes of one process queue in ``a.jobs``: ``a.index`` called while the watcher's run holds the
    writer lock waits for that run and then succeeds (it used to fail with "another process is indexing")."""
    folder = tmp_path / "articles"
    folder.mkdir()
    a = Assistant(index_dir=str(tmp_path / "index"), embedding_cache=cache, quiet=True)
    committing, release = threading.Event(), threading.Event()
    commit = a.catalog.commit_article

    def held_commit(*args, **kwargs):  # the watcher's run is inside the writer lock here
        committing.set()
        release.wait(30)
        return commit(*args, **kwargs)

    a.catalog.commit_article = held_commit
    reports, errors = [], []

    def index():
        try:
            reports.append(a.index([folder]))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    with Watcher(a, [folder], initial_sync=False) as w:
        write(folder / "cloud.md", hexo("云计算的价值", "<p>云计算把计算和存储变成按需付费的服务。</p>"))
        assert committing.wait(WAIT), w.status()
        thread = threading.Thread(target=index)
        thread.start()
        wait_until(lambda: [j.kind for j in a.jobs.queued] == ["index"], what="the run queued")
        assert a.jobs.current.kind == "watch" and thread.is_alive()
        release.set()
        thread.join(60)
        wait_until(w.idle, what="idle")
    a.catalog.commit_article = commit
    assert errors == [] and w.last_error == ""
    [report] = reports
    assert (report.added, report.unchanged) == (0, 1)  # it ran after the watcher had indexed the file
    assert [j.kind for j in a.jobs.history][:2] == ["index", "watch"]


def test_a_dropped_file_with_broken_front_matter_is_reported_by_the_app(tmp_path, capsys):
    """A file dropped into the watched folder with a typo in its front matter is indexed without it (nothing
    lost), but the app's log listed only failures and /api/ingest_status and the page's file table showed it
    as plain `indexed`: the user never learnt that its title and date were ignored. Now all three say so."""
    import pandas as pd

    from app_helpers import free_port, load_app
    from assistant.web.ui import Handlers

    folder = tmp_path / "articles"
    write(folder / "tea.md", hexo("茶", "<p>绿茶用八十度的水冲泡。</p>"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ASSISTANT_EMBEDDING_CACHE", str(tmp_path.parent / "app-embeddings.sqlite"))
        server, url = load_app().main(["--port", str(free_port()), "--articles-dir", str(folder),
                                       "--index-dir", str(tmp_path / "index")], block=False, wait=True)
    warning = "front matter is not valid YAML at line 3 (expected ',' or ']', but got ':'); indexed without it"
    try:
        out = capsys.readouterr().out
        write(folder / "typo.md", "---\ntitle: [红茶\ndate: 2021-07-15\n---\n\n红茶用沸水冲泡三分钟。\n")

        def logged() -> bool:
            nonlocal out
            out += capsys.readouterr().out
            return f"warning: {(folder / 'typo.md').resolve()}: {warning}" in out

        wait_until(logged, what="the watcher's log line naming the warning")
        assert re.search(r"^watch: added 1, .*, failed 0, with warnings 1 \|", out, re.M), out
        files = {f["file"]: f for f in httpx.get(url + "api/ingest_status").json()["files"]}
        assert files["typo.md"]["state"] == "indexed" and files["typo.md"]["warning"] == warning
        assert files["tea.md"]["state"] == "indexed" and files["tea.md"]["warning"] == files["tea.md"]["reason"] == ""
    finally:
        server.close()
    page = Handlers(Assistant(index_dir=str(tmp_path / "index"), articles_dir=str(folder), quiet=True))
    for lang, said in (("en", f"⚠️ {warning}"), ("zh", "⚠️ 文件头（front matter）第 3 行不是有效的 YAML")):
        _, table, _ = page.files_view(lang)
        assert isinstance(table, pd.DataFrame)
        rows = {row[0]: row for row in table.itertuples(index=False)}
        assert rows["typo.md"][2].startswith(said) and rows["tea.md"][2] == "", rows
