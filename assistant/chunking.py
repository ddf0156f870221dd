"""Cut an article into passages, one heading section at a time.

A passage never mixes two sections and carries its breadcrumb (``title › h2 › h3``). Long sections are
cut at paragraph ends, then at sentence ends (。！？；!? and ". "), packed up to ``chunk_size`` characters,
with up to ``chunk_overlap`` characters of whole sentences repeated from the previous passage. Every
passage is a slice of ``Article.text``: ``article.text[chunk.start:chunk.end] == chunk.text``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .articles import HEADING, Article

BREADCRUMB_SEP = " › "

# An English full stop before a space ends a sentence unless it closes an abbreviation: a capital
# initial ("U.S.", "J. Smith"), a title or a short form that a name or number follows ("Dr.", "No.",
# "Fig.", "Jan."), or, when no capital letter follows, a lower-case initial ("e.g.", "i.e.", "p.m.")
# or "etc."/"Inc."/"Ltd.". Tested in tests/test_chunking.py; Chinese text has no such full stops.
_TITLES = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Mt", "vs", "No", "Nos", "Fig", "Figs", "Vol", "pp",
           "approx", "Gen", "Gov", "Sen", "Rep", "Rev", "Capt", "Lt", "Col", "Jan", "Feb", "Mar", "Apr", "Jun",
           "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "cf", "ca", "Ph", "al")
_SOFT = ("etc", "Inc", "Ltd", "Co", "Corp")
_FULL_STOP = ("(?=\\.\\s)(?<!\\b[A-Z])" + "".join(f"(?<!\\b{a})" for a in _TITLES) + "\\.(?=\\s)"
              + "(?:(?<!\\b[a-z]\\.)" + "".join(f"(?<!\\b{a}\\.)" for a in _SOFT) + "|(?=\\s+[A-Z\u201c\"]))")
# closing quotes and brackets stay with their sentence; a “ at a paragraph end is a mistyped ”
_SENTENCE_END = re.compile(r"(?:[。！？；!?]+|…{1,2}|" + _FULL_STOP + r"|\.$)(?:[”’\"」』）)\]]|“(?=\s|$))*")
_CLAUSE_END = re.compile(r"[，,、：:]")
# a work's title between book-title marks is never cut: 《偶像梦幻祭！》 ends no sentence
_BOOK_TITLE = re.compile(r"《[^《》\n]{1,40}》")


@dataclass
class Chunk:
    chunk_id: str
    article_id: str
    source: str
    title: str
    date: str
    categories: list[str]
    headings: list[str]  # section headings below the title, outermost first
    position: int  # 0-based order in the article
    start: int  # offsets into Article.text
    end: int
    text: str  # what is shown
    embed_text: str = field(default="")  # what is embedded and keyword-searched

    @property
    def breadcrumb(self) -> str:
        return BREADCRUMB_SEP.join([self.title, *self.headings])

    @property
    def text_hash(self) -> str:
        return text_hash(self.embed_text)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_of(chunk_id: str) -> str:
    """The article id a chunk id starts with (``chunk_article`` names chunks ``ARTICLE-HASH[-n]``): lets a
    search keep only some articles' hits without reading metadata for each."""
    return chunk_id.partition("-")[0]


def embed_text_for(title: str, headings: list[str], text: str) -> str:
    """What gets embedded and keyword-indexed: the breadcrumb, then the passage."""
    return BREADCRUMB_SEP.join([title, *headings]) + "\n" + text


