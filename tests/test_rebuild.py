"""Full rebuilds that never go dark: the new index is built beside the live one and swapped in when it
is complete. Questions asked meanwhile (in this process and through a second Assistant, as another
process would) are answered from a complete index; an interrupted rebuild leaves the live index as it was."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from assistant import Assistant
from assistant.indexer import CURRENT, live_generation, writer_lock

from conftest import REPO

DEMO = ["03-battery-swap-vs-charging.md", "05-remote-work-productivity.md"]
COVERED = ["换电一次大约需要多长时间？", "木鱼科技为减少会议推行了哪些规则？", "哪些场景更适合换电模式？"]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Two demo articles indexed once; each test works on a copy of the index (same article paths)."""
    root = tmp_path_factory.mktemp("rebuild")
    folder = root / "articles"
    folder.mkdir()
    for name in DEMO:
        shutil.copyfile(REPO / "examples" / "articles" / name, folder / name)
    a = Assistant(index_dir=str(root / "index"), quiet=True)
    assert a.index([folder]).added == len(DEMO)
    COVERED[:] = [q for q in COVERED if not a.ask(q).abstained]  # what the live index answers
    assert COVERED
    return root


def _copy(template, tmp_path):
    shutil.copytree(template / "index", tmp_path / "index")
    return template / "articles", str(tmp_path / "index")


def test_questions_during_a_rebuild_come_from_a_complete_index(template, tmp_path):
    folder, index = _copy(template, tmp_path)
    a = Assistant(index_dir=index, quiet=True)
    other = Assistant(index_dir=index, quiet=True)  # another process, in real use
    before = a.stats()["passages"]
    answers: list[tuple[str, bool, int]] = []
    during: list[int] = []
    done = threading.Event()

    def asker(assistant):
        i = 0
        while not done.is_set():
            q = COVERED[i % len(COVERED)]
            ans = assistant.ask(q)
            answers.append((q, ans.abstained, len(ans.citations)))
            i += 1

    def slow(phase, n, total):  # stretch the rebuild so the askers really run during it
        during.append(a.stats()["passages"])  # what a query sees now: the old index, complete
        time.sleep(0.3)

    threads = [threading.Thread(target=asker, args=(x,)) for x in (a, a, other)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    try:
        report = a.index([folder], rebuild=True, progress=slow)
    finally:
        time.sleep(0.5)
        done.set()
        for t in threads:
            t.join()
    assert report.added == len(DEMO) and report.chunks_embedded == 0  # the vector cache: nothing re-embedded
    assert during and set(during) == {before}
    assert len(answers) >= 6, answers
    assert [q for q, abstained, cited in answers if abstained or not cited] == []
    assert live_generation(a.settings.index_path) == "gen-1" == a._live.name == other._live.name
    assert a.stats()["passages"] == before and a.check() == []
    assert (tmp_path / "index" / "gen-1" / "assistant.sqlite").exists()

    # the replaced generation is deleted by a later run, once queries have had time to finish
    with writer_lock(a.settings.index_path):
        a._remove_retired(grace=0)
    assert not (tmp_path / "index" / "assistant.sqlite").exists() and not (tmp_path / "index" / "chroma").exists()
    for x in (a, other, Assistant(index_dir=index, quiet=True)):
        assert not x.ask(COVERED[0]).abstained
    again = a.index([folder], rebuild=True)  # and a second rebuild swaps gen-1 for gen-2
    assert again.chunks_embedded == 0 and (tmp_path / "index" / CURRENT).read_text().strip() == "gen-2"
    assert not other.ask(COVERED[-1]).abstained and other._live.name == "gen-2"


def test_an_interrupted_rebuild_leaves_the_live_index_untouched(template, tmp_path):
    folder, index = _copy(template, tmp_path)
    a = Assistant(index_dir=index, quiet=True)
    before = (a.stats()["passages"], sorted(r["source"] for r in a.articles()))

    def killed(phase, n, total):
        if phase == "writing" and n >= 1:
            raise KeyboardInterrupt  # Ctrl-C after the new index got its first article

    with pytest.raises(KeyboardInterrupt):
        a.index([folder], rebuild=True, progress=killed)
    assert not (tmp_path / "index" / CURRENT).exists() and a._live.name == ""
    assert (a.stats()["passages"], sorted(r["source"] for r in a.articles())) == before
    assert not a.ask(COVERED[-1]).abstained and a.check() == []

    fresh = Assistant(index_dir=index, quiet=True)  # as the next process sees it
    report = fresh.index([folder])
    assert (report.unchanged, report.added, report.chunks_embedded) == (len(DEMO), 0, 0)
    assert not list((tmp_path / "index").glob("gen-*"))  # the unfinished generation is gone


def test_the_app_keeps_answering_while_another_process_rebuilds_its_index(tmp_path):
    """The real app (gradio_client over HTTP) while `assistant index --rebuild` runs on its index from
    outside: every answer cites a passage, and the app follows the swap to the new index."""
    from gradio_client import Client

    from app_helpers import running_app

    question = "木鱼科技为减少会议推行了哪些规则？"  # in 05-remote-work-productivity.md
    with running_app(tmp_path) as (url, folder):
        client = Client(url, verbose=False)
        index = tmp_path / "index"
        cache = tmp_path.parent / "app-embeddings.sqlite"  # the app's vector cache (see running_app)
        builder = Assistant(index_dir=str(index), embedding_cache=str(cache), quiet=True)
        replies: list[tuple[str, list[dict]]] = []
        done = threading.Event()

        def asker():
            while not done.is_set():
                replies.append(client.predict(question, api_name="/ask"))

        thread = threading.Thread(target=asker)
        thread.start()
        time.sleep(1.0)
        try:
            report = builder.index([folder], rebuild=True, progress=lambda *_: time.sleep(0.3))
        finally:
            time.sleep(1.0)
            done.set()
            thread.join()
        assert report.added == 2 and report.chunks_embedded == 0
        assert len(replies) >= 3 and all(sources and sources[0]["number"] for _, sources in replies), replies
        text, sources = client.predict(question, api_name="/ask")
        assert sources[0]["number"] == 1 and sources[0]["file"] == "05-remote-work-productivity.md"
        assert live_generation(index) == "gen-1"


def test_feedback_survives_a_full_rebuild(template, tmp_path):
    """Ratings live in feedback.sqlite beside the generations; ones an older version kept in the catalog
    are moved there when the store is first opened."""
    folder, index = _copy(template, tmp_path)
    a = Assistant(index_dir=index, quiet=True)
    a.catalog.db.execute("INSERT INTO feedback (created, rating, question, answer, citations, settings, comment) "
                         "VALUES (1, 'up', 'old question', 'rated before the move', '[]', '{}', '')")
    a.add_feedback("down", COVERED[0], "an answer", [{"quote": "a sentence"}], {"k": 5})
    a.index([folder], rebuild=True)
    with writer_lock(a.settings.index_path):
        a._remove_retired(grace=0)  # the catalog the ratings were first written beside is deleted
    assert not (tmp_path / "index" / "assistant.sqlite").exists()
    for x in (a, Assistant(index_dir=index, quiet=True)):
        rows = x.feedback()
        assert [(f["rating"], f["question"]) for f in rows] == [("up", "old question"), ("down", COVERED[0])]
        assert rows[1]["citations"] == [{"quote": "a sentence"}] and rows[1]["settings"] == {"k": 5}
