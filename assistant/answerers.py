"""Answer writers. Both turn (question, retrieved passages) into text with ``[n]`` citations.

``ExtractiveAnswerer`` (the default) runs offline and never invents a word: it picks the sentences of
the retrieved passages that most likely state the answer (a learned model over the sentence's cosine and
learned affinity with the question, shared keywords and anchors, its heading, and whether it has what the
question asks for: a quantity in the asked unit for "多少起", a name the question does not already hold for
"谁 / which", a reason for "为什么") and
strings the best one to three together, each followed by its citation. The LLM answerer lives in
``llm.py``. Both refuse to answer on weak evidence (``Evidence.is_weak``: a learned model too, so near
misses — a company the articles know, a fact they don't state — are caught).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator, Sequence

import numpy as np

from .chunking import in_reference_entry, is_prose, passage_sentences
from .citations import bigrams
from .embeddings import Embedder
from .keywords import dictionary_frequency, tagged_words, tokenize, without_possessive
from .prompts import language_of
from .questions import (NOT_NAMES, Asked, AskedFigure, AskedMonth, AskedPlace, QuestionInfo, a_figure, asking_words,
                        dated, model_names, names_a_person, same_model, states_unit)
from .ranking import Affinity, load_affinity, load_model, names_something_new, sentence_cues, type_match
from .results import Citation, Passage
from .retrieval import SearchResult
from .settings import Settings

NOT_COVERED = {"zh": "资料中没有找到相关内容。", "en": "The articles don't cover this."}
# after NOT_COVERED when the question names a fact no close sentence states: says what is missing
NOT_STATED = {"zh": "最接近的句子没有说明{}。", "en": "The closest sentences do not state the {}."}
# after NOT_COVERED when a name the question gives is in none of the passages found
NOT_MENTIONED = {"zh": "找到的段落都没有提到{}。", "en": "None of the passages found mentions {}."}
# after NOT_COVERED when a name the question gives is not in the article of the closest sentence
NOT_IN_ARTICLE = {"zh": "最接近的文章没有提到{}。", "en": "The closest article does not mention {}."}
CLOSEST = {"zh": "以下是最接近的段落，供参考：", "en": "The closest passages are listed below for reference."}
CAVEAT = {"zh": "（把握不大：资料可能没有直接说明这一点，请核对引文。）\n",
          "en": "(Low confidence: the articles may not state this directly; check the citations.)\n"}
QUOTES_CHINESE = "Quoted from the Chinese articles (not translated):\n"
SMALL_TALK = {"zh": "我根据已收录的文章回答问题，每句话都注明出处。请直接提问，例如某家公司的融资、某项数据或某个行业趋势。",
              "en": "I answer questions from the indexed articles, citing the passage behind every sentence. Ask "
                    "about a company, a figure or a trend they report."}


# -- evidence and abstention -----------------------------------------------------------------

def not_covered(lang: str, unstated: tuple[Asked, ...] = (), closest: bool = True,
                unfound: tuple[str, ...] = (), absent: tuple[str, ...] = ()) -> str:
    """The abstention: "not covered", the names the question gave that no passage found (or the closest
    sentence's article) holds, what it asked for that no close sentence states, and the closest passages' lead-in
    when there are passages to show."""
    text = NOT_COVERED[lang]
    space = "" if lang == "zh" else " "
    for names, message in ((unfound, NOT_MENTIONED), (absent, NOT_IN_ARTICLE)):
        if names:
            text += space + message[lang].format("、".join(names) if lang == "zh" else " or ".join(names))
    if unstated:
        missing = "、".join(f.name for f in unstated) if lang == "zh" else " or the ".join(f.name_en for f in unstated)
        text += space + NOT_STATED[lang].format(missing)
    return text + ("\n" + CLOSEST[lang] if closest else "")


@dataclass
class Evidence:
    """How well the retrieved passages answer the question; the abstention model reads ``features``."""

    features: dict[str, float]
    answerable: float = 1.0  # the abstention model's probability that the evidence answers the question
    threshold: float = 0.5  # below it: "not covered" (calibrated on held-out folds, see ranking.py)
    hedge: float = 0.0  # below it (and not below ``threshold``): answered with a caveat
    # what the question asks for that none of the best sentences states: the facts it names, the year, month or part
    # of the year it dates them to, the funding round, a sum, a count, the place, the numbered season, the year asked,
    # a thing's name, the kind of place, the day
    # (questions.Asked)
    unstated: tuple[Asked, ...] = ()
    unfound: tuple[str, ...] = ()  # the names the question gives that none of the passages found holds
    absent: tuple[str, ...] = ()  # the names the question gives that the closest sentence's article never mentions

    @classmethod
    def of(cls, info: QuestionInfo, result: SearchResult, sentences: list["AnswerSentence"],
           settings: Settings, article_text: Callable[[str], str] | None = None,
           on_its_own: bool = True) -> "Evidence":
        """``article_text``: an article's whole text by its id (lower-cased), to check the closest one names what
        the question does; without it, it is not checked. ``on_its_own``: a question read without the chat, which
        no sentence resembling an answer makes off topic (a follow-up's reading leans on the chat: "When was the
        company set up?" searched with the previous question finds the founding sentence at 0.003), whose 《work》
        must be named where its figure is (``AskedTitle``) and whose likeliest sentence alone counts for a Chinese
        one."""
        model = load_model("abstain", settings.models_dir)
        features = evidence_features(info, result, sentences)
        probability = float(model.proba(np.array([[features.get(n, 0.0) for n in model.features]]))[0])
        if on_its_own and features["p_best"] < _ANSWER_LIKE_FLOOR:  # nothing found reads like an answer: off topic
            probability = 0.0
        unfound = names_not_found(info, result)
        if on_its_own and features["p_best"] < _UNWRITTEN_FLOOR and info.type != "compare":
            unfound += info.unwritten_terms
        return cls(features, probability, settings.abstain_below or model.threshold,
                   settings.hedge_below or model.hedge, unstated_facts(info, result, sentences, on_its_own), unfound,
                   names_the_article_lacks(info, result, sentences, article_text) if article_text else ())

    def misses_the_subject_or_fact(self) -> bool:
        """Whatever the model says: the closest sentences do not state what the question asks, or the passages
        are not about what it names."""
        return bool(self.unstated or self.unfound or self.absent)

    def is_weak(self) -> bool:
        """Too unlike an answer for the model, not stating the fact the question names, or not about the thing
        it names."""
        return self.answerable < self.threshold or self.misses_the_subject_or_fact()

    def is_doubtful(self) -> bool:
        """Answerable, but in the band where near misses and answerable questions mix: say so."""
        return not self.is_weak() and self.answerable < self.hedge

    def with_caveat(self) -> "Evidence":
        """The same evidence answered whatever its probability, with the caveat (below the threshold it is below the
        hedge bound too, unless caveats are turned off): a chat's article whose answer is below the threshold, when
        every article gives one no better (``AnswerChain.resolve``)."""
        return replace(self, threshold=min(self.threshold, self.answerable))


# the likeliest sentence's probability below which nothing found answers the question, whatever the abstention model
# makes of the rest (its weights are linear in that probability): "What is the boiling point of liquid nitrogen?"
# (0.001) and "…a red wine stain out of a carpet?" (0.003) were answered from an AlphaFold article. Of our sets' 1,017
# answerable 36kr questions none had its likeliest sentence below 0.0077, of their 538 unanswerable ones 7 below the
# floor; no CMRC answer changed.
_ANSWER_LIKE_FLOOR = 0.005
# below it, an English question's terms no article holds (``QuestionInfo.unwritten_terms``) say it is off topic: "What
# is the boiling point of liquid nitrogen in degrees Celsius?" (0.016, answered with a 3000-degree sentence; 12 of our
# helpers' sets asked it). Our sets' answerable English questions with such a term, read on their own: 0.04 and above
_UNWRITTEN_FLOOR = 0.02

# of the likeliest sentence's probability: in our sets, answerable questions whose fact the second sentence states had
# it at 0.82 of the first and above, near misses whose second sentence states the fact told of another at 0.77 and below
_NEAR_TIE = 0.8
# an English question's second and third sentences count when at least a third as likely as the first: below that they
# are the passage's other sentences, one of which names the year or place asked in passing (in our sets, answerable
# English questions whose fact only the second or third sentence states had it at 0.42–0.62 of the first); so do a
# follow-up's, searched with the chat ("那它的估值呢？" found the valuation third, at 0.44 of the first)
_LIKELY = 1 / 3


def unstated_facts(info: QuestionInfo, result: SearchResult, sentences: list["AnswerSentence"],
                   on_its_own: bool = True) -> tuple[Asked, ...]:
    """The facts the question asks for by name ("创始人", "valuation") when the likeliest answer sentences (or their
    headings) hold the words of none of them: the articles talk about the company, not about that. For a Chinese
    question only the likeliest sentence counts: in a near miss the next ones state the fact of another company
    ("木鱼茶饮的创始人李青…" for "山城咖啡的创始人是谁？"), and in each of the 7 answerable Chinese questions of our
    sets that name a fact the likeliest states it. An English question's probabilities are flatter (the likeliest
    sentence's median 0.13, a Chinese one's 0.41) and its answer is often the second or third: three count, when
    they are at least a third as likely as the first.
    The year a number question dates its figure to must be stated on its own: "2021年全年的营收" is not answered
    by a sentence on 2020's revenue (``questions.AskedYear``), nor by one on its first three quarters (``AskedPeriod``),
    nor "Pre-A轮" by one on the A round (``AskedRound``), nor "花了多少钱" by one giving no sum (``AskedAmount``), nor
    "卖出多少份" by one counting nothing in 份 (``AskedCount``), "叫什么名字" by one naming nothing (``AskedName``), "哪个城市" by one
    naming no city (``AskedPlaceKind``), "哪天" by one giving no day (``AskedDate``), nor
    Shanghai's store count by a list of other cities (``AskedPlace``), nor a third season by the first two
    (``AskedOrdinal``), nor "哪一年" by a sentence giving no year (``AskedTime``), nor "什么时候开业" by one giving no
    time at all (``AskedWhen``), nor "去了哪家公司" by one naming no company (``AskedOrganisation``), nor "多长时间" by one
    giving no duration (``AskedMeasure``), nor — read on its own (``on_its_own``) — "《原神》…的收入" by a sentence on
    all the games (``AskedTitle``), nor "RTX 3090的售价" by a sentence on the GTX1060's (``AskedModel``). One sentence
    must state all of what is asked: "微博2021年第四季度的营收" is not answered by one sentence on the fourth quarter and
    another on the year."""
    groups = info.asked_groups(titles=on_its_own)
    if not sentences:
        return ()
    ranked = sorted(sentences, key=lambda s: -s.probability)
    # a day's final figure, when the likeliest sentences' articles were written before that day
    late = tuple(x for x in info.outcomes if all(x.after(result.passages[s.passage].date) for s in _near_ties(ranked)))
    return late or _unstated(info, result, ranked, groups, on_its_own) or _no_figure(info, ranked)


def _near_ties(ranked: list["AnswerSentence"]) -> list["AnswerSentence"]:
    """The likeliest sentence and those at least ``_NEAR_TIE`` as likely (``ranked``: likeliest first)."""
    return [s for s in ranked if s.probability >= _NEAR_TIE * ranked[0].probability]


def _no_figure(info: QuestionInfo, ranked: list["AnswerSentence"]) -> tuple[Asked, ...]:
    """A number question's likeliest sentences give a figure, whatever it names: "博原资本首期基金的规模有多大？" is not
    answered by the fund's founding. A Chinese question's near ties count, an English one's five likeliest (its answer
    is often further down: "…可以检测出50多种癌症" fourth for "How many types of cancer can it detect?"); not "几种 / 第几区",
    answered in words as often ("白色与黑色两种", "属第三区": 6 CMRC questions)."""
    if info.type != "number" or "几" in info.text:
        return ()
    top = ranked[:5] if info.lang == "en" else _near_ties(ranked)
    return () if any(a_figure(s.text) for s in top) else (AskedFigure(),)


def _unstated(info: QuestionInfo, result: SearchResult, ranked: list["AnswerSentence"], groups: tuple,
              on_its_own: bool) -> tuple[Asked, ...]:
    """``unstated_facts`` of the groups asked, ``ranked`` the sentences likeliest first."""
    if not any(groups):
        return ()
    # a sentence as likely as the likeliest counts too ("2021年，其GDP总量…" at 0.77 after 2020's at 0.81); so do the likely
    # ones of a when-question naming its event: the time of filming, then of the release ("…8月18日结束。2008年12月20日在日本
    # 上映。", at 0.79 of the first, for "…什么时候在日本上映的？")
    flat = info.lang == "en" or not on_its_own or any(x.event for x in info.times)
    best = [s for i, s in enumerate(ranked) if i == 0 or s.probability >= _NEAR_TIE * ranked[0].probability
            or (flat and i < 3 and s.probability >= _LIKELY * ranked[0].probability)]
    # told of the thing the question names: the passages found in the sentence's article hold one of its names (read
    # with the spaces some articles put between figures and Chinese, "2021 年 6 月", taken out as well)
    texts = [f"{p.heading} {p.text}".lower() for p in result.passages]
    texts = [f"{text} {text.replace(' ', '')}" for text in texts]
    names = subject_names(info, texts)
    about = {p.source for p, text in zip(result.passages, texts) if any(_holds(info, n, text) for n in names)}
    best = [s for s in best if not names or result.passages[s.passage].source in about]
    if info.type == "number" and (own := _own_names(info, on_its_own)):
        peers = listed_with(own, texts)
        best = [s for s in best if not _told_of_another(info, own, s.text, result.passages[s.passage].heading, peers)]
    # a figure asked is stated by a sentence giving one: "How many Shake Shack stores are there in Guangzhou?" is not
    # answered by a near tie naming the Guangzhou store beside the figures for Hong Kong and the mainland. The likeliest
    # sentence stays: its passage may give the figure further on (an unread question abstained when it went)
    if info.type == "number" and any(a_figure(s.text) for s in best):
        best = [s for n, s in enumerate(best) if n == 0 or a_figure(s.text)]
    said = [(dated(s.text, result.passages[s.passage].date), result.passages[s.passage]) for s in best]

    # the kinds each sentence states; a kind is stated by a sentence stating one of its facts (a question that names
    # two, "…收盘，谁的市值更高？", is answered by a sentence stating one of them); a place, by one whose passage is on it
    def states_one(group: tuple[Asked, ...], text: str, passage: Passage) -> bool:
        return any(x.stated_in(text, passage.heading, passage.text) if isinstance(x, AskedPlace)
                   else x.stated_in(text, passage.heading) for x in group)

    groups = [g for g in groups if g]
    states = [[g for g in groups if states_one(g, text, passage)] for text, passage in said]
    missed = sum((g for g in groups if not any(g in row for row in states)), ())
    if missed or len(groups) < 2:
        return missed
    # each asked fact stated, but by different sentences: the one stating most of them misses the rest
    most = max(states, key=len)
    return () if len(most) == len(groups) else sum((g for g in groups if g not in most), ())


# a figure and what comes before it, past a source clause ("据联商网统计，…", "财报显示，…") and the dates
_FIRST_FIGURE = re.compile(r"\d+(?:\.\d+)?(?!\d)(?!\s*[年月日号])")
_SOURCE_CLAUSE = re.compile(r"^[^，。]{0,20}?(?:据|根据)[^，。]{0,30}?(?:显示|统计|数据|报道|透露|披露|介绍|消息)[，,：:]?|"
                            r"^[^，。]{0,20}?(?:数据|报告|财报|公告|招股书)显示[，,：:]?")


def _own_names(info: QuestionInfo, on_its_own: bool = True) -> list[str]:
    """The names a question tells its figure of: a Chinese question's proper names, an English one's Latin words."""
    if info.lang == "zh":
        names = list(_chinese_names(info))
        # what opens "货拉拉2021年的营收是多少？" is its subject, whatever jieba makes of it (货 + 拉拉, 返利 + 科技)
        m = _OPENING_SUBJECT.match(info.text)
        subject = _ASKING_VERB.sub("", m.group(1)) if m else ""  # "阳光城预计2021年…": 阳光城
        if len(subject) >= 2 and not _SCOPE.fullmatch(subject) and subject[0] not in "这该那其它此本" and not any(
                subject in n for n in names):
            names = [n for n in names if n not in subject] + [subject]  # "南岸卡牌", not jieba's "卡牌"
        return names
    if info.lang != "en":
        return []
    # nor a month ("January": every sentence on 1月 holds it), "IPO" or "CEO", nor a place asked (``AskedPlace``: "US")
    # in a question read on its own: a follow-up searched with the previous one ("And what about Costco's Kirkland
    # brand?" after a question on the US market) finds the previous question's figure told of the place
    places = {e for x in info.places for e in x.english} if on_its_own else set()
    return _without_company_kind([a for a in info.anchors if a not in info.sources and _LATIN_WORD.fullmatch(a)
                                  and not _TIME_WORD.fullmatch(a) and a not in NOT_NAMES and a not in places])


# the word for a company's kind or trade in its English name ("Yurun Group", "Aibo Medical", "Boyuan Capital"): the
# Chinese for it (集团, 医疗, 资本) is in any article on another such company, and tells nothing of which one a sentence
# is about
_COMPANY_KIND = re.compile(r"group|holdings?|company|corp|corporation|inc|ltd|limited|co|medical|biotech|pharma|"
                           r"technology|technologies|tech|capital|securities|bank|real|estate|development")


def _without_company_kind(names: list[str]) -> list[str]:
    """``names`` without the words for a company's kind, unless nothing else is left."""
    return [n for n in names if not _COMPANY_KIND.fullmatch(n)] or names


