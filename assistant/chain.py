"""One question, start to finish: follow-up rewriting → retrieval → evidence check → answerer → Answer.

The LLM path is a LangChain LCEL chain (``prompt | ChatOpenAI | StrOutputParser``, see llm.py);
``as_retriever`` exposes the hybrid retriever to any LangChain chain a user builds.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any, Callable, Generator, Iterator

from .answerers import (CAVEAT, NOT_COVERED, QUOTES_CHINESE, SMALL_TALK, AnswerSentence, Evidence,
                        ExtractiveAnswerer, answer_sentences, not_covered)
from .catalog import Catalog
from .citations import Checked, Enforcer, SupportCheck, complete_sentences
from .crosslingual import is_common_word
from .embeddings import Embedder
from .errors import LLMError
from .keywords import dictionary_frequency, tagged_words, tokenize, without_possessive
from .llm import LLMAnswerer
from .prompts import language_of
from .questions import ASKED_FACTS, NOT_NAMES, asked_in, is_small_talk, question_type, without_asking
from .results import Answer
from .retrieval import Filters, HybridRetriever, SearchResult
from .settings import Settings

History = list[tuple[str, str]]

# why a "not covered" answer under filters may not be the last word (Answer.notice; the page says it in its language)
FILTERED_OUT = "the filters left out the articles that answer this: ask again without them"
NO_MATCH = "no article matches the filters"

_FOLLOW_UP = re.compile(r"^(?:那么?|那|还有|而|(?:and\s+)?(?:what|how) about|and|so)\s*(.+?)\s*(?:呢|怎么样|如何|又如何)?\s*[？?]?$",
                        re.I)
_QUESTION_WORD = re.compile(r"什么|多少|多[高大长久远深宽重快贵]|哪|谁|为什么|为何|如何|怎么|怎样|吗|几|是否|"
                            r"\b(?:what|how|who|whom|which|why|when|where|"
                            r"did|does|do|is|are|was|were|can)\b", re.I)
# (not the 其 / 他 / 它 of 其他 / 其它 / 其实 / 尤其, the 该 of 应该, the 此 of 因此 / 如此 / 此外: no reference back)
_REFERENCE = re.compile(r"(?<!其)[它他]|她|(?<![尤极与])其(?![他它实余次])|(?<!应)该|(?<![因如彼从])此(?!外)|"
                        r"这(?:个|家|些|次|笔|款|项|种)|那(?:个|家|些|次|笔|款|项|种)|"
                        r"\b(?:it|its|he|him|his|she|her|they|them|their|this|that|these|those)\b|"
                        # "there" as a place the chat named ("compare there"), not "are there" / "there is"
                        r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b(?! (?:is|are|was|were|be|been|will)\b)|"
                        r"\bthe (?:company|firm|brand|startup|platform|app|deal|order|product|fund|group)\b", re.I)


# what is left of "具体是多少" / "原因是什么" / "How come" without its question words: nothing to search on
_FILLER = re.compile(r"具体|到底|究竟|原因|这样|那样|回事|是|的|了|呢|吗|啊|呀|这|会|\b(?:much|many|exactly|then|so|and|"
                     r"about|the|reason|come|happen|happened|next|cause|caused)\b", re.I)


# 又 before what is asked: "and (of the same subject) …", as in "净利润又有多少？" after "华立科技2021年的营收是多少？"
_IN_TURN = re.compile(r"又(?:有|是|能|会|该|要|在|为|多|怎|如何|几|哪|谁|增|涨|降|占|达)")


# an English question that opens on "And" / "Also" goes on with the chat's subject
_AND_THEN = re.compile(r"(?:and|also)\b", re.I)

# a question that opens on "那" / "还有" / "And" / "What about" goes on with the chat, even when it could stand alone;
# so does a comparison with what the chat was about ("比9月变了多少？", "跟2019年比少了多少？")
_GOES_ON = re.compile(r"(?:那么?|还有|另外|(?:and|also|so|what about|how about|compared (?:to|with))\b|"
                      r"比(?=[\d一二三四五六七八九十上去前同今])|(?:跟|和|与|同)[^，。？?]{1,8}(?:比|相比))", re.I)

# the citation marks an answer's sentences end in
_CITED = re.compile(r"\[\d+\]")


def follow_up_kind(question: str) -> str:
    """How a question asked after others leans on them:
    ``elliptical`` ("那后端呢？", "甘李药业呢？", "And its revenue?"): it is only a fragment of a question;
    ``refers`` ("它的创始人是谁？", "What share does that deal tie up?"): it points back with a pronoun, it is no
    more than a question word ("为什么？", "How much?") or a generic one ("原因是什么？", "How come?"), it opens on
    "And" ("And how many from the US?"), or it is a
    Chinese question of at most five characters that names no one ("利润多少？") or a short one that goes on "in turn"
    ("净利润又有多少？");
    ``standalone``: it may stand on its own ("那后端数字化的典型是什么？") — the chain tries it alone first."""
    q = question.strip().rstrip("？?。.! ")
    m = _FOLLOW_UP.match(q)
    rest = m.group(1) if m else q
    short = len(rest) <= 8 if language_of(rest) == "zh" else len(rest.split()) <= 4
    if (m and short) or (not _QUESTION_WORD.search(rest) and (short or question.strip().rstrip("？? ").endswith("呢"))):
        return "elliptical"
    bare = not _FILLER.sub("", _QUESTION_WORD.sub("", rest)).strip(" ,，")
    untitled = re.sub(r"《[^》]{1,30}》", "《》", q)  # "《这个杀手不太冷静》为什么…": a title's words point at nothing
    if (_REFERENCE.search(untitled) and not _named_before_reference(untitled)) or bare:
        return "refers"  # "为什么？", "原因是什么？", "Why?", "How come?": nothing to search without the history
    if _AND_THEN.match(q):
        return "refers"  # "And how many downloads were there?": of what the chat was about, not of all downloads
    if language_of(rest) == "zh" and len(rest) <= 5 and not re.search(r"[0-9A-Za-z]", rest) and not _names_in(rest):
        return "refers"  # "利润多少？", "谁投资的？": what is asked, not about whom ("谁是马斯克？" names its subject)
    if language_of(rest) == "zh" and len(rest) <= 10 and _IN_TURN.search(rest) and not _names_in(rest):
        return "refers"  # "净利润又有多少？": "and, in turn, …" of what the chat was about
    return "standalone"


_PRONOUN = re.compile(r"it|its|he|him|his|she|her|they|them|their", re.I)


def _named_before_reference(question: str) -> bool:
    """Whether a question names someone or something before the word that points back, which then points at that: in
    Chinese a name jieba tags ("郑州这次楼市新政让它成了…"), in English a capitalised word (not the first) before a pronoun
    ("…, which grew faster: China's imports or its exports?"; not "that deal" or "the company", which point back at the
    chat). Such questions stand on their own: after an unrelated question they were searched with it and lost their
    answers."""
    m = _REFERENCE.search(question)
    if not m:
        return False
    before = question[:m.start()]
    if language_of(question) == "zh":
        return any(len(w) >= 2 and tag.startswith(_NAME_TAGS) for w, tag in tagged_words(before))
    return bool(_PRONOUN.fullmatch(m.group())) and bool(re.search(r"(?<=\S)\s+[A-Z]\w", before))


def rewrite_follow_up(question: str, history: History, in_chinese: Callable[[str], str] | None = None) -> str:
    """Make a follow-up searchable on its own, without an LLM.

    "那后端呢？" after "前端数字化是什么？" becomes "后端数字化是什么？" and "那2019年呢？" after "2021年…有多大？"
    becomes "2019年…有多大？" (a parallel term of the same length and last character is swapped); an English
    reference to a name ("the company", "its") becomes the previous question's name, a Chinese one ("它的成本呢？"
    after "换电模式有哪些优势？") the previous question's topic ("换电模式的成本"); other fragments and
    questions that point back ("它", "that order") are searched together with the previous question, the new
    words first. A follow-up in another language than the previous question ("What about communication costs?"
    after "远程办公的效率如何？", "那后端呢？" after "What does front-end digitalization focus on?") is searched
    with the previous question, the English one of the two in the articles' words (``in_chinese``, the
    retriever's dictionary; ``_together``).
    """
    if not history:
        return question
    previous = previous_question(history, in_chinese)
    answer = history[-1][1]
    q = question.strip()
    kind = follow_up_kind(q)
    if kind == "standalone":
        return q
    new = _own_words(q)
    if in_chinese and language_of(new) != language_of(previous):
        return _together(new, previous, in_chinese)
    among = _AMONG_THEM.match(new) if language_of(new) == "zh" else None
    if among:  # of the previous question's subject, without 其中 ("其中国际…" would read as 中国 to the place check)
        rest, topic = new[among.end():], _zh_referent(previous, answer)
        return topic + rest if topic else _together(rest, previous)
    reference = _ZH_REFERENCE.match(new) if language_of(new) == "zh" else None
    if reference:  # "它的成本呢？": no swap below takes "它的…" for a term
        topic = _zh_referent(previous, answer)
        return (_zh_name_the_reference(new[reference.end():], topic) if topic else "") or _together(new, previous)
    if kind == "elliptical" and language_of(new) == "zh" and len(new) <= 6:
        for i in _parallel_terms(previous, new, _word_boundaries(previous)):
            return previous[:i] + new + previous[i + len(new):]
    if kind == "elliptical" and language_of(new) == "zh":
        swapped = _swap_fact(previous, new) or _swap_name(previous, new)
        if swapped:
            return swapped
    if kind == "refers" or (kind == "elliptical" and language_of(new) == "en"):  # "And its revenue?" too
        named = _name_the_reference(new, previous, answer)
        if named:
            return named
    return _together(new, previous)


def referent(question: str, history: History, in_chinese: Callable[[str], str] | None = None) -> str:
    """The name that ``rewrite_follow_up`` puts in place of the follow-up's "它" / "its" / "the company": the
    previous question's subject ("青禾贸易" for "它的创始人是谁？" after "青禾贸易选了哪款CRM？") or, when that question
    asked for a name, the one its answer gave (``answer_name``); "" when it puts none in."""
    if not history:
        return ""
    previous, new = previous_question(history, in_chinese), _own_words(question.strip())
    if language_of(new) != language_of(previous) or follow_up_kind(question) == "standalone":
        return ""
    if language_of(new) == "zh":
        return _zh_referent(previous, history[-1][1]) if _ZH_REFERENCE.match(new) else ""
    name = _en_referent(new, previous, history[-1][1])  # what _name_the_reference puts in, unless already there
    return name if name and name not in new else ""


READ_BACK = 3  # turns before the previous question that its own reading may lean on


def previous_question(history: History, in_chinese: Callable[[str], str] | None = None) -> str:
    """The previous question as it was searched: a follow-up of a follow-up builds on "它的成本呢？" read as
    "换电模式的成本是什么？", not on the bare fragment (which lost the topic at the third question). Read back
    ``READ_BACK`` turns at most: a long chat of fragments would otherwise grow the query, and its cost, with
    every turn."""
    return rewrite_follow_up(history[-1][0], history[-1 - READ_BACK:-1], in_chinese).strip()


def with_previous(question: str, history: History, in_chinese: Callable[[str], str] | None = None) -> str:
    """A follow-up searched together with the previous question, its own words first (the English one of the
    two in the articles' words when their languages differ)."""
    if not history:
        return question
    return _together(_own_words(question.strip()), previous_question(history, in_chinese), in_chinese)


def _together(new: str, previous: str, in_chinese: Callable[[str], str] | None = None) -> str:
    """A follow-up's own words, then the previous question (without the words that asked its kind, when the follow-up
    asks another: ``questions.without_asking``). When one is English and the other Chinese, the
    English one goes in the articles' words: mixed, the query reads as one language and the other one's words
    are never looked up ("What about communication costs?" after "远程办公的效率如何？" answered "not covered").
    (Swapping a Chinese fragment into an English question's Chinese words, "后端" for "前端", read as a bag of
    words and drew weaker evidence than keeping both.)"""
    if in_chinese and language_of(new) != language_of(previous):
        new, previous = (in_chinese(text) or text if language_of(text) == "en" else text for text in (new, previous))
    return f"{new} {without_asking(previous, question_type(new))}"


def _focus(query: str, previous: str) -> tuple[str, ...]:
    """The Chinese words a follow-up searched together with the previous question adds to it ("会员人数 星光会员累计
    多少分…" → 人数): the answer is the sentences that name one, when some do; the previous question's own words
    would otherwise pick its own answer again. () for any other query. Only for a Chinese follow-up: an English
    one's Chinese words are dictionary glosses the articles may not use ("communication" is 交流, the article's
    sentence says 沟通)."""
    added = _added_words(query, previous)
    before = set(tokenize(previous)) if added else set()
    return tuple(t for t in dict.fromkeys(tokenize(added)) if t not in before and not t.isascii())


def _added_words(query: str, previous: str) -> str:
    """What a follow-up searched together with the previous question put before it (``_together``: "会员人数" of
    "会员人数 星光会员累计…"); "" for any other query."""
    return query[:-len(previous)] if len(query) > len(previous) and query.endswith(previous) else ""


def _own_words(question: str) -> str:
    """A follow-up without its "那 … 呢" / "And …" frame."""
    m = _FOLLOW_UP.match(question)
    return m.group(1).strip() if m else question.rstrip("？?。. ").removesuffix("呢").strip()


# what an English follow-up's "it", "he", "the company" stands for is a name; "that order" points at something else
_SUBJECT_REFERENCE = re.compile(r"\b(?:the (?:company|firm|brand|startup|platform|app|group)|its|his|their|"
                                r"it|he|him|she|her|they|them)\b", re.I)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_EN_NAME = re.compile(r"[A-Z][\w$&'.-]*(?:\s+&?\s*[A-Z][\w$&'.-]*)*")
_EN_OPENERS = {"what", "what's", "who", "who's", "whom", "whose", "how", "when", "where", "which", "why", "in", "on",
               "at", "by", "for", "of", "according", "besides", "did", "does", "do", "is", "are", "was", "were", "after",
               "before", "since", "and", "compared", "between", "among", "the", "a", "an", "to", "from", "with", "as"}

# a country or city is where, seldom what a follow-up's "their" / "its" stands for ("China's securities firms … And
# their net profit?"): without another name, the follow-up is searched with the whole previous question
_EN_PLACES = {"china", "chinese", "us", "u.s", "usa", "america", "american", "japan", "japanese", "korea", "europe",
              "european", "uk", "britain", "india", "hong kong", "beijing", "shanghai", "shenzhen"}


def subject_of(question: str) -> str:
    """The name an English question is about, which the next question's "it" / "he" / "the company" stands
    for: the longest run of capitalised words ("China Fortune Land Development"; the sentence's first word
    only when it is not a question word), or the name it spells in Chinese, as the articles do ("珠江股份" of "How
    much did 珠江股份 (Zhujiang Co.) earn?"). "" for Chinese: jieba cuts names too unreliably for this ("隅田川"
    → "隅 / 田川"), so a Chinese follow-up that points back is searched together with the previous question."""
    if language_of(question) != "en":
        return ""
    spelled = _CJK_RUN.findall(question)
    if spelled:
        return max(spelled, key=len)
    runs = []
    for m in _EN_NAME.finditer(question):
        words = m.group().split()
        if m.start() == 0 and words[0].lower() in _EN_OPENERS:
            words = words[1:]
        name = " ".join(words).strip("'.-")
        name = name[:-2] if name.endswith("'s") else name
        if name and name.lower() not in _EN_OPENERS and name.lower() not in _EN_PLACES:
            runs.append(name)
    return max(runs, key=lambda r: len(r.split()), default="")


def _name_the_reference(question: str, previous: str, answer: str = "") -> str:
    """"How big a stake did Ping An take in the company?" → "…in China Fortune Land Development?": the
    first reference to a name is replaced by the previous question's name (``subject_of``), so the search is
    not diluted by the whole previous question ("Who left as CEO…" drew articles about departures). When the
    reference points at the previous question's answer (``_points_at_the_answer``: "its CEO" after "Which burger
    chain…?"), the name that answer gave stands in (``answer_name``). "" when there is nothing to replace."""
    m = _SUBJECT_REFERENCE.search(question)
    name = _en_referent(question, previous, answer) if m else ""
    if not name or name in question:
        return ""
    word = m.group().lower()
    stand_in = f"{name}'s" if word in ("its", "his", "their") else name
    return (question[:m.start()] + stand_in + question[m.end():]).strip()


def _en_referent(question: str, previous: str, answer: str) -> str:
    """What the first reference of an English follow-up stands for: the previous question's name, or the name
    its answer gave when the reference points at the answer."""
    m = _SUBJECT_REFERENCE.search(question)
    if not m:
        return ""
    if _points_at_the_answer(m.group().lower(), previous):
        return answer_name(previous, answer)
    return subject_of(previous)


_ASKS_FOR_A_PERSON = re.compile(r"^\s*(?:who|whom)\b", re.I)
_ASKS_WHICH = re.compile(r"^\s*which\b", re.I)
_ASKS_WHAT_NAME = re.compile(r"^\s*what\b.*\b(?:called|named)\W*$|^\s*what(?:'s| is| was) the name of\b", re.I)
_PERSONAL = {"he", "him", "his", "she", "her"}


def _points_at_the_answer(word: str, previous: str) -> bool:
    """After "Who founded Xiabuxiabu?", "he" is the founder, the answer, not Xiabuxiabu; after "Which company
    dominates Ultraman cards?" or "What is the device it unveiled called?", "its revenue" is the answer's (but after
    "What's the name of the shop he opened?", "he" is still the person: a thing's name was asked). (After "Who
    resigned as CEO of China Fortune Land Development?", "the company" is still the name.) Such a follow-up is
    searched with the name that answer gave (``answer_name``), or, when it gave none, together with the previous
    question."""
    if _ASKS_WHICH.match(previous):
        return True
    if _ASKS_WHAT_NAME.match(previous):
        return word not in _PERSONAL
    return word in _PERSONAL and bool(_ASKS_FOR_A_PERSON.match(previous))


_NAME_TAGS = ("nr", "nt", "nz", "ns", "eng")


_ZH_REFERENCE = re.compile(r"^(?:它们|它|其(?!中)|该公司|这家公司|这家|该|他们|他|她)")
# "其中国际许可加盟的有多少家？" after "Shake Shack现在全球一共有多少家门店？": "among them", of the previous question's subject
_AMONG_THEM = re.compile(r"^其中[，,]?")
# the previous question's topic: the shortest start that a question's frame follows ("换电模式|有哪些优势")
_ZH_TOPIC = re.compile(r"^(.{2,12}?)(?=的|有|是|在|为什么|为何|如何|怎么|怎样|能否|能|会|要|可以|哪|多少|几)")


def _zh_referent(previous: str, answer: str) -> str:
    """What a Chinese follow-up's "它" / "他" stands for: the previous question's subject (``_zh_subject``), else,
    when that question asked for a name ("被称为“汉堡界的苹果”的是哪个汉堡品牌？"), the name its answer gave."""
    return _zh_subject(previous.strip()) or answer_name(previous, answer)


def _zh_name_the_reference(rest: str, topic: str) -> str:
    """"它的成本" after "换电模式有哪些优势？" → "换电模式的成本": the reference a follow-up opens with (``rest``
    is what follows it) stands for ``topic`` (``_zh_referent``: the previous question's subject, or the name its
    answer gave), so the previous question's own ask ("有哪些优势") does not pull the answer back to it."""
    # "它的成本" / "它成本" → "…的成本"; "它募集了多少" / "它在…" → "…募集了多少", "…在…"
    noun = bool(rest) and not rest.startswith("的") and tagged_words(rest)[0][1].startswith(("n", "eng"))
    return topic + ("的" if noun else "") + rest


# the words before a year or a figure ("特斯拉|2021年交付了…", "华夏幸福|2022年第一季度…")
_ZH_BEFORE_FIGURE = re.compile(r"^(\D+?[\u4e00-\u9fff])(?=\d)")
_ZH_CLAUSE_BREAK = re.compile(r"[\s，,。？?！!：:；;、]")


def _zh_subject(question: str) -> str:
    """What "它" stands for in a question: the words before a year or a figure that comes before the
    question's frame, in their clause ("特斯拉|2021年交付了多少辆车", "在…里，|赛诺菲|2020年…": jieba tags names
    like 呷哺呷哺 or 华夏幸福 as verbs and adjectives), else the opening the frame follows when it ends in a
    noun or a name ("换电模式|有哪些优势"), else that opening's leading nouns and names ("山城咖啡|请了哪位…");
    "" when it opens with a pronoun ("哪家公司…") or a preposition, or has no noun."""
    question = question.removeprefix("请问")
    frame = _ZH_TOPIC.match(question)
    figure = _ZH_BEFORE_FIGURE.match(question)
    if figure and (not frame or len(figure.group(1)) <= len(frame.group(1))):
        opening = _ZH_CLAUSE_BREAK.split(figure.group(1))[-1]  # "在…市场里，|赛诺菲|2020年…"
        if len(opening) >= 2:
            return "" if tagged_words(opening)[0][1].startswith(("r", "p")) else opening
    tagged = tagged_words(frame.group(1)) if frame else []
    if not tagged or tagged[0][1].startswith(("r", "p")):
        return ""
    if tagged[-1][1].startswith(("n", "eng")):
        return frame.group(1)
    lead = ""
    for word, tag in tagged:
        if word.isspace() and lead.isascii():  # "Shake Shack": a name in Latin letters goes on past its space
            lead += word
            continue
        if not tag.startswith(("n", "eng")):
            break
        lead += word
    lead = lead.strip()
    return lead if len(lead) >= 2 else ""


# a question that asks for a name: what its answer names is what the next question's "它" / "its" may mean
_ASKS_A_NAME = re.compile(r"哪|谁|什么(?:公司|品牌|企业|平台|产品|机构|游戏|书|人)|^\s*(?:which|who|whom|"
                          r"what (?:company|firm|brand|startup|platform|app|product|game|book))\b|"
                          + _ASKS_WHAT_NAME.pattern, re.I)
_ANSWER_FRAME = re.compile("|".join(re.escape(t) for t in (*CAVEAT.values(), QUOTES_CHINESE)))
_CITATION_MARK = re.compile(r"\[\d+\]")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9&'’.-]*(?: [A-Z0-9][A-Za-z0-9&'’.-]*)*")  # D’Amelio: a typeset apostrophe
_ANSWER_NAME_TAGS = ("nr", "nt", "nz")
_ACRONYM = re.compile(r"[A-Z0-9&]{2,6}")
# its parts are 1–4 characters; what comes before or after is a function word, a title or no Chinese at all
_TRANSLITERATED = re.compile(r"(?:(?![的是在和与及了把被由对向从])[\u4e00-\u9fff]){1,4}(?:·[\u4e00-\u9fff]{1,4})*"
                             r"·[\u4e00-\u9fff]{1,4}?(?=博士|先生|女士|教授|[的是在和与及了说称表曾等]|[^\u4e00-\u9fff]|$)")


