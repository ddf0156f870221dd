"""Server mode: the vectors live in a real Chroma server (`chroma run` on 127.0.0.1), the catalog,
keyword index and embedding cache stay in the local index folder. Search must give exactly what the
embedded store gives, and incremental indexing must work the same."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant import Assistant, StoreError
from assistant.retrieval import MODES

from conftest import DEV_SET, FLAGSHIP_EN, FLAGSHIP_ZH, SLICE, hexo, write

CHROMA = Path(sys.executable).with_name("chroma")  # installed by the chromadb package into the venv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    def __init__(self, data: Path, log: Path, port: int | None = None):
        self.data, self.log, self.port = data, log, port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "ChromaServer":
        assert CHROMA.exists(), f"{CHROMA} missing: is chromadb installed in this venv?"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [str(CHROMA), "run", "--path", str(self.data), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"chroma run exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + "/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"chroma server not answering after {timeout} s:\n{self.tail()}")
            time.sleep(0.2)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("chroma-server")
    server = ChromaServer(root / "data", root / "server.log").start()
    yield server
    server.stop()


def copy_cache(src: Assistant, index_dir: Path) -> None:
    """Give a new index the embedding cache of another (a consistent copy, WAL included): same texts
    are never embedded twice, in tests as in real use."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src.cache.path) as source, sqlite3.connect(index_dir / "embeddings.sqlite") as target:
        source.backup(target)


def _client(url: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = url.removeprefix("http://").split(":")
    return chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))


def server_ids(url: str, collection: str) -> set[str]:
    """What the server itself holds, asked through Chroma's own client (not ours)."""
    return set(_client(url).get_collection(collection).get(include=[])["ids"])


def slice_questions() -> list[str]:
    files = {Path(rel).name for rel in SLICE}
    dev = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [FLAGSHIP_ZH, FLAGSHIP_EN, "SCRM 私域流量", "数字化转型的难题"] + [q["q"] for q in dev if q["file"] in files]


def test_server_search_equals_embedded_store(chroma_server, sliced_assistant, corpus_slice, tmp_path):
    index_dir = tmp_path / "index"
    copy_cache(sliced_assistant, index_dir)
    server = Assistant(index_dir=str(index_dir), chroma_url=chroma_server.url, collection="slice", quiet=True)
    report = server.index([corpus_slice])
    assert report.failed == [] and report.added == len(SLICE)
    assert report.chunks_embedded == 0  # every vector came from the cache
    embedded = sliced_assistant.stats()
    stats = server.stats()
    assert stats["vector_store"] == chroma_server.url and not (index_dir / "chroma").exists()
    assert stats["passages"] == stats["vectors"] == embedded["passages"]
    assert server_ids(chroma_server.url, "slice") == sliced_assistant.catalog.all_chunk_ids()
    assert server.check() == []

    questions = slice_questions()
    assert len(questions) >= 8
    for q in questions:
        for mode in MODES:
            ours = server.search(q, k=8, mode=mode)
            ref = sliced_assistant.search(q, k=8, mode=mode)
            assert [h.chunk_id for h in ours] == [h.chunk_id for h in ref], (q, mode)
            assert [round(h.score, 4) for h in ours] == [round(h.score, 4) for h in ref], (q, mode)
    # filters become a `where` on the server (one article, several, none)
    seed = str(corpus_slice / SLICE[0].replace("/", "__"))
    for kwargs in ({"source": seed}, {"source": str(corpus_slice)}, {"date_from": "2022-01-01"},
                   {"category": "快讯"}, {"source": "/nowhere"}):
        ours = [h.chunk_id for h in server.search(FLAGSHIP_ZH, k=5, **kwargs)]
        assert ours == [h.chunk_id for h in sliced_assistant.search(FLAGSHIP_ZH, k=5, **kwargs)], kwargs
    assert server.search(FLAGSHIP_ZH, k=5, source=seed)[0].source == seed