_LATIN_WORD = re.compile(r"[a-z][a-z&.'-]+")  # an anchor that is a word, not a figure or a model
_OPENING_SUBJECT = re.compile(r"(?:请问|想问一下|问一下|我想知道|那么)?([\u4e00-\u9fff]{2,6})(?:在|的)?(?:19|20)\d{2}\s*年")
_ASKING_VERB = re.compile(r"(?:预计|计划|预期|打算|将|要|会|目前|现在|一共|总共|累计|实际|最终)+$")
_SCOPE = re.compile(r"全国|中国|我国|国内|全球|世界|海外|国际|行业|整个|今年|去年|前年|截至|截止|到|从|自|在")


def _told_of_another(info: QuestionInfo, names: list[str], text: str, heading: str,
                     peers: set[str] = frozenset()) -> bool:
    """Whether a sentence tells its figure of another company or brand than the one a number question names (a Chinese
    question's proper names, an English one's Latin words): it holds none of them, and before its figure names one
    (jieba's organisations and brands, in Latin letters, quoted, by its trade: "华立科技", or listed beside the
    question's own in the passages found: ``peers``, ``listed_with``) that neither the question, its Chinese words nor
    the sentence's heading does, or names what its heading does when the heading does not name the question's
    (``_heading_subject``):
    "2021年，家乐福也关闭了20多家门店" for "步步高2021年关闭了多少家门店？", "诺和诺德有19款产品入围" for 通化东宝's. In our sets it made
    3 near misses abstain, the names added since (listed, quoted, by trade, the heading's; the question's opening words
    as its subject) 13 more, and changed no answer to an answerable question."""
    if any(_holds(info, n, text.lower()) for n in names):
        return False
    m = _FIRST_FIGURE.search(text)
    before = _SOURCE_CLAUSE.sub("", text[:m.start()] if m else text)
    asked = f"{info.text} {info.glossed()}".lower()
    known = f"{asked} {heading.lower()}"
    if any(p in before.lower() and p not in known for p in peers):
        return True
    if _heading_subject(before, heading, asked, names):
        return True
    # and, for an English question, jieba's persons ("比亚迪1月卖出9.5万辆" for Changan's sales): in a Chinese one they are as
    # often its misreadings of the question's own subject (two CMRC questions on a plant and a bank abstained)
    tags = ("nt", "nz", "nr") if info.lang == "en" else ("nt", "nz")
    others = [w for w, tag in tagged_words(before) if tag in tags and len(w) >= 2]
    others += [w for w in re.findall(r"[A-Za-z][A-Za-z0-9&.-]{2,}", before) if w.lower() not in NOT_NAMES]
    others += re.findall(r"“([^”]{2,12})”", before)
    others += [w for w in _COMPANY_WORD.findall(before) if w[0] not in "这该此本其各每多几两三全上我他她它"]
    return any(w.lower() not in known and not _INVESTED.match(before, before.find(w) + len(w)) for w in others)