def answer_name(question: str, answer: str) -> str:
    """The name an answer gave to a question that asked for one ("Maple Burger" for "被称为“汉堡界的苹果”的是哪个汉堡
    品牌？" answered "被称为“汉堡界的苹果”的Maple Burger正在…"): the first name in the answer's first sentence that
    the question does not hold — a work's title, a Latin name, or a person, organisation or brand jieba tags
    (not a place); after an English question a Latin name first (its other words are English, the articles'
    Chinese names of them unknown here). "" when the question asked no name or the answer was "not covered"."""
    if not _ASKS_A_NAME.search(question):
        return ""
    text = _ANSWER_FRAME.sub("", answer).strip()
    if not text or any(text.startswith(n) for n in NOT_COVERED.values()):
        return ""
    first = _CITATION_MARK.split(text, maxsplit=1)[0]
    asked = question.lower()
    latin_first = language_of(question) == "en"
    # (rank, offset, name): titles, then (after an English question) Latin names, then by position
    found = [(0, m.start(), m.group(1)) for m in re.finditer(r"《([^《》]{1,30})》", first)]
    person = bool(_ASKS_FOR_A_PERSON.match(question))
    found += [(1 if latin_first else 2, m.start(), m.group().strip(".'’-")) for m in _LATIN_NAME.finditer(first)
              if len(m.group()) >= 3 and m.group().lower() not in NOT_NAMES  # not "RQ", "AI"
              and not (person and _ACRONYM.fullmatch(m.group()))]  # "OCR" is no one's name
    # a foreign person's name in Chinese, "埃德蒙·富尼耶·达尔贝": after "Who invented …?", as likely as a Latin one
    found += [(1 if latin_first else 2, m.start(), m.group()) for m in _TRANSLITERATED.finditer(first) if person]
    found += [(2, offset, name) for offset, name, core in _tagged_names(first) if core.lower() not in asked]
    names = [found_name for found_name in found if found_name[2].lower() not in asked]
    return min(names)[2] if names else ""


