"""The app in headless Chromium (Debian's /usr/bin/chromium driven by Playwright), walked the way a new
user would: first start, ask, citations, copy, follow-up, regenerate, reload, new chat, filters, stop,
uploads and re-index with their reports, a file dropped into the watched folder, jobs queued behind the
folder watcher's run with cancel, delete with confirmation and undo, a feed added from the Articles tab
(served by a local HTTP server) and answered from, the 600 px layout, the Chinese interface. The walk writes the README's screenshots into
docs/screenshots/. Skipped without a browser unless CI_REQUIRE_BROWSER=1, which makes that a failure."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from app_helpers import NEW_TITLE, REPO, new_article, running_app

from conftest import FLAGSHIP_EN, FLAGSHIP_ZH, hexo, write

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = REPO / "docs" / "screenshots"


def _missing() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return ""


if _missing():
    if os.environ.get("CI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CI_REQUIRE_BROWSER=1 but {_missing()}", pytrace=False)
    pytest.skip(_missing(), allow_module_level=True)

from openai_stub import OpenAIStub  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")]

# records every length the last answer had (to see it arrive in pieces) and whether a placeholder showed
WATCH_ANSWER = """() => {
  window.answerLengths = []; window.sawPlaceholder = false;
  new MutationObserver(() => {
    const bots = document.querySelectorAll('#chatbot [data-testid="bot"]');
    const last = bots.length ? bots[bots.length - 1].innerText.trim() : '';
    if (last === '…') window.sawPlaceholder = true;
    if (window.answerLengths.at(-1) !== last.length) window.answerLengths.push(last.length);
  }).observe(document.querySelector('#chatbot'), {subtree: true, childList: true, characterData: true});
}"""

OTHER_TITLE = "山岚书店的夜间自助借阅"
OTHER_ARTICLE = hexo(OTHER_TITLE, "<p>山岚书店在成都试行夜间自助借阅，读者刷卡进门，书架上共有 1200 本书可借。</p>\n"
                                  "<p>店主说，夜间借阅的读者多是附近加班的年轻人。</p>",
                     date="Mon, 10 May 2021 09:00:00 GMT", categories=("新媒体", "测试"))



def long_article(title: str, place: str, n: int = 60) -> str:
    """An article of ours long enough (n paragraphs, about n/4 passages) that embedding it takes a while."""
    return hexo(title, "\n".join(
        f"<p>{place}第 {i} 号仓库位于{city}，每天搬运 {i * 37 % 900 + 100} 箱货物，夜班有 {i % 9 + 2} 名员工值守，"
        f"仓库负责人说今年最大的变化是{change}。</p>"
        for i, (city, change) in enumerate(zip(["杭州", "成都", "武汉", "西安", "苏州"] * n,
                                               ["换了新的分拣线", "开始用电子价签", "夜班改成两班倒", "引入了无人叉车"] * n))
        if i < n))


# in the folder at the first start: far too long to finish before the page loads, it is cancelled
FIRST_TITLE = "长文：山海物流的仓库流水账"
# put into the folder later, to be cancelled while it is embedded
LONG_TITLE = "长文：一百座仓库的流水账"


def shot(page, name: str, full_page: bool = False) -> None:
    """A small PNG for the README: the page at half size in 256 colours."""
    from PIL import Image

    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    with Image.open(path) as image:
        small = image.convert("RGB").resize((image.width // 2, image.height // 2), Image.LANCZOS)
    small.quantize(colors=256).save(path, optimize=True)


@pytest.fixture(scope="module")
def stub():
    with OpenAIStub() as s:
        s.script({"text": "前端数字化聚焦用户体验。[1]"})
        yield s


@pytest.fixture(scope="module")
def served(tmp_path_factory, stub):
    """The app over two demo articles, with an LLM endpoint (the stub) to offer the answerer choice;
    served while its first indexing still runs."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ASSISTANT_LLM_BASE_URL", stub.base_url)
        env.setenv("ASSISTANT_LLM_MODEL", "stub")
        env.setenv("ASSISTANT_INDEXING_RATE", "0.01")  # any upload is "big": its estimate is told first
        root = tmp_path_factory.mktemp("browser-app")
        write(root / "articles" / "first.md", long_article(FIRST_TITLE, "山海物流", 400))
        with running_app(root, wait=False) as (url, folder):  # the folder watcher on, as by default
            yield url, folder


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        yield b
        b.close()