# the investors a funding sentence names before its sum, not the company that raised it: "该团队刚刚在 Redalpine 和 Stride
# 共同领投的 A 轮融资中获得了 1000 万欧元" for "How much did Knowunity raise in its Series A?" (a false abstention of ours)
_INVESTED = re.compile(r"[^，。；;]{0,20}?(?:领投|跟投|参投|注资)")

# a company by its trade ("华立科技", "嘉陵置业"), which jieba cuts into a name and a noun; not an investor
# ("公司去年获得山海资本投资，估值达到20亿元" tells of the company's valuation) nor "公司" itself ("同时公司去年…")
_COMPANY_WORD = re.compile(r"[\u4e00-\u9fff]{2}(?:科技|集团|控股|置业|地产|汽车|电子|医疗|传媒|药业|食品|生物)")


def _heading_subject(before: str, heading: str, question: str, names: list[str]) -> bool:
    """Whether the words before a sentence's figure name its article's subject, as its heading does, when that is not
    the question's: "2021年，快狗打车的营收为6.61亿元" under "…快狗打车4年烧掉28亿…" for "货拉拉2021年的营收是多少？". A run of three
    Chinese characters or more that the heading holds and of which the question holds no two."""
    heading = heading.lower()
    if any(n.lower() in heading for n in names):
        return False
    for i in range(len(before) - 2):
        run = before[i:i + 3]
        if (re.fullmatch(r"[\u4e00-\u9fff]{3}", run) and run in heading
                and not any(run[j:j + 2] in question for j in range(2))):
            return True
    return False


# an enumeration ("预亏房企有华夏幸福、阳光城、铁岭新城、…、蓝光发展等"): its items are names of one kind
_LISTED = re.compile(r"[\u4e00-\u9fffA-Za-z0-9&.]{2,16}(?:、[\u4e00-\u9fffA-Za-z0-9&.]{2,16})+")
_LIST_OPENS = re.compile(r"^.*(?:包括|包含|分别是|分别为|比如|例如|如|有|是|为|的)")
_LIST_CLOSES = re.compile(r"等.*$")  # "…和渝北发展等": the last two items


def listed_with(names: list[str], texts: list[str]) -> set[str]:
    """The names listed beside a question's own in the passages found (lower-cased): jieba tags 华夏幸福 and 蓝光发展 as a
    place and a person, and "…当属华夏幸福，…" tells of another developer than 阳光城, listed with it."""
    own = [n.lower() for n in names]
    peers: set[str] = set()
    for text in texts:
        for run in _LISTED.finditer(text):
            items = run.group().split("、")
            items[0] = _LIST_OPENS.sub("", items[0])
            items[-1:] = re.split(r"以及|和|及|与", _LIST_CLOSES.sub("", items[-1]))
            items = [i for i in items if 2 <= len(i) <= 8]
            if any(n in i for i in items for n in own):  # "新城" of "南岸新城" (jieba's name of the two)
                peers.update(i for i in items if not any(i in n or n in i for n in own))
    return peers


def _holds(info: QuestionInfo, name: str, text: str) -> bool:
    """Whether ``text`` holds ``name`` or, for a Chinese word of four characters or more, its two halves: jieba reads
    "包装食品行业" as "食品行业", and the answer's passage may write "包装食品占到了全行业规模"."""
    if info.has(name, text):
        return True
    return len(name) >= 4 and bool(re.fullmatch(r"[\u4e00-\u9fff]+", name)) and any(
        name[:i] in text and name[i:] in text for i in range(2, len(name) - 1))


def subject_names(info: QuestionInfo, found: list[str]) -> list[str]:
    """What the question asks the fact of, as far as the passages found (``found``: their headings and texts,
    lower-cased) know it: its names (anchors other than figures and source clauses' names) and its rarest keyword, in
    a Chinese question a noun ("智飞" of "智飞生物2021年…"). A near miss whose subject one article covers finds the asked
    fact told of another company in another article ("4399's revenue" → "2021年有赞的主要收入…"); only names some
    passage found holds count. The words that ask ("多少钱", "的创始人", "票房") name no subject, nor do the words that
    contain them ("电影票房") or date the fact ("月份", "fourth quarter"): "钱" is rarer than "咖啡"."""
    # nor do the words naming the round asked ("Series A round": no passage on 虎头局's A轮 holds "series")
    naming_round = {"series", "round"} if info.rounds else set()
    names = [a for a in info.anchors if a not in info.sources and not _FIGURE.fullmatch(a) and a not in naming_round]
    nouns = set()
    if info.lang == "zh":  # jieba cuts unknown Chinese runs into words of its own ("2021年全行业" → "年全"): a noun names
        nouns = {w.lower() for w, tag in tagged_words(info.text) if tag.startswith(("n", "eng"))}
    asking = asking_words(info.text, info.asked).lower().split()
    rarest = max((t for t in info.tokens if t not in info.sources and t not in naming_round
                  and not any(a in t or t in a for a in asking)
                  and not _TIME_WORD.fullmatch(t) and not _MEASURE_WORD.fullmatch(t)
                  and (t in nouns if info.lang != "en" else not _a_verb(info, t))),
                 key=lambda t: info.idf.get(t, 1.0), default="")
    names += [rarest] if rarest and rarest not in names else []
    return [n for n in _without_company_kind(names) if any(info.has(n, text) for text in found)]


def _a_verb(info: QuestionInfo, token: str) -> bool:
    """Whether an English word is a verb, as its first Chinese equivalent is tagged: "shut" (关闭) in "how many
    e-commerce companies shut down" names no subject, and the article writes 倒闭."""
    first = info.alternatives.get(token, ("",))[0]
    return bool(first) and tagged_words(first) == [(first, "v")]


