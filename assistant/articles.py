"""Read one article file into clean text blocks plus its metadata.

Accepted: the Hexo format of the 36kr corpus (YAML front matter + HTML body), plain Markdown,
``.html`` and ``.txt`` files, in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.
Everything the user can see is kept (paragraphs, headings, list items, quotes, link text, captions);
images, scripts and styles are dropped. ``Article.text`` is the blocks joined by newlines, and every
offset the chunker records points into it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from .errors import ArticleError

HEADING, PARAGRAPH, ITEM, QUOTE = "heading", "paragraph", "item", "quote"


@dataclass
class Block:
    kind: str
    text: str
    level: int = 0  # heading level (1-6); 0 for other blocks
    start: int = 0  # offsets into Article.text
    end: int = 0


@dataclass
class Article:
    path: str
    article_id: str
    title: str
    date: str  # ISO 8601, or "" when unknown
    categories: list[str]
    blocks: list[Block]
    content_hash: str  # sha256 of the file's bytes: any byte change re-indexes the article
    author: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    @property
    def fingerprint(self) -> str:
        """Hash of what the reader sees (title + text): the same article in two encodings matches."""
        return hashlib.sha256(f"{self.title}\n{self.text}".encode("utf-8")).hexdigest()

    @property
    def date_ts(self) -> int:
        """Seconds since the epoch (UTC) for date filters; 0 when the date is unknown."""
        if not self.date:
            return 0
        d = dt.datetime.fromisoformat(self.date)
        if d.tzinfo is None:
            d = d.replace(tzinfo=dt.timezone.utc)
        return int(d.timestamp())


def article_id_for(path: str | Path) -> str:
    """Stable id of an article: derived from its absolute path, so a moved file is a new article."""
    return hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# reading bytes


def read_text(path: Path, max_bytes: int) -> tuple[str, bytes]:
    """Decode a file as UTF-8 (BOM or not), UTF-16 with BOM, or GB18030; raise ArticleError otherwise."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ArticleError(str(path), f"cannot open file ({exc.strerror or exc})") from None
    if size > max_bytes:
        raise ArticleError(
            str(path),
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
            "(raise ASSISTANT_MAX_FILE_MB to index it)",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    if not raw.strip():
        raise ArticleError(str(path), "file is empty")
    if raw.startswith(b"\xef\xbb\xbf"):
        text = _decode(path, raw, "utf-8-sig")
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode(path, raw, "utf-16")
    else:
        if b"\x00" in raw[:65536]:
            raise ArticleError(str(path), "binary file (contains NUL bytes), not a text article")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode(path, raw, "gb18030")
            if not _looks_like_text(text):
                raise ArticleError(
                    str(path), "cannot decode as UTF-8 or GB18030/GBK text; save the file as UTF-8"
                ) from None
    if not _looks_like_text(text, strict=False):
        raise ArticleError(str(path), "binary file (mostly control characters), not a text article")
    return text, raw


def _decode(path: Path, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ArticleError(
            str(path), f"cannot decode as {encoding} (byte {exc.start}); save the file as UTF-8"
        ) from None


def _looks_like_text(text: str, strict: bool = True) -> bool:
    """Heuristic against mis-decoding: GB18030 accepts many byte soups that are not Chinese text."""
    sample = text[:20000]
    if not sample:
        return False
    control = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if control / len(sample) > 0.05:
        return False
    if not strict:
        return True
    plain = sum(1 for c in sample if c.isascii() or _is_cjk(c) or unicodedata.category(c)[0] in "PZ")
    return plain / len(sample) >= 0.9


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return 0x3000 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x2FFFF


# --------------------------------------------------------------------------------------------
# front matter and dates

_FRONT = re.compile(r"\A\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader without aliases (``*ref`` expands a few lines into gigabytes: "billion laughs") and
    with dates kept as text for parse_date: ``date: 2021-02-30`` must cost the date, not the file."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed",
                                              self.peek_event().start_mark)
        return super().compose_node(parent, index)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


def split_front_matter(text: str) -> tuple[dict, str, str | None]:
    """Return (metadata, body, warning). Broken YAML keeps the body and returns a warning."""
    m = _FRONT.match(text)
    if not m:
        if re.match(r"\s*---[ \t]*\n", text):
            return {}, text, "front matter has no closing '---' line; read as part of the text"
        return {}, text, None
    body = text[m.end():]
    try:
        meta = yaml.load(m.group(1), Loader=_FrontMatterLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 2}" if where is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, body, f"front matter is not valid YAML{line} ({problem}); indexed without it"
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # "!!int x", nesting 1000 deep
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
        return {}, body, f"front matter is not valid YAML ({reason}); indexed without it"
    if meta is None:
        return {}, body, None
    if not isinstance(meta, dict):
        return {}, body, "front matter is not a YAML mapping; indexed without it"
    return meta, body, None


def parse_date(value) -> str:
    """RFC 1123 (``Thu, 15 Jul 2021 02:14:44 GMT``), ISO 8601 and common Chinese-site formats to ISO 8601."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat()
    text = str(value).strip()
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    cleaned = text.replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "").strip()
    try:
        return dt.datetime.fromisoformat(cleaned.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(cleaned, fmt).isoformat()
        except ValueError:
            continue
    raise ValueError(f"unrecognised date {text!r}")


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for v in value:
            out.extend(_as_list(v))
        return out
    return [s.strip() for s in str(value).split(",") if s.strip()]


# --------------------------------------------------------------------------------------------
# text helpers

_WS = re.compile(r"[\s\u00a0\u3000]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _visible_len(text: str) -> int:
    return len(_WS.sub("", text))


def clean_inline(text: str) -> str:
    """Collapse whitespace runs to one space, drop zero-width characters, trim."""
    return _WS.sub(" ", text.translate(_INVISIBLE)).strip()


# --------------------------------------------------------------------------------------------
# HTML body

_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "figure",
    "figcaption", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "table", "thead",
    "tbody", "tr", "td", "th", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "address", "details",
    "summary", "caption", "form", "fieldset",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas",
              "select", "button", "textarea", "head"}
_VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source",
              "track", "wbr", "param"}
_EMPHASIS = {"strong", "b"}


class _BlockParser(HTMLParser):
    """Streams HTML into blocks; no tree is built, so deep nesting and unclosed tags cost nothing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, int, bool]] = []  # kind, text, level, all-bold
        self.title = ""
        self._buf: list[str] = []
        self._bold_chars = 0
        self._skip = 0
        self._skip_tag = ""
        self._in_title = False
        self._heading = 0
        self._quote = 0
        self._item = 0
        self._bold = 0

    # -- helpers
    def _flush(self) -> None:
        text = clean_inline("".join(self._buf))
        if text:
            if self._heading:
                kind, level = HEADING, self._heading
            elif self._item:
                kind, level = ITEM, 0
            elif self._quote:
                kind, level = QUOTE, 0
            else:
                kind, level = PARAGRAPH, 0
            all_bold = self._bold_chars >= _visible_len("".join(self._buf)) > 0
            self.blocks.append((kind, text, level, all_bold))
        self._buf = []
        self._bold_chars = 0

    # -- HTMLParser callbacks
    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
            return
        if self._skip:
            if tag == self._skip_tag and tag not in _VOID_TAGS:
                self._skip += 1
            return
        if tag in _SKIP_TAGS:
            self._skip, self._skip_tag = 1, tag
            return
        if tag in _BLOCK_TAGS:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self._heading = int(tag[1:])
            elif tag == "blockquote":
                self._quote += 1
            elif tag == "li":
                self._item += 1
        elif tag in _EMPHASIS:
            self._bold += 1

    def handle_startendtag(self, tag, attrs):
        if tag in ("br", "hr") and not self._skip:
            self._flush()

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
            return
        if self._skip:
            if tag == self._skip_tag:
                self._skip -= 1
            return
        if tag in _BLOCK_TAGS:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self._heading = 0
            elif tag == "blockquote":
                self._quote = max(0, self._quote - 1)
            elif tag == "li":
                self._item = max(0, self._item - 1)
        elif tag in _EMPHASIS:
            self._bold = max(0, self._bold - 1)

    def handle_data(self, data):
        if self._in_title:
            self.title += data
            return
        if self._skip:
            return
        self._buf.append(data)
        if self._bold:
            self._bold_chars += _visible_len(data)

    def close(self):
        super().close()
        self._flush()


