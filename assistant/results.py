"""What the API hands back: passages, index reports, answers and their citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .chunking import BREADCRUMB_SEP


@dataclass
class Passage:
    """A searchable piece of an article, as shown to the user."""

    chunk_id: str
    text: str
    title: str
    heading: str  # breadcrumb: "title › h2 › h3"
    source: str  # file path
    date: str  # ISO 8601 or ""
    score: float = 0.0
    article_id: str = ""
    categories: list[str] = field(default_factory=list)
    position: int = 0
    start: int = 0  # character offsets into the article's clean text
    end: int = 0

    @property
    def section(self) -> str:
        """The breadcrumb without the title ("" for the lead before the first heading)."""
        parts = self.heading.split(BREADCRUMB_SEP)
        return BREADCRUMB_SEP.join(parts[1:])

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class IndexReport:
    """Counts are numbers of articles; ``failed`` lists (path, reason) for files left out."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, same content as path)
    chunks_embedded: int = 0  # passages that went through the model
    chunks_reused: int = 0  # passages whose vector came from the cache
    chunks_total: int = 0  # passages in the index afterwards
    seconds: float = 0.0
    interrupted: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        text = (f"added {self.added}, updated {self.updated}, removed {self.removed}, "
                f"unchanged {self.unchanged}, failed {len(self.failed)}{self._warned_count()} "
                f"| passages embedded {self.chunks_embedded}, reused {self.chunks_reused}, "
                f"in index {self.chunks_total} | {self.seconds:.1f} s")
        return text + (" | INTERRUPTED: run it again to finish" if self.interrupted else "")

    def failures(self) -> str:
        """One line per file that could not be indexed and why, to print under ``summary``: a log that
        says "failed 1" must say which file."""
        return "".join(f"\n  failed: {path}: {reason}" for path, reason in self.failed)

    def warned(self) -> str:
        """One line per warning of a file that was indexed anyway (e.g. its broken front matter was
        ignored), to print under ``summary`` with ``failures``."""
        return "".join(f"\n  warning: {path}: {message}" for path, message in self.warnings)

    def _warned_count(self) -> str:
        files = len({path for path, _ in self.warnings})
        return f", with warnings {files}" if files else ""


@dataclass
class Citation:
    """``[number]`` in the answer text points at ``passage``; ``quote`` is the sentence it supports."""

    number: int
    passage: Passage
    quote: str = ""

    def to_dict(self) -> dict:
        return {"number": self.number, "quote": self.quote, "passage": self.passage.to_dict()}


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    doubtful: bool = False  # answered, with a caveat: the evidence is in the band where near misses fall
    passages: list[Passage] = field(default_factory=list)  # everything retrieved (shown when abstaining)
    answerer: str = "extractive"
    search_query: str = ""  # what was searched (differs from the question for follow-ups)
    notice: str = ""  # e.g. why the LLM answer fell back to the extractive one
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "question": self.question, "text": self.text, "abstained": self.abstained,
            "doubtful": self.doubtful, "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages], "answerer": self.answerer,
            "search_query": self.search_query, "notice": self.notice, "seconds": round(self.seconds, 3),
        }