_FIGURE = re.compile(r"[\d.,%]+")
# what a figure measures names no subject either, and the articles say it in other words: "…销量同比涨幅差了多少？" is
# answered by "蔚来销量同比增幅为33.6%"
_MEASURE_WORD = re.compile(r"[涨增跌降]幅|增速|增长率|[占比]比|比例|比重|规模|总[额量]|均价")
# "10月份", "June", "fourth quarter": they date the fact and name no subject ("fourth" is held by every passage on a
# fourth quarter)
_TIME_WORD = re.compile(r"\d*(?:月份?|年份?|年度|季度)|[上下]半年|全年|今年|去年|前年|明年|本月|上月|"
                        r"january|february|march|april|may|june|july|august|september|october|november|december|"
                        r"first|second|third|fourth|quarter|quarterly|half|annual|full-year|year|month")
_MODEL_NAME = re.compile(r"^(?=.*[a-z])(?=.*\d)")  # an anchor with letters and digits: "su7", "x2"


def names_not_found(info: QuestionInfo, result: SearchResult) -> tuple[str, ...]:
    """A Chinese question's model names, letters and digits ("SU7", "X2"), that none of the passages found holds: the
    articles do not discuss that product, and the closest passages are about another (a near miss of the shared set,
    asking the price of a car the corpus never names, was answered with the price of a phone by the same company).
    Latin words without a digit may be written in Chinese in the articles ("CEO" as 首席执行官, "AI" as 人工智能), and
    so may an English question's names ("Meizu" as 魅族): they do not count, nor do a source clause's names. For an
    English question: the person or place names no article writes in any form (``QuestionInfo.unwritten``)."""
    if info.lang == "en":
        return info.unwritten
    if info.lang != "zh" or not result.passages:
        return ()
    found = "".join(f"{p.heading} {p.text}" for p in result.passages).lower().replace(" ", "")
    models = model_names(found)  # "Win10" is found as "Windows 10"
    missing = [a for a in info.anchors if _MODEL_NAME.search(a) and a not in info.sources
               and a.replace(" ", "") not in found and not any(same_model(a.replace(" ", ""), m) for m in models)]
    # as the question spells them (anchors are lower-cased)
    return tuple((re.search(re.escape(a), info.text, re.I) or [a])[0] for a in missing)


# jieba's tags of a person, a place, an organisation, another proper name
_PROPER_NAME_TAGS = ("nr", "ns", "nt", "nz")
# a name in more passages than this is a common word to the corpus (华为 is in 20, 欧洲 in 28 of ~4,000), whose absence
# from one article says little; so is one jieba's dictionary saw this often ("东西", which it tags as a place, 18,877;
# "海关" 813, "荣耀" 493)
_NAME_MAX_PASSAGES = 40
_NAME_MAX_DICTIONARY = 1000
# a noun jieba's dictionary saw at most this often, given by the glossary for an English name, is a brand's name too
# ("Yurun" → 雨润, seen 11 times)
_RARE_NOUN = 20


# a word after a degree adverb is a verb or an adjective, whatever jieba tags it: "山中高端酒店最扎堆的…" (扎堆, "a place")
_DEGREE = {"最", "更", "很", "较", "比较", "非常", "特别", "越来越", "相当", "十分"}

# jieba may glue a modal verb to the word before it and tag the pair a name: "电力市场化交易会利好煤电企业" is
# 交易 会 利好 (will benefit), not a trade fair (交易会)
_MODAL_END = re.compile(r"[\u4e00-\u9fff]{2,}[会将能要]")


def _across_a_modal(tagged: list[tuple[str, str]], i: int) -> bool:
    """Whether the i-th tagged word ends in a modal verb that the next word, a verb or an adjective, follows."""
    word = tagged[i][0]
    following = tagged[i + 1][1] if i + 1 < len(tagged) else ""
    return bool(_MODAL_END.fullmatch(word)) and following.startswith(("v", "a"))


def names_the_article_lacks(info: QuestionInfo, result: SearchResult, sentences: list["AnswerSentence"],
                            article_text: Callable[[str], str]) -> tuple[str, ...]:
    """The question's names for a person, place, organisation or brand that the articles know, in a few passages, and
    the closest sentence's article never mentions: the answer is about another company ("鹰角网络最近一轮融资的估值"
    found a bakery chain's valuation, "2021年荣耀手机的出货量" another brand's, "How much did XPeng's stock rise…" the
    day's treasury yields); and the places no article names ("冰岛的地热发电…"). In our sets the Chinese names caught
    10 near misses of the 107 Chinese ones answered and none of the 218 answerable questions whose likeliest sentence
    held the key; the English names 7 near misses and 1 answerable question, whose answer held its key by chance (an
    article from another day). The names the articles write in Latin letters ("Ubras") caught 1 more near miss and
    flagged none of the 46 answered answerable English questions that name one."""
    if info.type == "compare" or not sentences:  # two sides may be told in two articles
        return ()
    names = _chinese_names(info) if info.lang == "zh" else _english_names(info) if info.lang == "en" else {}
    if not names:
        return ()
    best = max(sentences, key=lambda s: s.probability)
    text = article_text(result.passages[best.passage].article_id)
    if not text.strip():  # removed from the index since the search: nothing to check against
        return ()
    text = f"{text} {text.replace(' ', '')}"
    return tuple(shown for name, shown in names.items() if not _holds(info, name, text))


def _chinese_names(info: QuestionInfo) -> dict[str, str]:
    """A Chinese question's proper names (the people, places, organisations and brands jieba tags; not the foreign
    names it tags as transliterated, which the articles may write in Latin letters: "山姆" for "Sam's") in at most
    ``_NAME_MAX_PASSAGES`` passages, or places no passage holds; each as it is shown."""
    asking = asking_words(info.text, info.asked)
    # what the question is about comes before its last "的" (a CMRC question on a plant's upper leaves, "…的上部叶有…":
    # jieba tags 叶有 a name) and, in a why-question, before "为什么" (the event after it is in the asker's words:
    # "投资人为什么扎堆投烘焙", where 扎堆 is tagged a place)
    subject = re.split(r"为什么|为何", info.text)[0] or info.text
    subject = re.sub(r"的[^的]{2,}$", "", subject) or subject
    tagged = tagged_words(subject)
    return {w: w for i, (w, tag) in enumerate(tagged)
            if tag.startswith(_PROPER_NAME_TAGS) and tag != "nrt" and len(w) >= 2 and not _across_a_modal(tagged, i)
            and not (i and tagged[i - 1][0] in _DEGREE)
            and w in info.doc_freq and w not in info.sources and w not in asking and not _TIME_WORD.fullmatch(w)
            and (0 < info.doc_freq[w] <= _NAME_MAX_PASSAGES or (tag.startswith("ns") and not info.doc_freq[w]))
            and dictionary_frequency(w) <= _NAME_MAX_DICTIONARY}


def _english_names(info: QuestionInfo) -> dict[str, str]:
    """An English question's names of one capitalised word inside the question ("XPeng's", "Watsons") whose Chinese
    equivalent is a name to jieba (小鹏, 屈臣氏, 丽江) or that has none, the articles writing it in Latin letters
    ("Ubras"), in at most ``_NAME_MAX_PASSAGES`` passages; lower-cased, each with the question's spelling. Not a word
    next to another capitalised one or a figure: "Li Auto", "Surge S1" and "Fanli Technology" are one name, of which
    the articles may write only a part; but "Yurun" of "Yurun Group" is the name, the group its kind."""
    words = re.findall(r"[A-Za-z][\w'’-]*|\S", info.text.replace("’", "'"))
    out: dict[str, str] = {}
    for i, word in enumerate(words):
        name = without_possessive(word)
        after = [w for w in words[i + 1:i + 2] if not _COMPANY_KIND.fullmatch(without_possessive(w).lower())]
        if i == 0 or not re.fullmatch(r"[A-Z][A-Za-z]+", name) or any(
                re.match(r"[A-Z0-9]", w) for w in words[i - 1:i] + after):
            continue
        key = name.lower()
        glosses = info.alternatives.get(key, ())
        if (key in info.anchors and key not in info.sources and 0 < info.doc_freq.get(key, 0) <= _NAME_MAX_PASSAGES
                and (not glosses or any(_is_a_name(w) for w in glosses))):
            out[key] = name
    return out


def _is_a_name(word: str) -> bool:
    """Whether jieba reads a Chinese word as one proper name it seldom meets, a noun it seldom meets, or a word it does
    not know."""
    tagged = tagged_words(word)
    if len(tagged) != 1:
        return False
    tag, seen = tagged[0][1], dictionary_frequency(word)
    return (tag.startswith(_PROPER_NAME_TAGS) and seen <= _NAME_MAX_DICTIONARY) or (seen == 0 and tag != "eng") or (
        tag == "n" and seen <= _RARE_NOUN)