def _tagged_names(text: str) -> list[tuple[int, str, str]]:
    """(offset, name, the tagged word) of the people, organisations and brands jieba tags, with the nouns that follow
    them ("云帆" + "科技"), or a one-character surname joined to the word after it ("王" + "海宁")."""
    words = tagged_words(text)
    out, offset = [], 0
    for i, (word, tag) in enumerate(words):
        if tag.startswith(_ANSWER_NAME_TAGS) and _CJK_WORD.fullmatch(word):
            name, j = word, i + 1
            surname = len(word) == 1 and j < len(words) and bool(_CJK_WORD.fullmatch(words[j][0])) \
                and len(words[j][0]) <= 2
            if surname:
                name, j = name + words[j][0], j + 1
            while not surname and j < len(words) and words[j][1] == "n" and _CJK_WORD.fullmatch(words[j][0]) \
                    and len(name + words[j][0]) <= 8:
                name, j = name + words[j][0], j + 1
            if len(name) >= 2:
                out.append((offset, name, word))
        offset += len(word)
    return out


def _names_in(text: str) -> list[tuple[int, str]]:
    """(offset, word) of the words jieba tags as names (people, organisations, places, brands) or does
    not know at all: what a "X呢？" follow-up may stand in for."""
    names, unknown, offset = [], [], 0
    for word, tag in tagged_words(text):
        if len(word) >= 2 and tag.startswith(_NAME_TAGS):
            names.append((offset, word))
        elif len(word) >= 2 and tag in ("x", "n") and not dictionary_frequency(word):
            unknown.append((offset, word))
        offset += len(word)
    return names or unknown