# Python's HTMLParser rescans to the end of its buffer for every '<' that opens a construct it cannot
# close (CPython gh-135661): "<a <a <a ..." or "<!--<!--..." take minutes at 100 KB, hours at 1 MB.
# Such a '<' is text anyway, so it is escaped first, in linear time; HTML in which every '<' is closed
# by a '>' before the next '<' (and every comment by '-->') reaches the parser unchanged.
_STRAY_LT = re.compile(r"<(?=[^<>]*(?:<|\Z))")


def _defuse_html(body: str) -> str:
    parts, pos = [], 0
    while (start := body.find("<!--", pos)) >= 0:
        end = body.find("-->", start + 4)
        if end < 0:  # unclosed: this and every later comment opener are text
            parts.append(body[pos:start] + body[start:].replace("<!--", "&lt;!--"))
            pos = len(body)
            break
        parts.append(body[pos:start])  # a closed comment is dropped, as the parser would
        pos = end + 3
    parts.append(body[pos:])
    return _STRAY_LT.sub("&lt;", "".join(parts))


def parse_html(body: str) -> tuple[list[tuple[str, str, int, bool]], str]:
    parser = _BlockParser()
    try:
        parser.feed(_defuse_html(body))
        parser.close()
    except AssertionError:  # very old HTMLParser versions on malformed declarations
        pass
    return parser.blocks, clean_inline(parser.title)