def evidence_features(info: QuestionInfo, result: SearchResult, sentences: list["AnswerSentence"]) -> dict[str, float]:
    """What the abstention model reads: the best sentence's answer probability, cosine and affinity, the
    top passage's ranking score, and whether the question's keywords and anchors (numbers, names, titles)
    appear in the top passages and in the best sentence."""
    best = max(sentences, key=lambda s: s.probability, default=None)
    probs = sorted((s.probability for s in sentences), reverse=True)
    top = " ".join(f"{p.heading} {p.text}" for p in result.passages[:3]).lower()
    best_low = best.text.lower() if best else ""
    en = 1.0 if info.lang == "en" else 0.0
    rarest = max(info.tokens, key=lambda t: info.idf.get(t, 1.0), default="")
    scores = [c.score for c in result.candidates]
    cos_best = max((c.sentence for c in result.candidates), default=0.0)
    top3 = sorted(sentences, key=lambda s: -s.probability)[:3]
    return {
        # the learned affinity on its own scale: how answer-like the best sentences are for this question,
        # not only relative to the other retrieved sentences (catches near misses the probability misses)
        "affinity_max": max((s.features.get("affinity", 0.0) for s in sentences), default=0.0),
        "affinity_top3": max((s.features.get("affinity", 0.0) for s in top3), default=0.0),
        "lex_best": best.features.get("lex", 0.0) if best else 0.0,
        "rare_top": 1.0 if rarest and info.has(rarest, top) else 0.0,
        "rare_best": 1.0 if rarest and info.has(rarest, best_low) else 0.0,
        "p_gap": (probs[0] - probs[1]) if len(probs) > 1 else (probs[0] if probs else 0.0),
        "passage_gap": (scores[0] - scores[1]) if len(scores) > 1 else 0.0,
        "anchor_missing": (1.0 - info.anchor_share(top)) if info.anchors else 0.0,
        "p_best": probs[0] if probs else 0.0,
        "p_second": probs[1] if len(probs) > 1 else 0.0,
        "cos_best": cos_best,
        "passage_top": result.candidates[0].score if result.candidates else -10.0,
        "cover_top": info.coverage(top),
        "anchor_top": info.anchor_share(top),
        "anchor_best": info.anchor_share(best_low),
        "has_anchor": 1.0 if info.anchors else 0.0,
        "type_match_best": best.features.get("type_match", 0.0) if best else 0.0,
        "typed": 1.0 if info.type in ("number", "who", "when", "where", "why") else 0.0,
        "en": en,
        "en_cos_best": en * cos_best,
        "en_p_best": en * (probs[0] if probs else 0.0),
        "en_anchor_top": en * info.anchor_share(top),
        "en_cover_top": en * info.coverage(top),
        "cos_low": max(0.0, 0.86 - cos_best),
        # an English question's Chinese equivalents met in their own language: off-topic questions find
        # no sentence as close to them as answerable ones do (0 when none of its words is in the articles)
        "en_gloss_best": max((float(s.vector @ result.glossed_vector) for s in sentences
                              if s.vector is not None and result.glossed_vector is not None), default=0.0),
    }


def lead_with_the_answer(result: SearchResult, settings: Settings) -> list[Passage]:
    """The passages found, the one holding the likeliest answer sentence among the first ``settings.k`` first,
    the rest in ranking order: what ``ask`` would quote from leads the search results too."""
    n = min(len(result.passages), settings.k)
    if n < 2 or result.info is None:
        return result.passages
    head = replace(result, passages=result.passages[:n], candidates=result.candidates[:n])
    sentences = answer_sentences(result.info, head, settings)
    if not sentences:
        return result.passages
    lead = max(sentences, key=lambda s: s.probability).passage
    return [result.passages[lead]] + [p for i, p in enumerate(result.passages) if i != lead]


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
class AnswerSentence:
    passage: int  # index into the search result's passages
    start: int
    end: int
    text: str
    vector: np.ndarray | None  # the sentence's cached vector (for comparison sides)
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0  # the sentence model's belief that this sentence states the answer
    own_line: bool = False  # the sentence is a whole line of its passage: a list item, when a "…：" line leads


# the note a republished article opens with ("本文来自…公众号“…”，作者：…，36氪经授权发布。"), or its original title
# ("原标题：《2022胡润富豪榜发布，你排第几名？》", quoted in 5 answers of four of our sets: "排第二的是谁？"): it shares the
# source's name, or the question's words, with a question and answers nothing but who wrote it, where, under what
# title
_REPUBLISHED = re.compile(r"本文来自|经授权(?:转载|发布)|题图来自|封面来源|原文链接|原标题[：:]")
_ASKS_SOURCE = re.compile(r"作者|来源|出处|公众号|撰稿|谁写|标题|\b(?:author|source|wrote|written|writer|published|"
                          r"title|headline)\b", re.I)


def answer_sentences(info: QuestionInfo, result: SearchResult, settings: Settings) -> list[AnswerSentence]:
    """Every quotable sentence of the retrieved passages, with its features and answer probability."""
    out: list[AnswerSentence] = []
    if not result.passages:
        return out
    best_passage = result.candidates[0].score
    en = 1.0 if info.lang == "en" else 0.0
    qtype = {t: 1.0 if info.type == t else 0.0 for t in ("number", "why", "who", "when", "where", "compare")}
    question_grams = bigrams(info.text)
    question_low = info.text.lower()
    known = question_low + " " + " ".join(w for ws in info.alternatives.values() for w in ws)
    republished_ok = bool(_ASKS_SOURCE.search(info.text))
    for i, (passage, cand) in enumerate(zip(result.passages, result.candidates)):
        spans = passage_sentences(passage.text)
        scores = cand.sentence_scores or [cand.dense] * len(spans)
        vectors = cand.sentence_vectors or [None] * len(spans)
        heading_cover = info.coverage(passage.heading.lower())
        section_cover = info.coverage(passage.section.lower())
        for j, ((s, e), cosine, vector) in enumerate(zip(spans, scores, vectors)):
            text = passage.text[s:e]
            if not is_prose(text) or in_reference_entry(passage.text, s) or (
                    not republished_ok and _REPUBLISHED.search(text)):
                continue
            low = text.lower()
            cues = sentence_cues(text)
            anchor = info.anchor_share(low, without_sources=True)
            lex = info.coverage(low, without_sources=True)
            f = {
                "cos": cosine, "lex": lex, "anchor": anchor, "has_anchor": 1.0 if info.anchors else 0.0,
                "passage_rr": 1 / (1 + i), "passage_gap": cand.score - best_passage,
                "heading_cover": heading_cover, "section_cover": section_cover,
                "num": cues["num"], "reason": cues["reason"], "name": cues["name"], "time": cues["time"],
                "m_number": qtype["number"] * cues["num"], "m_quantity": qtype["number"] * cues["quantity"],
                "m_unit": states_unit(text, info.units) if info.units else 0.0, "m_why": qtype["why"] * cues["reason"],
                "m_who": qtype["who"] * cues["name"], "m_when": qtype["when"] * cues["time"],
                "m_new_name": names_something_new(text, question_low) if qtype["who"] and cues["name"] else 0.0,
                "m_where": qtype["where"] * cues["place"],
                "m_person": names_a_person(text, known) if info.person else 0.0,
                "type_match": type_match(info, cues, number="quantity"),
                "first": 1.0 if j == 0 else 0.0, "length": min(e - s, 200) / 100,
                "en": en, "en_cos": en * cosine, "en_anchor": en * anchor, "en_lex": en * lex,
            }
            f["bigram"] = len(question_grams & bigrams(low)) / (len(question_grams) or 1)
            line_start, line_end = passage.text.rfind("\n", 0, s) + 1, passage.text.find("\n", e)
            own_line = not passage.text[line_start:s].strip() and not passage.text[e:None if line_end < 0
                                                                                 else line_end].strip()
            out.append(AnswerSentence(i, s, e, text, vector, f, own_line=own_line))
    if not out:
        return out
    max_cos = max(s.features["cos"] for s in out)
    max_lex = max(s.features["lex"] for s in out)
    cos_rank = {id(s): r for r, s in enumerate(sorted(out, key=lambda s: -s.features["cos"]))}
    lex_rank = {id(s): r for r, s in enumerate(sorted(out, key=lambda s: -s.features["lex"]))}
    for n, s in enumerate(out):
        s.features["cos_gap"] = s.features["cos"] - max_cos
        s.features["lex_gap"] = s.features["lex"] - max_lex
        s.features["cos_rr"] = 1 / (1 + cos_rank[id(s)])
        s.features["lex_rr"] = 1 / (1 + lex_rank[id(s)])
        # the sentence before often names the subject the answer sentence goes on about
        before = out[n - 1] if n and out[n - 1].passage == s.passage else None
        after = out[n + 1] if n + 1 < len(out) and out[n + 1].passage == s.passage else None
        s.features["prev_cos"] = before.features["cos"] - max_cos if before else -0.2
        s.features["prev_lex"] = before.features["lex"] if before else 0.0
        s.features["next_cos"] = after.features["cos"] - max_cos if after else -0.2
        # an answer sentence often leaves the subject to its neighbours ("公司", "他"): the question's
        # keywords around it count too
        window = " ".join(x.text for x in (before, s, after) if x is not None).lower()
        s.features["window_lex"] = info.coverage(window, without_sources=True)
    add_affinity(out, result.query_vector, load_affinity(settings.models_dir))
    model = load_model("sentence", settings.models_dir)
    probabilities = model.proba(np.array([[s.features.get(n, 0.0) for n in model.features] for s in out]))
    for s, p in zip(out, probabilities):
        s.probability = float(p)
    return out