def _word_boundaries(text: str) -> set[int]:
    """Where jieba's words start and end: a parallel term replaces whole words ("前端" → "后端", "2021年" →
    "2019年"), never the middle of two ("美团的营收是多少" + "拼多多" made "美团的营拼多多少")."""
    cuts, offset = {0}, 0
    for word, _ in tagged_words(text):
        offset += len(word)
        cuts.add(offset)
    return cuts


_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")


def _parallel_terms(previous: str, new: str, cuts: set[int]) -> list[int]:
    """Where ``previous`` has a term parallel to ``new`` — another of the same length and last character, whole
    words (``cuts``: ``_word_boundaries(previous)``): 前端 for 后端, 2021年 for 2019年."""
    size = len(new)
    return [i for i in range(len(previous) - size + 1)
            if previous[i:i + size] != new and previous[i + size - 1] == new[-1]
            and not new[-1].isspace() and {i, i + size} <= cuts]


def swapped_term(previous: str, rewrite: str) -> tuple[str, str] | None:
    """(old, new) when ``rewrite`` is ``previous`` with one Chinese term put in place of another ("后端数字化更多聚焦
    什么？" from "前端数字化更多聚焦什么？": (前端, 后端)); None for any other rewrite (the two questions together, a
    name for a reference). A Chinese word searched together with the previous question ("What about back-end?"
    after "前端数字化更多聚焦什么？" is searched as "后端 前端数字化更多聚焦什么？") swaps out the previous question's parallel
    term, if it has exactly one (same length and last character, whole words)."""
    added = _added_words(rewrite, previous)
    if added:
        cuts = _word_boundaries(previous)
        pairs = {(previous[i:i + len(word)], word) for word in added.split()
                 if 2 <= len(word) <= 6 and _CJK_WORD.fullmatch(word) and word not in previous
                 for i in _parallel_terms(previous, word, cuts) if _CJK_WORD.fullmatch(previous[i:i + len(word)])}
        return pairs.pop() if len(pairs) == 1 else None
    start = 0
    while start < min(len(previous), len(rewrite)) and previous[start] == rewrite[start]:
        start += 1
    end = 0
    while end < min(len(previous), len(rewrite)) - start and previous[-1 - end] == rewrite[-1 - end]:
        end += 1
    # widen to whole words: 2021年 / 2019年 differ in two digits; a one-character difference is a word's first
    # character, the parallel terms the rewrite swaps share the last one (前端 / 后端, 优势 / 劣势)
    while start and previous[start - 1].isdigit():
        start -= 1
    while end and previous[len(previous) - end].isdigit():
        end -= 1
    if end and previous[len(previous) - end - 1].isdigit() and previous[len(previous) - end] in "年月日号":
        end -= 1
    if len(previous) - end - start == 1 and end:
        end -= 1
    old, new = previous[start:len(previous) - end], rewrite[start:len(rewrite) - end]
    if not old or not new or len(old) > 12 or len(new) > 12 or not _CJK_WORD.search(old + new):
        return None
    return (old, new) if old not in rewrite and new not in previous else None


