"""Finding passages for a question.

Candidates come from two indexes: dense vectors (Chroma, cosine) and BM25 keywords (SQLite FTS5 over
jieba tokens). They are ranked three ways, none of which runs the model again: by passage cosine, by
BM25, and by the cosine of their best sentence (sentence vectors are embedded once at indexing time);
the three scores are combined by a learned model (``ranking.py``: a logistic regression over these and a dozen
other features — keyword coverage, title/heading match, numbers and names shared with the question,
whether the passage's best sentences have the kind of content the question asks for) or, with
``ranking="rrf"``, by weighted reciprocal-rank fusion. Sentence matching is what finds the one sentence
that answers a fact question inside a long passage, in any language the model knows.
Finally at most ``per_article`` passages per article are kept, so one article cannot crowd out the
rest. Only passages committed in the catalog are returned, so vectors left behind by an interrupted
indexing run never surface.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from .catalog import Catalog, ChunkRow
from .chunking import BREADCRUMB_SEP, embed_text_for, is_prose, passage_sentences, text_hash
from .embeddings import Embedder, EmbeddingCache
from .errors import ConfigError
from .crosslingual import corpus_aliases, english_terms, pinyin_index, unwritten_names, unwritten_terms
from .keywords import STOPWORDS, tokenize, unknown_names
from .prompts import language_of
from .questions import MEASURE_ASKED, QuestionInfo, analyze
from .ranking import load_model, sentence_cues, type_match
from .reranker import Reranker
from .results import Passage
from .settings import Settings
from .vectors import VectorStore

MODES = ("hybrid", "dense", "keyword")
_names_lock = threading.Lock()


@dataclass(frozen=True)
class IndexNames:
    """What the index's own text says about names, for English questions (crosslingual.py): the pinyin of
    its words (``pinyin_index``) and the English names its articles translate in brackets (``corpus_aliases``)."""

    pinyin: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Filters:
    """Optional restrictions; dates are ISO strings (``2021-07-01``), category matches exactly
    (case-insensitive), source is a file path or a folder prefix."""

    date_from: str | None = None
    date_to: str | None = None
    category: str | None = None
    source: str | None = None
    articles: tuple[str, ...] = ()  # article ids to search among (a chat's articles: AnswerChain.resolve)

    def by_metadata(self) -> bool:
        """Whether it restricts by the articles' dates, category or source (not only by ``articles``)."""
        return bool(self.date_from or self.date_to or self.category or self.source)

    def is_empty(self) -> bool:
        return not (self.by_metadata() or self.articles)


@dataclass
class Candidate:
    row: ChunkRow
    dense: float = 0.0  # cosine of the passage vector
    keyword: float = 0.0  # BM25 relative to the best keyword hit (0..1)
    sentence: float = 0.0  # cosine of the best sentence
    sentence_scores: list[float] = field(default_factory=list)  # per passage_sentences() span
    sentence_vectors: list[np.ndarray | None] = field(default_factory=list)  # the same spans
    features: dict[str, float] = field(default_factory=dict)  # what the learned ranker reads
    score: float = 0.0


@dataclass
class SearchResult:
    """Passages plus what the answerer needs: the question vector, per-sentence scores, evidence."""

    query: str
    passages: list[Passage]
    candidates: list[Candidate]  # the same order as passages
    query_vector: np.ndarray | None
    query_tokens: list[str]
    info: QuestionInfo | None = None
    glossed_vector: np.ndarray | None = None  # an English question's Chinese equivalents (QuestionInfo.glossed)

    @property
    def top_sentence(self) -> float:
        return max((c.sentence for c in self.candidates), default=0.0)