def add_affinity(sentences: list[AnswerSentence], query_vector: np.ndarray | None, affinity: Affinity | None) -> None:
    """Each sentence's learned affinity with the question, as its ``affinity`` feature (0 without a vector)."""
    if affinity is None or query_vector is None or not sentences:
        return
    vectors = np.array([s.vector if s.vector is not None else np.zeros(len(query_vector)) for s in sentences],
                       dtype=np.float32)
    for s, score in zip(sentences, affinity.scores(query_vector, vectors)):
        s.features["affinity"] = float(score) if s.vector is not None else 0.0


class ExtractiveAnswerer:
    """Deterministic: the same passages and question always give the same answer."""

    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.embedder = embedder

    def compose(self, question: str, result: SearchResult,
                sentences: list[AnswerSentence] | None = None) -> tuple[str, list[Citation]]:
        if sentences is None:
            sentences = answer_sentences(result.info, result, self.settings)
        if not sentences:
            return "", []
        chosen = self.select(question, result.info, sentences)
        # the asker's language, which a follow-up's search may not share ("What about its costs?" after a
        # Chinese question is searched in Chinese): an English reader is told the quotes are Chinese
        lang = "en" if result.info.lang == "en" or language_of(question) == "en" else "zh"
        parts, numbers, citations = [], {}, []
        for passage, quote in quoted_runs(chosen, result.passages):
            n = numbers.setdefault(passage, len(numbers) + 1)
            # an article's own footnote marks must not pass for our citations
            parts.append(_FOOTNOTE.sub(r"［\1］", quote) + f"[{n}]")
            if all(c.number != n for c in citations):
                citations.append(Citation(number=n, passage=result.passages[passage], quote=quote))
        text = ("" if lang == "zh" else " ").join(parts)
        if lang != "zh":
            text = QUOTES_CHINESE + text
        return text, citations

    def stream(self, text: str) -> Iterator[str]:
        """The composed answer sentence by sentence (it is ready at once; this keeps the UI uniform)."""
        for piece in re.findall(r".+?\[\d+\]|.+$", text, re.S):
            yield piece

    def select(self, question: str, info: QuestionInfo, sentences: list[AnswerSentence]) -> list[AnswerSentence]:
        """The best sentence, then others whose probability is close enough to it, within the length budget;
        for a comparison, the best sentence for each side first."""
        s = self.settings
        ranked = sorted(sentences, key=lambda x: (-x.probability, x.passage, x.start))
        limit = s.max_answer_sentences + (1 if info.type == "list" else 0)
        budget = s.max_answer_chars * (2 if info.type in ("list", "compare") else 1)
        chosen: list[AnswerSentence] = []

        def add(x: AnswerSentence) -> None:
            grams = bigrams(x.text)
            for c in chosen:
                other = bigrams(c.text)
                if c is x or len(grams & other) / (len(grams | other) or 1) > 0.5:
                    return  # a near-duplicate says nothing new
            if chosen and sum(len(c.text) for c in chosen) + len(x.text) > budget:
                return
            chosen.append(x)

        sides = comparison_sides(question)
        if sides:
            # the sentence model learned mostly from fact questions; a comparison is filled with the
            # sentences closest to the question, as many as are about as close as the best one
            by_cosine = sorted(sentences, key=lambda x: (-_closeness(x), x.passage, x.start))
            top = _closeness(by_cosine[0])
            # a sentence that sets the two sides against each other answers it at once: it leads
            both = next((x for x in by_cosine if _closeness(x) >= top - 0.04
                         and all(_names_side(side, info, x.text.lower()) for side in sides)), None)
            if both is not None:
                add(both)
            for side in self._side_best(sides, sentences, info):
                add(side)
            for x in by_cosine:
                if len(chosen) >= limit + 1 or _closeness(x) < top - 0.04:
                    break
                add(x)
        best = ranked[0].probability
        if info.swapped and not sides:
            ranked = _without_the_swapped_out(ranked, info.swapped, best * s.answer_relative)
            ranked = _listed_before(ranked, info.swapped, info.answered_before)
        elif info.focus and not sides:
            ranked = _naming_the_focus(ranked, info.focus, info)
        if info.type in ("fact", "who") and _ASKS_THE_TOP.search(info.text):
            ranked = _naming_the_top(ranked)
        if info.type in ("fact", "who") and info.lang == "en" and not sides:
            ranked = _naming_in_apposition(ranked, info)
        if not sides:
            ranked = _stating_the_asked(ranked, info)
        if info.type == "why" and not sides:
            ranked = _giving_a_reason(ranked, _claimed(info.text), _reason_of(info.text))
        position = {id(x): n for n, x in enumerate(sentences)}
        for x in ranked:
            if len(chosen) >= limit:
                break
            if chosen and x.probability < best * s.answer_relative:
                break
            add(x)
            if x is ranked[0] and not sides:
                for item in _answer_after_question(x, sentences, position):
                    add(item)
            if info.type == "list" and x in chosen:  # "哪些": the announced list is the answer, before the rest
                for item in _announced(x, sentences, position):
                    add(item)
        for x in list(chosen):
            for item in _announced(x, sentences, position):
                add(item)
        if info.type == "why" and not sides:
            for item in _reason_after(ranked[0], sentences, position):
                add(item)
            for x in list(chosen):
                for item in _reason_before(x, sentences, position) + _purpose_after(x, sentences, position):
                    add(item)
        if sides:
            return chosen  # side A first, then side B, then the rest by relevance
        return sorted(chosen, key=lambda x: (x.passage, x.start))

    def _side_best(self, sides: list[str], sentences: list[AnswerSentence], info: QuestionInfo) -> list[AnswerSentence]:
        """For each side of a comparison, the sentence that best describes it and answers the question.
        A sentence that names this side and not the other describes it (a side is named when its words,
        or for English their Chinese equivalents, are in the sentence)."""
        vectors = self.embedder.embed_queries(sides)
        named = [[_names_side(side, info, x.text.lower()) for x in sentences] for side in sides]
        picks = []
        for n, vector in enumerate(vectors):
            scores = []
            for m, x in enumerate(sentences):
                side_score = float(x.vector @ vector) if x.vector is not None else 0.0
                only_this = named[n][m] and not any(named[o][m] for o in range(len(sides)) if o != n)
                literal = 0.05 if only_this else 0.0
                # the side must be described, and the question answered: both cosines, the model's belief a little
                scores.append(x.features.get("cos", 0.0) + side_score + literal + 0.1 * x.probability)
            picks.append(sentences[int(np.argmax(scores))])
        return picks


# a sentence that goes on about what the sentence before it named ("它要回答的核心问题是…")
_GOES_ON = re.compile(r"\s*(?:它|其|这|该|此|他|她)")


def _without_the_swapped_out(ranked: list[AnswerSentence], swapped: tuple[str, str],
                             floor: float) -> list[AnswerSentence]:
    """A follow-up that swapped a term ("那后端呢？" after "前端数字化更多聚焦什么？") is not answered by the sentences on
    the term it swapped out ("前端数字化更多是聚焦于…", and the one after it that goes on about it), when a candidate
    sentence (at or above ``floor``) names the new term: those answered the previous question."""
    old, new = swapped
    if not any(new in x.text for x in ranked if x.probability >= floor):
        return ranked
    dropped = {id(x) for x in ranked if old in x.text and new not in x.text}
    in_order = sorted(ranked, key=lambda x: (x.passage, x.start))
    for before, x in zip(in_order, in_order[1:]):
        if id(before) in dropped and x.passage == before.passage and new not in x.text and _GOES_ON.match(x.text):
            dropped.add(id(x))
    return [x for x in ranked if id(x) not in dropped]


def _listed_before(ranked: list[AnswerSentence], swapped: tuple[str, str],
                   answered_before: str) -> list[AnswerSentence]:
    """A swap follow-up ("那木鱼便利呢？" after "…鹿童便利在山城关掉了多少家门店？") is answered by the sentences the previous
    answer quoted that name both terms, when there are such: they list the two side by side ("…鹿童便利关店最多，闭店9家，
    其次是木鱼便利5家"); in the shared corpus the sentence model ranked such a sentence 7th, under the new name's other
    figures."""
    old, new = swapped
    listed = [x for x in ranked if old in x.text and new in x.text and x.text.strip() in answered_before]
    return listed or ranked