# --------------------------------------------------------------------------------------------
# Markdown and plain-text bodies

# CommonMark (markdown-it-py) plus GFM tables and strikethrough. Indented code is off: a paragraph
# indented by four spaces is prose in the articles we read, not code. Raw HTML blocks are read by
# parse_html; inline tags are dropped and their text kept.
_MARKDOWN = MarkdownIt("commonmark", {"html": True, "maxNesting": 20}).enable(["table", "strikethrough"]).disable("code")
_ENUMERATION = re.compile(r"(?:\d{1,3}|[一二三四五六七八九十]{1,3})、")  # "1、…" lines: items, not a paragraph


def _join(pieces: list[str]) -> str:
    """Join wrapped lines: no space between CJK characters, one space otherwise."""
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if out and not (_is_cjk(out[-1]) and _is_cjk(piece[0])):
            out += " "
        out += piece
    return out


def _inline_lines(children) -> list[tuple[str, int, int]]:
    """The lines of an inline token as (text, visible characters, visible bold characters): links
    keep their text, images and inline HTML tags are dropped."""
    lines: list[tuple[str, int, int]] = []
    parts: list[str] = []
    bold = bold_chars = 0

    def end_line():
        nonlocal parts, bold_chars
        text = "".join(parts)
        lines.append((text, _visible_len(text), bold_chars))
        parts, bold_chars = [], 0

    for token in children or []:
        kind = token.type
        if kind in ("text", "code_inline"):
            parts.append(token.content)
            if bold:
                bold_chars += _visible_len(token.content)
        elif kind in ("softbreak", "hardbreak"):
            end_line()
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold = max(0, bold - 1)
    end_line()
    return lines