@dataclass
class HybridRetriever:
    settings: Settings
    catalog: Catalog
    vectors: VectorStore
    embedder: Embedder
    cache: EmbeddingCache
    reranker: Reranker | None = None
    # a filter that leaves at most this many passages is searched exactly among them (see candidates)
    EXACT_BELOW: ClassVar[int] = 2000
    _names_cache: tuple[int, IndexNames] | None = field(default=None, init=False, repr=False)
    _names_building: bool = field(default=False, init=False, repr=False)

    def search(self, query: str, k: int = 5, filters: Filters | None = None, mode: str | None = None,
               query_vector: np.ndarray | None = None) -> list[Passage]:
        return self.retrieve(query, k, filters, mode, query_vector).passages

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None, mode: str | None = None,
                 query_vector: np.ndarray | None = None) -> SearchResult:
        mode = mode or self.settings.search_mode
        if mode not in MODES:
            raise ConfigError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        query = (query or "").strip()
        info = self.question_info(query)
        tokens = info.tokens
        if not query or k <= 0:
            return SearchResult(query, [], [], None, tokens, info)
        gloss, glossed_vector = info.glossed() if mode != "keyword" else "", None
        if gloss and query_vector is None:  # both vectors in one batch
            query_vector, glossed_vector = self.embedder.embed_queries([query, gloss])
        elif gloss:
            glossed_vector = self.embedder.embed_query(gloss)
        found, qv = self.candidates(query, info, filters, mode, k, query_vector)
        if self.reranks():
            top = self.settings.rerank_top
            for c, score in zip(found[:top], self.reranker.scores(query, [c.row.text for c in found[:top]])):
                c.score = score
            found[:top] = sorted(found[:top], key=lambda c: c.score, reverse=True)
        if self.settings.merge_neighbours:
            found = self._merge_neighbours(found, k)
        chosen = _cap_per_article(found, k, self.settings.per_article)
        shown = (lambda s: float(1 / (1 + np.exp(-s)))) if self.ranks_by_model(mode) else float  # its probability
        return SearchResult(query, [to_passage(c.row, shown(c.score)) for c in chosen], chosen, qv, tokens, info,
                            glossed_vector)

    def reranks(self) -> bool:
        """Whether the optional CrossEncoder re-orders the top."""
        return self.reranker is not None and self.reranker.enabled

    def ranks_by_model(self, mode: str | None = None) -> bool:
        """Whether the learned passage model orders the results: hybrid search, ``ranking`` learned, no reranker."""
        mode = mode or self.settings.search_mode
        return self.settings.ranking == "learned" and mode == "hybrid" and not self.reranks()

    def question_info(self, query: str) -> QuestionInfo:
        """The question read against this index: keyword weights from its passages and, for an English
        question, the Chinese words its articles use for the question's words."""
        frames = MEASURE_ASKED.findall(query)  # "需要多长时间": the measure's words are no keywords
        tokens = [t for t in tokenize(query) if not any(t in frame for frame in frames)]
        alternatives: dict[str, tuple[str, ...]] = {}
        unwritten: tuple[str, ...] = ()
        terms_unwritten: tuple[str, ...] = ()
        if query and language_of(query) == "en" and self.settings.crosslingual:
            names = self._names()
            known = lambda words: self.catalog.doc_freq(words)[0]  # noqa: E731
            terms = english_terms(query, known, names.pinyin, self.settings.glossary, names.aliases)
            for term in terms:
                for word in term.words:
                    alternatives[word] = tuple(dict.fromkeys([*alternatives.get(word, ()), *term.chinese]))
            unwritten = unwritten_names(query, known, names.pinyin, self.settings.glossary, names.aliases)
            terms_unwritten = unwritten_terms(query, known, self.settings.glossary, names.aliases)
        extra = [w for ws in alternatives.values() for w in ws]
        unglued = {t: _unglued(t) for t in tokens}
        doc_freq, n = self.catalog.doc_freq([*tokens, *extra, *(w for ws in unglued.values() for w in ws)])
        tokens = list(dict.fromkeys(t if doc_freq.get(t) else next((w for w in unglued[t] if doc_freq.get(w)), t)
                                    for t in tokens))
        return replace(analyze(query, tokens, doc_freq, n, alternatives), unwritten=unwritten,
                       unwritten_terms=terms_unwritten)

    def in_chinese(self, text: str) -> str:
        """English words in the words this index's articles use for them, with the names and numbers kept
        ("communication costs" → "交流 成本 费用 代价"); "" when none of them is known."""
        return self.question_info(text).glossed()

    def _names(self) -> IndexNames:
        """The index's names; rebuilt when the index grew by 5%. Reading them reads the whole keyword
        index (~5 s at 440k passages) and the text of every article with a bracket (not measured at that
        size), so a big index builds them in the background and English questions go without names
        until they are ready."""
        n = self.catalog.passage_count()
        cached = self._names_cache
        if cached is not None and abs(n - cached[0]) <= 0.05 * max(cached[0], 1):
            return cached[1]
        if n < self.catalog.EXACT_DF_BELOW:
            self._names_cache = (n, self._read_names())
            return self._names_cache[1]
        with _names_lock:
            if not self._names_building:
                self._names_building = True
                threading.Thread(target=self._build_names, args=(n,), daemon=True, name="index-names").start()
        return cached[1] if cached else IndexNames()

    def _read_names(self) -> IndexNames:
        """Pinyin of the index's keywords and of the names in its titles that jieba cuts into single
        characters; the names its articles translate."""
        return IndexNames(pinyin_index([*self.catalog.vocabulary(), *unknown_names(self.catalog.titles())]),
                          corpus_aliases(self.catalog.bracketed_articles()))

    def _build_names(self, n: int) -> None:
        try:
            self._names_cache = (n, self._read_names())
        finally:
            self._names_building = False
            self.catalog.close()  # this thread's connection

    def candidates(self, query: str, info: QuestionInfo, filters: Filters | None = None, mode: str = "hybrid",
                   k: int = 5, query_vector: np.ndarray | None = None) -> tuple[list[Candidate], np.ndarray | None]:
        """Every candidate from both indexes, scored and sorted best first (before merging and capping)."""
        article_ids = self._filter(filters)
        n = max(self.settings.candidates, k * 4)
        # a filter down to a few articles: search just their passages, exactly
        scope = (self.catalog.chunks_of(article_ids, self.EXACT_BELOW)
                 if article_ids is not None and len(article_ids) <= self.EXACT_BELOW else None)

        qv = None
        dense: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            qv = query_vector if query_vector is not None else self.embedder.embed_query(query)
            dense = (self.vectors.query_among(qv, n, [cid for _, cid in scope]) if scope is not None
                     else self.vectors.query(qv, n, article_ids))
        keyword = self.catalog.keyword_search(
            info.search_tokens, n, article_ids, [rowid for rowid, _ in scope] if scope is not None else None,
        ) if mode in ("hybrid", "keyword") else []

        rows = self.catalog.chunks([cid for cid, _ in dense] + [cid for cid, _ in keyword])  # committed only
        candidates = {cid: Candidate(rows[cid], dense=score) for cid, score in dense if cid in rows}
        best_bm25 = max((score for _, score in keyword), default=0.0) or 1.0
        for cid, score in keyword:
            if cid in rows:
                candidates.setdefault(cid, Candidate(rows[cid])).keyword = score / best_bm25

        found = list(candidates.values())
        if mode == "hybrid":
            dense_ids = {cid for cid, _ in dense}
            self._score_sentences(found, qv, dense_missing=[c for c in found if c.row.chunk_id not in dense_ids])
            dense_order, keyword_order = [cid for cid, _ in dense], [cid for cid, _ in keyword]
            candidate_features(info, found, dense_order, keyword_order, self.settings.rrf_k)
            if self.settings.ranking == "learned" and found:
                model = load_model("passage", self.settings.models_dir)
                scores = model.decision(np.array([[c.features.get(n, 0.0) for n in model.features] for c in found]))
                for c, score in zip(found, scores):
                    c.score = float(score)
            else:
                self._fuse(found, dense_order, keyword_order)
        else:
            for c in found:
                c.score = c.dense if mode == "dense" else c.keyword
        found.sort(key=lambda c: c.score, reverse=True)
        return found, qv

    def _fuse(self, found: list[Candidate], dense_order: list[str], keyword_order: list[str]) -> None:
        """Weighted reciprocal-rank fusion of three rankings: passage vectors, BM25, best sentence."""
        s = self.settings
        by_sentence = sorted(found, key=lambda c: c.sentence, reverse=True)
        rankings = [
            (s.weight_dense, {cid: r for r, cid in enumerate(dense_order)}),
            (s.weight_keyword, {cid: r for r, cid in enumerate(keyword_order)}),
            (s.weight_sentence, {c.row.chunk_id: r for r, c in enumerate(by_sentence)}),
        ]
        for c in found:
            c.score = sum(weight / (s.rrf_k + ranks[c.row.chunk_id] + 1)
                          for weight, ranks in rankings if c.row.chunk_id in ranks)

    def _score_sentences(self, found: list[Candidate], qv: np.ndarray, dense_missing: list[Candidate]) -> None:
        """Sentence cosines from cached sentence vectors; passage cosines for keyword-only hits."""
        if dense_missing:
            embed_texts = [embed_text_for(c.row.title, c.row.headings, c.row.text) for c in dense_missing]
            hashes = [text_hash(t) for t in embed_texts]
            vectors = self._cached_or_embedded(dict(zip(hashes, embed_texts)), "passage")
            for c, h in zip(dense_missing, hashes):
                c.dense = float(vectors[h] @ qv)
        # per candidate: (hash, text) of each sentence, hashed once
        sentences = {}
        for c in found:
            texts = [c.row.text[s:e] for s, e in passage_sentences(c.row.text)]
            sentences[c.row.chunk_id] = [(text_hash(t), t) for t in texts]
        vectors = self._cached_or_embedded(dict(pair for pairs in sentences.values() for pair in pairs), "sentence")
        for c in found:
            c.sentence_vectors = [vectors.get(h) for h, _ in sentences[c.row.chunk_id]]
            c.sentence_scores = [float(v @ qv) if v is not None else 0.0 for v in c.sentence_vectors]
            c.sentence = max(c.sentence_scores, default=0.0)

    def _merge_neighbours(self, ranked: list[Candidate], k: int) -> list[Candidate]:
        """Adjacent passages of the same section, both among the best, become one passage: the answer
        often straddles a chunk boundary. Merged passages stay within ``merge_max_chars``."""
        limit = self.settings.merge_max_chars
        out: list[Candidate] = []
        for c in ranked:
            host, joined = None, None
            for o in out[:k]:
                if _adjacent(o, c):
                    joined = _joined(o.row, c.row)
                    if len(joined.text) <= limit:
                        host = o
                        break
            if host is None:
                out.append(c)
                continue
            # sentence vectors and scores carry over by sentence text
            known = {}
            for cand in (c, host):
                texts = [cand.row.text[s:e] for s, e in passage_sentences(cand.row.text)]
                known.update(zip(texts, zip(cand.sentence_vectors, cand.sentence_scores)))
            host.row = joined
            pairs = [known.get(host.row.text[s:e], (None, 0.0)) for s, e in passage_sentences(host.row.text)]
            host.sentence_vectors = [v for v, _ in pairs]
            host.sentence_scores = [score for _, score in pairs]
            host.sentence = max(host.sentence_scores, default=0.0)
            host.dense, host.keyword = max(host.dense, c.dense), max(host.keyword, c.keyword)
        return out

    def _cached_or_embedded(self, texts: dict[str, str], kind: str) -> dict[str, np.ndarray]:
        """Vectors by text hash from the cache. Missing ones (a cache deleted or moved since indexing)
        are embedded now, once, and cached for next time."""
        model = self.embedder.model_id
        vectors = self.cache.get(model, list(texts), kind)
        lacking = {h: t for h, t in texts.items() if h not in vectors}
        if lacking:
            fresh = dict(zip(lacking, self.embedder.embed_passages(list(lacking.values()))))
            vectors.update(self.cache.put(model, fresh, kind))  # as stored: the same scores on the next request
        return vectors

    def _filter(self, filters: Filters | None) -> set[str] | None:
        if filters is None or filters.is_empty():
            return None
        if not filters.by_metadata():
            return set(filters.articles)
        start, end = _epoch(filters.date_from, end=False), _epoch(filters.date_to, end=True)
        if start is not None and end is not None and start > end:
            # it matches no article: say so rather than answer "not covered"
            raise ConfigError(f"date_from {filters.date_from} is after date_to {filters.date_to}; swap them")
        found = self.catalog.filter_articles(date_from=start, date_to=end, category=filters.category,
                                             source=filters.source)
        return found & set(filters.articles) if filters.articles else found


