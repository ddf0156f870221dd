"""Reliability: indexing killed with SIGKILL at random points, queries while a re-index runs, and
hostile files. Everything real: the `assistant index` command in a subprocess, the model, Chroma."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.articles import article_id_for, read_article
from assistant.chunking import chunk_article
from assistant.indexer import generation_dir, live_generation

from conftest import hexo, write

REPO = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------------------------------------
# a small corpus of our own: 12 articles in two versions, each file also copied under other names

TOPICS = ["云计算", "换电站", "数据中台", "远程办公", "跨境电商", "私域流量", "自动驾驶", "工业互联网",
          "低代码", "元宇宙", "储能电池", "直播带货"]


def _article(i: int, version: int) -> str:
    topic = TOPICS[i]
    paragraphs = [f"<p>{topic}是第{i}号测试文章的主题。它讲述{topic}如何改变企业的经营方式。行业里有很多讨论。</p>",
                  f"<h2>现状</h2><p>{topic}的市场规模持续增长，第{i}号文章给出了三个原因。第一是成本，第二是效率，第三是体验。</p>",
                  f"<h2>展望</h2><p>未来五年，{topic}会进入成熟期。竞争的焦点从规模转向质量，从补贴转向服务。</p>"]
    if version == 2:
        paragraphs[2] = (f"<h2>展望</h2><p>第二版修订：{topic}的下一步是出海与合规。监管趋严之后，头部企业的"
                         f"优势会更明显，第{i}号文章如此判断。</p>")
        paragraphs.append(f"<h2>补充</h2><p>{topic}的补充材料：一组来自第{i}号文章作者的访谈摘录。</p>")
    return hexo(f"{topic}观察", "\n".join(paragraphs), date=f"Thu, {i + 1:02d} Jul 2021 02:14:44 GMT")


# small passages: more of them per article, so more write steps to be killed in
CHUNKING = {"chunk_size": 60, "chunk_overlap": 10, "min_chunk": 20}
ENV_CHUNKING = {f"ASSISTANT_{k.upper()}": str(v) for k, v in CHUNKING.items()}


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    """The embedding cache of every version of the test corpus, filled once (in this process)."""
    root = tmp_path_factory.mktemp("warm")
    for i in range(len(TOPICS)):
        for v in (1, 2):
            write(root / "articles" / f"{i}-v{v}.md", _article(i, v))
    a = Assistant(index_dir=str(root / "index"), quiet=True, **CHUNKING)
    report = a.index([root / "articles"])
    assert report.failed == [] and report.added == 2 * len(TOPICS)
    return a.cache.path


def _copy_cache(cache: Path, index_dir: Path) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(cache) as source, sqlite3.connect(index_dir / "embeddings.sqlite") as target:
        source.backup(target)


class Corpus:
    """The folder the indexer sees: which file holds which article in which version."""

    def __init__(self, folder: Path, scratch: Path, copies: int):
        self.folder = folder
        self.state: dict[str, tuple[int, int]] = {}  # relative path -> (article, version)
        self.suffixes: dict[tuple[int, int], list[str]] = {}
        for i in range(len(TOPICS)):
            for v in (1, 2):
                path = write(scratch / f"{i}-{v}.md", _article(i, v))
                article = read_article(path)
                self.suffixes[i, v] = [c.chunk_id[len(article.article_id):] for c in chunk_article(article, **CHUNKING)]
        for i in range(len(TOPICS)):
            for c in range(copies):
                self.put(f"g{c % 3}/a{i}-c{c}.md", i, 1)

    def put(self, rel: str, i: int, v: int) -> None:
        write(self.folder / rel, _article(i, v))
        self.state[rel] = (i, v)

    def delete(self, rel: str) -> None:
        (self.folder / rel).unlink()
        del self.state[rel]

    def versions_of(self, source: str) -> dict[str, set[str]]:
        """content hash -> expected chunk ids, for every version a source may legitimately hold."""
        rel = str(Path(source).relative_to(self.folder.resolve()))
        name = Path(rel).name
        i = int(name[1:name.index("-")])
        aid = article_id_for(source)
        out = {}
        for v in (1, 2):
            digest = hashlib.sha256(_article(i, v).encode("utf-8")).hexdigest()
            out[digest] = {aid + s for s in self.suffixes[i, v]}
        return out

    def expected(self) -> dict[str, set[str]]:
        """source -> the chunk ids its current content must have in the index."""
        out = {}
        for rel, (i, v) in self.state.items():
            source = str((self.folder / rel).resolve())
            out[source] = {article_id_for(source) + s for s in self.suffixes[i, v]}
        return out

    def mutate(self, rng: random.Random) -> None:
        rels = sorted(self.state)
        for rel in rng.sample(rels, k=max(1, len(rels) // 4)):  # edit a quarter of the files
            i, v = self.state[rel]
            self.put(rel, i, 3 - v)
        if rng.random() < 0.6 and len(rels) > 10:
            self.delete(rng.choice(sorted(self.state)))
        if rng.random() < 0.6:
            i = rng.randrange(len(TOPICS))
            self.put(f"g{rng.randrange(3)}/a{i}-new{rng.randrange(10**6)}.md", i, rng.choice((1, 2)))


def catalog_invariants(index_dir: Path, corpus: Corpus, also: list[Path] = ()) -> dict:
    """What must hold after any kill, before any recovery: every article is one whole version of its
    file (no half-written article, no passage twice), keyword rows match passage rows. ``also``: files
    outside the generated corpus, checked for wholeness only."""
    index_dir = generation_dir(index_dir, live_generation(index_dir))  # a --rebuild swaps in gen-N
    if not (index_dir / "assistant.sqlite").exists():  # killed before the catalog was made
        return {"articles": 0, "passages": 0, "pending": 0, "fingerprint": ""}
    db = sqlite3.connect(f"file:{index_dir / 'assistant.sqlite'}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        if not {"articles", "chunks", "chunks_fts", "pending"} <= tables:  # killed while creating the schema
            return {"articles": 0, "passages": 0, "pending": 0, "fingerprint": ""}
        chunks: dict[str, set[str]] = {}
        for aid, cid in db.execute("SELECT article_id, chunk_id FROM chunks"):
            chunks.setdefault(aid, set()).add(cid)
        n_rows = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        assert n_rows == sum(len(v) for v in chunks.values())
        fts = db.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
        stray = db.execute(
            "SELECT COUNT(*) FROM chunks_fts WHERE rowid NOT IN (SELECT rowid FROM chunks)").fetchone()[0]
        assert fts == n_rows and stray == 0, (fts, n_rows, stray)
        articles = db.execute("SELECT article_id, source, content_hash, n_chunks FROM articles").fetchall()
        extra = {str(p.resolve()) for p in also}
        for aid, source, digest, n in articles:
            if source in extra:
                assert n == len(chunks.get(aid, ())) > 0, source
                continue
            versions = corpus.versions_of(source)
            assert digest in versions, f"{source}: content hash of no version"
            assert chunks.get(aid, set()) == versions[digest] and n == len(versions[digest]), source
        assert set(chunks) <= {a[0] for a in articles}, "passages without an article"
        pending = sorted(r[0] for r in db.execute("SELECT article_id FROM pending"))
        state = sorted((a[0], a[2]) for a in articles)
        return {"articles": len(articles), "passages": n_rows, "pending": len(pending),
                "fingerprint": hashlib.sha1(repr((state, pending)).encode()).hexdigest()[:8]}
    finally:
        db.close()


def run_index(folder: Path, index_dir: Path, kill_after: float | None = None, extra: tuple = (),
              once_torch_loaded: bool = False):
    """`python -m assistant index`, SIGKILLed ``kill_after`` seconds after it started (or, with
    ``once_torch_loaded``, after the model code was loaded) if it still runs. Returns (killed, seconds, output)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ENV_CHUNKING, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if "ASSISTANT_CACHE_DIR" in os.environ:
        env["ASSISTANT_CACHE_DIR"] = os.environ["ASSISTANT_CACHE_DIR"]
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "index", str(folder), "--index-dir", str(index_dir),
                             "--quiet", *extra], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = None if kill_after is None or once_torch_loaded else started + kill_after
    while proc.poll() is None:
        now = time.monotonic()
        if once_torch_loaded and deadline is None:
            try:
                maps = Path(f"/proc/{proc.pid}/maps").read_text()
                if "libtorch" in maps or "onnxruntime_pybind11_state" in maps:  # the model's runtime is loaded
                    deadline = now + kill_after
            except OSError:
                pass
        if deadline is not None and now >= deadline:
            proc.send_signal(signal.SIGKILL)
            out, _ = proc.communicate()
            return True, now - started, out.decode(errors="replace")
        if now - started > 300:
            proc.kill()
            pytest.fail("assistant index ran for 5 minutes")
        time.sleep(0.02)
    out, _ = proc.communicate()
    return False, time.monotonic() - started, out.decode(errors="replace")


