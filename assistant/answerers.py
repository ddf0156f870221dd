"""Answer writers. Both turn (question, retrieved passages) into text with ``[n]`` citations.

``ExtractiveAnswerer`` (the default) runs offline and never invents a word: it picks the sentences of
the retrieved passages that best answer the question and strings them together, each followed by its
citation. The LLM answerer lives in ``llm.py``. Both refuse to answer on weak evidence
(``Evidence.is_weak``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .chunking import passage_sentences
from .citations import bigrams
from .embeddings import Embedder
from .prompts import language_of
from .results import Citation, Passage
from .retrieval import SearchResult
from .settings import Settings

LEXICAL_WEIGHT = 0.06  # share of the question's (IDF-weighted) keywords found in the sentence
PASSAGE_WEIGHT = 0.02  # bonus for sentences of the best-ranked passages

NOT_COVERED = {"zh": "资料中没有找到相关内容。", "en": "The articles don't cover this."}
CLOSEST = {"zh": "以下是最接近的段落，供参考：", "en": "The closest passages are listed below for reference."}


# -- evidence and abstention -----------------------------------------------------------------

@dataclass
class Evidence:
    """How well the retrieved passages match the question; the abstention rule reads these."""

    top_sentence: float  # best sentence cosine
    coverage: float  # IDF-weighted share of the question's keywords found in the top passages

    def is_weak(self, settings: Settings, lang: str) -> bool:
        if lang != "zh":  # keywords of an English question rarely appear in Chinese articles
            return self.top_sentence < settings.abstain_en
        if self.top_sentence < settings.abstain_zh:
            return True
        # a middling match must also share the question's rare words ("网易云音乐", "SU7")
        return self.top_sentence < settings.confident_zh and self.coverage < settings.min_keyword_coverage


def keyword_coverage(tokens: list[str], passages: list[Passage], idf: dict[str, float]) -> float:
    """Share of the question's keyword weight that appears in the top three passages (titles included)."""
    unique = list(dict.fromkeys(tokens))
    total = sum(idf.get(t, 1.0) for t in unique)
    if not total:
        return 0.0
    text = " ".join(f"{p.heading} {p.text}" for p in passages[:3]).lower()
    return sum(idf.get(t, 1.0) for t in unique if t in text) / total


# -- comparison questions --------------------------------------------------------------------

# Question parsing is linear in the question's length: each part is found with a left-to-right scan
# (str.find / one regex search), never with two lazy groups that a regex engine would try against each
# other (that took 0.7 s at 4k characters, 4.6 s at 10k).
_ZH_CONNECTORS = ["和", "与", "跟", "同", "以及", "及", "对比", "相比", "相较于", "相较", "比起", "vs.", "vs", "VS"]
_ZH_COMPARE = re.compile(r"(?=区别|不同|差异|差别|异同|不一样|分别)")
_ZH_FILLER = re.compile(r"(?:之间|两者|二者)?(?:有|存在|的|各自的?|各有)?(?:什么|哪些|啥|何)?(?:样的)?")
_ZH_FILLER_MAX = 9  # the longest filler: 之间 + 各自的 + 什么 + 样的
_EN_SIDES = [  # (where the first side starts, what separates the two sides)
    (re.compile(r"differences? between ", re.I), re.compile(r" and ", re.I)),
    (re.compile(r"differ (?:between|for) ", re.I), re.compile(r" and ", re.I)),
    (re.compile(r"compare ", re.I), re.compile(r" (?:and|with|to) ", re.I)),
    (None, re.compile(r" (?:vs\.? |versus )", re.I)),
    (re.compile(r"how (?:is|are|does|do) ", re.I), re.compile(r" differ from ", re.I)),
]
_COMPARE_WORDS = re.compile(r"区别|不同|差异|差别|对比|异同|相比|不一样|\bvs\b|versus|differ|compar", re.I)


def _zh_sides(q: str) -> tuple[str, str] | None:
    """"A和B有什么区别": the shortest A before a connector, then the shortest B that only filler words
    ("有什么", "之间的") separate from a comparison word."""
    # ends[p]: the smallest position >= p where side B may end
    n = len(q)
    valid = [False] * (n + 1)
    for m in _ZH_COMPARE.finditer(q):
        c = m.start()
        for p in range(max(0, c - _ZH_FILLER_MAX), c + 1):
            if _ZH_FILLER.fullmatch(q, p, c):
                valid[p] = True
    ends = [n + 1] * (n + 2)
    for p in range(n, -1, -1):
        ends[p] = p if valid[p] else ends[p + 1]
    for start in ((2, 0) if q.startswith("请问") else (0,)):
        for i in range(start + 1, n):
            for word in _ZH_CONNECTORS:
                if q.startswith(word, i):
                    e = i + len(word)
                    end = ends[min(e + 1, n + 1)]
                    if end <= n:
                        return q[start:i], q[e:end]
    return None


def _en_sides(q: str) -> tuple[str, str] | None:
    for head, sep in _EN_SIDES:
        if head is None:
            begin = 0
        else:
            m = head.search(q)
            if not m:
                continue
            begin = m.end()
        m = sep.search(q, begin + 1)
        if not m or m.end() >= len(q):
            continue
        stop = q.find("?", m.end() + 1)
        return q[begin:m.start()], q[m.end():stop if stop >= 0 else len(q)]
    return None