def candidate_features(info: QuestionInfo, found: list[Candidate], dense_order: list[str],
                       keyword_order: list[str], rrf_k: int = 10) -> None:
    """Fill ``Candidate.features``: the retrieval scores, their ranks and gaps to the best candidate, and
    what the passage shares with the question (keywords, title and headings, anchors, answer type)."""
    if not found:
        return
    dense_rank = {cid: r for r, cid in enumerate(dense_order)}
    keyword_rank = {cid: r for r, cid in enumerate(keyword_order)}
    by_sentence = {c.row.chunk_id: r for r, c in enumerate(sorted(found, key=lambda c: c.sentence, reverse=True))}
    max_dense = max(c.dense for c in found)
    max_sentence = max(c.sentence for c in found)
    per_article: dict[str, int] = {}
    for c in found:
        per_article[c.row.article_id] = per_article.get(c.row.article_id, 0) + 1
    en = 1.0 if info.lang == "en" else 0.0
    rare = sorted(info.tokens, key=lambda t: -info.idf.get(t, 1.0))[:2]
    lexical, prose, lexical_at_best = [], [], []
    for c in found:
        texts = [c.row.text[s:e] for s, e in passage_sentences(c.row.text)]
        covers = [info.coverage(t.lower()) for t in texts]
        lexical.append(max(covers, default=0.0))
        prose.append(sum(1 for t in texts if is_prose(t)) / (len(texts) or 1))
        best = int(np.argmax(c.sentence_scores)) if c.sentence_scores else 0
        lexical_at_best.append(covers[best] if best < len(covers) else 0.0)
    max_lexical = max(lexical)
    article_best: dict[str, float] = {}
    for c in found:
        article_best[c.row.article_id] = max(article_best.get(c.row.article_id, 0.0), c.sentence)
    for c, best_lexical, prose_share, lexical_best in zip(found, lexical, prose, lexical_at_best):
        cid = c.row.chunk_id
        heading = " ".join([c.row.title, *c.row.headings]).lower()
        text = c.row.text.lower()
        ordered = sorted(c.sentence_scores, reverse=True) or [c.sentence]
        spans = passage_sentences(c.row.text)
        top = sorted(range(len(c.sentence_scores)), key=lambda i: -c.sentence_scores[i])[:2]
        match = max((type_match(info, sentence_cues(c.row.text[spans[i][0]:spans[i][1]]))
                     for i in top if i < len(spans)), default=0.0)
        cover = info.coverage(heading + " " + text)
        anchor = info.anchor_share(heading + " " + text)
        c.features = {
            "dense": c.dense, "dense_gap": c.dense - max_dense,
            "dense_rr": 1 / (rrf_k + dense_rank[cid] + 1) if cid in dense_rank else 0.0,
            "keyword": c.keyword,
            "keyword_rr": 1 / (rrf_k + keyword_rank[cid] + 1) if cid in keyword_rank else 0.0,
            "sent1": ordered[0], "sent2": ordered[1] if len(ordered) > 1 else ordered[0],
            "sent_gap": c.sentence - max_sentence, "sent_rr": 1 / (rrf_k + by_sentence[cid] + 1),
            "cover": cover, "cover_head": info.coverage(heading),
            "best_sent_cover": best_lexical, "best_sent_cover_gap": best_lexical - max_lexical,
            "anchor": anchor, "has_anchor": 1.0 if info.anchors else 0.0,
            "type_match": match,
            "lead": 1.0 if c.row.position == 0 else 0.0,
            "length": len(c.row.text) / 500,
            "article_hits": float(np.log1p(per_article[c.row.article_id])),
            "en": en, "en_sent1": en * ordered[0], "en_keyword": en * c.keyword, "en_anchor": en * anchor,
            "en_cover": en * cover, "en_best_sent_cover": en * best_lexical,
            "prose": prose_share, "sent_mean3": float(np.mean(ordered[:3])),
            "article_best": 1.0 if c.sentence >= article_best[c.row.article_id] else 0.0,
            "lex_at_best_sent": lexical_best,
            "rare_cover": sum(1 for t in rare if info.has(t, heading + " " + text)) / (len(rare) or 1),
        }