def _naming_the_focus(ranked: list[AnswerSentence], focus: tuple[str, ...], info: QuestionInfo,
                      among: int = 5) -> list[AnswerSentence]:
    """A follow-up searched together with the previous question ("那会员人数呢？" → "会员人数 星光会员累计多少分…") is
    answered by the sentences that name one of its own new words (人数), when one of the ``among`` likeliest does:
    the previous question's words make its own answer the likeliest ("累计 100 分可兑换…" at 0.82, "星光会员人数达到
    120 万" at 0.03, below the answer's relative cut). A sentence stating what the follow-up's own words ask for stays,
    in its own words: "这些游戏一共赚了多少钱？" after "…有多少款中国手游进了日本畅销榜？" is answered by "…合计吸金约…亿美元…",
    which names no 游戏, 一共 or 钱 (``QuestionInfo.focus_asked``: a sum; not what the previous question asked, which its
    own answer states)."""
    if not any(any(w in x.text for w in focus) for x in ranked[:among]):
        return ranked
    groups = info.focus_asked
    return [x for x in ranked if any(w in x.text for w in focus)
            or (groups and _states_all(groups, x.text))]


# "排第一的是什么", "the number one trend": a question after what ranks first; a sentence naming the first place
_ASKS_THE_TOP = re.compile(r"排(?:名|在)?第一|第一名|排名最高|首位|居首|榜首|冠军|\bnumber one\b|\bno\.\s?1\b|\btopped\b|"
                           r"\branked (?:first|top)\b|\btop spot\b|\bfirst place\b|\bcame out on top\b", re.I)
_NAMES_THE_TOP = re.compile(r"第(?:一|\s?1(?!\d))(?![次季个天年批步届期章部时轮代])|首位|榜首|居首|之首|冠军|头名|登顶|夺冠|"
                            r"\btop\s?1\b", re.I)


def _states_all(groups: Sequence[tuple[Asked, ...]], text: str) -> bool:
    """Whether ``text`` states every kind asked (a kind: one of its facts)."""
    return all(any(a.stated_in(text) for a in g) for g in groups)


def _stating_the_asked(ranked: list[AnswerSentence], info: QuestionInfo, among: int = 5) -> list[AnswerSentence]:
    """A question that names what its answer must state (a fact, a year, a place, a round: ``questions.Asked``) is
    answered first by the sentences among the ``among`` likeliest that state all of it, when the likeliest does not:
    "木鱼茶饮在重庆有多少家门店？" by "重庆的门店有二十家", not by the likelier "成都的门店有四十家"; "How old was the founder
    when he quit?" by the sentence with his age. Preferring, of those, the ones that name the city asked cost as many
    answers as it won (the place is often part of a name: "the Hainan Free Trade Port fund"). An English follow-up
    searched with the previous question: what its own words ask (``QuestionInfo.own_asked``)."""
    # not the work's title: a sentence giving its figure seldom repeats it ("首集收视率为7.07" in 《格斗天王》's article),
    # and the one that does tells of something else
    groups = [g for g in (info.asked_groups(titles=False) if info.own_asked is None else info.own_asked) if g]
    if not groups:
        return ranked
    stating = [x for x in ranked[:among] if _states_all(groups, x.text)]
    # a sentence naming the month asked before one naming no month ("除3月份一次性发放166个版号外"); not the year, which a
    # sentence on the year's figures seldom repeats ("117家券商合计实现营业收入…" in an article on 2021)
    dating = [g for g in groups if all(isinstance(a, AskedMonth) for a in g)]
    if dating:
        naming = [x for x in stating if all(any(a.named_in(x.text) for a in g) for g in dating)]
        stating = naming + [x for x in stating if x not in naming]
    return _first_among(ranked, stating)


def _giving_a_reason(ranked: list[AnswerSentence], claim: tuple[str, ...] = (), of: str = "", among: int = 5,
                     ending_among: int = 10) -> list[AnswerSentence]:
    """A why-question's likeliest sentence, then those of the ``among`` likeliest that give a reason ("一方面出于…，另一方面
    则是因为…"), those of the ``ending_among`` likeliest that end on the question's claim after clauses of their own
    (``_ends_on``) before them, then the rest: a sentence that only goes on with the question's fact (the stores that
    have open-air seats, for "why does it want open-air space?") no longer takes the length budget the reason needed."""
    ending = [x for x in ranked[1:ending_among] if _ends_on(x.text, claim)]
    reasons = ending + [x for x in ranked[1:among] if x.features.get("reason") and x not in ending]
    # a reason told of what the question asks the reason of comes before one told of something else: for "…2022财年营收为什么会
    # 下滑？" the sentence "营收降低，主要是受…" before the CFO's word on the net loss
    reasons.sort(key=lambda x: bool(of) and of not in x.text)
    return ranked[:1] + _first_among(ranked[1:], reasons) if reasons else ranked


_WHY_CLAIM = re.compile(r"(?:为什么|为何|凭什么|怎么会)(?:说|会|要)?(.+?)[？?]?\s*$")


def _claimed(question: str) -> tuple[str, ...]:
    """The last two words (of two characters or more) of what a Chinese why-question asks the reason of: "苏明为什么说她那套
    loft公寓很难转手？" → (很难, 转手). A Chinese claim ends on its predicate; one of a single word ("…为什么会下滑？") is
    too common to tell a sentence ending on it: none."""
    if not (m := _WHY_CLAIM.search(question)):
        return ()
    words = [w for w in tokenize(m.group(1)) if len(w) >= 2]
    words = [w for w in words if not any(w != v and w in v for v in words)]  # "虚拟机", not its "虚拟" too
    return tuple(words[-2:]) if len(words) >= 2 else ()


_WHY_AFTER = re.compile(r"^(.+?)(?:为什么|为何|凭什么|怎么会)")


def _reason_of(question: str) -> str:
    """The word a Chinese why-question names just before asking why, what it asks the reason of: "高鑫零售2022财年营收
    为什么会下滑？" → 营收. Empty when it asks why first ("为什么很多年轻人…")."""
    words = [w for w in tokenize(m.group(1)) if len(w) >= 2] if (m := _WHY_AFTER.search(question)) else []
    return words[-1] if words else ""


def _ends_on(text: str, claim: tuple[str, ...]) -> bool:
    """Whether a sentence gives its reasons before the question's claim, with no word that marks a reason: "…流动率小，
    …税费高，…很难转手。" for "…为什么说她那套loft公寓很难转手？" ends on the claim, its clauses before it are the
    reasons. The last clause is the claim, give or take a word or two: "…，山城咖啡的大部分门店都有宽敞的露天座位区。" ends
    on the words of "…为什么看重露天座位？" and tells of the stores."""
    clauses = [c.strip() for c in re.split(r"[，,；;]", text.lower().rstrip("。.！!？? ")) if c.strip()]
    return (bool(claim) and len(clauses) >= 2 and len(clauses[-1]) <= sum(map(len, claim)) + _CLAIM_SLACK
            and all(w in clauses[-1] for w in claim) and not any(w in c for c in clauses[:-1] for w in claim))


_CLAIM_SLACK = 4  # characters a clause restating the claim may add to its words ("基本很难转手" for 很难, 转手)


def _naming_the_top(ranked: list[AnswerSentence], among: int = 5) -> list[AnswerSentence]:
    """A question after what ranks first ("夜跑路线里排第一的是哪条？") is answered by the sentence that names
    the first place ("南滨路的江边步道排在第一"), when one of the ``among`` likeliest does: the likeliest is often the
    one announcing the ranking ("协会公布了十条最受欢迎的路线"). Those sentences come first, in their order."""
    return _first_among(ranked, [x for x in ranked[:among] if _NAMES_THE_TOP.search(x.text)])


# "Which security company's researcher…": the words after "which", up to the verb
_WHICH_WORDS = re.compile(r"\bwhich ((?:[\w-]+(?:'s)? ){0,2}[\w-]+)", re.I)
# a name in Latin letters or a version number, as a sentence gives what a which-question asks for
_GIVEN_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9&.+-]*[A-Za-z0-9]|\d+(?:\.\d+){2,}")


def _naming_in_apposition(ranked: list[AnswerSentence], info: QuestionInfo, among: int = 8) -> list[AnswerSentence]:
    """An English which-question ("Which security company's researcher…?") is answered by the sentence that puts a name
    the question does not hold right after the Chinese for its words ("安全公司CyberArk", "修复版本 91.0.4472.167"), when one
    of the ``among`` likeliest does; the likeliest often retells the question's event without the name."""
    m = _WHICH_WORDS.search(info.text)
    if not m:
        return ranked
    words = [without_possessive(w.lower()) for w in m.group(1).split()]
    glosses = [g for w in words for g in info.alternatives.get(w, ()) if len(g) >= 2]
    asked = info.text.lower()

    def names_after(text: str) -> bool:
        return any(n.group().lower() not in asked and n.group().lower() not in NOT_NAMES
                   for g in glosses for at in re.finditer(re.escape(g), text)
                   for n in [_GIVEN_LATIN.match(text, at.end() + (text[at.end():at.end() + 1] == " "))] if n)

    return _first_among(ranked, [x for x in ranked[:among] if names_after(x.text)])