def test_sigkill_at_random_points_never_corrupts_the_index(tmp_path, warm_cache):
    rng = random.Random(20260501)
    folder = tmp_path / "articles"
    index_dir = tmp_path / "index"
    _copy_cache(warm_cache, index_dir)
    corpus = Corpus(folder, tmp_path / "scratch", copies=5)  # 60 files, 12 distinct articles
    estimate = 4.0  # seconds a run takes; updated from every run that finishes
    killed_mid_write = 0
    rounds = []
    previous = catalog_invariants(index_dir, corpus)
    for round_no in range(16):
        if round_no:
            corpus.mutate(rng)
        extra = ("--rebuild",) if round_no in (5, 12) else ()
        delay = rng.uniform(max(0.3, estimate * 0.4), estimate * 1.1)  # mostly after start-up
        killed, seconds, out = run_index(folder, index_dir, kill_after=delay, extra=extra)
        if not killed:
            assert "added" in out and "Traceback" not in out, out
            estimate = seconds
        state = catalog_invariants(index_dir, corpus)
        rounds.append((round(delay, 2), killed, state))
        if killed and state["pending"] and state["fingerprint"] != previous["fingerprint"]:
            killed_mid_write += 1  # it had written something, and had not finished an article
        previous = state
    # the kills must have landed inside the write phase, or this test proves nothing
    assert killed_mid_write >= 3, rounds

    # kills while the model loads and embeds new text (a shorter wait each time, in case it is fast)
    new = []
    for attempt, wait in enumerate((1.5, 0.8, 0.3)):
        new.append(write(folder / "g0" / f"brand-new-{attempt}.md", hexo(
            f"全新文章{attempt}", f"<p>这是第{attempt}篇全新的文章，讲量子计算的商业化。它必须先经过模型。</p>"
                                  f"<p>第二段讲量子纠错的进展和挑战，第{attempt}次尝试。</p>")))
        killed, _, _ = run_index(folder, index_dir, kill_after=wait, once_torch_loaded=True)
        catalog_invariants(index_dir, corpus, also=new)
        if killed:
            break
    assert killed, "every run with new text finished before it was killed"
    for path in new:
        path.unlink()  # the final run must drop them again if a killed run got as far as committing one

    killed, _, out = run_index(folder, index_dir)
    assert not killed and "Traceback" not in out, out
    state = catalog_invariants(index_dir, corpus)
    assert state["pending"] == 0

    a = Assistant(index_dir=str(index_dir), quiet=True, **CHUNKING)
    assert a.check() == []
    expected = corpus.expected()
    indexed = {r["source"]: set(a.catalog.chunk_ids(r["article_id"])) for r in a.articles()}
    assert indexed == expected  # every file present once with its current content; nothing deleted survives
    committed = a.catalog.all_chunk_ids()
    stored = a.vectors.collection.get(include=["embeddings", "metadatas"])
    assert set(stored["ids"]) == committed and len(stored["ids"]) == len(committed)
    rows = a.catalog.chunks(stored["ids"])
    cached = a.cache.get(a.embedder.model_id, [rows[cid].embed_hash for cid in stored["ids"]])
    for cid, vector, meta in zip(stored["ids"], stored["embeddings"], stored["metadatas"]):
        assert meta["article_id"] == rows[cid].article_id  # the filters' key
        assert float(np.dot(vector, cached[rows[cid].embed_hash])) > 0.9999, cid  # the vector of this text
    fts = a.catalog.db.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
    assert fts == len(committed)
    # search works and finds the current version of an edited article
    rel, (i, v) = next((r, s) for r, s in sorted(corpus.state.items()) if s[1] == 2)
    hits = a.search(f"第二版修订：{TOPICS[i]}的下一步是出海与合规", k=10)
    assert any(h.source == str((folder / rel).resolve()) for h in hits)
    assert all(h.chunk_id in committed for h in hits)