def _adjacent(a: Candidate, b: Candidate) -> bool:
    ra, rb = a.row, b.row
    return (ra.article_id == rb.article_id and ra.headings == rb.headings
            and (rb.start <= ra.end + 1 and ra.start <= rb.end + 1))


def _joined(a: ChunkRow, b: ChunkRow) -> ChunkRow:
    """The union of two overlapping or touching passages of one article, in reading order."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    if second.end <= first.end:
        text = first.text
    elif second.start <= first.end:
        text = first.text + second.text[first.end - second.start:]
    else:  # they touch: paragraphs are joined by one newline in the article's text
        text = first.text + "\n" + second.text
    return replace(first, chunk_id=a.chunk_id, text=text, start=first.start, end=max(first.end, second.end),
                   position=min(a.position, b.position))


def _unglued(token: str) -> list[str]:
    """A word jieba's dictionary lacks comes out of a question glued to the function word after or before it:
    "换电是什么？" gives 换电是, "换电要多久？" 换电要 — a token no passage holds, so the question found no keyword
    (answered "not covered" while "什么是换电？" was answered). The word without that character, for the caller to
    search instead when the index knows it."""
    if len(token) < 3 or token.isascii():
        return []
    return [w for w, glued in ((token[:-1], token[-1]), (token[1:], token[0])) if glued in STOPWORDS]


def _cap_per_article(ranked: list[Candidate], k: int, cap: int) -> list[Candidate]:
    """Best first, at most ``cap`` per article; if that leaves fewer than k, fill with the rest. A passage
    whose text an earlier one already has is left out: the same article indexed twice (a copy of the
    folder, a republished story) would otherwise fill the results with twins."""
    seen: set[str] = set()
    ranked = [c for c in ranked if not (c.row.text in seen or seen.add(c.row.text))]
    if cap <= 0:
        return ranked[:k]
    chosen, per_article, overflow = [], {}, []
    for c in ranked:
        n = per_article.get(c.row.article_id, 0)
        if n < cap:
            chosen.append(c)
            per_article[c.row.article_id] = n + 1
        else:
            overflow.append(c)
        if len(chosen) == k:
            return chosen
    return chosen + overflow[: k - len(chosen)]


def to_passage(row: ChunkRow, score: float) -> Passage:
    return Passage(
        chunk_id=row.chunk_id, text=row.text, title=row.title,
        heading=BREADCRUMB_SEP.join([row.title, *row.headings]), source=row.source, date=row.date,
        score=float(score), article_id=row.article_id, categories=row.categories, position=row.position,
        start=row.start, end=row.end,
    )


def _epoch(value: str | None, end: bool) -> int | None:
    if not value:
        return None
    try:
        day = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"cannot read date {value!r}; use YYYY-MM-DD") from None
    if day.tzinfo is None:
        day = day.replace(tzinfo=dt.timezone.utc)
    if end and len(str(value).strip()) <= 10:
        day += dt.timedelta(days=1, seconds=-1)  # a bare date includes the whole day
    return int(day.timestamp())
