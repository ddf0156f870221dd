"""Tokenising for the keyword (BM25) index: jieba for Chinese, plain words for English.

The same function tokenises passages at indexing time and questions at query time; the tokens are
stored space-separated in SQLite's FTS5, which ranks with BM25.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import Collection, Iterable

_lock = threading.Lock()
_jieba = None

_WORD = re.compile(r"[0-9a-z]+(?:[.\-'][0-9a-z]+)*|[\u3400-\u9fff\uf900-\ufaff]+", re.I)

STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 或 也 都 就 而 被 把 对 从 为 以 于 中 上 下 之 其 这 那 有 个 一个 我们 你们
    他们 它们 什么 怎么 如何 哪些 哪个 为什么 吗 呢 吧 啊 么 多少 几 是否 有没有 一些 这些 那些 可以 能 会 要
    就是 还是 因为 所以 但是 如果 并 等 等等 之间 方面 进行 通过 根据 according the a an and or of to in on
    for by with is are was were be been being what which who whom whose why how when where do does did
    it its this that these those as at from about between than vs versus into over under
    can could should would will shall may might must not no yes
    their they them he she his her him we our you your i me my there so also very just only then more most less
    least many much some any each every all both either neither other another such same again up down out off
    after before during since until per has have had having am done get got""".split()
) | frozenset(
    # contractions: "can't" looked up in the dictionary was 无可 / 不许
    """can't won't don't doesn't didn't isn't aren't wasn't weren't hasn't haven't hadn't couldn't wouldn't
    shouldn't""".split()
)


def _tokenizer():
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def tokenize(text: str) -> list[str]:
    """Lower-cased search tokens without stopwords; Chinese runs go through jieba's search mode,
    which also emits the shorter words inside long compounds (数字化转型 → 数字, 数字化, 转型, …)."""
    jieba = _tokenizer()
    tokens: list[str] = []
    for match in _WORD.finditer(text.lower().replace("’", "'")):
        piece = match.group()
        if piece[0].isascii():
            piece = without_possessive(piece)
            if piece not in STOPWORDS:
                tokens.append(piece)
            continue
        for word in jieba.cut_for_search(piece, HMM=True):
            if word and word not in STOPWORDS:
                tokens.append(word)
    return tokens


def without_possessive(word: str) -> str:
    """"amd's" → "amd": the word the articles write (and the dictionaries hold) is the name without it. Callers
    write ’ as ' first ("it's" is then "it", a stopword)."""
    return word[:-2] if word.endswith("'s") and len(word) > 2 else word


def dictionary_frequency(word: str) -> int:
    """How often jieba's dictionary saw ``word`` (0: not in it): "东西" 18,877, "荣耀" 493, "鹰角" 0."""
    _tokenizer()
    import jieba

    return jieba.dt.FREQ.get(word) or 0


def tagged_words(text: str) -> list[tuple[str, str]]:
    """jieba's words with their part-of-speech tags ("nr" a person's name, "ns" a place, "v" a verb …)."""
    return list(_tagged(text))


@functools.lru_cache(maxsize=50_000)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    """Tagging is jieba's HMM, ~1 ms a sentence: a who-question's retrieved sentences cost up to ~85 ms, and the
    same passages come back for the search, the answer and the next questions (a few MB at most)."""
    _tokenizer()  # jieba's dictionary loaded quietly
    from jieba import posseg

    return tuple((w.word, w.flag) for w in posseg.cut(text))


def fts_query(tokens: list[str], known: Collection[str]) -> str:
    """An FTS5 MATCH expression: any of the tokens (BM25 rewards the ones that match more). A Chinese word
    the index does not hold as a token (not in ``known``) is searched as the phrase of the pieces jieba cuts
    it into, which is how the passages' tokens hold it: 呷哺呷哺 → "呷 哺 呷 哺", 首席执行官 → "首席 执行 执行官"."""
    unique = list(dict.fromkeys(t.replace('"', "") for t in tokens if t.strip('"')))
    return " OR ".join(f'"{_as_indexed(t, known)}"' for t in unique)


def _as_indexed(token: str, known: Collection[str]) -> str:
    if token.isascii() or token in known:
        return token
    pieces = tokenize(token)
    return " ".join(pieces) if len(pieces) > 1 else token


def unknown_names(titles: Iterable[str]) -> list[str]:
    """Runs of 2–6 Chinese characters jieba leaves as single characters in the articles' titles: mostly
    names its dictionary lacks (呷哺呷哺, 蓝鲨, 镁信), which no keyword of the index spells whole."""
    out: dict[str, None] = {}
    for title in titles:
        for part in re.findall(r"[\u4e00-\u9fff]+", title or ""):
            run = ""
            for word in [*_tokenizer().cut(part, HMM=False), ""]:
                if len(word) == 1:
                    run += word
                    continue
                if 2 <= len(run) <= 6:
                    out[run] = None
                run = ""
    return list(out)
