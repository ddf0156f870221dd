"""How answers, sources and job reports are laid out for the page (pure functions, no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Answer, Passage
from assistant.results import Citation
from assistant.web import render
from assistant.jobs import JobRunner
from assistant.web.ui import filters, parse_day

FOLDER = Path("/articles")
FRONT = "前端数字化指的是企业在与客户直接接触的环节所进行的数字化改造。"
BACK = "后端数字化是对企业内部的生产、供应链和管理流程进行重构。"
FRONT2 = "前端数字化更多是聚焦于用户交互与体验。"


def passage(n: int) -> Passage:
    return Passage(f"c{n}", f"段落 {n} 的文字。", "两条路径", "两条路径 › 区别", f"/articles/{n:02d}.md",
                   "2021-07-12T00:00:00", article_id=f"a{n}")


def answer(question: str, text: str, numbers=(1, 2, 3), **kw) -> Answer:
    return Answer(question, text, [Citation(n, passage(n), f"quote {n}") for n in numbers], **kw)


def test_citations_merge_per_sentence_and_never_repeat_back_to_back():
    pieces = render.merged(render.pieces("甲。[1][1]乙。[2]丙。[2]丁。[1][3]"))
    assert [(p.text, p.numbers) for p in pieces] == [("甲。", (1,)), ("乙。丙。", (2,)), ("丁。", (1, 3))]
    html = render.answer_html(answer("数字化是什么？", "甲。[1][1]乙。[2]丙。[2]"), 1)
    assert html.count('href="#src-1-2"') == 1 and html.count('href="#src-1-1"') == 1


@pytest.mark.parametrize("question, sides", [
    ("前端数字化和后端数字化有什么区别？", ["前端数字化", "后端数字化"]),
    ("What is the difference between front-end and back-end digitalization?",
     ["front-end digitalization", "back-end digitalization"]),
])
def test_a_comparison_reads_as_two_labelled_parts(question, sides):
    a = answer(question, f"{FRONT}[1]{BACK}[2]{FRONT2}[3]")
    blocks = render.layout(a)
    assert [b.label for b in blocks] == sides
    assert [[p.numbers for p in b.pieces] for b in blocks] == [[(1,), (3,)], [(2,)]]
    html = render.answer_html(a, 1, "en")
    assert html.index(sides[0]) < html.index(FRONT) < html.index(sides[1]) < html.index(BACK)
    assert ("The articles are in Chinese" in html) == question.startswith("What")


def test_the_note_that_quotes_are_chinese_is_said_below_not_laid_out_as_a_quote():
    """The English answer's first line ("Quoted from the Chinese articles …:") was laid out as the start of the first
    side's first bullet (the page's own English example); the notice under the answer says it."""
    from assistant.answerers import QUOTES_CHINESE

    for question, text in [("What is the difference between front-end and back-end digitalization?",
                             f"{FRONT}[1]{BACK}[2]{FRONT2}[3]"), ("What is front-end digitalization?", f"{FRONT}[1]")]:
        html = render.answer_html(answer(question, QUOTES_CHINESE + text, doubtful=False), 1, "en")
        assert "not translated" not in html and html.count("The articles are in Chinese") == 1
        assert html.index(FRONT) < html.index("The articles are in Chinese")
        plain = render.answer_plain(answer(question, QUOTES_CHINESE + text), FOLDER)
        assert "not translated" not in plain and plain.count("The articles are in Chinese") == 1  # said once, below


def test_three_sentences_are_a_list_and_two_a_paragraph():
    assert render.answer_html(answer("数字化是什么？", f"{FRONT}[1]{BACK}[2]{FRONT2}[3]"), 1).count("<li>") == 3
    assert "<li>" not in render.answer_html(answer("数字化是什么？", f"{FRONT}[1]{BACK}[2]"), 1)


def test_plain_copy_has_readable_text_and_numbered_sources():
    text = render.answer_plain(answer("前端数字化和后端数字化有什么区别？", f"{FRONT}[1]{BACK}[2]", (1, 2)), FOLDER)
    assert text == (f"前端数字化:\n- {FRONT}[1]\n后端数字化:\n- {BACK}[2]\n\nSources:\n"
                    "[1] 两条路径 (2021-07-12) — 01.md › 区别\n[2] 两条路径 (2021-07-12) — 02.md › 区别")
    assert "<" not in text


def test_a_doubtful_answer_shows_its_caveat_above_the_sentences():
    caveat = "（把握不大：资料可能没有直接说明这一点，请核对引文。）\n"
    a = answer("木鱼咖啡的创始人是谁？", caveat + f"{FRONT}[1]{BACK}[2]{FRONT2}[3]", doubtful=True)
    html = render.answer_html(a, 2, "zh")
    assert html.index("把握不大") < html.index(FRONT) and html.count("<li>") == 3
    assert "把握不大" not in html[html.index("<ul>"):]  # not laid out as one of the quoted sentences
    assert render.answer_plain(a, FOLDER, "zh").startswith("(把握不大：资料可能没有直接说明这一点，请核对引文。)\n- ")


def test_not_covered_lists_the_closest_passages_in_the_chat_with_the_hint():
    a = Answer("火星上有几只猫？", "资料中没有找到相关内容。\n以下是最接近的段落，供参考：", abstained=True,
               passages=[passage(1), passage(2)])
    html = render.answer_html(a, 4, "zh", hint="当前有筛选条件")
    assert "资料中没有找到相关内容。" in html and "供参考" not in html
    assert 'href="#src-4-c1"' in html and 'href="#src-4-c2"' in html and "当前有筛选条件" in html
    assert "两条路径 (2021-07-12) — 01.md › 区别" in render.answer_plain(a, FOLDER, "zh")


def test_cards_link_to_the_article_viewer_and_show_passages_read_but_not_cited():
    a = answer("数字化是什么？", f"{FRONT}[1]", (1,))
    a.passages = [passage(1), passage(2)]
    panel = render.turn_panel(a, 2, FOLDER, "en")
    assert 'href="/articles/a1?start=0&amp;end=0&amp;quote=quote+1#cited"' in panel
    assert "Also read for this answer (1)" in panel and 'id="src-2-r1"' in panel


def test_messages_carry_the_plain_copy_escaped():
    turn = {"question": "q", "html": "<p>a</p>", "plain": 'a "b" <c>\nSources:'}
    content = render.messages([turn])[1]["content"]
    assert content.endswith('<span class="plain-copy" title="a &quot;b&quot; &lt;c&gt;&#10;Sources:"></span>')


@pytest.mark.parametrize("text, end, day", [
    ("2021-07-01", False, "2021-07-01"), ("2021/7/3", False, "2021-07-03"), ("2021/07", False, "2021-07-01"),
    ("2021/02", True, "2021-02-28"), ("2021", True, "2021-12-31"), ("2021年7月", False, "2021-07-01"),
    ("2021-07-01 00:00:00", False, "2021-07-01"), ("", False, None),
])
def test_filter_dates_are_read_leniently(text, end, day):
    assert parse_day(text, end) == day


@pytest.mark.parametrize("text", ["last week", "2021-13", "2021-02-30", "07/2021"])
def test_unreadable_filter_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_day(text)


@pytest.mark.parametrize("lang, field", [("en", "To date"), ("zh", "截止日期")])
def test_an_unreadable_filter_date_is_named_with_the_format_to_use(lang, field):
    with pytest.raises(ValueError) as caught:
        filters("2021-07-01", "31.12.2021", "", lang)
    assert str(caught.value).startswith(field) and "'31.12.2021'" in str(caught.value)
    assert "YYYY-MM-DD" in str(caught.value)


def test_an_inverted_filter_range_is_refused_in_the_page_language():
    with pytest.raises(ValueError, match="2023-01-01 晚于结束日期 2021-01-31"):
        filters("2023", "2021-01", "", "zh")
    with pytest.raises(ValueError, match="From date 2023-01-01 is after the To date 2021-01-31"):
        filters("2023-01-01", "2021-01", "", "en")
    assert filters("2021-07-15", "2021-07-15", "", "en")[0]["date_to"] == "2021-07-15"  # one day is a range


def test_jobs_run_one_at_a_time_in_order_and_cancel_through_progress():
    jobs = JobRunner()
    gate = __import__("threading").Event()
    order = []

    def work(progress):
        order.append("reindex")
        progress("writing", 0, 2)
        gate.wait(5)
        progress("writing", 1, 2)  # raises Cancelled once Cancel was pressed
        return {"never": True}

    job = jobs.submit("reindex", work)
    queued = jobs.submit("rebuild", lambda progress: order.append("rebuild") or {})  # waits its turn
    dropped = jobs.submit("upload", lambda progress: order.append("upload") or {})
    deadline = __import__("time").time() + 5
    while not job.progress and __import__("time").time() < deadline:
        __import__("time").sleep(0.01)
    assert jobs.busy and jobs.current is job and jobs.queued == [queued, dropped] and queued.state == "queued"
    assert render.progress_text(job.progress, "en") == "0 of 2 articles indexed"
    assert "queued behind Re-index folder" in render.job_line(queued, "en", "Re-index folder")
    assert jobs.cancel(dropped) and dropped.state == "cancelled"  # a queued job is dropped at once
    assert jobs.cancel()
    gate.set()
    assert jobs.wait(job, 5) is job and job.state == "cancelled" and job.result is None
    assert "cancelled" in render.job_line(job, "en")
    jobs.wait(timeout=5)
    assert queued.state == "done" and order == ["reindex", "rebuild"] and not jobs.busy
    assert [j.kind for j in jobs.history] == ["rebuild", "reindex", "upload"]
    assert jobs.run("index", lambda progress: 7) == 7  # submit and wait
    with pytest.raises(ValueError, match="bad"):
        jobs.run("index", lambda progress: (_ for _ in ()).throw(ValueError("bad")))


def test_the_filter_note_is_said_once_in_the_page_language():
    from assistant.chain import FILTERED_OUT
    from assistant.web.render import answer_html

    answer = Answer(question="换电是什么？", text="资料中没有找到相关内容。", abstained=True,
                    notice=f"{FILTERED_OUT}; another note")
    shown = answer_html(answer, 0, "zh", hint="当前有筛选条件（快讯）。")
    assert "当前有筛选条件" in shown and FILTERED_OUT not in shown and "another note" in shown
    assert FILTERED_OUT in answer_html(answer, 0, "zh")  # without the page's hint, the note stays


def test_job_history_dates_each_job_by_its_end_in_the_order_it_is_listed():
    """The list is newest-ended first; a queued job cancelled while another ran used to be dated by its request,
    so an earlier time sat above a later one."""
    import re
    import time

    from assistant.jobs import Job

    now = time.time()
    ran = Job(id=1, kind="reindex", created=now - 600, started=now - 590, finished=now - 10, state="done")
    dropped = Job(id=2, kind="upload", created=now - 300, finished=now - 200, state="cancelled")  # never started
    stamps = re.findall(r"\d\d:\d\d:\d\d", render.job_history([ran, dropped], "en"))
    assert stamps == [time.strftime("%H:%M:%S", time.localtime(t)) for t in (now - 10, now - 200)]