def sentence_spans(text: str, start: int, end: int, max_len: int) -> list[tuple[int, int]]:
    """Split text[start:end] at sentence ends; sentences longer than max_len fall back to clause
    marks, then to a hard cut (the only place a cut can land mid-sentence: run-on text)."""
    spans: list[tuple[int, int]] = []
    pos = start
    titles = [t.span() for t in _BOOK_TITLE.finditer(text, start, end)] if "《" in text[start:end] else []
    for m in _SENTENCE_END.finditer(text, start, end):
        if any(s < m.start() < e - 1 for s, e in titles):
            continue
        if m.end() > pos:
            spans.append((pos, m.end()))
            pos = m.end()
    if pos < end:
        spans.append((pos, end))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        # leading whitespace belongs to the gap between sentences
        while s < e and text[s].isspace():
            s += 1
        if s >= e:
            continue
        if e - s <= max_len:
            out.append((s, e))
            continue
        out.extend(_split_long(text, s, e, max_len))
    return out


SENTENCE_MAX = 160  # longer sentences are cut at clause marks for answer extraction


SENTENCE_MIN = 12  # shorter sentences join the next one in the same paragraph ("再看电视行业。")


def passage_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage; paragraph ends are sentence ends too, and a sentence shorter than
    SENTENCE_MIN joins its neighbour in the same paragraph. Deterministic: the indexer embeds these
    sentences and the answerer recomputes the same spans from the same text (a question splits each
    candidate passage three times — scoring, ranking, answering — hence the cache)."""
    return list(_passage_sentences(text))


@lru_cache(maxsize=4096)
def _passage_sentences(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        line_spans: list[tuple[int, int]] = []
        for s, e in sentence_spans(text, start, end, SENTENCE_MAX):
            if line_spans and line_spans[-1][1] - line_spans[-1][0] < SENTENCE_MIN:
                line_spans[-1] = (line_spans[-1][0], e)
            else:
                line_spans.append((s, e))
        if len(line_spans) > 1 and line_spans[-1][1] - line_spans[-1][0] < SENTENCE_MIN:
            line_spans[-2:] = [(line_spans[-2][0], line_spans[-1][1])]
        spans.extend(line_spans)
        start = end + 1
    return tuple(spans)


def sentence_texts(text: str) -> list[str]:
    return [text[s:e] for s, e in passage_sentences(text)]


def _split_long(text: str, s: int, e: int, max_len: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    while e - s > max_len:
        cut = -1
        for m in _CLAUSE_END.finditer(text, s, s + max_len):
            cut = m.end()
        if cut <= s + max_len // 3:
            space = text.rfind(" ", s + max_len // 3, s + max_len)
            cut = space + 1 if space > 0 else s + max_len
        pieces.append((s, cut))
        s = cut
        while s < e and text[s] == " ":
            s += 1
    if s < e:
        pieces.append((s, e))
    return pieces


def _sections(article: Article) -> list[tuple[list[str], list[tuple[int, int]]]]:
    """(heading path, paragraph spans) per section; the lead before the first heading has no path."""
    sections: list[tuple[list[str], list[tuple[int, int]]]] = [([], [])]
    stack: list[tuple[int, str]] = []
    for block in article.blocks:
        if block.kind == HEADING:
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text))
            sections.append(([t for _, t in stack], []))
        else:
            sections[-1][1].append((block.start, block.end))
    return [(path, spans) for path, spans in sections if spans]


def chunk_article(article: Article, chunk_size: int = 400, chunk_overlap: int = 60,
                  min_chunk: int = 80) -> list[Chunk]:
    text = article.text
    max_len = chunk_size + chunk_size // 2  # a single sentence may run this long before it is cut
    spans_per_section: list[tuple[list[str], list[tuple[int, int]]]] = []
    for path, paragraphs in _sections(article):
        pieces = _pack(text, paragraphs, chunk_size, chunk_overlap, min_chunk, max_len)
        spans_per_section.append((path, pieces))

    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for path, pieces in spans_per_section:
        for start, end in pieces:
            passage = text[start:end]
            embed_text = embed_text_for(article.title, path, passage)
            h = text_hash(embed_text)
            # same text twice in one article (rare boilerplate) still gets two distinct ids
            n = seen.get(h, 0)
            seen[h] = n + 1
            chunk_id = f"{article.article_id}-{h[:16]}" + (f"-{n}" if n else "")  # see article_of
            chunks.append(Chunk(
                chunk_id=chunk_id, article_id=article.article_id, source=article.path,
                title=article.title, date=article.date, categories=list(article.categories),
                headings=list(path), position=len(chunks), start=start, end=end,
                text=passage, embed_text=embed_text,
            ))
    return chunks


def _pack(text: str, paragraphs: list[tuple[int, int]], size: int, overlap: int, min_chunk: int,
          max_len: int) -> list[tuple[int, int]]:
    """Greedy packing of one section: whole paragraphs while they fit, else sentences."""
    units: list[tuple[int, int]] = []
    for s, e in paragraphs:
        if e - s <= size:
            units.append((s, e))
        else:
            units.extend(sentence_spans(text, s, e, max_len))

    chunks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for unit in units:
        if current and unit[1] - current[0][0] > size and current[-1][1] - current[0][0] >= min_chunk:
            chunks.append(current)
            current = _overlap(text, current, overlap, max_len)
            # the overlap must leave room for the new unit
            while current and unit[1] - current[0][0] > size:
                current = current[1:]
        current.append(unit)
    if current:
        if chunks and current[-1][1] - current[0][0] < min_chunk:
            # a short tail joins the previous passage of the same section
            chunks[-1] = chunks[-1] + [u for u in current if u[0] >= chunks[-1][-1][1]]
        else:
            chunks.append(current)
    return [(c[0][0], c[-1][1]) for c in chunks]


def _overlap(text: str, units: list[tuple[int, int]], overlap: int, max_len: int) -> list[tuple[int, int]]:
    """Trailing whole sentences of the previous passage, at most ``overlap`` characters in all."""
    if overlap <= 0:
        return []
    last_start, last_end = units[-1]
    sentences = sentence_spans(text, last_start, last_end, max_len)
    kept: list[tuple[int, int]] = []
    for s, e in reversed(sentences):
        if last_end - s > overlap:
            break
        kept.insert(0, (s, e))
    return [(kept[0][0], last_end)] if kept else []


_LETTER = re.compile(r"[A-Za-z\u3400-\u9fff]")
# a bibliography entry: "Science Advances, 2022, 8(6): eabm3132." / "doi:10.1038/…" / "Nature 596, 583–589 (2021)"
_CITATION = re.compile(r"\b(?:19|20)\d{2}\s*[,;]\s*\d+\s*\(\d+\)|\bdoi\s*:|\b\d+\s*,\s*\d+\s*[-–]\s*\d+\s*\((?:19|20)\d{2}\)",
                       re.I)


# a reference-list entry, "[2] Thomas, E. (2021, June 23). A Century Ago, the Optophone …" or "Jameson, M. (1966).
# The Optophone: …": the title and the journal after its first full stop read as sentences of their own
_REFERENCE_ENTRY = re.compile(r"\s*(?:\[\d{1,3}\]|[A-Z][\w'’-]+,(?:\s*[A-Z]\.)+)"
                              r"[^\n]{0,80}?\((?:19|20)\d{2}[^)\n]{0,20}\)")


def in_reference_entry(text: str, start: int) -> bool:
    """Whether the sentence at ``start`` of ``text`` is part of a reference-list entry (its line opens like one)."""
    return bool(_REFERENCE_ENTRY.match(text, text.rfind("\n", 0, start) + 1))


def is_prose(text: str) -> bool:
    """A sentence worth quoting: long enough, mostly words, not a link or a reference-list entry."""
    compact = re.sub(r"\s", "", text)
    if (len(compact) < 8 or re.search(r"https?:|www\.|\w=[\w%-]+&", text)
            or re.match(r"\s*\[\d{1,3}\]", text) or _CITATION.search(text)):
        return False
    letters = len(_LETTER.findall(compact))
    return letters >= 4 and letters + sum(c.isdigit() for c in compact) >= 0.6 * len(compact)