def comparison_sides(question: str) -> list[str]:
    """The two things a comparison question compares ("前端数字化", "后端数字化"), else []."""
    q = re.sub(r"\s+", " ", question).strip().rstrip("？?。. ")
    if not _COMPARE_WORDS.search(q):
        return []
    zh = _zh_sides(q)
    if zh:
        a, b = zh[0].strip(" ，,"), zh[1].strip(" ，,")
    else:
        en = _en_sides(q)
        if not en:
            return []
        a, b = en[0].strip(" ,"), en[1].strip(" ,")
        a = re.sub(r"^(?:what is |what's |what are )?(?:the )?", "", a, flags=re.I)
        # "front-end and back-end digitalization": the shared head noun belongs to both sides (but not
        # to a name: "SaaS and on-premise software")
        wa, wb = a.split(), b.split()
        if len(wa) == 1 and len(wb) > 1 and a.islower():
            a = " ".join([a, *wb[1:]])
    if not a or not b or a == b:
        return []
    return [a, b]


# -- the extractive answerer -----------------------------------------------------------------

@dataclass
class _Sentence:
    passage: int  # index into the search result's passages
    start: int
    end: int
    text: str
    score: float
    vector: np.ndarray | None  # the sentence's cached vector (for comparison sides)


class ExtractiveAnswerer:
    """Deterministic: the same passages and question always give the same answer."""

    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder

    def compose(self, question: str, result: SearchResult, idf: dict[str, float]) -> tuple[str, list[Citation]]:
        sentences = self._candidates(question, result, idf)
        if not sentences:
            return "", []
        chosen = self._select(question, result, sentences)
        lang = language_of(question)
        parts, numbers = [], {}
        for s in chosen:
            n = numbers.setdefault(s.passage, len(numbers) + 1)
            # an article's own footnote marks must not pass for our citations
            parts.append(_FOOTNOTE.sub(r"［\1］", s.text) + f"[{n}]")
        text = ("" if lang == "zh" else " ").join(parts)
        citations = []
        for s in chosen:
            n = numbers[s.passage]
            if all(c.number != n for c in citations):
                citations.append(Citation(number=n, passage=result.passages[s.passage], quote=s.text))
        return text, citations

    def stream(self, text: str) -> Iterator[str]:
        """The composed answer sentence by sentence (it is ready at once; this keeps the UI uniform)."""
        for piece in re.findall(r".+?\[\d+\]|.+$", text):
            yield piece

    def _candidates(self, question: str, result: SearchResult, idf: dict[str, float]) -> list[_Sentence]:
        tokens = list(dict.fromkeys(result.query_tokens))
        weights = {t: idf.get(t, 1.0) for t in tokens}
        total = sum(weights.values()) or 1.0
        out: list[_Sentence] = []
        for i, (passage, cand) in enumerate(zip(result.passages, result.candidates)):
            spans = passage_sentences(passage.text)
            scores = cand.sentence_scores or [cand.dense] * len(spans)
            vectors = cand.sentence_vectors or [None] * len(spans)
            for (s, e), vscore, vector in zip(spans, scores, vectors):
                text = passage.text[s:e]
                if not is_prose(text):
                    continue
                low = text.lower()
                lexical = sum(w for t, w in weights.items() if t in low) / total
                # the best passages' sentences are likelier answers: cross-lingual sentence cosines
                # are too flat to rank on their own
                score = vscore + LEXICAL_WEIGHT * lexical + PASSAGE_WEIGHT / (1 + i)
                out.append(_Sentence(i, s, e, text, score, vector))
        return out

    def _select(self, question: str, result: SearchResult, sentences: list[_Sentence]) -> list[_Sentence]:
        ranked = sorted(sentences, key=lambda s: (-s.score, s.passage, s.start))
        limit = self.settings.max_answer_sentences
        chosen: list[_Sentence] = []

        def add(s: _Sentence) -> None:
            grams = bigrams(s.text)
            for c in chosen:
                other = bigrams(c.text)
                if c is s or len(grams & other) / (len(grams | other) or 1) > 0.5:
                    return  # a near-duplicate says nothing new
            chosen.append(s)

        sides = comparison_sides(question)
        if sides:
            for side in self._side_best(sides, sentences):
                add(side)
        best = ranked[0].score
        for s in ranked:
            if len(chosen) >= limit:
                break
            if len(chosen) >= 2 and s.score < best - 0.04:
                break
            add(s)
        if sides:
            return chosen  # side A first, then side B, then the rest by relevance
        return sorted(chosen, key=lambda s: (s.passage, s.start))

    def _side_best(self, sides: list[str], sentences: list[_Sentence]) -> list[_Sentence]:
        """For each side of a comparison, the sentence that best describes it and answers the question."""
        vectors = self.embedder.embed_queries(sides)
        picks = []
        for side, vector in zip(sides, vectors):
            scores = []
            for s in sentences:
                side_score = float(s.vector @ vector) if s.vector is not None else 0.0
                literal = 0.05 if side.lower() in s.text.lower() else 0.0
                scores.append(s.score + side_score + literal)
            picks.append(sentences[int(np.argmax(scores))])
        return picks


_FOOTNOTE = re.compile(r"\[(\d{1,3})\]")
_LETTER = re.compile(r"[A-Za-z\u3400-\u9fff]")


def is_prose(text: str) -> bool:
    """A sentence worth quoting: long enough, mostly words, not a link or a reference-list entry."""
    compact = re.sub(r"\s", "", text)
    if len(compact) < 8 or re.search(r"https?://|www\.", text) or re.match(r"\s*\[\d{1,3}\]", text):
        return False
    letters = len(_LETTER.findall(compact))
    return letters >= 4 and letters + sum(c.isdigit() for c in compact) >= 0.6 * len(compact)


def idf_weights(tokens: list[str], doc_freq: dict[str, int], n_docs: int) -> dict[str, float]:
    return {t: math.log(1 + (n_docs + 1) / (doc_freq.get(t, 0) + 1)) for t in tokens}