def open_page(browser, url, width=1400, height=900, locale="en-US"):
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: r.url.startswith((url, "data:", "blob:")) or outside.append(r.url))
    page.goto(url)
    expect(page.locator("#question textarea")).to_be_visible(timeout=30_000)
    return context, page, outside


@pytest.fixture
def page(browser, served):
    context, page, outside = open_page(browser, served[0])
    yield page
    context.close()
    assert outside == [], f"the page reached outside the app (it must work offline): {outside}"


def ask(page, question: str, turn: int) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(turn, timeout=60_000)
    expect(page.locator("#send")).to_be_visible(timeout=60_000)  # the answer is complete


def bot(page):
    return page.locator("#chatbot [data-testid='bot']").last


def copy_message(page, n: int) -> str:
    """What the copy button of the chat's n-th message (0: the first question) puts on the clipboard."""
    page.evaluate("navigator.clipboard.writeText('')")
    page.locator("#chatbot .message-row").nth(n).hover()
    page.locator("#chatbot button[aria-label='Copy message']").nth(n).click()
    deadline = time.time() + 5
    while not (text := page.evaluate("navigator.clipboard.readText()")) and time.time() < deadline:
        time.sleep(0.1)
    return text


def test_first_start_serves_the_page_while_indexing(page, served):
    banner = page.locator("#job-banner")
    expect(banner).to_contain_text("Indexing the articles folder")
    expect(banner).to_contain_text("of 3 articles indexed")
    welcome = page.locator("#chatbot")
    expect(welcome).to_contain_text("The articles folder is being indexed")
    shot(page, "first-start")
    # the long article is left out: cancel, move it away, re-index
    page.locator("#tab-articles-button").click()
    page.locator("#cancel-job").click()
    expect(page.locator("#index-status")).to_contain_text("Indexing the articles folder cancelled", timeout=60_000)
    expect(banner).to_be_hidden()
    (served[1] / "first.md").unlink()
    page.locator("#reindex").click()
    expect(page.locator("#index-status")).to_contain_text("✅ Re-index folder", timeout=90_000)
    expect(page.locator("#articles-table")).to_contain_text("05-remote-work-productivity.md")
    page.locator("#tab-chat-button").click()
    expect(welcome).to_contain_text("2 articles")
    expect(welcome).to_contain_text("from 2021-07-12 to 2021-12-02")