# markdown-it scans from every "[" to the end of its paragraph for the "]" that would close a link
# label: a line of unmatched "[" costs quadratic time (hours at 1 MB). Such a "[" (followed by
# another "[", or the end, before any "]") can close no label; likewise a "(" after "]" that no ")"
# closes before the next "](" starts no link destination, and a "<" followed by another "<" before
# any ">" starts no tag. These are swapped for placeholder characters first, in linear time, and put
# back in the text afterwards: 1 MB of "[a](" parses in ≈1 s instead of ≈20 s.
_STRAY = [
    (re.compile(r"\[(?=[^\[\]]*(?:\[|\Z))"), "[", "\ufdd0"),
    (re.compile(r"(?<=\])\((?=(?:[^)\]]|\](?!\())*(?:\]\(|\Z))"), "(", "\ufdd1"),
    (re.compile(r"<(?=[^<>]*(?:<|\Z))"), "<", "\ufdd2"),
]  # Unicode noncharacters: never part of an article's text


def parse_markdown(body: str) -> list[tuple[str, str, int, bool]]:
    swapped = [(char, placeholder) for pattern, char, placeholder in _STRAY if placeholder not in body]
    for pattern, char, placeholder in _STRAY:
        if (char, placeholder) in swapped:
            body = pattern.sub(placeholder, body)
    blocks = _markdown_blocks(body)
    for char, placeholder in swapped:
        blocks = [(kind, text.replace(placeholder, char), level, bold) for kind, text, level, bold in blocks]
    return blocks


def _markdown_blocks(body: str) -> list[tuple[str, str, int, bool]]:
    blocks: list[tuple[str, str, int, bool]] = []
    lists = quotes = 0
    heading = 0
    row: list[str] | None = None
    for token in _MARKDOWN.parse(body):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind == "heading_open":
            heading = int(token.tag[1])
        elif kind == "heading_close":
            heading = 0
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            text = " | ".join(c for c in row or [] if c)
            if text:
                blocks.append((PARAGRAPH, text, 0, False))
            row = None
        elif kind == "inline":
            lines = _inline_lines(token.children)
            if row is not None:
                row.append(clean_inline(_join([t for t, _, _ in lines])))
                continue
            if heading:
                text = clean_inline(_join([t for t, _, _ in lines]))
                if text:
                    blocks.append((HEADING, text, heading, False))
                continue
            block_kind = ITEM if lists else QUOTE if quotes else PARAGRAPH
            groups: list[list[tuple[str, int, int]]] = [[]]
            for line in lines:  # "1、甲\n2、乙" is a list in Chinese writing
                if groups[-1] and _ENUMERATION.match(line[0].lstrip()):
                    groups.append([])
                groups[-1].append(line)
            for group in groups:
                text = clean_inline(_join([t for t, _, _ in group]))
                if text:
                    visible = sum(v for _, v, _ in group)
                    all_bold = sum(b for _, _, b in group) >= visible > 0
                    enumerated = len(groups) > 1 and block_kind == PARAGRAPH
                    blocks.append((ITEM if enumerated else block_kind, text, 0, all_bold))
        elif kind in ("fence", "code_block"):
            blocks.extend((PARAGRAPH, t, 0, False) for t in map(clean_inline, token.content.splitlines()) if t)
        elif kind == "html_block":
            blocks.extend(parse_html(token.content)[0])
    return blocks


def parse_plain_text(body: str) -> list[tuple[str, str, int, bool]]:
    """Each non-empty line is a block: Chinese .txt files usually put one paragraph on a line."""
    return [(PARAGRAPH, t, 0, False) for t in (clean_inline(line) for line in body.splitlines()) if t]


# An HTML body (the Hexo format of the 36kr corpus wraps its body in <div>): the whole file goes to
# parse_html. Markdown with some HTML in it is read as Markdown (its HTML blocks by parse_html).
_HTML_BODY = re.compile(r"\s*<(?:!doctype|html|head|body|div|article|section|main)\b", re.I)

# --------------------------------------------------------------------------------------------
# pseudo-headings: 36kr articles without <h2>/<h3> often use a bold one-line paragraph as a title

_CAPTION = re.compile(r"^(图|表|来源|图片来源|注|数据来源|资料来源|编者按)\s*[：:]")
_SENTENCE_END = re.compile(r"[。！？!?；;，,：:]$")
_ORDINAL = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,3}|[IVX]{1,4})[、.．]?$")