def test_server_incremental_add_edit_delete_rebuild(chroma_server, tmp_path):
    articles = tmp_path / "articles"
    write(articles / "a.md", hexo("云计算的价值", "<p>云计算把计算和存储变成服务。</p><h2>成本</h2>"
                                                "<p>企业按需付费，降低了IT成本。</p><p>弹性扩容应对高峰。</p>"))
    write(articles / "b.md", hexo("换电模式", "<p>换电站三分钟完成补能。</p><h2>电池</h2><p>车电分离降低购车成本。</p>"))
    write(articles / "c.md", hexo("远程办公", "<p>远程办公需要清晰的目标和异步沟通。</p>"))
    url, name = chroma_server.url, "incremental"
    a = Assistant(index_dir=str(tmp_path / "index"), chroma_url=url, collection=name, quiet=True)

    first = a.index([articles])
    assert (first.added, first.failed) == (3, []) and first.chunks_embedded == first.chunks_total > 0
    assert server_ids(url, name) == a.catalog.all_chunk_ids()
    second = a.index([articles])
    assert (second.unchanged, second.chunks_embedded) == (3, 0)

    write(articles / "a.md", hexo("云计算的价值", "<p>云计算把计算和存储变成服务。</p><h2>成本</h2>"
                                                "<p>企业按使用量付费，大幅降低了IT成本。</p><p>弹性扩容应对高峰。</p>"))
    (articles / "c.md").unlink()
    third = a.index([articles])
    assert (third.updated, third.removed, third.unchanged, third.chunks_embedded) == (1, 1, 1, 1)
    assert "按使用量付费" in a.search("企业按使用量付费", k=1)[0].text
    assert not any("远程办公" in h.text for h in a.search("远程办公 异步沟通", k=10))
    assert server_ids(url, name) == a.catalog.all_chunk_ids() and a.check() == []

    # a second Assistant (another process in real use) sees the same index through the server
    other = Assistant(index_dir=str(tmp_path / "index"), chroma_url=url, collection=name, quiet=True)
    assert [h.chunk_id for h in other.search("换电站", k=3)] == [h.chunk_id for h in a.search("换电站", k=3)]

    rebuilt = a.index([articles], rebuild=True)  # built in a new collection, swapped in when complete
    assert (rebuilt.added, rebuilt.chunks_embedded) == (2, 0) and a.vectors.name == f"{name}-gen-1"
    assert server_ids(url, a.vectors.name) == a.catalog.all_chunk_ids() and a.check() == []
    assert name not in {c.name for c in _client(url).list_collections()}  # the replaced one is dropped
    assert [h.chunk_id for h in other.search("换电站", k=3)] == [h.chunk_id for h in a.search("换电站", k=3)]
    assert a.remove([articles / "b.md"]) == 1
    assert server_ids(url, a.vectors.name) == a.catalog.all_chunk_ids() and a.check() == []


def test_server_outage_is_a_clear_error_and_the_index_recovers(tmp_path):
    """The server stops in the middle of a run: a StoreError naming the server (not a traceback), and
    after it is back, the same command finishes the job with nothing lost or orphaned."""
    server = ChromaServer(tmp_path / "data", tmp_path / "server.log").start()
    try:
        articles = tmp_path / "articles"
        for i in range(6):
            write(articles / f"{i}.md", hexo(f"文章{i}", f"<p>第{i}篇文章讲边缘计算第{i}个场景。</p>"))
        a = Assistant(index_dir=str(tmp_path / "index"), chroma_url=server.url, collection="outage", quiet=True)
        assert a.index([articles]).added == 6
        write(articles / "0.md", hexo("文章0", "<p>第0篇文章改写了：算力下沉到基站。</p>"))
        write(articles / "6.md", hexo("文章6", "<p>第6篇文章是新的：车路协同。</p>"))
        a.embedder.embed_query("预热")  # the model is loaded before the server goes away

        server.stop()
        with pytest.raises(StoreError, match=server.url.replace(".", r"\.")):
            a.index([articles])
        with pytest.raises(StoreError, match="Chroma"):
            a.search("边缘计算", k=3)
        passages = a.catalog.counts()[1]
        with pytest.raises(StoreError):  # a rebuild that cannot reach Chroma leaves the live index alone
            a.index([articles], rebuild=True)
        assert a.catalog.counts()[1] == passages and a.vectors.name == "outage"
        # a new run against the down server is refused before any model work (7.md is new text)
        write(articles / "7.md", hexo("文章7", "<p>第7篇文章：低空经济。</p>"))
        cold = Assistant(index_dir=str(tmp_path / "index"), chroma_url=server.url, collection="outage", quiet=True)
        with pytest.raises(StoreError, match="cannot open the Chroma store"):
            cold.index([articles])
        assert cold.embedder._model is None

        server.start()
        again = Assistant(index_dir=str(tmp_path / "index"), chroma_url=server.url, collection="outage", quiet=True)
        report = again.index([articles])  # finishes the interrupted run, then indexes what changed
        assert report.failed == [] and (report.added, report.updated) == (2, 1)
        assert report.chunks_embedded == 1  # only 7.md is new text
        assert again.check() == []
        assert server_ids(server.url, "outage") == again.catalog.all_chunk_ids()
        assert "车路协同" in again.search("车路协同", k=1)[0].text
    finally:
        server.stop()


def test_unreachable_server_is_refused_with_advice(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    a = Assistant(index_dir=str(tmp_path / "index"), chroma_url=url, quiet=True)
    with pytest.raises(StoreError, match="cannot open the Chroma store at " + url.replace(".", r"\.")):
        a.search("任何问题", k=3)