def test_chat_walk(page):
    box = page.locator("#question textarea")
    expect(page.get_by_role("textbox", name="Question", exact=True)).to_be_visible()  # named for screen readers
    page.evaluate(WATCH_ANSWER)
    ask(page, FLAGSHIP_ZH, 1)
    answer = bot(page)
    expect(page.locator("#sources-panel #src-1-1")).to_be_attached()
    assert len(page.evaluate("window.answerLengths")) >= 3  # placeholder, pieces, final answer

    # a comparison reads as two labelled parts, each a list; no citation twice in a row
    expect(answer.locator("p.side strong")).to_have_text(["前端数字化", "后端数字化"])
    assert answer.locator("li").count() >= 2
    assert not re.search(r"\[(\d+)\]\s*\[\1\]", answer.inner_text())

    # a citation highlights its card; the sources panel scrolls, the page does not
    link = answer.locator("a.cite", has_text="[2]").first
    quote = link.get_attribute("title")
    link.click()
    highlighted = page.locator("#sources-panel .source.highlight")
    expect(highlighted).to_have_id("src-1-2")
    assert quote in highlighted.locator(".src-text").inner_text().replace("\n", "")
    expect(highlighted).to_contain_text("01-digital-transformation.md")
    expect(highlighted.locator("a.src-open")).to_have_attribute("href", re.compile(r"^/articles/.+\?start="))
    expect(box).to_be_in_viewport()
    assert page.evaluate("window.scrollY") == 0
    shot(page, "answer")

    # the copy button copies readable text with numbered sources, not HTML; the question's copies the question
    expect(page.locator("#chatbot button[aria-label='Copy message']")).to_have_count(2)
    copied = copy_message(page, 1)
    assert "<" not in copied and "[1]" in copied and "前端数字化" in copied
    assert re.search(r"Sources:\n\[1\] .+ \(2021-07-12\) — 01-digital-transformation\.md", copied), copied
    assert copy_message(page, 0) == FLAGSHIP_ZH

    # an English follow-up: said to quote Chinese articles; the first answer's citations still work
    page.get_by_role("button", name=FLAGSHIP_EN).click()
    expect(page.locator("#sources-panel #src-2-1")).to_be_attached(timeout=60_000)
    expect(bot(page)).to_contain_text("The articles are in Chinese")
    # the answer has finished streaming (the panel is drawn once more at its end, which would drop a highlight)
    expect(page.locator("#send")).to_be_visible(timeout=60_000)
    expect(box).to_be_focused()  # asked with a button: the keyboard is back in the question box
    # with two answers, each copy button still copies its own message
    expect(page.locator("#chatbot button[aria-label='Copy message']")).to_have_count(4)
    second = copy_message(page, 3)
    assert "<" not in second and "(The articles are in Chinese" in second and "\n\nSources:\n[1] " in second
    assert copy_message(page, 1) == copied
    assert copy_message(page, 2) == FLAGSHIP_EN
    page.locator("#chatbot a.cite[href='#src-1-1']").first.click()
    expect(page.locator("#sources-panel .source.highlight")).to_have_id("src-1-1")

    # regenerate the last answer: it is written again, still two turns
    page.evaluate(WATCH_ANSWER)
    page.locator("#chatbot button[aria-label='Retry']").last.click()
    expect(page.locator("#send")).to_be_visible(timeout=60_000)
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(2)
    expect(bot(page)).to_contain_text("[1]")
    assert page.evaluate("window.sawPlaceholder")

    # the chat is kept in the browser: a reload shows it again; "New chat" starts another
    page.reload()
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(2, timeout=30_000)
    expect(page.locator("#sources-panel #src-2-1")).to_be_attached()
    page.locator("#new-chat").click()
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(0)
    expect(page.locator("#chatbot")).to_contain_text("2 articles")
    page.locator("#chats input").click()
    expect(page.get_by_role("option", name=FLAGSHIP_ZH)).to_be_visible()
    page.get_by_role("option", name=FLAGSHIP_ZH).click()
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(2)

    # edit the last question: it is asked again in place
    page.locator("#chatbot [data-testid='user']").last.hover()
    page.locator("#chatbot button[aria-label='Edit']").last.click()
    page.locator("#chatbot textarea").fill("远程办公对哪类工作的效率影响最大？")
    page.locator("#chatbot button[aria-label='Submit']").click()
    expect(page.locator("#sources-panel #src-2-1")).to_contain_text("05-remote-work-productivity.md", timeout=60_000)
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(2)
    expect(page.locator("#chatbot [data-testid='user']").last).to_contain_text("远程办公")


def test_source_card_opens_the_article_at_the_cited_sentence(page):
    ask(page, FLAGSHIP_ZH, 1)
    card = page.locator("#sources-panel #src-1-2")
    expect(card).to_be_attached()
    quote = page.locator("#chatbot a.cite", has_text="[2]").first.get_attribute("title")
    with page.expect_popup() as opened:
        card.locator("a.src-open").click()
    viewer = opened.value
    viewer.wait_for_load_state()
    marked = viewer.locator("mark.quote")
    expect(marked).to_have_text(quote)
    expect(marked).to_be_in_viewport()
    expect(viewer.locator("#cited")).to_have_count(1)
    expect(viewer.locator("h1")).to_have_text(card.locator("b").inner_text().split(" ", 1)[1])
    expect(viewer.locator(".meta")).to_contain_text("01-digital-transformation.md")
    expect(viewer.locator("h2, h3").first).to_be_attached()  # the article's headings are there
    shot(viewer, "viewer")


def indexed(url: str, timeout: float = 120) -> None:
    """Until every file of the served folder is indexed: the app is served while its first indexing runs, and a
    test run on its own must not ask before it is done."""
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        files = httpx.get(url + "api/ingest_status", timeout=30).json()["files"]
        if files and all(f["state"] == "indexed" for f in files):
            return
        time.sleep(0.5)
    raise AssertionError(f"the served folder was not indexed within {timeout:g} s: {files}")


def test_thumbs_store_feedback(page, served):
    from assistant.feedback import FeedbackStore

    indexed(served[0])
    ask(page, FLAGSHIP_ZH, 1)
    bot(page).hover()
    page.locator("#chatbot button[aria-label='Like']").last.click()
    path = served[1].parent / "index" / "feedback.sqlite"
    deadline = time.time() + 10
    while not path.exists() and time.time() < deadline:  # the app creates it on the first rating
        time.sleep(0.2)
    store = FeedbackStore(path)
    while not store.all() and time.time() < deadline:
        time.sleep(0.2)
    (saved,) = store.all()
    assert saved["rating"] == "up" and saved["question"] == FLAGSHIP_ZH and "[1]" in saved["answer"]
    assert saved["citations"][0]["quote"] and saved["settings"]["k"] == 5


