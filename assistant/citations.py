"""No sentence goes out cited without a passage that supports it.

An LLM's reply is checked sentence by sentence against the passages it was given:
- a ``[n]`` mark stays only if passage n supports the sentence: one of its sentences (or two adjacent ones)
  shares at least ``MIN_OVERLAP`` of the claim's character bigrams. A claim in another language than the
  passage (English answers from Chinese articles) shares no bigrams with it, and the sentence vectors
  cannot tell a translation from an unrelated sentence of the same article (multilingual-e5-small: 0.79
  for a translation, 0.82 for an unrelated sentence), so such a claim is supported only by its anchors:
  the figures and Latin-script names it shares with the passage;
- a sentence without a supporting mark gets the best supporting passage attached, or is dropped;
- a sentence with a figure (or, in a Chinese answer, a Latin-script name) found in no passage is dropped:
  a wrong number is the error users copy, and a flag next to it would still show it;
- marks are renumbered 1, 2, 3 … by first appearance, and each citation quotes its supporting sentence.
What is left can be nothing (a reply of marks only, empty, or all unsupported): ``Checked.problem`` says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from .chunking import passage_sentences
from .results import Citation, Passage

MIN_OVERLAP = 0.5  # share of the claim's character bigrams found in one or two adjacent passage sentences

_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]")
_BOUNDARY = re.compile(r"(?:[。！？!?；;]+|(?<![^A-Za-z][A-Za-z])\.(?=\s)|\n+)(?:\s*\[\d{1,3}(?:\s*[,，、]\s*\d{1,3})*\])*")
_BULLET = re.compile(r"\s*(?:\d{1,2}[.)、]|[-*•])?\s*")
_END = re.compile(r"[\s。！？!?；;.]*$")
_NUMBER = re.compile(r"(?<![0-9A-Za-z.])(\d+(?:[.,]\d+)*)\s*(%|万亿|千万|百万|万|亿|千|百|trillion|billion|million|thousand|k\b)?", re.I)
_NAME_RUN = re.compile(r"(?:[A-Z][\w$&'.-]*|[a-z]+[A-Z][\w$&'.-]*)(?:\s+(?:[A-Z][\w$&'.-]*|[a-z]+[A-Z][\w$&'.-]*))*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9$&'.-]*[A-Za-z0-9$]")
_COMMON = set("the and for with from that this are was were has have its their they which what when how why "
              "into about also more than but not can will per year years china inc. ltd. group company".split())
_SCALE = {"万亿": 1e12, "千万": 1e7, "百万": 1e6, "万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2,
          "trillion": 1e12, "billion": 1e9, "million": 1e6, "thousand": 1e3, "k": 1e3, "%": 1.0}
DECLINE = re.compile(
    r"资料中没有找到相关内容|没有找到相关|资料中没有|资料没有|没有提到|没有提及|未提及|未提到|无法回答|没有相关信息|没有涉及"
    r"|don'?t cover|do not cover|doesn'?t cover|does not cover|not mention|no information|cannot answer|can'?t answer"
    r"|not provided|do(?:es)? not contain|do(?:es)?n'?t contain|not specified|not covered", re.I)


def bigrams(text: str) -> set[str]:
    chars = [c for c in text.lower() if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:])}


@dataclass
class Checked:
    """The reply after the check, and what the check did to it."""

    text: str
    citations: list[Citation]
    sentences: int = 0  # claims in the reply (sentences with words, not only marks)
    cited: int = 0  # claims that came with at least one valid [n]
    kept: int = 0  # claims shown, each with a supporting citation
    attached: int = 0  # of those, claims whose citation was attached or corrected by matching
    dropped: int = 0  # claims dropped: no passage supports them
    unsupported_figures: list[str] = field(default_factory=list)  # figures/names in no passage
    dropped_figures: int = 0  # of the dropped claims, those dropped for such figures
    declined: bool = False  # the model said the passages do not answer the question
    problem: str = ""  # why nothing is left, "" when text is non-empty

    @property
    def notice(self) -> str:
        """What the check changed, for Answer.notice ("" when nothing)."""
        parts = []
        if self.attached:
            parts.append(f"{self.attached} citation(s) attached or corrected by matching the passages")
        unsupported = self.dropped - self.dropped_figures
        if unsupported > 0:
            parts.append(f"{unsupported} sentence(s) no passage supports left out")
        if self.dropped_figures:
            parts.append(f"{self.dropped_figures} sentence(s) left out for figures or names found in no "
                         f"passage ({', '.join(self.unsupported_figures[:3])})")
        return "; ".join(parts)


class SupportCheck:
    """Matches claims to passage sentences by character bigrams, and English claims by their anchors."""

    def __init__(self, passages: Sequence[Passage]):
        self.passages = list(passages)
        self.sentences = [[p.text[s:e] for s, e in passage_sentences(p.text)] or [p.text] for p in self.passages]
        self.grams = [[bigrams(s) for s in sents] for sents in self.sentences]
        self.pair_grams = [[a | b for a, b in zip(g, g[1:])] for g in self.grams]
        self.lowered = [p.text.replace(",", "").lower() for p in self.passages]
        self.numbers = [{m.group(1).replace(",", "") for m in _NUMBER.finditer(p.text)} for p in self.passages]
        self.values = [_figure_values(p.text) for p in self.passages]
        self.corpus = "\n".join(self.lowered)
        self.all_numbers = set().union(*self.numbers) if self.numbers else set()
        self.all_values = [v for vs in self.values for v in vs]

    def score(self, claim: str, i: int, lang: str = "zh") -> tuple[float, str]:
        """(strength, best sentence) of passage ``i`` for ``claim``; strength ≥ 1 means supported."""
        if lang != "zh":
            return self._anchored(claim, i)
        target = bigrams(claim)
        best, quote = 0.0, self.sentences[i][0]
        if not target:
            return best, quote
        for j, g in enumerate(self.grams[i]):
            s = len(g & target) / len(target) / MIN_OVERLAP
            if s > best:
                best, quote = s, self.sentences[i][j]
        for j, g in enumerate(self.pair_grams[i]):
            s = len(g & target) / len(target) / MIN_OVERLAP
            if s > best + 1e-9:
                a, b = self.grams[i][j] & target, self.grams[i][j + 1] & target
                best, quote = s, self.sentences[i][j if len(a) >= len(b) else j + 1]
        return best, quote

    def _anchored(self, claim: str, i: int) -> tuple[float, str]:
        """A claim in another language than its (Chinese) passage shares no words with it; what can be
        checked is its anchors: every figure and Latin-script name of the claim that passage ``i`` holds.
        Supported when it has at least one besides a bare year (too common to tie a claim to a passage:
        "Ping An bought in in 2015" was once upheld by a passage about something else in 2015) and
        passage ``i`` holds all its figures."""
        figures = _figures(claim)
        held = [m for m in figures if self._holds(m, i)]
        names = [n for n in _names(claim) if re.search(rf"(?<![a-z]){re.escape(n.lower())}(?![a-z])", self.lowered[i])]
        strong = [m for m in held if not _YEAR.fullmatch(m.group(0).strip())]  # a bare year is too common
        if len(held) < len(figures) or not (strong or names):
            return 0.0, self.sentences[i][0]
        anchors = [m.group(1).replace(",", "").lower() for m in held] + [n.lower() for n in names]
        quote = max(self.sentences[i], key=lambda s: sum(a in s.replace(",", "").lower() for a in anchors))
        return 1.0 + 0.1 * len(anchors), quote

    def _holds(self, m: re.Match, i: int) -> bool:
        return _matches(m, self.numbers[i], self.values[i])

    def best(self, claim: str, lang: str = "zh") -> tuple[int, float, str]:
        """(passage index, strength, quote) of the best-supporting passage."""
        scored = [(self.score(claim, i, lang), i) for i in range(len(self.passages))]
        (strength, quote), i = max(scored, key=lambda item: item[0][0])
        return i, strength, quote

    def unsupported_figures(self, claim: str, lang: str) -> list[str]:
        """Figures (and, in Chinese text, Latin-script names) of the claim that no passage holds."""
        out = []
        for m in _figures(claim):
            if not _matches(m, self.all_numbers, self.all_values):
                out.append(m.group(0).strip())
        if lang == "zh":
            out += [n for n in _LATIN_NAME.findall(claim) if n.lower() not in self.corpus]
        return out


def _matches(m: re.Match, numbers: set[str], values: list[float]) -> bool:
    """A figure of a claim is in a passage: the same digits, unless it has a scale (then the same value:
    "16 billion" is not "16 亿" = 1.6 billion, "1.75亿" is "175 million")."""
    unit = (m.group(2) or "").lower()
    if unit in ("", "%") and m.group(1).replace(",", "") in numbers:
        return True
    value = _value(m.group(1), m.group(2))
    return value is not None and any(abs(value - v) <= 0.005 * max(abs(v), 1e-9) for v in values)


def _names(claim: str) -> list[str]:
    """Names in an English claim, whole: a run of capitalised words ("China Fortune Land Development"),
    also without its first word (which may just start the sentence), and words like "iPhone". A run must
    appear whole: its single words ("China", "Development") turn up in unrelated passages."""
    out = []
    for m in _NAME_RUN.finditer(claim):
        words = m.group(0).split()
        for run in (words, words[1:]):
            name = " ".join(run)
            if len(name) >= 3 and name.lower() not in _COMMON:
                out.append(name)
    return out


def _figures(claim: str) -> list[re.Match]:
    """The numbers of a claim worth checking: not a bare single digit ("2 sentences", "three reasons" —
    small counts are often spelt out in the source), unless it is part of a range ("5-7 years")."""
    out = []
    for m in _NUMBER.finditer(claim):
        around = claim[max(m.start() - 1, 0):m.start()] + claim[m.end():m.end() + 1]
        if m.group(2) or len(m.group(1)) > 1 or re.search(r"[-–~～至到]", around):
            out.append(m)
    return out


def _value(number: str, unit: str | None) -> float | None:
    try:
        base = float(number.replace(",", ""))
    except ValueError:
        return None
    return base * _SCALE.get((unit or "").lower(), 1.0)


def _figure_values(text: str) -> list[float]:
    values = []
    for m in _NUMBER.finditer(text):
        v = _value(m.group(1), m.group(2))
        if v is not None:
            values.append(v)
    return values


def split_sentences(text: str) -> list[str]:
    """The reply cut after each sentence end (marks right after it stay with it); list numbers
    ("1.", "-") stay with the sentence they introduce. Joining the pieces gives back the text."""
    pieces, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if m.end() > start:
            pieces.append(text[start:m.end()])
            start = m.end()
    if start < len(text):
        pieces.append(text[start:])
    out: list[str] = []
    carry = ""
    for piece in pieces:
        piece, carry = carry + piece, ""
        if _BULLET.fullmatch(_MARKER.sub("", piece)) and not _MARKER.search(piece):
            carry = piece
            continue
        out.append(piece)
    if carry:
        out.append(carry)
    return out


def claim_of(piece: str) -> str:
    return _BULLET.sub("", _MARKER.sub("", piece), count=1).strip()


def enforce(text: str, passages: Sequence[Passage], check: SupportCheck, lang: str) -> Checked:
    """Keep the sentences of ``text`` a passage supports, each with a mark pointing at it."""
    enforcer = Enforcer(passages, check, lang)
    for piece in split_sentences(text):
        enforcer.feed(piece)
    return enforcer.finish()


class Enforcer:
    """``enforce`` one sentence at a time, so a streamed reply is shown only as it passes the check:
    ``feed`` each finished sentence (see ``complete_sentences``) and show what it returns (renumbered, or
    "" when the sentence is left out); ``finish`` gives the whole result."""

    def __init__(self, passages: Sequence[Passage], check: SupportCheck, lang: str):
        self.passages, self.check, self.lang = list(passages), check, lang
        self.result = Checked(text="", citations=[])
        self.raw: list[str] = []
        self.kept: list[str] = []
        self.quotes: dict[int, str] = {}  # passage index → quote of its first supported claim
        self.mapping: dict[int, int] = {}  # passage number in the prompt → number shown

    def feed(self, piece: str) -> str:
        self.raw.append(piece)
        repaired = self._check(piece)
        if not repaired:
            return ""
        if not self.kept:
            repaired = repaired.lstrip()
        repaired = _MARKER.sub(self._renumber, repaired)
        self.kept.append(repaired)
        return repaired

    def _renumber(self, m: re.Match) -> str:
        out = []
        for raw in re.split(r"\s*[,，、]\s*", m.group(1)):
            shown = self.mapping.setdefault(int(raw), len(self.mapping) + 1)
            if shown not in out:
                out.append(shown)
        return "".join(f"[{k}]" for k in out)

    def _check(self, piece: str) -> str:
        """The piece with only supporting marks (one attached if it had none), or "" to leave it out."""
        check, lang, result, passages = self.check, self.lang, self.result, self.passages
        claim = claim_of(piece)
        if not re.search(r"\w", claim):
            return ""
        if DECLINE.search(claim):
            result.declined = True
            return ""
        result.sentences += 1
        if any(1 <= int(n) <= len(passages) for m in _MARKER.finditer(piece)
               for n in re.split(r"\s*[,，、]\s*", m.group(1))):
            result.cited += 1
        figures = check.unsupported_figures(claim, lang)
        if figures:
            result.unsupported_figures += figures
            result.dropped += 1
            result.dropped_figures += 1
            return ""
        supported_any = False
        start = 0

        def keep_supported(m: re.Match) -> str:
            nonlocal supported_any, start
            segment = claim_of(piece[start:m.start()])  # the words right before the mark
            start = m.end()
            kept = []
            for raw in re.split(r"\s*[,，、]\s*", m.group(1)):
                n = int(raw)
                if not 1 <= n <= len(passages):
                    continue
                strength, quote = check.score(claim, n - 1, lang)
                if len(segment) >= 6:
                    seg_strength, seg_quote = check.score(segment, n - 1, lang)
                    if seg_strength > strength:
                        strength, quote = seg_strength, seg_quote
                if strength >= 1.0 and n not in kept:
                    kept.append(n)
                    self.quotes.setdefault(n - 1, quote)
            supported_any = supported_any or bool(kept)
            return "".join(f"[{n}]" for n in kept)

        repaired = _MARKER.sub(keep_supported, piece)
        if not supported_any:
            j, strength, quote = check.best(claim, lang)
            if strength < 1.0:
                result.dropped += 1
                return ""
            self.quotes.setdefault(j, quote)
            repaired = _attach(repaired, j + 1, lang)
            result.attached += 1
        result.kept += 1
        return re.sub(r"[ \t]+([。，！？,.!?])", r"\1", repaired)

    def finish(self) -> Checked:
        result = self.result
        text = "".join(self.raw)
        result.text = "".join(self.kept).strip()
        if result.text:
            result.citations = [Citation(number=shown, passage=self.passages[n - 1], quote=self.quotes.get(n - 1, ""))
                                for n, shown in sorted(self.mapping.items(), key=lambda item: item[1])]
        elif result.declined:
            result.problem = "the LLM said the passages do not answer the question"
        elif not text.strip():
            result.problem = "the LLM's reply was empty"
        elif result.sentences == 0 and _MARKER.search(text):
            result.problem = f"the LLM replied with citation marks only ({text.strip()[:40]!r})"
        elif result.dropped_figures and result.dropped == result.dropped_figures:
            result.problem = (f"every sentence of the LLM's reply has figures or names found in no passage "
                              f"({', '.join(result.unsupported_figures[:3])})")
        else:
            result.problem = (f"no passage supports any of the LLM's {result.sentences} sentence(s) "
                              f"({result.sentences - result.cited} had no citation)")
        return result


def complete_sentences(buffer: str) -> tuple[list[str], str]:
    """(finished sentences, the rest) of a reply being streamed: the last piece may still grow, and so
    may one followed only by marks or spaces (``"…。[1"`` + ``"]"``)."""
    pieces = split_sentences(buffer)
    rest = pieces.pop() if pieces else ""
    while pieces and re.fullmatch(r"[\s\[\]\d,，、]*", rest):
        rest = pieces.pop() + rest
    return pieces, rest


def _attach(piece: str, n: int, lang: str) -> str:
    """Put ``[n]`` before the sentence end of ``piece`` (after trailing marks if there are any)."""
    end = _END.search(piece.rstrip("\n")).start()
    head, tail = piece[:end], piece[end:]
    space = " " if lang != "zh" and head and not head.endswith(" ") else ""
    return f"{head}{space}[{n}]{tail}"