def _subjectless(question: str) -> bool:
    """A Chinese question with no noun at all ("预计到2026年会涨到多少？"): of what, only the chat can say."""
    return language_of(question) == "zh" and not any(tag.startswith(("n", "eng")) for _, tag in tagged_words(question))


def _swap_fact(previous: str, new: str) -> str:
    """"归母净利润呢？" after "…合计营收是多少？": a fragment that names another fact (``ASKED_FACTS``) than the one the
    previous question asks for takes the place of its word ("…合计归母净利润是多少？"). Searched together with the
    previous question instead, the answer had to state the revenue as well."""
    named = {fact.name for fact in ASKED_FACTS if fact.asks.search(f"{new}是多少")}
    if not named or new in previous:
        return ""
    for fact in ASKED_FACTS:
        m = fact.asks.search(previous)
        if not m or fact.name in named:
            continue
        start = m.start() + (2 if m.group().startswith("多少") else 0)
        return previous[:start] + new + previous[m.end():]
    return ""


def _swap_name(previous: str, new: str) -> str:
    """"禾木药业呢？" after "…里，鹿童占了多大份额？": the name the fragment replaces is the previous question's
    name closest to it in length (the later one on a tie); the fragment must itself look like a name."""
    if re.match(r"跟|和|与|同|对比|比较|相比", new) or new.endswith(("比", "比较", "相比")):
        return ""  # "跟网易的《木鱼记》比呢？" asks for a comparison, not the same question about another name (比亚迪 does not)
    if not _names_in(new) and not re.search(r"公司|集团|药业|科技|银行|品牌|平台", new):
        return ""
    names = [(i, w) for i, w in _names_in(previous) if w not in new and new not in w]
    if not names:
        return ""
    i, word = min(names, key=lambda p: (abs(len(p[1]) - len(new)), -p[0]))
    return previous[:i] + new + previous[i + len(word):]


