"""Property tests (hypothesis) for the article reader, the chunker and the keyword query.

Whatever bytes a file holds, reading it either gives an Article or raises ArticleError (one bad file
must never stop an indexing run); every offset points at the text it claims to; passages are slices of
the article text, stay inside one heading section, cover all of its text, and have a bounded length.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.articles import HEADING, Article, parse_html, parse_markdown, read_article
from assistant.chunking import chunk_article
from assistant.errors import ArticleError

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# --- building blocks ---------------------------------------------------------------------------

CJK = "数字化转型企业前端后端用户平台数据中台云计算服务成本换电站电池"
PUNCT = "。！？；，、：“”（）…!?;:,. "
words = st.text(alphabet=CJK + string.ascii_letters + string.digits + PUNCT, min_size=1, max_size=40)
odd = st.sampled_from(["&amp;", "&lt;", "&#x4e2d;", "&#20013;", "&nbsp;", "&", "&#", "<", ">", "\u200b",
                       "\u3000", "\u00a0", "\t", "\r\n", "\r", "\x0c", "\ufeff", "\u2028", "\x85", "'", '"',
                       "\\", "\x00", "\x1b", "𠀀", "é", "\u0301", "\ud7ff"])
tag_names = st.sampled_from(["p", "div", "h1", "h2", "h3", "h6", "h7", "li", "ul", "ol", "blockquote", "strong",
                             "b", "em", "a", "span", "br", "hr", "img", "script", "style", "title", "svg",
                             "table", "td", "pre", "head", "body", "html", "template", "noscript", "P", "DIV"])
attrs = st.sampled_from(["", ' class="x"', " href='/a?b=1&c=2'", ' alt="a>b"', " data-x", ' title="未闭合',
                         " src=x.png", ' style="color:red"'])


@st.composite
def html_fragment(draw):
    kind = draw(st.integers(0, 9))
    if kind < 4:
        return draw(words)
    if kind == 4:
        return draw(odd)
    name = draw(tag_names)
    if kind == 5:
        return f"<{name}{draw(attrs)}>"
    if kind == 6:
        return f"</{name}>"
    if kind == 7:
        return f"<{name}{draw(attrs)}/>"
    if kind == 8:
        return draw(st.sampled_from(["<!-- c -->", "<!--", "-->", "<!DOCTYPE html>", "<![CDATA[x]]>", "<?xml?>",
                                     "<p><strong>一、小标题</strong></p>", "<h2>小节</h2>", "\n\n"]))
    return f"<{name}>{draw(words)}</{name}>"


@st.composite
def markdown_line(draw):
    prefix = draw(st.sampled_from(["", "", "", "# ", "## ", "###### ", "####### ", "#", "- ", "* ", "+ ", "1. ",
                                   "12) ", "3、", "> ", ">> ", "    ", "```", "~~~", "---", "***", "___",
                                   "**", "__"]))
    body = draw(st.lists(st.one_of(words, odd, st.sampled_from(
        ["[链接](http://x)", "![图](a.png)", "[ref][1]", "**粗体**", "`代码`", "<b>x</b>", " #", " ##", "[", "](",
         "![", "~~删~~"])), max_size=5))
    return prefix + "".join(body)


FM_VALUES = ["'标题'", '"Title"', "plain", "", "[a, b]", "{a: 1}", "'未闭合", "*alias", "&a x", "!!int x",
             "!!float y", "!!binary AAAA", "!!python/object:os.system x", "|\n  block", "[" * 3000,
             "Thu, 15 Jul 2021 02:14:44 GMT", "2021-07-15", "2021-02-30", "2021-13-01 10:00", "2021年7月15日",
             "yesterday", "0001-01-01", "9999-12-31 23:59:59", "2021-07-15T10:00:00Z", "10000-01-01",
             "\n - 36kr\n - 资讯", "\n - [x]\n - {y: 1}", "1e400", "0x1F", ".nan", "~", "? [a]"]
fm_line = st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(["title", "date", "categories", "author", "x"]),
                    st.sampled_from(FM_VALUES))
front_matter = st.one_of(
    st.just(""),
    st.lists(fm_line, max_size=5).map(lambda lines: "---\n" + "\n".join(lines) + "\n---\n"),
    st.lists(fm_line, max_size=5).map(lambda lines: "---\n" + "\n".join(lines) + "\n"),  # never closed
    st.text(alphabet="-: \nabc'\"[]{}&*!|>#?%@`", max_size=60).map(lambda t: f"---\n{t}\n---\n"),
)


@st.composite
def article_bytes(draw):
    """(suffix, bytes): Hexo-like HTML, Markdown, plain text or raw bytes, in one of the encodings."""
    style = draw(st.sampled_from(["html", "markdown", "text", "bytes"]))
    if style == "bytes":
        return draw(st.sampled_from([".md", ".html", ".txt"])), draw(st.binary(max_size=400))
    fm = draw(front_matter)
    if style == "html":
        body = "".join(draw(st.lists(html_fragment(), max_size=40)))
        suffix = draw(st.sampled_from([".md", ".html", ".htm"]))
    elif style == "markdown":
        body = "\n".join(draw(st.lists(markdown_line(), max_size=25)))
        suffix = draw(st.sampled_from([".md", ".markdown"]))
    else:
        body = "\n".join(draw(st.lists(st.one_of(words, odd), max_size=20)))
        suffix = ".txt"
    text = fm + body
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    data = text.encode(encoding, errors="replace") if encoding != "utf-8" else text.encode("utf-8", "surrogatepass")
    return suffix, data


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# --- properties ---------------------------------------------------------------------------------


def check_article(article: Article) -> None:
    text = article.text
    assert article.title and "\n" not in article.title
    assert any(b.kind != HEADING for b in article.blocks)
    pos = 0
    for b in article.blocks:
        assert b.start == pos and text[b.start:b.end] == b.text
        assert b.text and b.text == b.text.strip() and "\n" not in b.text, repr(b.text)
        assert (1 <= b.level <= 6) if b.kind == HEADING else b.level == 0
        pos = b.end + 1
    assert pos == len(text) + 1


def check_chunks(article: Article, size: int, overlap: int, min_chunk: int) -> None:
    chunks = chunk_article(article, size, overlap, min_chunk)
    text = article.text
    # section of every character of the text: the heading path in force there (None on headings)
    section_at: list = [None] * len(text)
    path: list[tuple[int, str]] = []
    for b in article.blocks:
        if b.kind == HEADING:
            while path and path[-1][0] >= b.level:
                path.pop()
            path.append((b.level, b.text))
            continue
        for i in range(b.start, b.end):
            section_at[i] = tuple(t for _, t in path)
    bound = size + size // 2 + 2 * min_chunk + 2  # the longest sentence, plus a short lead and a short tail
    covered = [False] * len(text)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for n, c in enumerate(chunks):
        assert c.position == n and 0 <= c.start < c.end <= len(text)
        assert c.text == text[c.start:c.end] and c.text.strip()
        assert len(c.text) <= bound, (len(c.text), bound)
        sections = {section_at[i] for i in range(c.start, c.end) if text[i] != "\n"}
        assert sections == {tuple(c.headings)}, (sections, c.headings)  # never spans a heading
        assert c.embed_text.endswith("\n" + c.text) and c.embed_text.startswith(article.title)
        for i in range(c.start, c.end):
            covered[i] = True
    lost = [i for i, s in enumerate(section_at) if s is not None and not covered[i] and not text[i].isspace()]
    assert not lost, f"text not in any passage: {text[lost[0]:lost[0] + 20]!r}"


chunk_settings = st.sampled_from([(400, 60, 80), (50, 10, 20), (60, 0, 10), (80, 30, 40), (120, 20, 100)])


@FUZZ
@given(article_bytes(), chunk_settings)
def test_reading_any_file_gives_an_article_or_article_error(scratch, item, sizes):
    suffix, data = item
    path = scratch / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        article = read_article(path)
    except ArticleError as exc:
        assert exc.path == str(path) and exc.reason
        return
    check_article(article)
    check_chunks(article, *sizes)


@FUZZ
@given(st.lists(html_fragment(), max_size=60))
def test_parse_html_never_crashes(fragments):
    blocks, title = parse_html("".join(fragments))
    assert "\n" not in title
    for kind, text, level, bold in blocks:
        assert text and text == text.strip() and "\n" not in text
        assert (1 <= level <= 6) if kind == HEADING else level == 0


@FUZZ
@given(st.lists(markdown_line(), max_size=40))
def test_parse_markdown_never_crashes(lines):
    for kind, text, level, bold in parse_markdown("\n".join(lines)):
        assert text and text == text.strip() and "\n" not in text
        assert (1 <= level <= 6) if kind == HEADING else level == 0


@FUZZ
@given(st.text(max_size=3000), chunk_settings)
def test_chunking_arbitrary_text_is_exact_and_bounded(scratch, body, sizes):
    """Plain text (every line a paragraph, runs of text with or without punctuation)."""
    path = scratch / "plain.txt"
    path.write_text(body, encoding="utf-8", errors="surrogatepass")
    try:
        article = read_article(path)
    except ArticleError:
        return
    check_article(article)
    check_chunks(article, *sizes)


@FUZZ
@given(st.text(max_size=200))
def test_keyword_queries_are_always_valid_fts5(keyword_catalog, query):
    """Any user question becomes a valid FTS5 MATCH expression (quotes, operators, NEAR, *, ^ ...)."""
    from assistant.keywords import tokenize

    hits = keyword_catalog.keyword_search(tokenize(query), 5)
    assert all(isinstance(cid, str) and score > float("-inf") for cid, score in hits)


@pytest.fixture(scope="module")
def keyword_catalog(tmp_path_factory):
    from assistant.catalog import Catalog
    from assistant.keywords import tokenize

    catalog = Catalog(tmp_path_factory.mktemp("fts") / "assistant.sqlite")
    path = tmp_path_factory.mktemp("fts-src") / "a.md"
    path.write_text("---\ntitle: 数据中台\n---\n<p>数据中台帮助企业沉淀数据资产。AND OR NOT NEAR \"quoted\" *^</p>",
                    encoding="utf-8")
    article = read_article(path)
    chunks = chunk_article(article)
    catalog.commit_article(article, chunks, [tokenize(c.embed_text) for c in chunks])
    for q in ("数据中台", "NEAR", '"quoted"'):
        assert catalog.keyword_search(tokenize(q), 5), q  # the fixture itself can be found
    return catalog
