"""The JSON the REST API speaks: pydantic models mirroring ``Passage``, ``Citation``, ``Answer`` and
``IndexReport`` (so /openapi.json documents them), plus the request bodies. The REST bodies refuse unknown
fields and take only JSON booleans for flags (``STRICT``) and JSON integers for counts (``PassageCount``, also
/v1's ``k``): a misspelt filter, ``"rebuild": "yes"`` or ``"k": true`` must not be read as something else;
/v1's ``ChatIn`` (openai_api.py) takes OpenAI's extra fields."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt

from ..results import Answer, Citation, IndexReport, Passage
from .render import display_path, viewer_url

STRICT = ConfigDict(extra="forbid")  # REST request bodies: an unknown field is a 422 naming it (http.py)


def not_blank(text: str) -> str:
    """Whitespace alone is no question: refused like an empty one instead of searched for."""
    if not text.strip():
        raise ValueError("is blank (only whitespace)")
    return text


# no static maxLength or maximum: the limits are settings (server.py writes them into /openapi.json,
# Settings.check_request enforces them)
Question = Annotated[str, Field(min_length=1, description="at most ASSISTANT_MAX_QUESTION_CHARS characters "
                                                          "(2,000 by default)"), AfterValidator(not_blank)]
# strict: true (read as 1), "5" or 5.0 are refused with a 400 naming k, as "yes" is for a flag
PassageCount = Annotated[StrictInt | None, Field(ge=1, description="passages to answer from; at most ASSISTANT_MAX_K "
                                                                   "(50 by default)")]


class PassageOut(BaseModel):
    chunk_id: str
    article_id: str
    title: str
    heading: str = Field(description="breadcrumb: title › h2 › h3")
    source: str = Field(description="file, relative to the articles folder when inside it")
    date: str = Field(description="ISO 8601 or empty")
    categories: list[str]
    text: str
    score: float
    position: int
    start: int = Field(description="character offset of the passage in the article's text")
    end: int
    url: str = Field(description="the article viewer, scrolled to this passage")

    @classmethod
    def of(cls, p: Passage, folder: Path, quote: str = "") -> "PassageOut":
        return cls(chunk_id=p.chunk_id, article_id=p.article_id, title=p.title, heading=p.heading,
                   source=display_path(p.source, folder), date=p.date, categories=p.categories, text=p.text,
                   score=round(p.score, 4), position=p.position, start=p.start, end=p.end,
                   url=viewer_url(p, quote))


class CitationOut(BaseModel):
    number: int = Field(description="the [n] in the answer text")
    quote: str = Field(description="the sentence of the passage that supports the claim")
    passage: PassageOut

    @classmethod
    def of(cls, c: Citation, folder: Path) -> "CitationOut":
        return cls(number=c.number, quote=c.quote, passage=PassageOut.of(c.passage, folder, c.quote))


class AnswerOut(BaseModel):
    question: str
    text: str = Field(description="the answer with [n] citation markers")
    abstained: bool = Field(description="true when the articles do not cover the question")
    doubtful: bool = Field(False, description="true when the answer opens with a low-confidence caveat: the "
                                             "evidence is in the band where near misses fall")
    citations: list[CitationOut]
    passages: list[PassageOut] = Field(description="everything retrieved (the closest passages when abstaining)")
    answerer: str
    search_query: str
    notice: str
    seconds: float

    @classmethod
    def of(cls, a: Answer, folder: Path) -> "AnswerOut":
        return cls(question=a.question, text=a.text, abstained=a.abstained, doubtful=a.doubtful,
                   citations=[CitationOut.of(c, folder) for c in a.citations],
                   passages=[PassageOut.of(p, folder) for p in a.passages], answerer=a.answerer,
                   search_query=a.search_query, notice=a.notice, seconds=round(a.seconds, 4))


class FileProblem(BaseModel):
    file: str
    reason: str


class Duplicate(BaseModel):
    file: str
    same_as: str


class IndexReportOut(BaseModel):
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[FileProblem] = []
    warnings: list[FileProblem] = []
    duplicates: list[Duplicate] = []
    chunks_embedded: int = 0
    chunks_reused: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @classmethod
    def of(cls, r: IndexReport, folder: Path) -> "IndexReportOut":
        return cls(added=r.added, updated=r.updated, removed=r.removed, unchanged=r.unchanged,
                   failed=[FileProblem(file=display_path(f, folder), reason=why) for f, why in r.failed],
                   warnings=[FileProblem(file=display_path(f, folder), reason=why) for f, why in r.warnings],
                   duplicates=[Duplicate(file=display_path(f, folder), same_as=display_path(o, folder))
                               for f, o in r.duplicates],
                   chunks_embedded=r.chunks_embedded, chunks_reused=r.chunks_reused, chunks_total=r.chunks_total,
                   seconds=round(r.seconds, 3), interrupted=r.interrupted)


class DateRange(BaseModel):
    """The dates a request may filter on (an inverted range is refused by the search, naming both)."""
    date_from: str | None = Field(None, description="YYYY-MM-DD")
    date_to: str | None = Field(None, description="YYYY-MM-DD")


class Filters(DateRange):
    category: str | None = None
    source: str | None = Field(None, description="only this file or folder (relative to the articles folder)")


class AskIn(Filters):
    model_config = STRICT
    question: Question
    history: list[tuple[str, str]] = Field([], description="earlier turns as [question, answer] pairs, oldest "
                                                             "first: a follow-up (\"那后端呢？\") is read with them")
    k: PassageCount = None
    answerer: Literal["extractive", "llm"] | None = None
    stream: StrictBool = Field(False, description="Server-Sent Events: 'delta' events, then one 'answer' event")


class SearchIn(Filters):
    model_config = STRICT
    query: Question
    k: PassageCount = None
    mode: Literal["hybrid", "dense", "keyword"] | None = None


class SearchOut(BaseModel):
    passages: list[PassageOut]


class ArticleOut(BaseModel):
    article_id: str
    title: str
    date: str
    categories: list[str]
    source: str
    passages: int
    chars: int
    url: str


class ArticlesOut(BaseModel):
    total: int
    offset: int
    limit: int
    articles: list[ArticleOut]


class Block(BaseModel):
    kind: str = Field(description="heading, paragraph, item or quote")
    level: int
    text: str
    start: int
    end: int


class PassageSpan(BaseModel):
    chunk_id: str
    position: int
    start: int
    end: int
    heading: str


class ArticleFull(ArticleOut):
    text: str = Field(description="the article's clean text; passage and block offsets point into it")
    blocks: list[Block]
    passage_spans: list[PassageSpan]
    current: bool = Field(description="false when the file changed or is gone since indexing "
                                      "(text rebuilt from the indexed passages)")


class UploadOut(BaseModel):
    saved: list[str]
    rejected: list[FileProblem]
    report: IndexReportOut


class DeleteOut(BaseModel):
    removed: int
    moved_to: str | None


class IndexIn(BaseModel):
    model_config = STRICT
    rebuild: StrictBool = Field(False, description="build a new index of the articles folder beside the live one "
                                                   "and switch to it when complete (answers come from the live "
                                                   "index until then)")


class Job(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    phase: str = ""
    done: int = 0
    total: int = 0
    created: float = Field(description="when it was asked for (Unix time)")
    started: float | None = Field(None, description="when it started running; null while queued")
    finished: float | None = None
    report: IndexReportOut | None = None
    error: str | None = None


class FeedbackIn(BaseModel):
    model_config = STRICT
    question: Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(not_blank)]
    answer: str = Field(max_length=20000)
    rating: Literal["up", "down"]
    citations: list[CitationOut] | list[dict] = []
    abstained: StrictBool | None = Field(None, description="the answer's own `abstained`: a liked \"not covered\" "
                                                           "answer is exported as an unanswerable question, a liked "
                                                           "answer without citations is not exported")
    comment: str = Field("", max_length=4000)
    settings: dict = Field({}, description="k, answerer, filters the answer was made with")


class FeedbackOut(BaseModel):
    id: int


class Error(BaseModel):
    error: str
    detail: str


class UploadRefused(Error, UploadOut):
    """422 from an upload that saved nothing: the error, plus which files were rejected and why."""
