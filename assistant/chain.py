"""One question, start to finish: follow-up rewriting → retrieval → evidence check → answerer → Answer.

The LLM path is a LangChain LCEL chain (``prompt | ChatOpenAI | StrOutputParser``, see llm.py);
``as_retriever`` exposes the hybrid retriever to any LangChain chain a user builds.
"""

from __future__ import annotations

import re
import time
from typing import Iterator

from .answerers import CLOSEST, NOT_COVERED, Evidence, ExtractiveAnswerer, idf_weights, keyword_coverage
from .catalog import Catalog
from .embeddings import Embedder
from .errors import LLMError
from .llm import LLMAnswerer
from .prompts import language_of
from .results import Answer
from .retrieval import Filters, HybridRetriever
from .settings import Settings

History = list[tuple[str, str]]

_FOLLOW_UP = re.compile(r"^(?:那么?|那|还有|而|and|so|what about|how about)\s*(.+?)\s*(?:呢|怎么样|如何|又如何)?\s*[？?]?$", re.I)
_PRONOUN = re.compile(r"^(?:它|他们|她们|它们|这个|那个|其|该|this|that|it|they|these|those)\b|^(?:它|他|她|这|那|其)", re.I)


def rewrite_follow_up(question: str, history: History) -> str:
    """Make a follow-up searchable on its own, without an LLM.

    "那后端呢？" after "前端数字化是什么？" becomes "后端数字化是什么？" (the parallel term is swapped);
    other short or pronoun-led follow-ups are searched together with the previous question.
    """
    if not history:
        return question
    previous = history[-1][0].strip()
    q = question.strip()
    m = _FOLLOW_UP.match(q)
    if m:
        new = m.group(1).strip()
        if language_of(new) == "zh" and len(new) <= 6:
            # swap in the new term for the previous question's term of the same length that shares
            # its last character ("前端"→"后端"), else its first one
            size = len(new)
            windows = [(i, previous[i:i + size]) for i in range(len(previous) - size + 1)]
            for same in (lambda old: old[-1] == new[-1], lambda old: old[0] == new[0]):
                for i, old in windows:
                    if old != new and same(old):
                        return previous[:i] + new + previous[i + size:]
        return f"{previous} {new}"
    if len(q) <= 8 or _PRONOUN.match(q):
        return f"{previous} {q}"
    return q


class AnswerChain:
    def __init__(self, settings: Settings, retriever: HybridRetriever, catalog: Catalog, embedder: Embedder):
        self.settings = settings
        self.retriever = retriever
        self.catalog = catalog
        self.extractive = ExtractiveAnswerer(settings, embedder)
        self.llm = LLMAnswerer(settings)

    def stream(self, question: str, history: History | None = None, answerer: str | None = None,
               k: int | None = None, filters: Filters | None = None) -> Iterator[str | Answer]:
        """Yield text as it is written, then the final Answer (always last)."""
        started = time.perf_counter()
        question = (question or "").strip()
        answerer = answerer or self.settings.answerer
        lang = language_of(question)
        notice = ""
        if answerer == "llm" and not self.llm.configured:
            notice = "no LLM endpoint configured (ASSISTANT_LLM_BASE_URL, ASSISTANT_LLM_MODEL); extractive answer"
            answerer = "extractive"

        query = self._search_query(question, history or [], answerer)
        result = self.retriever.retrieve(query, k or self.settings.k, filters)
        doc_freq, n_docs = self.catalog.doc_freq(result.query_tokens)
        idf = idf_weights(result.query_tokens, doc_freq, n_docs)
        evidence = Evidence(result.top_sentence, keyword_coverage(result.query_tokens, result.passages, idf))

        def answer(text: str, citations=(), abstained=False, used=answerer) -> Answer:
            return Answer(question=question, text=text, citations=list(citations), abstained=abstained,
                          passages=result.passages, answerer=used, search_query=query, notice=notice,
                          seconds=time.perf_counter() - started)

        if not question or not result.passages or evidence.is_weak(self.settings, lang):
            text = NOT_COVERED[lang] + ("\n" + CLOSEST[lang] if result.passages else "")
            yield text
            yield answer(text, abstained=True)
            return

        if answerer == "llm":
            pieces: list[str] = []
            try:
                for delta in self.llm.stream(question, result.passages):
                    pieces.append(delta)
                    yield delta
                text, citations = self.llm.finish("".join(pieces), result.passages)
                declined = not citations and NOT_COVERED[lang].rstrip("。.") in text
                yield answer(text, citations, abstained=declined)
                return
            except LLMError as exc:
                notice = f"{exc}; showing the extractive answer instead"
                if pieces:
                    yield "\n\n"

        text, citations = self.extractive.compose(question, result, idf)
        if not text:
            yield NOT_COVERED[lang]
            yield answer(NOT_COVERED[lang], abstained=True, used="extractive")
            return
        yield from self.extractive.stream(text)
        yield answer(text, citations, used="extractive")

    def ask(self, question: str, **kwargs) -> Answer:
        final = None
        for part in self.stream(question, **kwargs):
            final = part
        assert isinstance(final, Answer)
        return final

    def _search_query(self, question: str, history: History, answerer: str) -> str:
        if not history:
            return question
        if answerer == "llm":
            try:
                return self.llm.condense(question, history)
            except LLMError:
                pass
        return rewrite_follow_up(question, history)