def test_filter_chip_and_hint(page):
    page.locator("#settings").get_by_text("Settings").click()
    date_from = page.locator("#date-from input").first
    date_from.fill("2021-07-01")
    date_from.press("Enter")
    chip = page.locator("#filter-chip")
    expect(chip).to_contain_text("Filter: 2021-07-01 – …")
    date_from.fill("2030-01-01")
    date_from.press("Enter")
    expect(chip).to_contain_text("Filter: 2030-01-01 – …")
    page.locator("#settings").get_by_text("Settings").click()  # collapsed: the chip still shows the filter
    expect(chip).to_be_visible()
    ask(page, FLAGSHIP_ZH, 1)
    expect(bot(page)).to_contain_text("资料中没有找到相关内容")
    expect(bot(page).locator(".hint")).to_contain_text("Without it the articles do answer this")
    shot(page, "filter-hint")
    # a date the box cannot read is refused with the reason, not replaced by the last good one
    page.locator("#settings").get_by_text("Settings").click()
    date_from.fill("not a date")
    ask(page, FLAGSHIP_ZH, 2)
    expect(bot(page)).to_contain_text("From date: cannot read 'not a date' as a date")
    expect(bot(page)).to_contain_text("YYYY-MM-DD")
    expect(chip).to_contain_text("'not a date'")
    expect(page.locator("#question textarea")).to_have_value(FLAGSHIP_ZH)  # kept, to ask again
    page.locator("#clear-filters").click()
    expect(chip).to_be_hidden()
    expect(date_from).to_have_value("")
    date_from.fill("2021/13")  # refused while the field holds no date: Clear empties the box all the same
    date_from.press("Enter")
    expect(chip).to_contain_text("'2021/13'")
    page.locator("#clear-filters").click()
    expect(chip).to_be_hidden()
    expect(date_from).to_have_value("")
    ask(page, FLAGSHIP_ZH, 2)
    expect(bot(page)).to_contain_text("[1]", timeout=60_000)


def test_stop_an_answer(page, stub):
    stub.script({"delay": 3, "text": "前端数字化聚焦用户体验。[1]"})
    page.locator("#settings").get_by_text("Settings").click()
    page.locator("#answerer").get_by_text("Language model").click()
    page.locator("#question textarea").fill(FLAGSHIP_ZH)
    page.locator("#question textarea").press("Enter")
    stop = page.locator("#stop")
    expect(stop).to_be_visible(timeout=10_000)
    stop.click()
    expect(bot(page)).to_contain_text("Stopped", timeout=2_000)  # at once, not after the model's 3 s
    expect(page.locator("#send")).to_be_visible()
    expect(stop).to_be_hidden()
    page.wait_for_timeout(4_000)  # the stub answers meanwhile: nothing may arrive after Stop
    expect(bot(page)).not_to_contain_text("聚焦用户体验")
    page.locator("#answerer").get_by_text("Quote the articles").click()