class AnswerChain:
    def __init__(self, settings: Settings, retriever: HybridRetriever, catalog: Catalog, embedder: Embedder):
        self.settings = settings
        self.retriever = retriever
        self.catalog = catalog
        self.extractive = ExtractiveAnswerer(settings, embedder)
        self.llm = LLMAnswerer(settings)
        self._quoted: dict[str, tuple[str, ...]] = {}  # chat_articles by answer text, the latest few

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

        if is_small_talk(question):
            yield SMALL_TALK[lang]
            yield Answer(question=question, text=SMALL_TALK[lang], abstained=True, notice=notice,
                         seconds=time.perf_counter() - started)
            return

        notes: list[str] = []  # why the LLM's rewrite of a follow-up was refused, if it was
        query, result, sentences, evidence = self.resolve(question, history or [], answerer, k, filters, notes)
        notice = _join(*notes) or notice

        doubtful = evidence.is_doubtful()
        caveat = CAVEAT[lang] if doubtful else ""

        def answer(text: str, citations=(), abstained=False, used=answerer) -> Answer:
            return Answer(question=question, text=caveat + text if not abstained else text,
                          citations=list(citations), abstained=abstained, doubtful=doubtful and not abstained,
                          passages=result.passages, answerer=used, search_query=query, notice=notice,
                          seconds=time.perf_counter() - started)

        if not question or not result.passages or evidence.is_weak():
            text = not_covered(lang, evidence.unstated, closest=bool(result.passages), unfound=evidence.unfound,
                               absent=evidence.absent)
            if answerer == "llm":
                notice = _join(notice, "the passages found do not match the question well enough; the LLM was not asked")
            if question and filters is not None and not filters.is_empty():
                if not self.resolve(question, history or [], "extractive", k, None, [])[3].is_weak():
                    notice = _join(notice, FILTERED_OUT)
                elif not result.passages:
                    notice = _join(notice, NO_MATCH)
            yield text
            yield answer(text, abstained=True, used="extractive")
            return

        caveat_said = not caveat

        def said_first(sentences: Iterator[str]) -> Generator[str, None, Any]:
            """``sentences``, the caveat once before the first of them (the LLM's or, on its fallback, ours)."""
            nonlocal caveat_said
            while True:
                try:
                    sentence = next(sentences)
                except StopIteration as stop:
                    return stop.value
                if not caveat_said:
                    caveat_said = True
                    yield caveat
                yield sentence

        used = answerer
        if answerer == "llm":
            used = "llm→extractive"
            checked = yield from said_first(self._stream_llm(query if history else question, result.passages, lang))
            if checked.text:
                notice = _join(notice, checked.notice)
                yield answer(checked.text, checked.citations, used="llm")
                return
            if checked.declined:
                notice = _join(notice, checked.problem)  # "the LLM said the passages do not answer the question"
                text = not_covered(lang)
                yield text
                yield answer(text, abstained=True, used="llm")
                return
            notice = _join(notice, f"{checked.problem}; showing the extractive answer instead")
            if checked.kept:
                yield "\n\n"

        text, citations = self.extractive.compose(question, result, sentences)
        if not text:
            text = not_covered(lang, closest=False)
            yield text
            yield answer(text, abstained=True, used=used)
            return
        yield from said_first(self.extractive.stream(text))
        yield answer(text, citations, used=used)

    def ask(self, question: str, **kwargs) -> Answer:
        final = None
        for part in self.stream(question, **kwargs):
            final = part
        assert isinstance(final, Answer)
        return final

    def _stream_llm(self, question: str, passages, lang: str) -> Generator[str, None, Checked]:
        """Yield each sentence of the LLM's reply once it has passed the citation check (citations.py);
        return the check's result. An endpoint failure is returned as its ``problem``, text empty."""
        try:
            prompt = self.llm.prompt(question, passages, lang)
        except LLMError as exc:
            return Checked(text="", citations=[], problem=str(exc))
        enforcer = Enforcer(prompt.passages, SupportCheck(prompt.passages), lang)
        buffer = ""
        try:
            for delta in self.llm.stream(prompt):
                done, buffer = complete_sentences(buffer + delta)
                for sentence in done:
                    if out := enforcer.feed(sentence):
                        yield out
            if buffer and (out := enforcer.feed(buffer)):
                yield out
        except LLMError as exc:
            failed = enforcer.finish()
            failed.text, failed.citations, failed.problem = "", [], str(exc)
            return failed
        return enforcer.finish()

    def resolve(self, question: str, history: History, answerer: str | None = None, k: int | None = None,
                filters: Filters | None = None, notes: list[str] | None = None,
                ) -> tuple[str, SearchResult, list[AnswerSentence], Evidence]:
        """Search for a question in its chat: a follow-up that may stand alone is tried alone first and
        keeps that reading when its evidence holds; otherwise the history-aware rewrite is searched. A rewrite
        that finds weak evidence ("it" became a name the articles never write in English, a term swapped for one
        that is not parallel) is also searched together with the whole previous question, and the stronger of
        the two is kept."""
        k = k or self.settings.k

        def search(query: str, among: Filters | None):
            result = self.retriever.retrieve(query, k, among)
            sentences = answer_sentences(result.info, result, self.settings)
            return query, result, sentences, Evidence.of(result.info, result, sentences, self.settings,
                                                         self.article_text,
                                                         on_its_own=kind in ("", "standalone") and query == question)

        kind = follow_up_kind(question) if history else ""
        # a follow-up is searched first in the article the chat's last answer cited first, and kept there when its
        # evidence holds: "How long after … does it start beeping?" after an answer about AirTag. (The first: in
        # every follow-up of our sets it was the one asked about, and among all the answer's articles, one cited
        # second answered "到年底计划建成多少家？" with its own store plans.)
        chat = self.chat_articles(history)[:1] if kind else ()
        if chat and self.names_elsewhere(question, chat):
            # it names its own subject, which that article never mentions ("…what share of Costco's sales comes from
            # its Kirkland label?" after a question on another article): a new question, whatever its "its" says
            kind, chat = "standalone", ()
        elif kind == "standalone" and not _GOES_ON.match(question) and not _subjectless(question):
            chat = ()

        def attempt(query: str, within_chat: bool = False):
            if not chat:
                return search(query, filters)
            inside = search(query, replace(filters or Filters(), articles=chat))
            if within_chat or not inside[3].is_weak():
                return inside
            outside = search(query, filters)
            held, found = inside[3], outside[3]
            if not held.misses_the_subject_or_fact() and found.is_doubtful():
                # below the threshold in the chat's article by its probability alone, while all articles give an answer
                # with the caveat too: the chat's article's, with the caveat ("和9月比降了多少？" found a sentence on
                # housing sales elsewhere; it abstains no less often than before)
                return (*inside[:3], held.with_caveat())
            return outside

        alone = None
        if kind == "standalone":
            # one that goes on and names nothing ("那到2020年涨到多少了？") is of the chat's article: found elsewhere, it
            # is of whatever article has a figure for 2020 (jieba tags no noun in "骁龙888为什么…" either, which may
            # stand alone)
            alone = attempt(question, within_chat=bool(_GOES_ON.match(question)) and _subjectless(question))
            if not alone[3].is_weak():
                return alone
        condensed = self.condensed(question, history, answerer, notes)
        query = (condensed or rewrite_follow_up(question, history, self.retriever.in_chinese)) if history else question
        found = alone if alone is not None and query == question else attempt(query)
        # a follow-up that reads as a question of its own ("到2021年变成多少了？", "杠杆放大了多少倍？") but finds nothing
        # alone leans on the previous question all the same
        if not condensed and kind and found[3].is_weak():
            subject = referent(question, history, self.retriever.in_chinese)
            # when the articles know what "它" stands for, not the asked fact, "not covered" stands; else the
            # name put in place of "it" may be one the articles never write in English ("China Fortune Land
            # Development" is 华夏幸福), the topic put in place of "它" may be cut wrong, a swapped term may not
            # be parallel: the previous question's other words may still reach the article
            known = subject and any(subject.lower() in f"{p.title} {p.text}".lower() for p in found[1].passages[:3])
            fallback = with_previous(question, history, self.retriever.in_chinese)
            if not known and fallback != query:
                found = max(found, attempt(fallback), key=lambda got: (not got[3].is_weak(), got[3].answerable))
        if history and not condensed:  # whichever was kept: "充电 换电一次要多久？" swaps out 换电 too
            previous, info = previous_question(history, self.retriever.in_chinese), found[1].info
            info.swapped = self._swapped(question, previous, found[0])
            info.answered_before = history[-1][1] if info.swapped else ""
            if info.swapped is None and language_of(question) == "zh":  # an English one's words are glosses
                info.focus = _focus(found[0], previous)
                info.focus_asked = asked_in(_added_words(found[0], previous)) if info.focus else ()
            elif info.swapped is None and found[0] != question:
                # an English follow-up searched with the previous question asks what its own words do: "And what about
                # downloads that year?" is not answered first by sentences stating the revenue the previous one asked
                info.own_asked = asked_in(question)
        return found

    def chat_articles(self, history: History) -> tuple[str, ...]:
        """The articles the chat's last answer quotes, the first cited first. Every follow-up of our question
        sets (26 of 26) asks about one of them. Read from the answer's text, so a chat that any client sends
        back works: the end of each sentence before a citation mark is looked up in the keyword index and
        counts where a passage holds it verbatim. () when the answer quotes nothing (it abstained, or an LLM
        wrote it in its own words)."""
        text = history[-1][1] if history else ""
        if text not in self._quoted:
            found: dict[str, None] = {}
            for part in _CITED.split(text)[:-1]:
                tail = re.sub(r"\s+", "", part)[-24:]
                if len(tail) < 8:
                    continue
                hits = self.catalog.keyword_search(tokenize(part[-60:]), 5)
                rows = self.catalog.chunks([cid for cid, _ in hits])
                found.update((rows[cid].article_id, None) for cid, _ in hits
                             if cid in rows and tail in re.sub(r"\s+", "", rows[cid].text))
            if len(self._quoted) > 256:
                self._quoted.clear()
            self._quoted[text] = tuple(found)[:3]
        return self._quoted[text]

    def article_text(self, article_id: str) -> str:
        """An article's title, headings and text, lower-cased."""
        return " ".join(f"{row.title} {' '.join(row.headings)} {row.text}"
                        for row in self.catalog.article_chunks(article_id)).lower()

    def names_elsewhere(self, question: str, articles: tuple[str, ...]) -> bool:
        """Whether the question names things (Latin or romanised names, quoted titles; in Chinese the people,
        organisations and brands jieba tags) and none of them occurs in ``articles`` (an English name in the
        words the articles use for it: "Ping An" is 平安)."""
        alternatives: dict[str, tuple[str, ...]] = {}
        if language_of(question) == "en":
            info = self.retriever.question_info(question)
            names, alternatives = [a for a in info.anchors if not re.fullmatch(r"[\d.,%]+", a)], info.alternatives
            opening = re.match(r"\W*([A-Za-z][\w'’-]*)", question)
            if opening and names and names[0] == without_possessive(opening.group(1).lower()) and is_common_word(
                    opening.group(1), self.settings.glossary):
                names = names[1:]  # capitalised because it opens the question
        else:
            names = [w.lower() for _, w in _names_in(question)]
        if not names:
            return False
        rows = self.catalog.chunks([cid for _, cid in self.catalog.chunks_of(set(articles), 2000) or []])
        text = " ".join(f"{row.title} {row.text}" for row in rows.values()).lower()

        def mentioned(name: str) -> bool:  # a Latin name as a word ("us" is not in "business")
            return bool(re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", text)) or any(
                w in text for w in alternatives.get(name, ()))

        return not any(mentioned(name) for name in names)

    def _swapped(self, question: str, previous: str, query: str) -> tuple[str, str] | None:
        """``swapped_term`` of the query searched; for an English chat, of the two questions in the articles'
        words ("And what about charging?" after "How long does a battery swap take?": 充电 for 换电)."""
        in_chinese = self.retriever.in_chinese
        swapped = swapped_term(previous, query)
        if swapped is None and language_of(question) == language_of(previous) == "en":
            glossed = in_chinese(previous)
            new = in_chinese(_own_words(question.strip()))
            swapped = swapped_term(glossed, f"{new} {glossed}") if glossed and new else None
        return swapped

    def condensed(self, question: str, history: History, answerer: str | None = None,
                  notes: list[str] | None = None) -> str:
        """The LLM's standalone rewrite of a follow-up, when the LLM answers and is configured; "" otherwise
        (the rule-based rewrite is searched then). A refused rewrite (empty, unchanged, rambling) gives "" too,
        and ``notes`` says why."""
        if history and (answerer or self.settings.answerer) == "llm" and self.llm.configured:
            try:
                return self.llm.condense(question, history)
            except LLMError as exc:
                if notes is not None:
                    notes.append(f"{exc}; searched the rule-based rewrite instead")
        return ""


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)