def test_rebuild_killed_between_its_two_resets_is_finished_by_the_next_run(tmp_path, warm_cache, monkeypatch):
    """Indexer.index(rebuild=True) (in place; Assistant.index builds beside the live index instead)
    empties Chroma, then SQLite: a kill in between must not leave committed passages without vectors
    that no later run would notice (the files are unchanged, so nothing re-indexes)."""
    folder = tmp_path / "articles"
    for i in range(3):
        write(folder / f"{i}.md", _article(i, 1))
    _copy_cache(warm_cache, tmp_path / "index")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True, **CHUNKING)
    assert a.index([folder]).added == 3

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies right after Chroma was emptied

    monkeypatch.setattr(a.catalog, "reset", killed)
    with pytest.raises(KeyboardInterrupt):
        a.indexer.index([folder], rebuild=True)
    monkeypatch.undo()

    again = Assistant(index_dir=str(tmp_path / "index"), quiet=True, **CHUNKING)
    report = again.index([folder])  # a plain run, not --rebuild
    assert report.failed == [] and again.check() == []
    assert again.stats()["passages"] == again.stats()["vectors"] > 0
    assert report.chunks_embedded == 0


# ------------------------------------------------------------------------------------------------
# queries while a re-index of changed files runs in the same process


def _snapshot(a: Assistant) -> dict[str, str]:
    """chunk id -> text of every committed passage."""
    return dict(a.catalog.db.execute("SELECT chunk_id, text FROM chunks").fetchall())