# clicks Stop the moment it shows, right after the answer's first piece
STOP_AT_ONCE = """() => {
  window.stopClicked = false;
  new MutationObserver((_, watch) => {
    const stop = document.querySelector('#stop');
    if (stop && stop.offsetParent) { watch.disconnect(); window.stopClicked = true; stop.click(); }
  }).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def test_stop_at_once(page):
    """A Stop right after the first piece raced with the pieces still on their way (issue: Stop stayed with
    Ask hidden, error badges, the answer not marked). Each time the page must end with Ask back, no error
    badge and the question kept, its answer marked stopped, or complete when Stop came after its end."""
    for _ in range(8):
        page.locator("#new-chat").click()
        expect(page.locator("#chatbot [data-testid='user']")).to_have_count(0)
        page.evaluate(STOP_AT_ONCE)
        page.locator("#question textarea").fill(FLAGSHIP_ZH)
        page.locator("#question textarea").press("Enter")
        expect(page.locator("#send")).to_be_visible(timeout=10_000)
        page.wait_for_timeout(500)  # anything still on its way arrives meanwhile
        assert page.evaluate("window.stopClicked")
        expect(page.locator("#send")).to_be_visible()
        expect(page.locator("#stop")).to_be_hidden()
        expect(page.locator("span.error")).to_have_count(0)
        expect(page.locator("#chatbot [data-testid='user']")).to_have_text([FLAGSHIP_ZH])
        answer, panel = bot(page).inner_text(), page.locator("#sources-panel").inner_text()
        assert "Stopped" in answer or panel.startswith("Q1"), (answer, panel[:80])


def test_articles_walk(page, served, tmp_path):
    folder = served[1]
    page.locator("#tab-articles-button").click()
    table = page.locator("#articles-table")
    expect(table).to_contain_text("01-digital-transformation.md")
    expect(table.locator("a", has_text="前端数字化与后端数字化").first).to_have_attribute("href", re.compile("^/articles/"))
    status = page.locator("#index-status")

    # upload: the report names the new article and the file left out, next to the buttons
    broken = tmp_path / "broken.md"
    broken.write_bytes(b"\x00\x01 not text")
    page.locator("#upload-files input[type=file]").set_input_files([str(new_article(tmp_path, "browser-upload.md")),
                                                                    str(broken)])
    expect(page.locator("#upload-files tbody tr")).to_have_count(2, timeout=15_000)
    page.locator("#upload").click()
    expect(page.get_by_text("indexing takes about")).to_be_visible(timeout=15_000)  # the estimate, before
    expect(status).to_contain_text(f"Added: «{NEW_TITLE}»", timeout=60_000)
    expect(status).to_contain_text("broken.md")
    expect(status).to_contain_text("binary file")
    expect(table).to_contain_text(NEW_TITLE)

    # the folder watcher picks up a file put into the folder: no button pressed
    write(folder / "other.md", OTHER_ARTICLE)
    expect(status).to_contain_text("Folder watcher: added 1", timeout=60_000)
    expect(table).to_contain_text(OTHER_TITLE, timeout=30_000)
    shot(page, "articles", full_page=True)

    # jobs queue: a long file is being indexed by the watcher; Re-index waits behind it (the page's buttons
    # wait meanwhile); Cancel stops the run and drops the queued job; the file stays pending
    long = write(folder / "long.md", long_article(LONG_TITLE, "云杉集团", 400))  # cancelled long before it ends
    expect(status).to_contain_text("⏳ Folder watcher:", timeout=30_000)
    page.locator("#reindex").click()
    expect(status).to_contain_text("Re-index folder: queued behind Folder watcher")
    for other in ("#reindex", "#upload", "#rebuild", "#delete"):
        expect(page.locator(other)).to_be_disabled()
    page.locator("#cancel-job").click()
    expect(status).to_contain_text("Folder watcher cancelled", timeout=60_000)
    expect(page.locator("#reindex")).to_be_enabled()
    expect(table).not_to_contain_text(LONG_TITLE)
    page.locator("#ingest-box").get_by_text("Feeds and file status").click()
    expect(page.locator("#files-summary")).to_contain_text("4 indexed · 1 pending · 0 failed")
    expect(page.locator("#files-table")).to_contain_text("long.md")  # pending ones are listed first
    long.unlink()
    page.locator("#rebuild").click()
    expect(status).to_contain_text("✅ Full rebuild: added 4", timeout=60_000)
    expect(table).to_contain_text(OTHER_TITLE)
    expect(table).to_contain_text(NEW_TITLE)
    history = page.locator("#job-history")
    page.locator("#job-history-box").get_by_text("Recent jobs").click()
    for line in ("Indexing the articles folder cancelled", "Upload and index", "Folder watcher: added 1",
                 "Re-index folder cancelled", "Folder watcher cancelled", "Full rebuild: added 4"):
        expect(history).to_contain_text(line)

    # delete asks first, then can be undone (the file comes back from .deleted/ and is indexed again)
    table.get_by_text("other.md").click()
    page.locator("#delete").click()
    expect(page.locator("#confirm-text")).to_contain_text(OTHER_TITLE)
    page.locator("#confirm-keep").click()
    expect(page.locator("#confirm-yes")).to_be_hidden()
    assert (folder / "other.md").exists()
    page.locator("#delete").click()
    page.locator("#confirm-yes").click()
    expect(status).to_contain_text(f"deleted «{OTHER_TITLE}»", timeout=60_000)
    expect(table).not_to_contain_text(OTHER_TITLE)
    assert not (folder / "other.md").exists() and (folder / ".deleted" / "other.md").exists()
    page.locator("#undo").click()
    expect(status).to_contain_text(f"restored «{OTHER_TITLE}»", timeout=60_000)
    expect(table).to_contain_text(OTHER_TITLE)
    assert (folder / "other.md").exists() and not (folder / ".deleted" / "other.md").exists()
    expect(page.locator("#undo")).to_be_hidden()

    page.locator("#article-filter textarea").fill("星河")
    expect(table).not_to_contain_text("01-digital-transformation.md")
    expect(table).to_contain_text(NEW_TITLE)


FEED_TITLE = "松风茶园的智能灌溉"
FEED_QUESTION = "松风茶园有多少个土壤湿度传感器？"
FEED_ENTRY = {"id": "urn:browser:songfeng", "slug": "songfeng", "title": FEED_TITLE, "date": 1626000000,
              "author": "示例作者", "tags": ["农业"],
              "html": "<p>松风茶园在安吉部署了智能灌溉系统，园内共有 312 个土壤湿度传感器，每十分钟上报一次数据。</p>"
                      "<p>园长说，系统上线后茶园的用水量下降了三成。</p>"}


def test_feeds_from_the_articles_tab(page):
    """A feed of our own on a local HTTP server: added from the Articles tab, synced at once, its article
    listed in the file table as indexed from that feed, and answered from in the chat."""
    from feed_server import FeedServer, rss

    with FeedServer() as server:
        url = server.set("/songfeng.xml", rss([FEED_ENTRY], server.url))
        page.locator("#tab-articles-button").click()
        page.locator("#ingest-box").get_by_text("Feeds and file status").click()
        page.locator("#feed-url textarea").fill(url)
        page.locator("#feed-name textarea").fill("songfeng")
        page.locator("#feed-add").click()
        expect(page.locator("#feed-status")).to_contain_text("songfeng: new 1, updated 0", timeout=60_000)
        feeds = page.locator("#feeds-table")
        expect(feeds).to_contain_text(url)
        files = page.locator("#files-table")
        expect(files).to_contain_text("feeds/songfeng/20210711-")
        expect(page.locator("#files-summary")).to_contain_text("5 indexed · 0 pending · 0 failed")
        shot(page, "feeds", full_page=True)
        expect(page.locator("#articles-table")).to_contain_text(FEED_TITLE, timeout=30_000)
        page.locator("#feed-sync").click()  # no feed chosen: all of them; nothing new since
        expect(page.locator("#feed-status")).to_contain_text("songfeng: not modified", timeout=60_000)
        assert server.hits("/songfeng.xml") == 2
        page.locator("#feed-add").click()  # an empty URL is refused with the reason
        expect(page.locator("#feed-status")).to_contain_text("is not an http(s) URL")

    page.locator("#tab-chat-button").click()
    ask(page, FEED_QUESTION, 1)
    expect(bot(page)).to_contain_text("312")
    expect(page.locator("#sources-panel #src-1-1")).to_contain_text("feeds/songfeng/")

    page.locator("#tab-articles-button").click()
    page.locator("#feed-choice input").click()
    page.get_by_role("option", name="songfeng").click()
    page.locator("#feed-remove").click()
    expect(page.locator("#feed-status")).to_contain_text("Feed songfeng removed")
    expect(page.locator("#feeds-table")).not_to_contain_text(url)


def test_narrow_screen(browser, served):
    context, page, outside = open_page(browser, served[0], width=600, height=900)
    ask(page, FLAGSHIP_ZH, 1)
    drawer = page.locator("#sources-col")
    assert drawer.evaluate("e => getComputedStyle(e).position") == "fixed"  # a drawer, not below Settings
    bot(page).locator("a.cite", has_text="[1]").first.click()
    card = page.locator("#sources-panel #src-1-1")
    expect(card).to_be_in_viewport()
    expect(page.locator("#question textarea")).to_be_visible()
    shot(page, "narrow")
    page.locator("#sources-handle").click()  # closes the drawer
    expect(card).not_to_be_in_viewport()
    page.locator("#tab-articles-button").click()
    box = page.locator("#articles-table").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 600  # the table fits (it scrolls inside)
    context.close()
    assert outside == []


def test_chinese_interface(browser, served):
    context, page, outside = open_page(browser, served[0], locale="zh-CN")
    expect(page.locator("#send")).to_have_text("提问")
    expect(page.locator("#sources-handle")).to_contain_text("出处")
    expect(page.locator("#chatbot")).to_contain_text("篇文章")
    expect(page.locator("#tab-articles-button")).to_have_text("文章")
    assert "ASSISTANT_" not in page.content()  # no settings names for end users
    shot(page, "welcome-zh")
    context.close()
    assert outside == []