def _first_among(ranked: list[AnswerSentence], first: list[AnswerSentence]) -> list[AnswerSentence]:
    """``ranked`` with ``first`` (some of its likeliest, in their order) before the rest, unless the likeliest already
    leads them or there are none."""
    if not first or first[0] is ranked[0]:
        return ranked
    return first + [x for x in ranked if x not in first]


def _next_in_passage(x: AnswerSentence, sentences: list[AnswerSentence],
                     position: dict[int, int]) -> AnswerSentence | None:
    """The sentence right after ``x`` in its passage, if any."""
    n = position[id(x)] + 1
    return sentences[n] if n < len(sentences) and sentences[n].passage == x.passage else None


def _answer_after_question(x: AnswerSentence, sentences: list[AnswerSentence],
                           position: dict[int, int]) -> list[AnswerSentence]:
    """The likeliest sentence may be the article asking the question itself ("那么，X为什么要选择Y？"): it shares all
    its words and answers nothing. The answer starts with the next sentence (and what that one announces), which
    comes right after it, before the next likeliest."""
    after = _next_in_passage(x, sentences, position)
    return [after] if after and x.text.rstrip().endswith(("？", "?")) else []


def _announced(x: AnswerSentence, sentences: list[AnswerSentence], position: dict[int, int]) -> list[AnswerSentence]:
    """What a sentence that announces ("…的特征：", "换电模式的劣势：") introduces, without which it says nothing: the
    sentence after it, and the lines after that while they read as the items of a list — each a line of its own,
    the one before not closed by a full stop ("建站成本高，…；" goes on, "…不放弃。" ends), up to the next announcing
    line. The answer's length budget still applies. A sentence that counts what it announces and closes
    ("投资人看好烘焙的原因主要有两点。") introduces the sentence after it when that one opens the count ("第一，…")."""
    if _COUNTS_ITEMS.search(x.text):
        after = _next_in_passage(x, sentences, position)
        return [after] if after and _OPENS_A_COUNT.match(after.text) else []
    if not x.text.rstrip().endswith(("：", ":")):
        return []
    items: list[AnswerSentence] = []
    for y in sentences[position[id(x)] + 1:]:
        if y.passage != x.passage or y.text.rstrip().endswith(("：", ":")):
            break  # another passage, or the next list's heading line
        if items and not (items[-1].own_line and y.own_line and not items[-1].text.rstrip().endswith(_CLOSED)):
            break
        items.append(y)
    return items


_CLOSED = ("。", ".", "！", "!", "？", "?", "”")

# "原因大概有三点。", "主要分为以下几个方面。": a closed sentence that counts the points it is about to make
_COUNTS_ITEMS = re.compile(r"(?:有|分为|包括|归结为|归纳为|总结为|概括为)(?:以下|如下|这么|这样)?(?:[两三四五六七八九十几]|[2-9])"
                           r"(?:个|大|种|条|类|项)?(?:点|方面|原因|理由|因素|部分|阶段|特点|特征|问题|逻辑|维度|层面|变化|趋势)"
                           r"[^。；，,]{0,4}[。.]\s*$")
# the first of the points counted: "第一，", "首先，", "其一", "一是", "1、", "（1）"
_OPENS_A_COUNT = re.compile(r"\s*(?:第一|首先|其一|一是|一方面|[1１][、.．]|[（(][1１一][）)])")

# a why-question's best sentence covering this share of its keywords restates the question: 0.5–0.7 chose the same
# sentences on the 93 why-questions of the 36kr sets and CMRC
_RESTATES = 0.6
# an English question's words reach the sentence through the glosses, which miss some ("noodle chain", "shut"): the
# sentence that restates "Why did Lu Zhengyao's noodle chain Qubayu shut all of its stores?" covers 0.52 of them
_RESTATES_EN = 0.5

# a sentence that opens on a consequence ("故而新开的咖啡馆很难抢到熟客"), or names what the one before it gave the reason
# of ("这便是木鱼茶饮的会员很少流失的原因"), follows the one that gives its reason
_CONSEQUENCE = re.compile(r"\s*(?:故而|因此|所以|因而|于是|从而|由此|正因(?:为)?如此|也因此|这(?:也)?(?:导致|使得|让)|以至于?|以致"
                          r"|(?:这|此|以上)(?:便|就|也|正|即|都)?是[^。；]{0,40}(?:的)?(?:原因|缘故|理由|根源|症结))")


# a bulleted line is a point's title ("▶ 品牌不该靠资本催熟。"): the point is made by the sentences after it
_BULLET = re.compile(r"\s*[▶►▷■□●○◆◇★☆•▪➤]")


def _reason_after(x: AnswerSentence, sentences: list[AnswerSentence], position: dict[int, int]) -> list[AnswerSentence]:
    """A why-question's best sentence that restates it and gives no reason ("青禾贸易上个月关掉了南坪的门店。" for "青禾贸易为什么
    关掉了南坪的门店？") is where the article begins to explain; the reason is the sentence after it, often without a word
    that marks a reason ("那一带的租金两年里涨了一倍，客流却一直在减少。"): it comes too, after the answer's other sentences
    and within its length budget, as a list comes with the line that announces it. On the 93 why-questions of the 36kr
    sets and CMRC, 2 more answers hold the key and none loses it (taking it in place of the answer's second sentence
    instead: 3 more, 1 lost). So is a bulleted line, a point's title, whatever its words."""
    restates = (x.features.get("lex", 0.0) >= (_RESTATES_EN if x.features.get("en") else _RESTATES)
                or _BULLET.match(x.text))
    if x.features.get("reason", 0.0) or not restates or _CONSEQUENCE.match(x.text):
        return []  # one that opens on a consequence ("故而…") has its reason before it (``_reason_before``)
    after = _next_in_passage(x, sentences, position)
    return [after] if after else []


def _reason_before(x: AnswerSentence, sentences: list[AnswerSentence],
                   position: dict[int, int]) -> list[AnswerSentence]:
    """A why-question's answer sentence that opens on a consequence ("故而…", "因此…", "这导致…") states what the
    question asks about; the reason is the sentence before it in the passage ("即熟客舍不得已经攒下的积分和储值。" before
    "故而新开的咖啡馆很难抢到熟客…" for "为什么新开的咖啡馆很难抢到熟客？"). On the 71 why-questions of our
    36kr sets, one more answer holds the key (a fresh set's, which showed the pattern) and none loses it."""
    n = position[id(x)] - 1
    if n < 0 or not _CONSEQUENCE.match(x.text) or sentences[n].passage != x.passage:
        return []
    return [sentences[n]]


# a sentence that gives the purpose of what the one before it tells: "这样做的好处是…", "目的是…", "为的是…"
_PURPOSE = re.compile(r"\s*(?:(?:这样|如此|此举|这么)(?:做|设计|安排|处理)?的?(?:好处|目的|用意|初衷)|(?:其|这样做的)?(?:目的|用意|初衷))"
                      r"(?:就)?(?:是|在于)|\s*为的是")


def _purpose_after(x: AnswerSentence, sentences: list[AnswerSentence],
                   position: dict[int, int]) -> list[AnswerSentence]:
    """A why-question's answer sentence that tells what was done ("…将虚拟手设计为透明的样式。") is often followed by
    the sentence that says what for ("这样做的好处是，虚拟手可以穿过积木…"): that one answers the why."""
    after = _next_in_passage(x, sentences, position)
    return [after] if after and _PURPOSE.match(after.text) else []


def quoted_runs(chosen: list[AnswerSentence], passages: list) -> list[tuple[int, str]]:
    """(passage index, quote) per run of chosen sentences that follow each other in one paragraph of a
    passage: one quote, one citation ("A。B。[1]", not "A。[1]B。[1]", whose mark would cut a fact that
    spans the two sentences). Each quote is a verbatim piece of its passage."""
    runs: list[tuple[int, int, int]] = []  # (passage, start, end)
    for s in chosen:
        if runs and runs[-1][0] == s.passage and s.start >= runs[-1][2]:
            gap = passages[s.passage].text[runs[-1][2]:s.start]
            if gap.strip(" ") == "":  # nothing between them, not even a paragraph break
                runs[-1] = (s.passage, runs[-1][1], s.end)
                continue
        runs.append((s.passage, s.start, s.end))
    return [(p, passages[p].text[start:end]) for p, start, end in runs]


def _names_side(side: str, info: QuestionInfo, text: str) -> bool:
    words = [w for w in tokenize(side) if w in info.alternatives] if info.lang == "en" else []
    return all(info.has(w, text) for w in words) if words else side.lower() in text


def _closeness(x: AnswerSentence) -> float:
    """Cosine with the question, a little keyword overlap, a little rank of the passage."""
    return x.features.get("cos", 0.0) + 0.06 * x.features.get("lex", 0.0) + 0.02 * x.features.get("passage_rr", 0.0)


_FOOTNOTE = re.compile(r"\[(\d{1,3})\]")
