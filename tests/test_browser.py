"""The app in headless Chromium (Debian's /usr/bin/chromium driven by Playwright): chat, citations,
sources panel, upload. Skipped without a browser unless CI_REQUIRE_BROWSER=1, which makes that a failure."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from app_helpers import NEW_TITLE, REPO, new_article, running_app

from conftest import FLAGSHIP_EN, FLAGSHIP_ZH

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


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

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")]

# records every length the last answer had, to see it arrive in pieces
WATCH_ANSWER = """() => {
  window.answerLengths = [];
  new MutationObserver(() => {
    const bots = document.querySelectorAll('#chatbot [data-testid="bot"]');
    const n = bots.length ? bots[bots.length - 1].innerText.length : 0;
    if (window.answerLengths.at(-1) !== n) window.answerLengths.push(n);
  }).observe(document.querySelector('#chatbot'), {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("browser-app")) as (url, folder):
        yield url, folder


@pytest.fixture
def page(served):
    url = served[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 950})
        page = context.new_page()
        outside: list[str] = []
        page.on("request", lambda r: r.url.startswith((url, "data:", "blob:")) or outside.append(r.url))
        page.goto(url)
        yield page
        browser.close()
    assert outside == [], f"the page reached outside the app (it must work offline): {outside}"


def test_chat_citations_and_sources(page, tmp_path):
    box = page.locator("#question textarea")
    expect(box).to_be_visible(timeout=30_000)
    page.evaluate(WATCH_ANSWER)
    box.fill(FLAGSHIP_ZH)
    box.press("Enter")

    answer = page.locator("#chatbot [data-testid='bot']").last
    card = page.locator("#sources-panel #src-1-1")
    expect(card).to_be_attached(timeout=60_000)  # the panel is filled with the final answer
    expect(answer).to_contain_text("[1]")
    assert len(page.evaluate("window.answerLengths")) >= 3  # placeholder, pieces, final answer

    # a citation highlights its card, whose cited sentence is marked
    link = answer.locator("a.cite", has_text="[2]").first
    quote = link.get_attribute("title")
    link.click()
    highlighted = page.locator("#sources-panel .source.highlight")
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_have_id("src-1-2")
    expect(highlighted.locator("mark.quote").first).to_be_visible()
    assert quote in highlighted.locator(".src-text").inner_text().replace("\n", "")
    expect(highlighted).to_contain_text("01-digital-transformation.md")
    expect(highlighted).to_contain_text("2021-07-12")
    expect(highlighted.locator(".src-crumb")).not_to_be_empty()

    shot = tmp_path / "chat.png"
    page.screenshot(path=str(shot))
    (REPO / "test-output").mkdir(exist_ok=True)
    shutil.copyfile(shot, REPO / "test-output" / "chat.png")

    # an example question is a follow-up turn; the earlier answer's citations still find their cards
    page.get_by_role("button", name=FLAGSHIP_EN).click()
    expect(page.locator("#sources-panel #src-2-1")).to_be_attached(timeout=60_000)
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(2)
    page.locator("#chatbot a.cite[href='#src-1-1']").first.click()
    expect(page.locator("#sources-panel .source.highlight")).to_have_id("src-1-1")

    page.locator("#clear").click()
    expect(page.locator("#chatbot [data-testid='bot']")).to_have_count(0)
    expect(page.locator("#sources-panel .source")).to_have_count(0)


def test_upload_shows_the_article_in_the_table(page, tmp_path):
    article = new_article(tmp_path, "browser-upload.md")
    broken = tmp_path / "broken.md"
    broken.write_bytes(b"\x00\x01 not text")
    page.locator("#tab-articles-button").click()
    expect(page.locator("#articles-table")).to_contain_text("01-digital-transformation.md")
    page.locator("#upload-files input[type=file]").set_input_files([str(article), str(broken)])
    expect(page.locator("#upload-files tbody tr")).to_have_count(2, timeout=15_000)  # uploaded to the server
    page.locator("#upload").click()
    status = page.locator("#index-status")
    expect(status).to_contain_text("added 1", timeout=60_000)
    expect(status).to_contain_text("broken.md")  # the file left out, with its reason
    expect(status).to_contain_text("binary file")
    expect(page.locator("#articles-table")).to_contain_text(NEW_TITLE)
    expect(page.locator("#articles-table")).to_contain_text("browser-upload.md")
    page.screenshot(path=str(tmp_path / "articles.png"), full_page=True)

    page.locator("#article-filter textarea").fill("星河")
    expect(page.locator("#articles-table")).not_to_contain_text("01-digital-transformation.md")
    expect(page.locator("#articles-table")).to_contain_text(NEW_TITLE)


def test_source_card_opens_the_article_at_the_cited_sentence(page):
    box = page.locator("#question textarea")
    expect(box).to_be_visible(timeout=30_000)
    box.fill(FLAGSHIP_ZH)
    box.press("Enter")
    card = page.locator("#sources-panel #src-1-2")
    expect(card).to_be_attached(timeout=60_000)
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
    viewer.screenshot(path=str(REPO / "test-output" / "viewer.png"))


def test_thumbs_store_feedback(page, served):
    from assistant.catalog import Catalog

    box = page.locator("#question textarea")
    expect(box).to_be_visible(timeout=30_000)
    box.fill(FLAGSHIP_ZH)
    box.press("Enter")
    expect(page.locator("#sources-panel #src-1-1")).to_be_attached(timeout=60_000)
    page.locator("#chatbot [data-testid='bot']").last.hover()
    page.locator("#chatbot button[aria-label='Like']").last.click()
    catalog = Catalog(served[1].parent / "index" / "assistant.sqlite")
    deadline = time.time() + 10
    while not catalog.feedback() and time.time() < deadline:
        time.sleep(0.2)
    (saved,) = catalog.feedback()
    assert saved["rating"] == "up" and saved["question"] == FLAGSHIP_ZH and "[1]" in saved["answer"]
    assert saved["citations"][0]["quote"] and saved["settings"]["k"] == 5