def test_eight_askers_during_a_reindex_see_only_committed_passages(tmp_path, sliced_assistant, corpus_slice):
    folder = tmp_path / "articles"
    shutil.copytree(corpus_slice, folder)
    _copy_cache(sliced_assistant.cache.path, tmp_path / "index")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    assert a.index([folder]).chunks_embedded == 0
    before = _snapshot(a)
    texts = {str(p.resolve()): [read_article(p).text] for p in folder.iterdir()}  # every version of each file

    # the changes: real edits (new passages to embed), byte-only changes (same passages re-written),
    # a deleted article and a copy under a new name
    files = sorted(folder.iterdir(), key=lambda p: ("</p>" not in p.read_text(encoding="utf-8"), p.name))
    for path in files[:3]:
        text = path.read_text(encoding="utf-8")
        cut = text.rindex("</p>")
        path.write_text(text[:cut] + "（本段已于今日更新，补充了最新的行业数据。）" + text[cut:], encoding="utf-8")
    for path in files[3:6]:
        path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    files[6].unlink()
    shutil.copyfile(files[0], folder / "copy-of-first.md")
    for p in folder.iterdir():
        texts.setdefault(str(p.resolve()), []).append(read_article(p).text)

    second = Assistant(index_dir=str(tmp_path / "index"), quiet=True)  # another session on the same index
    questions = ["前端数字化和后端数字化有什么区别？", "SCRM 私域流量", "车企营销各个时代的核心打法有什么不同？",
                 "最新的行业数据", "How often do remote teams meet in person?", "数字化转型的难题"]
    done = threading.Event()
    errors: list[BaseException] = []
    seen: list[tuple[float, object]] = []  # (query start time, passage)
    finished_at: list[float] = []
    lock = threading.Lock()

    def asker(n: int) -> None:
        who = a if n % 2 == 0 else second
        rounds_after = 0
        try:
            while rounds_after < 2:
                if done.is_set():
                    rounds_after += 1
                q = questions[(n + len(seen)) % len(questions)]
                started = time.monotonic()
                if n % 4 == 3:
                    answer = who.ask(q)
                    passages = [c.passage for c in answer.citations] + list(answer.passages)
                else:
                    passages = who.search(q, k=5, mode=("hybrid", "dense", "keyword")[n % 3])
                with lock:
                    seen.extend((started, p) for p in passages)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def indexer() -> None:
        try:
            report = a.index([folder])
            assert report.failed == [] and report.updated == 6 and report.removed == 1 and report.added == 1, \
                report.summary()
            assert report.chunks_embedded > 0
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            finished_at.append(time.monotonic())
            done.set()

    threads = [threading.Thread(target=asker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.5)  # the askers are running before the re-index begins
    index_thread = threading.Thread(target=indexer)
    index_thread.start()
    for t in [index_thread, *threads]:
        t.join(timeout=240)
        assert not t.is_alive(), "a thread hangs"
    assert not errors, errors

    after = _snapshot(a)
    assert before != after and a.check() == []
    during = [s for s in seen if s[0] < finished_at[0]]
    assert len(during) >= 40 and len(seen) > len(during), (len(during), len(seen))
    for started, p in seen:
        assert p.chunk_id in before or p.chunk_id in after, f"passage {p.chunk_id} was never committed"
        # the text is a piece of one version of its article (a result may join neighbouring passages)
        assert any(t[p.start:p.end] == p.text for t in texts[p.source]), (p.chunk_id, p.text[:40])
        if started > finished_at[0]:
            assert p.chunk_id in after, f"passage {p.chunk_id} is gone, yet returned after the re-index finished"


# ------------------------------------------------------------------------------------------------
# hostile and broken files


def test_hostile_files_get_a_clear_message_each_and_never_harm_the_index(tmp_path):
    folder = tmp_path / "articles"
    good = write(folder / "good.md", hexo("好文章", "<p>数据中台帮助企业沉淀数据资产。</p><h2>价值</h2><p>统一口径，减少重复建设。</p>"))
    turns_empty = write(folder / "turns-empty.md", hexo("会被清空", "<p>这篇文章后来被清空了，旧版本应当保留。</p>"))
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    assert a.index([folder]).added == 2
    before = a.stats()["passages"]

    body = "<p>编码测试：换电站三分钟完成补能。</p>"
    write(folder / "gbk.md", hexo("编码测试", body), "gbk")  # one article in three encodings: duplicates
    write(folder / "bom.md", hexo("编码测试", body), "utf-8-sig")
    write(folder / "utf16.md", hexo("编码测试", body), "utf-16")
    write(folder / "broken-yaml.md", "---\ntitle: '没有闭合的引号\ndate: [1, 2\n---\n<p>前言坏了，正文还在。</p>\n")
    write(folder / "bad-date.md", "---\ntitle: 日期不存在\ndate: 2021-02-30\n---\n<p>二月没有三十号。</p>\n")
    write(folder / "yaml-bomb.md", "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
                                   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\ntitle: *c\n---\n<p>别名炸弹。</p>\n")
    write(folder / "deep-yaml.md", "---\ntitle: " + "[" * 20000 + "\n---\n<p>嵌套两万层的前言。</p>\n")
    write(folder / "no-front-matter.md", "# 没有前言的文章\n\n普通的 Markdown 段落，没有 YAML。\n")
    write(folder / "unclosed-front-matter.md", "---\ntitle: 前言没有结束\n\n<p>正文。</p>\n")
    (folder / "empty.md").write_bytes(b"")
    (folder / "spaces.md").write_bytes(b" \n\t\n")
    (folder / "binary.md").write_bytes(bytes(range(256)) * 64)
    (folder / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    unit = ("<p>" + "很长的文章。" * 20 + "</p>\n").encode("utf-8")
    with open(folder / "huge.md", "wb") as f:  # 50 MB: refused by size, before it is read
        f.write(unit * (50_000_000 // len(unit)) + b"\n" * (50_000_000 % len(unit)))
    write(folder / "nested.html", "<div>" * 100_000 + "<p>十万层嵌套里的一句话。</p>" + "</div>" * 100_000)
    write(folder / "unclosed.html", "<html><body><p>第一段没有结束<div>第二段<p>第三段<em>强调<i>斜体<table><tr><td>单元格")
    write(folder / "stray-lt.html", "<p>小于号：</p>" + "<a " * 30_000 + "<!--" * 10_000 + "<p>结尾的正文。</p>")
    write(folder / "script-style.md", hexo("脚本", "<script>var secret = '脚本里的暗号';</script><style>.x{content:'样式里的暗号'}"
                                                "</style><p>只有这一段是正文。</p><noscript>禁用脚本提示</noscript>"))
    write(folder / "script-only.html", "<script>alert('只有脚本')</script><style>p{}</style>")
    write(folder / "run-on.md", hexo("长行", "<p>" + "数据中台沉淀数据资产" * 1_200 + "</p>"))  # 12,000 chars, no punctuation
    write(folder / "dup-one.md", hexo("重复文章", "<p>同样的内容出现在两个文件里。</p>"))
    shutil.copyfile(folder / "dup-one.md", folder / "dup-two.md")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")  # not an article type: skipped silently in a folder
    turns_empty.write_bytes(b"")

    started = time.monotonic()
    report = a.index([folder])
    seconds = time.monotonic() - started
    assert seconds < 90, seconds
    failed = {Path(p).name: reason for p, reason in report.failed}
    warnings: dict[str, list[str]] = {}
    for p, message in report.warnings:
        warnings.setdefault(Path(p).name, []).append(message)

    assert set(failed) == {"empty.md", "spaces.md", "binary.md", "image.md", "huge.md", "script-only.html",
                           "turns-empty.md"}, failed
    assert "empty" in failed["empty.md"] and "empty" in failed["spaces.md"] and "empty" in failed["turns-empty.md"]
    assert "binary" in failed["binary.md"] and "binary" in failed["image.md"]
    assert "50.0 MB" in failed["huge.md"] and "10 MB limit" in failed["huge.md"]
    assert "ASSISTANT_MAX_FILE_MB" in failed["huge.md"]
    assert "no text" in failed["script-only.html"]

    assert any("not valid YAML at line" in w for w in warnings["broken-yaml.md"])
    assert any("2021-02-30" in w for w in warnings["bad-date.md"])
    assert any("aliases" in w for w in warnings["yaml-bomb.md"])
    assert any("nested too deeply" in w for w in warnings["deep-yaml.md"])
    assert any("no closing '---'" in w for w in warnings["unclosed-front-matter.md"])
    assert any("12,000 characters without sentence punctuation" in w for w in warnings["run-on.md"])
    assert set(warnings) == {"broken-yaml.md", "bad-date.md", "yaml-bomb.md", "deep-yaml.md",
                             "unclosed-front-matter.md", "run-on.md"}, warnings

    # what was indexed, and how it reads
    by_name = {Path(r["source"]).name: r for r in a.articles()}
    indexed = {"good.md", "turns-empty.md", "gbk.md", "bom.md", "utf16.md", "broken-yaml.md", "bad-date.md",
               "yaml-bomb.md", "deep-yaml.md", "no-front-matter.md", "unclosed-front-matter.md", "nested.html",
               "unclosed.html", "stray-lt.html", "script-style.md", "run-on.md", "dup-one.md", "dup-two.md"}
    assert set(by_name) == indexed
    assert by_name["gbk.md"]["title"] == by_name["bom.md"]["title"] == by_name["utf16.md"]["title"] == "编码测试"
    assert by_name["bad-date.md"]["title"] == "日期不存在" and by_name["bad-date.md"]["date"] == ""
    assert by_name["no-front-matter.md"]["title"] == "没有前言的文章"
    assert {frozenset(Path(p).name for p in d) for d in report.duplicates} == {
        frozenset(pair) for pair in (("dup-one.md", "dup-two.md"), ("gbk.md", "bom.md"), ("gbk.md", "utf16.md"),
                                     ("bom.md", "utf16.md"))}

    def texts(name: str) -> str:
        return "\n".join(r.text for r in a.catalog.article_chunks(by_name[name]["article_id"]))

    assert "换电站三分钟完成补能" in texts("gbk.md") == texts("bom.md") == texts("utf16.md")
    assert texts("nested.html") == "十万层嵌套里的一句话。"
    assert all(s in texts("unclosed.html") for s in ("第一段没有结束", "第二段", "第三段强调斜体", "单元格"))
    assert "结尾的正文" in texts("stray-lt.html")
    assert texts("script-style.md") == "只有这一段是正文。"
    assert "同样的内容" in texts("dup-one.md") and texts("dup-one.md") == texts("dup-two.md")
    run_on = a.catalog.article_chunks(by_name["run-on.md"]["article_id"])
    assert sum(len(r.text) for r in run_on) == 12_000 and max(len(r.text) for r in run_on) <= 1_000
    hits = a.search("暗号", k=10, mode="keyword") + a.search("脚本里的暗号", k=10)
    assert not any("暗号" in h.text for h in hits)

    # the index is intact: nothing lost, nothing orphaned, the last good version of a broken file kept
    assert a.check() == []
    assert "旧版本应当保留" in texts("turns-empty.md")
    assert any(h.source == str(good.resolve()) for h in a.search("数据中台沉淀数据资产", k=10))
    assert a.stats()["passages"] > before


def test_a_1mb_line_without_punctuation_chunks_in_bounded_time_and_size(tmp_path):
    from assistant.settings import Settings

    s = Settings()
    lines = {"cjk": "数据中台沉淀数据资产企业" * 84_000, "latin": "abcdefghij" * 100_000, "brackets": "[" * 1_000_000,
             "angles": "<a " * 333_334, "links": "[a](" * 250_000, "heading": "# x" + " " * 1_000_000 + "y\n\n正文。"}
    for name, line in lines.items():
        path = tmp_path / f"{name}.md"
        path.write_text(line, encoding="utf-8")
        started = time.monotonic()
        article = read_article(path)
        chunks = chunk_article(article, s.chunk_size, s.chunk_overlap, s.min_chunk)
        seconds = time.monotonic() - started
        assert seconds < 10, (name, seconds)
        assert max(len(c.text) for c in chunks) <= s.chunk_size + s.chunk_size // 2, name
        assert sum(len(c.text) for c in chunks) >= len(article.text) - len(chunks), name  # nothing dropped


def test_a_locked_or_unopenable_vector_cache_is_left_alone_and_said_in_one_line(tmp_path, monkeypatch, capsys):
    """Only a damaged cache file may be set aside: one another process holds locked, or one SQLite cannot
    open, is someone's sound file. It stays (with its -wal), and the error says what to do."""
    from assistant.api import open_cache
    from assistant.cli import main
    from assistant.errors import StoreError

    index = tmp_path / "index"
    a = Assistant(index_dir=str(index), quiet=True)
    a.cache.put("m", {"h": np.ones(4, dtype=np.float32)})
    a.catalog.close()
    a.cache._conn().close()
    cache = index / "embeddings.sqlite"
    holder = sqlite3.connect(cache, isolation_level=None)  # another process's exclusive writer
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("INSERT INTO passage_vectors VALUES ('m', 'h2', x'00')")
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda path, *args, timeout=5.0, **kw: connect(
        path, *args, timeout=0.2 if str(path) == str(cache) else timeout, **kw))  # not the 30 s wait
    try:
        with pytest.raises(StoreError, match="locked by another process"):
            open_cache(cache)
        code = main(["stats", "--index-dir", str(index)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "locked by another process" in err and "damaged" not in err
        assert not list(index.glob("*.damaged-*")) and Path(f"{cache}-wal").exists()
    finally:
        holder.close()
    assert open_cache(cache).count() == 2  # the same file, with the other writer's vector

    shutil.rmtree(index)
    (index / "embeddings.sqlite").mkdir(parents=True)  # a folder where the file should be: cannot be opened
    with pytest.raises(StoreError, match="cannot use"):
        Assistant(index_dir=str(index), quiet=True)
    assert (index / "embeddings.sqlite").is_dir() and not list(index.glob("*.damaged-*"))