def _promote_bold_titles(raw: list[tuple[str, str, int, bool]]) -> list[tuple[str, str, int, bool]]:
    if any(kind == HEADING for kind, *_ in raw):
        return raw
    out: list[tuple[str, str, int, bool]] = []
    pending_ordinal = ""
    after_caption = False  # a bold line right after "图：…" continues the caption
    for kind, text, level, bold in raw:
        candidate = kind == PARAGRAPH and bold and len(text) <= 40
        caption = candidate and (after_caption or bool(_CAPTION.search(text)))
        is_title = candidate and not caption and not _SENTENCE_END.search(text)
        after_caption = candidate and bool(_CAPTION.search(text))  # only the next line continues it
        if is_title and _ORDINAL.match(text):
            pending_ordinal = text
            continue
        if is_title:
            out.append((HEADING, f"{pending_ordinal} {text}".strip(), 2, False))
        else:
            if pending_ordinal:
                out.append((HEADING, pending_ordinal, 2, False))
            out.append((kind, text, level, bold))
        pending_ordinal = ""
    if pending_ordinal:
        out.append((HEADING, pending_ordinal, 2, False))
    return out


# --------------------------------------------------------------------------------------------
# the entry point


_RUN_ON = 10_000
_ANY_SENTENCE_END = re.compile(r"[。！？；!?]|\.\s")


def read_article(path: str | Path, max_bytes: int = 10_000_000) -> Article:
    """Parse one file into an Article. Raises ArticleError (with the path) when it cannot be used."""
    path = Path(path)
    text, raw = read_text(path, max_bytes)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[str] = []
    meta, body, warning = split_front_matter(text)
    if warning:
        warnings.append(warning)

    suffix = path.suffix.lower()
    doc_title = ""
    if suffix in (".html", ".htm") or (suffix != ".txt" and _HTML_BODY.match(body)):
        raw_blocks, doc_title = parse_html(body)
    elif suffix == ".txt":
        raw_blocks = parse_plain_text(body)
    else:
        raw_blocks = parse_markdown(body)
    raw_blocks = _promote_bold_titles(raw_blocks)

    title = clean_inline(str(meta.get("title") or "")) if meta else ""
    if not title:
        # the first top-level heading is the title of a plain Markdown/HTML file
        for i, (kind, btext, level, _) in enumerate(raw_blocks):
            if kind == HEADING and level == 1:
                title = btext
                del raw_blocks[i]
                break
    if not title:
        title = doc_title or path.stem
    if raw_blocks and raw_blocks[0][0] == HEADING and raw_blocks[0][1] == title:
        del raw_blocks[0]

    if not any(kind != HEADING for kind, *_ in raw_blocks):
        raise ArticleError(str(path), "no text found in the article body")
    run_on = [len(t) for _, t, *_ in raw_blocks if len(t) > _RUN_ON and not _ANY_SENTENCE_END.search(t)]
    if run_on:  # lost line breaks, minified text: indexed, but the passages are cut at fixed lengths
        warnings.append(f"{len(run_on)} paragraph(s) of up to {max(run_on):,} characters without sentence "
                        "punctuation; cut into passages at fixed lengths")

    date = ""
    if meta.get("date") not in (None, ""):
        try:
            date = parse_date(meta.get("date"))
        except ValueError as exc:
            warnings.append(f"{exc}; date left empty")

    blocks: list[Block] = []
    offset = 0
    for kind, btext, level, _ in raw_blocks:
        blocks.append(Block(kind, btext, level, offset, offset + len(btext)))
        offset += len(btext) + 1

    return Article(
        path=str(path),
        article_id=article_id_for(path),
        title=title,
        date=date,
        categories=_as_list(meta.get("categories")),
        author=clean_inline(str(meta.get("author") or "")),
        blocks=blocks,
        content_hash=hashlib.sha256(raw).hexdigest(),
        warnings=warnings,
    )
