"""Extractive answers from the real index of a corpus slice: grounded, cited, abstaining when unsure."""

import os
import re

import pytest

from assistant import Answer, Assistant
from assistant.answerers import CAVEAT, QUOTES_CHINESE, comparison_sides
from assistant.chain import follow_up_kind, rewrite_follow_up
from assistant.chunking import sentence_texts
from assistant.cli import main
from assistant.errors import ConfigError
from assistant.keywords import tokenize
from assistant.settings import Settings

from conftest import FLAGSHIP_EN, FLAGSHIP_ZH, SEED, shared_question

FRONT = "前端数字化更多是聚焦"
BACK = "后端数字化更多是基于"
# the seed article characterises the front side twice: "从业务模式来看，前端数字化更多是聚焦…" and, in its conclusion,
# "综合来看…前端数字化讲究…" (followed by "…后端数字化更多是基于…")
FRONT_SIDE = (FRONT, "前端数字化讲究")


def cited_sentences(answer: Answer) -> list[tuple[str, int]]:
    """(sentence, citation number) pairs in the answer text."""
    return [(m.group(1).strip(), int(m.group(2))) for m in re.finditer(r"(.+?)\[(\d+)\]", answer.text)]


@pytest.mark.parametrize("question", [FLAGSHIP_ZH, FLAGSHIP_EN])
def test_flagship_answer_covers_both_sides_with_correct_citations(sliced_assistant, question):
    answer = sliced_assistant.ask(question)
    assert not answer.abstained and answer.answerer == "extractive"
    pairs = cited_sentences(answer)
    assert 2 <= len(pairs) <= 6
    by_number = {c.number: c for c in answer.citations}
    for sentence, number in pairs:
        # every sentence is copied verbatim from the passage its citation points at
        assert sentence in by_number[number].passage.text, sentence
    front = [n for s, n in pairs if any(side in s for side in FRONT_SIDE)]
    back = [n for s, n in pairs if BACK in s]
    assert front and back, answer.text
    for n in front + back:
        assert by_number[n].passage.source.endswith(SEED.name)
    assert {c.number for c in answer.citations} == {n for _, n in pairs}
    assert [c.number for c in answer.citations] == sorted(c.number for c in answer.citations)


def test_a_comparison_opens_with_the_sentence_that_sets_the_sides_against_each_other(sliced_assistant):
    first = cited_sentences(sliced_assistant.ask(FLAGSHIP_ZH))[0][0]
    assert FRONT in first and BACK in first, first  # "…前端数字化更多是聚焦…，而后端数字化更多是基于…"


def test_unanswerable_questions_abstain_and_show_closest_passages(sliced_assistant):
    # three of the dev set's unanswerable questions (a price, a count, a reason the slice does not state)
    for question in map(shared_question, ["dev-039", "dev-034", "dev-040"]):
        answer = sliced_assistant.ask(question)
        assert answer.abstained, (question, answer.text)
        assert answer.citations == []
        assert answer.text.startswith(("资料中没有找到相关内容", "The articles don't cover this"))
        assert answer.passages  # the closest passages are still returned for display


def test_a_greeting_gets_a_word_on_what_the_assistant_does_not_passages(sliced_assistant):
    from assistant.answerers import SMALL_TALK

    for greeting, lang in (("hi", "en"), ("Thanks a lot!", "en"), ("你好！", "zh"), ("谢谢", "zh")):
        parts = list(sliced_assistant.stream(greeting))
        answer = parts[-1]
        assert parts[:-1] == [SMALL_TALK[lang]] and answer.text == SMALL_TALK[lang], greeting
        assert answer.abstained and not answer.citations and not answer.passages
    # a greeting in front of a question leaves the question to be answered
    answer = sliced_assistant.ask("你好，" + FLAGSHIP_ZH)
    assert not answer.abstained and answer.citations


def test_a_doubtful_answer_opens_with_a_caveat_and_keeps_its_citations(sliced_assistant):
    """Between the abstention threshold and the hedge bound the answer is given, flagged: here the bound is
    raised to 1 so that every answer falls in the band; the answer itself must not change."""
    plain = sliced_assistant.ask(FLAGSHIP_ZH)
    assert not plain.doubtful and not plain.text.startswith(CAVEAT["zh"])  # strong evidence: no caveat
    hedged = Assistant(index_dir=sliced_assistant.settings.index_dir, hedge_below=1.0, quiet=True)
    parts = list(hedged.stream(FLAGSHIP_ZH))
    answer = parts[-1]
    assert answer.doubtful and not answer.abstained
    assert answer.text == CAVEAT["zh"] + plain.text
    assert answer.citations == plain.citations
    assert "".join(parts[:-1]) == answer.text  # streamed once, before the first sentence
    english = hedged.ask(FLAGSHIP_EN)
    assert english.doubtful and english.text.startswith(CAVEAT["en"] + QUOTES_CHINESE)
    assert english.to_dict()["doubtful"] is True
    refused = hedged.ask(shared_question("dev-039"))  # below the threshold: "not covered", no caveat
    assert refused.abstained and not refused.doubtful and refused.text.startswith("资料中没有找到相关内容")
    with pytest.raises(ConfigError, match="hedge_below"):
        Settings.from_env(hedge_below=1.5)


def test_evidence_taken_with_the_caveat_is_answered_flagged():
    """A chat's article whose answer is below the threshold, when every article gives one no better, is answered with
    the caveat: the evidence keeps its probability and features; with caveats turned off it is answered plainly."""
    from assistant.answerers import Evidence

    low = Evidence({"p_best": 0.02}, answerable=0.05, threshold=0.11, hedge=0.33)
    assert low.is_weak() and not low.is_doubtful()
    flagged = low.with_caveat()
    assert not flagged.is_weak() and flagged.is_doubtful()
    assert (flagged.answerable, flagged.features) == (0.05, {"p_best": 0.02})
    off = Evidence({}, answerable=0.05, threshold=0.11, hedge=0.001).with_caveat()  # caveats turned off
    assert not off.is_weak() and not off.is_doubtful()


def test_stream_yields_text_then_the_answer(sliced_assistant):
    parts = list(sliced_assistant.stream(FLAGSHIP_ZH))
    assert isinstance(parts[-1], Answer)
    assert "".join(parts[:-1]) == parts[-1].text
    assert len(parts) > 2


def test_deterministic(sliced_assistant):
    """The same answer from another process with another hash seed (set and dict orders, the model
    loaded afresh), not only from the same object twice."""
    import json
    import subprocess
    import sys

    from conftest import REPO

    first = sliced_assistant.ask("什么是SCRM？")
    env = dict(os.environ, PYTHONHASHSEED="12345", PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-m", "assistant", "ask", "什么是SCRM？", "--json", "--index-dir",
                             sliced_assistant.settings.index_dir], capture_output=True, text=True, env=env,
                            cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr[-500:]
    other = json.loads(result.stdout)
    assert first.citations and other["text"] == first.text
    assert [c["passage"]["chunk_id"] for c in other["citations"]] == [c.passage.chunk_id for c in first.citations]
    assert [c["quote"] for c in other["citations"]] == [c.quote for c in first.citations]


def test_follow_up_uses_the_history(sliced_assistant):
    assert rewrite_follow_up("那后端呢？", [("前端数字化是什么？", "…")]) == "后端数字化是什么？"
    assert rewrite_follow_up("那2019年呢？", [("2022年国内咖啡行业的融资规模有多大？", "…")]) == \
        "2019年国内咖啡行业的融资规模有多大？"
    # a name takes the place of the previous question's name closest to it in length
    assert rewrite_follow_up("禾木药业呢？", [("在国内胰岛素市场里，鹿童占了多大份额？", "…")]) == \
        "在国内胰岛素市场里，禾木药业占了多大份额？"
    assert rewrite_follow_up("那腾讯呢？", [("阿里巴巴的营收是多少？", "…")]) == "腾讯的营收是多少？"
    assert rewrite_follow_up("比亚迪呢？", [("特斯拉2021年交付了多少辆车？", "…")]) == "比亚迪2021年交付了多少辆车？"  # 比 ≠ "compare"
    # a parallel term replaces whole words: "营收是多少" holds no "…多" word for "拼多多" to replace
    assert rewrite_follow_up("那拼多多呢？", [("2021年美团的营收是多少？", "…")]) == "拼多多 2021年美团的营收是多少？"
    # a follow-up of a follow-up builds on the previous question as it was searched, not on its bare fragment
    chat = [("2022年国内咖啡行业的融资规模有多大？", "…"), ("那2019年呢？", "…")]
    assert rewrite_follow_up("那2018年呢？", chat) == "2018年国内咖啡行业的融资规模有多大？"
    # a fact named for another (the profit for the revenue) takes its place; searched together with the previous
    # question, the answer had to state the revenue as well
    assert rewrite_follow_up("那利润呢？", [("阿里巴巴的营收是多少？", "…"), ("那腾讯呢？", "…")]) == "腾讯的利润是多少？"
    # a long chat of fragments reads back a few turns only: the query (and the work) does not grow with the chat
    long_chat = [("换电模式的优势是什么？", "…")] + [("那利润呢？", "…")] * 30
    assert rewrite_follow_up("那风险呢？", long_chat).count("利润") <= 4
    # a comparison or a word that is not a name is searched with the previous question, not spliced into it
    assert rewrite_follow_up("跟网易的《木鱼记》比呢？", [("《山城志》手游上线头三天，平均每天预估收入有多少？", "…")]) == \
        "跟网易的《木鱼记》比 《山城志》手游上线头三天，平均每天预估收入有多少？"
    assert rewrite_follow_up("那风险呢？", [("阿里巴巴的营收是多少？", "…")]) == "风险 阿里巴巴的营收是多少？"
    assert rewrite_follow_up("它有什么用？", [("什么是SCRM？", "…")]) == "它有什么用 什么是SCRM？"
    # "它" stands for the previous question's topic, whose own ask ("有哪些优势") no longer pulls the answer back
    assert rewrite_follow_up("它的成本呢？", [("换电模式有哪些优势？", "…")]) == "换电模式的成本"
    assert rewrite_follow_up("它的股价呢？", [("木鱼科技在港交所上市首日股价表现怎么样？", "…")]) == "木鱼科技的股价"
    assert rewrite_follow_up("其创始人是谁？", [("木鱼咖啡在哪些城市开了店？", "…")]) == "木鱼咖啡的创始人是谁"
    # the opening's leading nouns when a verb ends it ("山城咖啡|请了…"), the words before a year or a figure
    # ("木鱼科技|2021年交付了…", also past the frame pattern's reach); a pronoun is no subject: searched together
    assert rewrite_follow_up("它的创始人是谁？", [("山城咖啡请了哪位明星当代言人？", "…")]) == "山城咖啡的创始人是谁"
    assert rewrite_follow_up("它的市值呢？", [("请问木鱼科技2021年交付了多少台设备？", "…")]) == "木鱼科技的市值"
    assert rewrite_follow_up("它的负债呢？", [("山城控股2022年第一季度的营业收入是多少？", "…")]) == "山城控股的负债"
    assert rewrite_follow_up("它的利润呢？", [("哪家公司2021年营收最高？", "…")]) == "它的利润 哪家公司2021年营收最高？"
    assert rewrite_follow_up("它募集了多少钱？", [("木鱼科技2022年成立了什么基金？", "…")]) == "木鱼科技募集了多少钱"  # no 的 before a verb
    # the subject in its clause ("在…里，|鹿童|2020年…"); "它的…" is never swapped in as a name ("…里，它的营收占了…")
    market = "在国内胰岛素市场里，鹿童2020年占了多大份额？"
    assert rewrite_follow_up("它的营收呢？", [(market, "…")]) == "鹿童的营收"
    assert rewrite_follow_up("它的营收呢？", [(market.replace("2020年", ""), "…")]) == \
        "它的营收 在国内胰岛素市场里，鹿童占了多大份额？"
    # an English reference to a name is replaced by the previous question's name, not diluted by its other words
    assert rewrite_follow_up("And how many of its stores are in malls?", [("How many Muyu Coffee shops?", "…")]) \
        == "how many of Muyu Coffee's stores are in malls"
    assert rewrite_follow_up("When Ping An bought into the company in 2019, what stake did it get?",
                             [("Who left as CEO of Shancheng Land Holdings in May 2023?", "…")]) == \
        "When Ping An bought into Shancheng Land Holdings in 2019, what stake did it get"
    # a country is where, not whose: "their" is the firms (a fresh set's follow-up was searched as "China's net profit")
    assert rewrite_follow_up("And their net profit?", [("How much did China's coffee chains earn in 2022?", "…")]) == \
        "their net profit How much did China's coffee chains earn in 2022?"
    # a fragment that points back is named too (it was searched with the whole previous question)
    assert rewrite_follow_up("And what about its revenue?", [("Why did Muyu Coffee post a loss in 2021?", "…")]) == \
        "Muyu Coffee's revenue"
    # an English question that spells the name in Chinese lends that spelling: the articles use it
    assert rewrite_follow_up("And how much did it lose the year before?",
                             [("How much did 木鱼科技 (Muyu Tech) earn in 2021?", "…")]) == \
        "how much did 木鱼科技 lose the year before"
    # after "Who …?" "he" is the answer, after "Which …?" "its" is: not a name we have, so searched with the question
    assert rewrite_follow_up("What else did he found?", [("Who founded Muyu Coffee?", "…")]) == \
        "What else did he found Who founded Muyu Coffee?"
    assert rewrite_follow_up("And its revenue?", [("Which company makes Shancheng cards?", "…")]) == \
        "its revenue Which company makes Shancheng cards?"
    # …unless that answer gave the name: it stands in (the answer's frame and marks are not read as names)
    told = "Quoted from the Chinese articles (not translated):\n2.RQ观察：山城卡游推出新卡牌，Shancheng Cards的销量翻倍。[1]"
    assert rewrite_follow_up("And its revenue?", [("Which company makes the Muyu trading cards?", told)]) == \
        "Shancheng Cards's revenue"
    hedged = "（把握不大：资料可能没有直接说明这一点，请核对引文。）\n被称为“汉堡界的苹果”的Maple Burger正在加速开店。[1]"
    assert rewrite_follow_up("它的CEO叫什么名字？", [("被称为“汉堡界的苹果”的是哪个汉堡品牌？", hedged)]) == \
        "Maple Burger的CEO叫什么名字"
    assert rewrite_follow_up("他的公司叫什么？", [("谁是鹿童药业的创始人？", "鹿童药业创始人王海宁毕业于山城大学。[1]")]) == \
        "王海宁的公司叫什么"
    assert rewrite_follow_up("它的营收呢？", [("哪家企业被用作转型的例子？", "以云帆科技为例，这家公司把订单搬上了云端。[1]")]) == \
        "云帆科技的营收"
    # the previous question's own subject comes first ("山城咖啡请了哪位…": 它 is 山城咖啡, not the star it hired);
    # a question that asked no name, or an answer that gave none, lends nothing
    assert rewrite_follow_up("它的创始人是谁？", [("山城咖啡请了哪位明星当代言人？", "山城咖啡请来了演员Lina Park。[1]")]) == \
        "山城咖啡的创始人是谁"
    assert rewrite_follow_up("它的利润呢？", [("哪家公司2021年营收最高？", "资料中没有找到相关内容。")]) == \
        "它的利润 哪家公司2021年营收最高？"
    # "that order" is not a name: searched with the previous question
    assert rewrite_follow_up("What share of Muyu's output does that deal tie up?",
                             [("How many cups did Shancheng order from Muyu?", "…")]).endswith("How many cups did Shancheng order from Muyu?")
    assert rewrite_follow_up("电池租用怎么收费？", [("换电模式好吗？", "…")]) == "电池租用怎么收费？"
    assert [follow_up_kind(q) for q in ("那后端呢？", "禾木药业呢？", "跟网易的《木鱼记》比呢？", "它的创始人是谁？",
                                        "What share of Muyu's output does that deal tie up?",
                                        "那后端数字化的典型是什么？", "电池租用怎么收费？", "为什么？", "How much?",
                                        "谁是马斯克？")] == \
        ["elliptical", "elliptical", "elliptical", "refers", "refers", "standalone", "standalone", "refers", "refers",
         "standalone"]
    # a bare question word has nothing to search on its own (it abstained): searched with the previous question, without
    # the words that asked it another kind of thing (多少)
    assert rewrite_follow_up("为什么？", [("鹿童2021年关闭了多少家门店？", "…")]) == "为什么 鹿童2021年关闭了家门店？"
    # so has a generic one, or a short one that asks what but not about whom (alone, they quoted other articles)
    assert [follow_up_kind(q) for q in ("原因是什么？", "这是为什么？", "How come?", "What was the reason?", "利润多少？",
                                        "谁投资的？", "Who won?", "恐龙为什么灭绝？")] == \
        ["refers"] * 6 + ["standalone"] * 2
    # "多高 / 多久" are question words: "珠峰有多高？" names its subject and stands alone (it was read as a fragment)
    assert follow_up_kind("珠峰有多高？") == "standalone" and follow_up_kind("规模多大？") == "refers"
    # "又" before what is asked goes on about the chat's subject ("净利润又有多少？" after a question on 华立科技's
    # revenue was answered alone with another company's net profit); a name before it stands on its own
    assert follow_up_kind("净利润又有多少？") == "refers" and follow_up_kind("马化腾又是谁？") == "standalone"
    # so does an English question opening on "And" (three of a fresh set of ours were answered alone: downloads of
    # any game, slots of any course); "Anderson …" is a name
    assert follow_up_kind("And how many downloads were there?") == "refers"
    assert follow_up_kind("Anderson Lee founded which bakery?") == "standalone"
    # a name before the pointing word is what it points at, and a title's words point at nothing: these stand on their
    # own (after an unrelated question, four of our sets' questions were searched with it and lost their answers)
    assert [follow_up_kind(q) for q in ("郑州这次的新政让它成了哪方面第一个放开的城市？", "《那个夏天》为什么能在春节档爆火？",
                                        "In 2021, which grew faster: Muyu's stores or its staff?",
                                        "When Muyu bought into the company, how big a stake did it take?")] == \
        ["standalone", "standalone", "standalone", "refers"]
    assert rewrite_follow_up("And how many downloads were there?", [("How much did Muyu earn in 2021?", "…")]) == \
        "how many downloads were there How much did Muyu earn in 2021?"
    assert rewrite_follow_up("原因是什么？", [("鹿童2021年关闭了多少家门店？", "…")]) == "原因是什么 鹿童2021年关闭了家门店？"
    answer = sliced_assistant.ask("那后端呢？", history=[("前端数字化更多聚焦什么？", "前端数字化更多是聚焦……[1]")])
    assert answer.search_query == "后端数字化更多聚焦什么？"
    assert not answer.abstained and "后端数字化更多是基于" in answer.text
    # no quote is about 前端 alone: that answered the previous question (the demo articles' "前端数字化更多是聚焦于…"
    # led this answer, before the one on 后端)
    quoted = [s for piece in re.split(r"\[\d+\]", answer.text) for s in re.split(r"(?<=[。；！？])", piece)]
    assert all("后端" in s for s in quoted if "前端" in s)
    answer = sliced_assistant.ask("What about back-end?", history=[("前端数字化更多聚焦什么？", "前端数字化更多是聚焦……[1]")])
    assert answer.search_query.startswith("后端") and answer.search_query.endswith(" 前端数字化更多聚焦什么？")
    assert "后端数字化" in answer.text
    quoted = [s for piece in re.split(r"\[\d+\]", answer.text) for s in re.split(r"(?<=[。；！？])", piece)]
    assert all("后端" in s for s in quoted if "前端" in s)


def test_a_follow_up_that_swaps_a_term_knows_which():
    """(old, new) of a swap rewrite, widened to whole words; None for a rewrite that is no swap."""
    from assistant.chain import swapped_term

    assert swapped_term("前端数字化更多聚焦什么？", "后端数字化更多聚焦什么？") == ("前端", "后端")
    assert swapped_term("换电模式有哪些优势？", "换电模式有哪些劣势？") == ("优势", "劣势")
    assert swapped_term("2021年国内SaaS领域的融资规模有多大？", "2019年国内SaaS领域的融资规模有多大？") == ("2021年", "2019年")
    assert swapped_term("赛诺菲占了多大份额？", "甘李药业占了多大份额？") == ("赛诺菲", "甘李药业")
    # searched together with the previous question ("What about back-end?" after a Chinese question): the word that
    # has a parallel term in it swaps that term out; one without none
    assert swapped_term("前端数字化更多聚焦什么？", "后端 前端数字化更多聚焦什么？") == ("前端", "后端")
    assert swapped_term("2021年美团的营收是多少？", "拼多多 2021年美团的营收是多少？") is None
    assert swapped_term("What does it cost?", "What does Tims cost?") is None


def test_a_swap_searched_again_with_the_previous_question_still_swaps(sliced_assistant):
    """A swap rewrite with weak evidence is searched again together with the previous question ("充电 换电一次要多久？"
    after "那充电呢？"); when that search won, the answer led with the swapped-out term's sentence ("换电…只需 3 到 5
    分钟"), as the swap was only known to the first search. An abstention bar no evidence reaches makes every
    rewrite weak here, so the search together is tried and kept."""
    a = Assistant(index_dir=sliced_assistant.settings.index_dir, abstain_below=0.99, quiet=True)
    query, result, _, _ = a.chain.resolve("那后端呢？", [("前端数字化更多聚焦什么？", "…")])
    assert query == "后端 前端数字化更多聚焦什么？"  # the search together was kept
    assert result.info.swapped == ("前端", "后端")


def test_an_english_follow_up_swaps_the_term_in_the_articles_words(sliced_assistant):
    """"What about back-end?" after an English question on front-end digitalization is searched together with it;
    the swap is found in the two questions' Chinese words (后端 for 前端), so the answer leaves out the front-end
    sentences as it does for "那后端呢？" ("And what about charging?" after a battery-swap question led with the
    swap's "3 到 5 分钟" on the demo articles)."""
    _, result, _, _ = sliced_assistant.chain.resolve(
        "What about back-end?", [("What is the main focus of front-end digitalization?", "…")])
    assert result.info.swapped == ("前端", "后端")
    _, result, _, _ = sliced_assistant.chain.resolve(
        "What about its revenue?", [("What is the main focus of front-end digitalization?", "…")])
    assert result.info.swapped is None  # nothing parallel to swap
    assert "充电" in sliced_assistant.retriever.in_chinese("charging")  # EV charging, not 攻击 (to charge at)


def test_the_subject_a_follow_up_points_back_at():
    """``referent``: what "它" / "its" stood for. When the rewrite finds that subject in its passages but evidence
    too weak to answer, "not covered" stands (the articles know the company, not the asked fact); searched again
    with the whole previous question, such a follow-up was answered with the caveat from other sentences
    ("它的创始人是谁？" after a question about the demo's 青禾贸易)."""
    from assistant.chain import referent

    assert referent("它的创始人是谁？", [("山城咖啡请了哪位明星当代言人？", "…")]) == "山城咖啡"
    assert referent("And how many of its stores are in malls?", [("How many Muyu Coffee shops?", "…")]) == "Muyu Coffee"
    assert referent("What else did he found?", [("Who founded Muyu Coffee?", "…")]) == ""  # he: the answer
    assert referent("那后端呢？", [("前端数字化是什么？", "…")]) == ""  # a swap, not a reference
    assert referent("它的利润 呢？", [("哪家公司2021年营收最高？", "…")]) == ""  # no subject to point at


def test_a_follow_up_among_the_previous_figure():
    """"其中…" is "among them", of the previous question's subject: searched as the subject's, without 其中 ("其中国际许可
    加盟的…" had read as 中国 + 国际, and the answer was "not covered: no figure for China"). A subject written in Latin
    letters with a space is read whole ("Kiwi Burger", not "Kiwi")."""
    from assistant.chain import referent

    history = [("Kiwi Burger现在全球一共有多少家门店？", "…")]
    assert rewrite_follow_up("其中国际许可加盟的有多少家？", history) == "Kiwi Burger国际许可加盟的有多少家"
    assert rewrite_follow_up("其中，海外的呢？", history) == "Kiwi Burger海外的"
    history = [("哪家公司去年的营收最高？", "…")]  # no subject to name: searched with the previous question
    assert rewrite_follow_up("其中海外收入有多少？", history) == "海外收入有多少 哪家公司去年的营收最高？"
    assert referent("它的创始人是谁？", [("Kiwi Burger现在有多少家门店？", "…")]) == "Kiwi Burger"


def test_english_references_to_a_place_and_to_a_name_the_answer_gave():
    """Our own questions. "there" points back at the chat's place ("…compare there?" was searched alone, without
    the place and the figure it asked about), but "are there" / "there is" point at nothing; after "What was … called?"
    "it" is the name the answer gave, as after "Which …?"; a name typeset with ’ is read whole ("Lina O’Hara", not
    "Lina O")."""
    from assistant.chain import referent

    assert [follow_up_kind(q) for q in ("And how did Muyu and Luting compare there?", "How much did it sell there?",
                                        "How many stores are there in Chongqing?", "Is there a free version?",
                                        "There is a loyalty card: what does it give?")] == \
        ["refers", "refers", "standalone", "standalone", "refers"]
    assert rewrite_follow_up("And how did Muyu and Luting compare there?",
                             [("How many shops did Shancheng open in Chongqing?", "…")]).endswith("in Chongqing?")
    called = "What was the coffee machine that Shancheng showed at its spring event called?"
    told = "Quoted from the Chinese articles (not translated):\n山城在春季活动上发布了一款名为“Bean Pilot”的咖啡机。[1]"
    assert referent("And how much does it cost?", [(called, told)]) == "Bean Pilot"
    assert referent("And how much does it cost?", [("What is the name of Shancheng's new coffee machine?", told)]) == \
        "Bean Pilot"
    # a thing's name was asked: "he" is still the person the question named
    assert referent("And how much does he charge?", [("What's the name of the shop that Lin Shan opened?", told)]) == \
        "Lin Shan"
    told = "Quoted from the Chinese articles (not translated):\n排名第一的 Lina O’Hara 今年只有十九岁。[1]"
    assert referent("Which brand did she work with?", [("Which creator topped the list?", told)]) == "Lina O’Hara"
    # after "Who …?", "he" is a person: not an acronym the answer names first, but a foreign name written in Chinese
    told = "Quoted from the Chinese articles (not translated):\n让OCR成为可能的人，是发明读书机的安德烈·莫兰博士。[1]"
    assert referent("When did he show it?", [("Who invented the reading machine?", told)]) == "安德烈·莫兰"


def test_a_follow_up_about_a_known_subject_and_an_unstated_fact_is_not_covered(tmp_path):
    """Our demo articles name 青禾贸易's staff and its CRM, not a founder: "它的创始人是谁？" is "not covered",
    while a stated fact about it is still answered."""
    from pathlib import Path

    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([Path(__file__).resolve().parent.parent / "examples" / "articles"])
    history = [("青禾贸易有多少名员工？", a.ask("青禾贸易有多少名员工？").text)]
    answer = a.ask("它的创始人是谁？", history=history)
    assert answer.search_query.endswith("的创始人是谁") and answer.abstained, answer.text
    answer = a.ask("它最终选了哪款CRM？", history=history)
    assert not answer.abstained and "简橙CRM" in answer.text


def test_an_english_follow_up_of_a_chinese_question_is_searched_in_the_articles_words(sliced_assistant):
    """Searched as typed, "back-end digitalization 前端数字化更多聚焦什么？" read as Chinese: its English words were never
    looked up and the answer was the front end's, without the English note."""
    history = [("前端数字化更多聚焦什么？", "前端数字化更多是聚焦……[1]")]
    answer = sliced_assistant.ask("And what about back-end digitalization?", history=history)
    assert answer.search_query.startswith("后端") and answer.search_query.endswith("前端数字化更多聚焦什么？")
    assert "back-end" not in answer.search_query
    assert not answer.abstained and "后端数字化" in answer.text
    assert QUOTES_CHINESE in answer.text  # told in English the quotes are Chinese
    # the other way round: a Chinese fragment after an English question, searched with its Chinese words
    english_first = [("What does front-end digitalization focus on?", "…")]
    assert rewrite_follow_up("那后端呢？", english_first, sliced_assistant.retriever.in_chinese).startswith("后端 前端 数字化")
    answer = sliced_assistant.ask("那后端呢？", history=english_first)
    assert not answer.abstained and "后端数字化" in answer.text and QUOTES_CHINESE not in answer.text
    # a name the dictionary does not know is kept as typed
    assert rewrite_follow_up("What about Xyzzyco?", history, sliced_assistant.retriever.in_chinese) == \
        "Xyzzyco 前端数字化更多聚焦什么？"


def test_markup_pasted_with_a_question_does_not_change_its_language():
    from assistant.prompts import language_of

    assert language_of("<img src=x onerror=alert(1)> **bold** [link](http://evil.example/a/much/longer/path/to/some/page/with/many/parts?x=1&y=2&z=3) 换电是什么？") == "zh"
    assert language_of("See https://example.com/a/very/long/path/that/goes/on/and/on/and/on/and/on/and/on/and/on/index.html 换电是什么") == "zh"
    assert language_of("What valuation did Muyu Coffee reach in its May 2022 funding round? 估值") == "en"
    assert language_of("**How** did `Tesla` do in 2021?") == "en"
    # an English question that names a company in Chinese is English; a Chinese one with English names or a title is not
    assert language_of("Why did Muyu Tech (木鱼科技) swing back to a profit in 2021?") == "en"
    assert language_of("How much did the course sold by blogger @山城小雨讲职场 cost?") == "en"
    assert language_of("MacBook Pro M2 和 MacBook Air M2 哪个好？") == "zh"
    assert language_of("《The Art of War》的作者是谁？") == "zh"


def test_comparison_sides():
    assert comparison_sides(FLAGSHIP_ZH) == ["前端数字化", "后端数字化"]
    assert comparison_sides(FLAGSHIP_EN) == ["front-end digitalization", "back-end digitalization"]
    assert comparison_sides("电动牙刷和手动牙刷刷的地方有什么不一样？")[1].startswith("手动牙刷")
    assert comparison_sides("Compare SaaS with on-premise software") == ["SaaS", "on-premise software"]
    assert comparison_sides("什么是SCRM？") == []


def test_filters(sliced_assistant, corpus_slice):
    newsflash = sliced_assistant.search(FLAGSHIP_ZH, category="快讯")
    assert newsflash and all("newsflash" in h.source for h in newsflash)
    assert all(h.date and h.date < "2021-07-15" for h in sliced_assistant.search(FLAGSHIP_ZH, date_to="2021-07-14"))
    assert all(h.date >= "2022-01-01" for h in sliced_assistant.search(FLAGSHIP_ZH, date_from="2022-01-01"))
    seed = corpus_slice / ("seed__" + SEED.name)
    only_seed = sliced_assistant.search("数字化", k=10, source=str(seed))
    assert only_seed and all(h.source == str(seed.resolve()) for h in only_seed)
    assert len(sliced_assistant.search("数字化", k=10, source=str(corpus_slice))) == 10
    assert sliced_assistant.search(FLAGSHIP_ZH, category="no-such-category") == []
    # "not covered" because of a filter says so (the page shows its own hint; the API and the CLI read this)
    unanswerable = shared_question("dev-039")
    filtered = sliced_assistant.ask(unanswerable, category="no-such-category")
    assert filtered.abstained and filtered.notice == "no article matches the filters"
    newsflash = sliced_assistant.ask(FLAGSHIP_ZH, category="快讯")  # matches articles, just not the one
    assert newsflash.abstained and "filters left out the articles that answer this" in newsflash.notice
    assert sliced_assistant.ask(unanswerable, category="快讯").notice == ""  # nowhere


def test_per_article_cap_lets_other_articles_in(sliced_assistant):
    hits = sliced_assistant.search("数字化 SaaS 云计算 营销", k=8)
    per_article = {}
    for h in hits:
        per_article[h.article_id] = per_article.get(h.article_id, 0) + 1
    assert max(per_article.values()) <= sliced_assistant.settings.per_article
    assert len(per_article) >= 3


def test_cli_ask(sliced_assistant, capsys):
    import json

    assert main(["ask", FLAGSHIP_ZH, "--json", "--index-dir", sliced_assistant.settings.index_dir]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["citations"] and data["abstained"] is False
    assert main(["ask", FLAGSHIP_ZH, "--index-dir", sliced_assistant.settings.index_dir]) == 0
    out = capsys.readouterr().out
    assert "[1]" in out and "> " in out
    # a date range that ends before it starts matches nothing: an error naming both dates, not "not covered"
    assert main(["ask", FLAGSHIP_ZH, "--date-from", "2022-01-01", "--date-to", "2021-01-01",
                 "--index-dir", sliced_assistant.settings.index_dir]) == 2
    assert "2022-01-01 is after date_to 2021-01-01" in capsys.readouterr().err


def test_empty_index_abstains(tmp_path):
    answer = Assistant(index_dir=str(tmp_path / "empty"), quiet=True).ask(FLAGSHIP_ZH)
    assert answer.abstained and answer.passages == []


def test_reranker_is_a_pluggable_step(sliced_assistant, tmp_path):
    """Wiring only: a CrossEncoder folder made from our e5 weights (its scoring head is untrained)."""
    from sentence_transformers import CrossEncoder

    from assistant import ModelError

    folder = tmp_path / "cross-encoder"
    CrossEncoder(str(sliced_assistant.embedder._path), num_labels=1, device="cpu").save(str(folder))
    a = Assistant(index_dir=sliced_assistant.settings.index_dir, reranker=str(folder), rerank_top=10,
                  merge_neighbours=False, per_article=0, quiet=True)
    hits = a.search(FLAGSHIP_ZH, k=5)
    expected = a.retriever.reranker.scores(FLAGSHIP_ZH, [h.text for h in hits])
    assert [h.score for h in hits] == pytest.approx(expected, abs=1e-5)
    assert expected == sorted(expected, reverse=True)
    with pytest.raises(ModelError, match="ASSISTANT_RERANKER"):
        Assistant(index_dir=sliced_assistant.settings.index_dir, reranker=str(tmp_path / "nope"),
                  quiet=True).search(FLAGSHIP_ZH)


def test_eval_harness_on_a_small_slice(sliced_assistant, corpus_slice, tmp_path, capsys):
    """The JSON Lines format with the dev set's questions whose articles are in the slice."""
    import json

    from conftest import CMRC, DEV_SET

    keep = {"015.md", "016.md", "050.md", "054.md", "070.md", "089.md"}
    lines = []
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["file"] in keep:
            row["file"] = "36kr__" + row["file"]  # the slice's file names
            lines.append(json.dumps(row, ensure_ascii=False))
        elif row["id"] in ("dev-039", "dev-040"):  # unanswerable
            lines.append(line)
    questions = tmp_path / "slice.jsonl"
    questions.write_text("\n".join(lines), encoding="utf-8")
    assert main(["eval", str(questions), "--json", "--index-dir", sliced_assistant.settings.index_dir]) == 0
    result = json.loads(capsys.readouterr().out)
    m = result["metrics"]
    assert m["answerable"] == 6 and m["questions"] == 8
    assert m["hit@5"] >= round(5 / 6, 4) and m["mrr@10"] > 0.5  # metrics are rounded to 4 places
    assert m["abstain_unanswerable"] == 1.0 and m["unanswerable"] == 2 and m["abstain_answerable"] == 0
    assert {"hit@1", "hit@3", "answer_has_key", "answer_cites_gold", "ask_ms_p50", "ask_ms_p95", "by_lang",
            "by_type"} <= set(m)
    assert m["by_lang"]["zh"]["answerable"] + m["by_lang"].get("en", {}).get("answerable", 0) == 6
    # each main rate comes with its 95% interval: two unanswerable questions both abstaining say little
    low, high = m["abstain_unanswerable_95"]
    assert 0.3 < low < 0.4 and high == 1.0
    # names relative to another folder than --files-dir would all read as misses: refused, saying what to do
    code = main(["eval", str(questions), "--index-dir", sliced_assistant.settings.index_dir,
                 "--files-dir", str(corpus_slice.parent)])
    err = capsys.readouterr().err
    assert code == 2 and "slice.jsonl: 6 of the files its questions name are not under --files-dir" in err, err
    assert "36kr__015.md" in err and "leave --files-dir out" in err
    assert main(["eval", str(questions), "--no-answers", "--json", "--index-dir", sliced_assistant.settings.index_dir,
                 "--files-dir", str(corpus_slice)]) == 0
    assert json.loads(capsys.readouterr().out)["metrics"]["hit@5"] >= round(5 / 6, 4)
    assert m["answer_has_key_95"][0] <= m["answer_has_key"] <= m["answer_has_key_95"][1]

    # the SQuAD format: three CMRC passages become three articles in their own index
    data = json.loads(CMRC.read_text(encoding="utf-8"))
    data["data"] = data["data"][:3]
    squad = tmp_path / "mini_squad.json"
    squad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["eval", str(squad), "--no-answers", "--json", "--index-dir", str(tmp_path / "squad-index")]) == 0
    m = json.loads(capsys.readouterr().out)["metrics"]
    n = sum(len(p["qas"]) for d in data["data"] for p in d["paragraphs"])
    assert m["questions"] == n and m["hit@5"] >= 0.8


def test_reference_lines_and_footnote_marks_are_not_quoted_as_answers():
    from assistant.chunking import in_reference_entry, is_prose

    assert not is_prose("[2] https://spectrum.ieee.org/rare-earth-elements")
    assert not is_prose("——（完）——————") and not is_prose("参考资料：")
    assert not is_prose("Science Advances, 2022, 8(6): eabm3132.") and not is_prose("Nature 596, 583–589 (2021).")
    # an entry's title after its first full stop reads as prose: the line it opens tells it is an entry
    entries = "参考文献\n[2] Lee, A. (2021, May 3). A Reading Lamp for Everyone.\nKim, B. J. (1966). Machines That Read.\n"
    opens = [in_reference_entry(entries, entries.index(t)) for t in ("参考", "A Reading", "Machines")]
    assert opens == [False, True, True]
    assert not in_reference_entry("2021年（2019年成立）营收翻番。", 3)
    assert is_prose("2021年GDP增速为12.9%、11.2%和9.1%。") and is_prose("前端数字化更多是聚焦体验。")


def test_a_question_that_stands_alone_is_not_bent_by_the_history(sliced_assistant):
    """After the flagship question, "那后端数字化的典型是什么？" is answered as in a fresh chat."""
    fresh = sliced_assistant.ask("那后端数字化的典型是什么？")
    first = sliced_assistant.ask(FLAGSHIP_ZH)
    after = sliced_assistant.ask("那后端数字化的典型是什么？", history=[(FLAGSHIP_ZH, first.text)])
    assert after.search_query == "那后端数字化的典型是什么？"
    assert after.text == fresh.text and "SaaS是后端数字化的典型" in after.text


def test_english_answers_say_they_quote_chinese_articles(sliced_assistant):
    answer = sliced_assistant.ask(FLAGSHIP_EN)
    assert answer.text.startswith("Quoted from the Chinese articles")
    assert not sliced_assistant.ask(FLAGSHIP_ZH).text.startswith("Quoted")


def test_the_section_heading_that_names_the_asked_thing_wins(tmp_path):
    """An article we wrote: the answer lies under "## 安全规则与装备", not in the founding story."""
    from conftest import write

    write(tmp_path / "articles" / "night-run.md", """# 山城夜跑俱乐部

山城夜跑俱乐部成立于2019年，由几位在解放碑附近上班的程序员发起，最初只有十二名成员。
俱乐部每周二和周四晚上八点在南滨路集合，路线长度在五到十公里之间。

## 安全规则与装备

夜跑时每位成员必须穿着反光背心，并佩戴头灯或臂灯。
队伍由领跑员和收尾员带队，任何人不得单独脱离队伍，过马路时统一等待绿灯。
下雨或气温超过三十五度时活动取消，群里会提前两小时通知。

## 会员与费用

会员每年缴纳一百元会费，用于购买补给和保险。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    answer = a.ask("山城夜跑俱乐部的安全规则是什么？")
    assert not answer.abstained
    first = answer.citations[0]  # the answer opens with the section that holds the rules
    assert "安全规则" in first.passage.heading and answer.text.startswith(first.quote), answer.text
    rules = [s for s in re.findall(r"(.+?)\[\d+\]", answer.text) if s in first.passage.text]
    assert sum(len(sentence_texts(r)) for r in rules) >= 2 and ("反光背心" in answer.text and "单独脱离队伍" in answer.text), answer.text


def test_a_sentence_that_announces_a_list_brings_the_list():
    from assistant.answerers import AnswerSentence, ExtractiveAnswerer
    from assistant.questions import QuestionInfo
    from assistant.settings import Settings

    def sentence(passage, start, text, probability):
        return AnswerSentence(passage, start, start + len(text), text, None, {}, probability)

    intro = sentence(0, 0, "好领导身上一般有这些特征：", 0.9)
    items = sentence(0, 13, "勤敲打，懂激励，给机会，讲公平。", 0.01)  # the model barely believes in it
    other = sentence(1, 0, "而一个不愿意培养你的领导，会阻止你得到机会。", 0.5)
    info = QuestionInfo(text="好领导有哪些特征？", lang="zh", type="list", tokens=["领导", "特征"])
    chosen = ExtractiveAnswerer(Settings(), None).select(info.text, info, [intro, items, other])
    assert chosen[:2] == [intro, items] and other in chosen

    # a list of lines ("…；") comes whole, before likelier sentences that are not in it, and stops at the next list
    lines = ["换电模式的劣势：", "建站成本高，资金压力大；", "电池标准难以统一；", "对底盘结构有专门要求。", "换电模式的优势：",
             "补能速度快；"]
    offsets = [sum(len(x) + 1 for x in lines[:n]) for n in range(len(lines))]
    listed = [AnswerSentence(0, o, o + len(x), x, None, {}, p, own_line=True)
              for o, x, p in zip(offsets, lines, (0.44, 0.06, 0.01, 0.01, 0.3, 0.12))]
    distractor = sentence(1, 0, "换电站可以在电价低谷集中充电，起到电网调峰作用。", 0.12)
    info = QuestionInfo(text="换电模式的劣势有哪些？", lang="zh", type="list", tokens=["换电", "劣势"])
    chosen = ExtractiveAnswerer(Settings(), None).select(info.text, info, [*listed, distractor])
    assert chosen == listed[:4]
    # prose lines that merely follow each other are not a list: "…讲公平。" is closed, the line after it stays out
    # a closed sentence counting the points it is about to make brings the first, when the next sentence opens the count
    texts = ["投资人看好烘焙的原因主要有两点。", "第一，行业很分散，还没有全国性的大品牌。", "第二，年轻人愿意为新中式点心买单。"]
    counted = [sentence(0, sum(len(x) for x in texts[:n]), x, p)
               for n, (x, p) in enumerate(zip(texts, (0.6, 0.02, 0.01)))]
    info = QuestionInfo(text="投资人看好烘焙最主要的原因是什么？", lang="zh", type="fact", tokens=["投资人", "烘焙", "原因"])
    assert ExtractiveAnswerer(Settings(), None).select(info.text, info, counted)[:2] == counted[:2]
    counted[1] = sentence(0, counted[1].start, "行业很分散，还没有全国性的大品牌。", 0.02)  # no count opens: nothing is brought
    assert counted[1] not in ExtractiveAnswerer(Settings(), None).select(info.text, info, counted)
    prose = [AnswerSentence(0, 0, 13, "好领导身上一般有这些特征：", None, {}, 0.9, own_line=True),
             AnswerSentence(0, 14, 30, "勤敲打，懂激励，给机会，讲公平。", None, {}, 0.01, own_line=True),
             AnswerSentence(0, 31, 50, "而压榨你的老板，只找你要结果。", None, {}, 0.01, own_line=True)]
    info = QuestionInfo(text="好领导有哪些特征？", lang="zh", type="list", tokens=["领导", "特征"])
    assert ExtractiveAnswerer(Settings(), None).select(info.text, info, prose) == prose[:2]


def test_a_why_question_restated_is_followed_by_its_reason():
    """Our own sentences: the best one restates the question and gives no reason; the one after it is the reason,
    though the model barely believes in it and no word marks it as one."""
    from assistant.answerers import AnswerSentence, ExtractiveAnswerer
    from assistant.questions import QuestionInfo
    from assistant.settings import Settings

    texts = ["青禾贸易上个月关掉了南坪的门店。", "那一带的租金两年里涨了一倍，客流却一直在减少。", "公司在江北新开了两家店。"]
    offsets = [sum(len(x) for x in texts[:n]) for n in range(len(texts))]
    features = [{"lex": 0.9, "reason": 0.0}, {"lex": 0.1, "reason": 0.0}, {"lex": 0.5, "reason": 0.0}]
    probabilities = [0.4, 0.01, 0.3]
    premise, reason, other = [AnswerSentence(0, o, o + len(x), x, None, f, p)
                              for o, x, f, p in zip(offsets, texts, features, probabilities)]
    elsewhere = AnswerSentence(1, 0, 20, "青禾贸易成立于2015年，总部在重庆。", None, {"lex": 0.3}, 0.2)
    info = QuestionInfo(text="青禾贸易为什么关掉了南坪的门店？", lang="zh", type="why", tokens=["青禾", "贸易", "关掉", "南坪", "门店"])
    chosen = ExtractiveAnswerer(Settings(), None).select(info.text, info, [premise, reason, other, elsewhere])
    assert chosen == [premise, reason, other, elsewhere]  # the answer's three likeliest, and the reason after the first
    # a best sentence that states a reason itself, or one that does not restate the question, brings nothing after it
    for changed in ({"lex": 0.9, "reason": 1.0}, {"lex": 0.3, "reason": 0.0}):
        premise.features = changed
        assert reason not in ExtractiveAnswerer(Settings(), None).select(info.text, info, [premise, reason, other, elsewhere])
    # a bulleted line is a point's title: its reason comes after it whatever its words
    titled = AnswerSentence(0, 0, len(texts[0]) + 2, "▶ " + texts[0], None, {"lex": 0.3, "reason": 0.0}, 0.4)
    assert reason in ExtractiveAnswerer(Settings(), None).select(info.text, info, [titled, reason, other, elsewhere])
    # a fact question is answered as before
    premise.features = features[0]
    info.type = "fact"
    assert reason not in ExtractiveAnswerer(Settings(), None).select(info.text, info, [premise, reason, other, elsewhere])


def test_a_why_answer_gives_its_reason_before_sentences_that_only_restate():
    """Our own sentences: the likeliest one restates the question, the next likeliest lists the stores with open-air
    seats and gives no reason, the third gives the reasons. The reason comes second: the list no longer takes the
    length budget it needed (a fresh set's "Why does Shake Shack insist on outdoor space?" lost the manager's two
    reasons so). A fact question keeps the model's order."""
    from assistant.answerers import AnswerSentence, ExtractiveAnswerer
    from assistant.questions import QuestionInfo
    from assistant.settings import Settings

    texts = ["有没有露天座位，是山城咖啡选址时的重要考量。",
             "无论是解放碑店、观音桥店还是南滨路店，山城咖啡的大部分门店都有宽敞的露天座位区。",
             "负责人表示，看重露天空间，一方面是因为顾客喜欢在户外喝咖啡，另一方面是品牌常在店外办读书会。"]
    offsets = [sum(len(x) for x in texts[:n]) for n in range(len(texts))]
    features = [{"lex": 0.5, "reason": 0.0}, {"lex": 0.4, "reason": 0.0}, {"lex": 0.3, "reason": 1.0}]
    restated, stores, reason = [AnswerSentence(0, o, o + len(x), x, None, f, p)
                                for o, x, f, p in zip(offsets, texts, features, [0.3, 0.12, 0.11])]
    info = QuestionInfo(text="山城咖啡选址为什么看重露天座位？", lang="zh", type="why", tokens=["山城", "咖啡", "选址", "露天", "座位"])
    settings = Settings(max_answer_chars=100)
    assert ExtractiveAnswerer(settings, None).select(info.text, info, [restated, stores, reason]) == [restated, reason]
    info.type = "fact"
    assert ExtractiveAnswerer(settings, None).select(info.text, info, [restated, stores, reason]) == [restated, stores]


def test_a_why_answer_that_opens_on_a_consequence_comes_with_the_reason_before_it():
    """Our own sentences: "故而…" states what the question asks about, the sentence before it is the reason (a fresh
    set's why-question was answered with the consequence alone); the restated question's next sentence is no reason."""
    from assistant.answerers import AnswerSentence, ExtractiveAnswerer
    from assistant.questions import QuestionInfo
    from assistant.settings import Settings

    texts = ["山城的老咖啡馆会员很多，复购率也高。", "即熟客舍不得已经攒下的积分和储值。",
             "故而新开的咖啡馆很难抢到熟客，开业半年就关门的不少。", "木鱼咖啡今年计划在江北再开两家店。"]
    offsets = [sum(len(x) for x in texts[:n]) for n in range(len(texts))]
    features = [{"lex": 0.3}, {"lex": 0.1}, {"lex": 0.9, "reason": 0.0}, {"lex": 0.1}]
    before, reason, consequence, after = [AnswerSentence(0, o, o + len(x), x, None, f, p) for o, x, f, p
                                          in zip(offsets, texts, features, [0.2, 0.01, 0.5, 0.01])]
    info = QuestionInfo(text="为什么新开的咖啡馆很难抢到熟客？", lang="zh", type="why", tokens=["新开", "咖啡馆", "抢到", "熟客"])
    chosen = ExtractiveAnswerer(Settings(), None).select(info.text, info, [before, reason, consequence, after])
    assert reason in chosen and after not in chosen, [x.text for x in chosen]
    info.type = "fact"
    chosen = ExtractiveAnswerer(Settings(), None).select(info.text, info, [before, reason, consequence, after])
    assert reason not in chosen


def test_the_article_asking_the_question_itself_is_followed_by_its_answer_and_a_deed_by_its_purpose():
    """Our own sentences. The likeliest sentence is the article asking the question ("那么，为什么…？"): the next one
    comes right after it, before the next likeliest (a fresh set's English why-question lost its reason so). A
    why-answer that tells what was done comes with the sentence after it that says what for ("这样做的好处是…")."""
    from assistant.answerers import AnswerSentence, ExtractiveAnswerer
    from assistant.questions import QuestionInfo
    from assistant.settings import Settings

    def sentences(texts, probabilities, features=None):
        offsets = [sum(len(x) for x in texts[:n]) for n in range(len(texts))]
        return [AnswerSentence(0, o, o + len(x), x, None, dict((features or {}).get(n, {})), p)
                for n, (o, x, p) in enumerate(zip(offsets, texts, probabilities))]

    asked, answer, second, third = sentences(
        ["那么，山城咖啡为什么只在写字楼里开店？", "写字楼的白领每天早上都要买咖啡，客流最稳定，租金也比商场低一截。",
         "山城咖啡今年在重庆一共开了十二家新店，其中九家开在写字楼的大堂里。", "创始人周远说，明年会试着开进两所大学。"],
        [0.5, 0.02, 0.3, 0.25])
    info = QuestionInfo(text="山城咖啡为什么只在写字楼开店？", lang="zh", type="why", tokens=["山城", "咖啡", "写字楼", "开店"])
    chosen = ExtractiveAnswerer(Settings(), None).select(info.text, info, [asked, answer, second, third])
    assert answer in chosen, [x.text for x in chosen]
    answer.text = "写字楼的白领每天早上都要买咖啡。"  # the same when the sentence before it is no question
    asked.text = "山城咖啡只在写字楼里开店。"
    assert answer not in ExtractiveAnswerer(Settings(), None).select(info.text, info, [asked, answer, second, third])

    deed, purpose, other = sentences(["木鱼茶饮把门店的座位全部撤掉了，只留一个取餐窗口。", "这样做的好处是，一家店的租金能省下一半。",
                                      "木鱼茶饮今年还推出了三款冷泡茶。"], [0.5, 0.01, 0.3], {0: {"reason": 1.0}})
    info = QuestionInfo(text="木鱼茶饮为什么撤掉门店的座位？", lang="zh", type="why", tokens=["木鱼", "茶饮", "撤掉", "门店", "座位"])
    chosen = ExtractiveAnswerer(Settings(), None).select(info.text, info, [deed, purpose, other])
    assert purpose in chosen, [x.text for x in chosen]
    info.type = "fact"
    assert purpose not in ExtractiveAnswerer(Settings(), None).select(info.text, info, [deed, purpose, other])


def test_a_question_after_what_ranks_first_is_answered_by_the_sentence_naming_the_first_place():
    """Our own sentences: the likeliest announces the ranking, a less likely one names what came first (a shared-style
    question of our fresh sets, asked in both languages, got the announcement and the tail of the list)."""
    from assistant.answerers import AnswerSentence, ExtractiveAnswerer
    from assistant.questions import QuestionInfo
    from assistant.settings import Settings

    texts = ["山城跑步协会公布了今年最受欢迎的十条夜跑路线。", "南滨路的江边步道排在第一，其次是鹅岭公园。",
             "协会第一次做这样的评选，收到了三千多份投票。", "排在最后的是大学城的环湖路。"]
    offsets = [sum(len(x) for x in texts[:n]) for n in range(len(texts))]
    announce, first, first_time, last = [AnswerSentence(0, o, o + len(x), x, None, {}, p)
                                         for o, x, p in zip(offsets, texts, [0.5, 0.02, 0.04, 0.3])]
    info = QuestionInfo(text="今年最受欢迎的夜跑路线里，排第一的是哪条？", lang="zh", type="who", tokens=["夜跑", "路线", "第一"])
    chosen = ExtractiveAnswerer(Settings(), None).select(info.text, info, [announce, first, first_time, last])
    assert first in chosen and first_time not in chosen, [x.text for x in chosen]  # "第一次" names no first place
    info.text = "今年最受欢迎的夜跑路线有几条？"
    info.type = "number"
    chosen = ExtractiveAnswerer(Settings(), None).select(info.text, info, [announce, first, first_time, last])
    assert first not in chosen


def test_a_number_asked_against_a_baseline_is_a_number_question():
    """"与去年相比…多少" asks for the number; only "有什么区别" / "differ" make a comparison on their own."""
    from assistant.questions import question_type

    assert question_type("与2020年相比，这家公司的营收增长了多少？") == "number"
    assert question_type("Compared with the old recipe, how much flour does the new bakery method save?") == "number"
    assert question_type("前端数字化和后端数字化有什么区别？") == "compare"
    assert question_type("How do opening hours differ between city and village shops?") == "compare"
    assert question_type("大果西番莲和百香果相比如何？") == "compare"  # nothing else asked: still a comparison
    # "when" as a conjunction asks for nothing ("…earn when they sell…"); it asks opening the question or before its
    # verb
    assert question_type("What commission can agents earn when they sell these flats?") == "number"
    assert question_type("When did the bakery open its first shop?") == "when"
    assert question_type("So the yield passed 3% — the first time since when?") == "when"
    assert question_type("Which school was she at when the bakery opened?") == "who"


def test_called_what_is_not_why():
    """"被称为什么 / 更名为什么" is 为 + 什么 ("called what"): answered with a name, not with a reason."""
    from assistant.questions import question_type
    from assistant.ranking import sentence_cues

    for question in ("这种草在四川被称为什么？", "木鱼咖啡后来更名为什么？", "他在2020年被聘为什么职务？", "当地人称之为什么？"):
        assert question_type(question) != "why", question
    for question in ("为什么木鱼咖啡要更名？", "木鱼咖啡因为什么而闻名？", "他为什么被聘为顾问？"):
        assert question_type(question) == "why", question
    # "这是怎么回事？" / "为啥" / "How come" ask for the reason too: the sentence after one that restates the question
    # is where the article explains (it was a "how" question, and the reason never came)
    for question in ("说好40年产权，拿到手只剩27年，这是怎么回事？", "木鱼咖啡为啥关店？", "How come Muyu closed its shop?"):
        assert question_type(question) == "why", question
    # reasons are also stated with 归咎于 / 之所以 / 根源
    assert sentence_cues("这都归咎于工艺不成熟。")["reason"] == 1.0
    assert sentence_cues("之所以关店，是租金太高。")["reason"] == 1.0
    # and summed up as factors: "…且价格偏贵，…多种因素叠加让…离场" (asked four times in our fresh sets)
    assert sentence_cues("小面馆没有特色，价格偏贵，多种因素叠加让它黯然离场。")["reason"] == 1.0
    assert sentence_cues("买房的人最关注的因素是学区。")["reason"] == 0.0  # a factor weighed, no reason
    assert sentence_cues("新店开在江北。")["reason"] == 0.0


def test_which_ones_questions_are_lists_not_counts():
    """"哪几家 / 哪些" asks for several things, answered at list length: "几家" inside it is no count."""
    from assistant.questions import asked_units, question_type

    assert question_type("2022年全球咖啡连锁品牌排名前五的是哪几家企业？") == "list"
    assert asked_units("排名前五的是哪几家企业？") == []
    assert question_type("在中国，木鱼草分布在哪些省市？") == "list"
    assert question_type("哪几个省增速最快，增速分别是多少？") == "number"  # a count asked as well
    assert question_type("今年新开了几家门店？") == "number" and asked_units("今年新开了几家门店？") == ["家"]
    assert question_type("哪家公司领投了这轮融资？") == "who"



def test_a_date_does_not_answer_a_how_many_question():
    """"多少家" wants a quantity: a sentence with only a year holds nothing the question asks for."""
    from assistant.questions import analyze
    from assistant.ranking import sentence_cues, type_match

    info = analyze("青溪镇今年新开了多少家茶馆？", ["青溪镇", "茶馆"])
    assert type_match(info, sentence_cues("2021年，青溪镇的茶馆生意开始好转。"), number="quantity") == 0.0
    assert type_match(info, sentence_cues("青溪镇今年新开了12家茶馆。"), number="quantity") == 1.0
    assert type_match(info, sentence_cues("2021年，青溪镇的茶馆生意开始好转。")) == 1.0  # the passage ranker's cue


def test_english_questions_asking_for_a_quantity_are_number_questions():
    """"What valuation …" asks for a figure as much as "估值多少" does: the answer must hold the number."""
    from assistant.questions import question_type

    assert question_type("What valuation did the coffee chain reach in its latest round?") == "number"
    assert question_type("What is the population of the city?") == "number"
    assert question_type("How tall is the new tower?") == "number"
    assert question_type("What is the company's main product?") == "fact"

def test_english_figures_possessives_and_quoted_words_are_read_as_the_articles_write_them():
    """"1.5 billion" is 15亿 in the articles, "AMD's" is AMD; a quoted phrase is not the question's own words and
    "the Hurun Rich List" names a list, it does not ask for one."""
    from assistant.keywords import tokenize
    from assistant.questions import analyze, anchors_of, asked_units, chinese_figures, question_type

    assert chinese_figures("valued after its 1.5 billion yuan round, with 3 million yuan owed") == {
        "1.5": ("15亿",), "3": ("300万",)}
    assert chinese_figures("climbed from 11th to 3rd place")["3rd"] == ("第3", "第三")
    assert "1-5月" in chinese_figures("Between January and May 2021, which grew faster?")["january"]
    assert "1月" not in analyze("Between January and May, what grew?", ["january"], None, 0,
                               {"january": ("1月",)}).alternatives["january"]  # 1月 alone is another month
    assert anchors_of("Who raised $20 million in 2021?", "en") == ["2000万", "2021"]
    assert anchors_of("2021年融资1.5亿元", "zh") == ["2021", "1.5"]  # a Chinese question keeps its figures
    # a number inside a model name is none of its own ("1" would match every 1 in the articles); one that starts a
    # name keeps its letters
    assert anchors_of("How fast is the M1 Ultra chip?", "en") == ["m1", "ultra"]
    assert anchors_of("2021年汽车4S店和5G基站各有多少？", "zh")[:3] == ["2021", "4s", "5g"]
    info = analyze("How much did the bakery raise after its 1.5 billion yuan round?", ["bakery", "1.5", "yuan"])
    assert "15亿" in info.alternatives["1.5"] and info.has("1.5", "估值达到15亿元")
    assert tokenize("When AMD's value passed Intel’s, why can't it last?") == [
        "amd", "value", "passed", "intel", "last"]
    assert question_type("Why can't the patch fully close the 'Alexa versus Alexa' hole?") == "why"
    assert question_type("On the Hurun Global Rich List, who climbed to third place?") == "who"
    assert question_type("List the companies that invested in the bakery.") == "list"
    assert asked_units("How many times the median employee's salary did the CEO make?") == ["倍"]
    assert asked_units("How many times did the bakery move?") == []
    # a sum of money is asked in 元 / 美元 (or 万 / 亿 of them); a growth asked with "how much" is not money
    for question in ("How much did the bakery raise in its Series A?", "What was the bakery valued at?", "这家面包店估值多少？"):
        assert "美元" in asked_units(question) and "亿" in asked_units(question), question
    assert asked_units("How much did revenue grow in 2021?") == [] and asked_units("营收增长了多少？") == []
    assert "分钟" in asked_units("How often should you take a break?")


def test_sentences_that_follow_each_other_are_quoted_and_cited_once():
    """A fact often spans two sentences ("…雨水充足；因此，茶园连年丰收"): a mark between them would cut it."""
    from assistant.answerers import AnswerSentence, quoted_runs
    from assistant.results import Passage

    text = "青溪镇日照长、雨水充足；因此，茶园连年丰收。镇政府设在老街。\n另起一段的句子。"
    passage = Passage(chunk_id="c", text=text, title="t", heading="t", source="s.md", date="")

    def sentence(piece):
        start = text.index(piece)
        return AnswerSentence(0, start, start + len(piece), piece, None, {}, 0.5)

    first, second = sentence("青溪镇日照长、雨水充足；"), sentence("因此，茶园连年丰收。")
    third, fourth = sentence("镇政府设在老街。"), sentence("另起一段的句子。")
    runs = quoted_runs([first, second, fourth], [passage])
    assert runs == [(0, "青溪镇日照长、雨水充足；因此，茶园连年丰收。"), (0, "另起一段的句子。")]
    assert quoted_runs([first, third], [passage]) == [(0, first.text), (0, third.text)]  # a sentence left out between
    assert all(quote in text for _, quote in quoted_runs([first, second, third, fourth], [passage]))


def test_a_which_question_looks_for_a_name_the_question_does_not_hold():
    from assistant.ranking import names_something_new

    q = "in the ux piece on customer reviews, which retailer hides its reviews behind a tab?"
    assert names_something_new("反面例子：Costco 把评论藏在标签页后面。", q) == 1.0
    assert names_something_new("本文提供了 10 个 UX 设计技巧，教你展示客户评论。", q) == 0.0  # only the asked-about name
    assert names_something_new("这家公司成立于2015年。", "这家公司是谁创立的？") == 0.0  # the question says "这家公司" too
    assert names_something_new("隅田川咖啡由阿里巴巴集团投资。", "隅田川咖啡的投资方是谁？") == 1.0


def test_the_asked_unit_and_a_quantity_that_is_not_a_date():
    from assistant.questions import asked_units, states_unit
    from assistant.ranking import sentence_cues

    assert asked_units("资本在2022年投了咖啡赛道几次？全年融资事件有多少起？") == ["次", "起"]
    assert "钱" not in asked_units("这家公司值多少钱？") and asked_units("How many rounds?") == []
    assert "元" in asked_units("这家公司值多少钱？")  # a sum of money: its units, not 钱
    # a duration or a length is asked in its units ("换电一次要多久？" was declined beside "通常只需 3 到 5 分钟")
    for question in ("换电一次要多久？", "换电需要多长时间？", "How long does a battery swap take?"):
        assert "分钟" in asked_units(question) and "米" not in asked_units(question)
    assert "米" in asked_units("主跑道有多长？") and "分钟" not in asked_units("主跑道有多长？")
    assert states_unit("整个过程通常只需 3 到 5 分钟。", asked_units("换电一次要多久？")) == 1.0
    assert states_unit("2021年，换电站数量翻了一番。", asked_units("换电一次要多久？")) == 0.0  # a year is no duration
    assert states_unit("2022年国内咖啡行业共发生37起融资", ["起"]) == 1.0
    assert states_unit("宠物连锁完成了三起融资", ["起"]) == 1.0
    assert states_unit("这门课 2000+ 元", ["元"]) == 1.0 and states_unit("开了30多家店", ["家"]) == 1.0
    assert states_unit("整个2021年宠物赛道投融资偏向早期", ["起"]) == 0.0
    # a year or a date is not a quantity; a count, a share or a bare decimal is
    assert sentence_cues("整个2021年宠物赛道投融资偏向早期，3月12日起执行")["quantity"] == 0.0
    assert sentence_cues("整个2021年宠物赛道投融资偏向早期")["num"] == 1.0  # the plain number cue still sees the year
    for text in ("新开门店42家", "开关店比达6.22", "占比超过30%", "融资三次", "1.2万人", "这门课 2000+ 元", "开了30多家店",
                 "占地约两平方公里"):
        assert sentence_cues(text)["quantity"] == 1.0, text
    # "一个 / 第一家" is an article or an order, not an amount
    for text in ("她在江北开了一个茶馆", "这是品牌在内地的第一家店"):
        assert sentence_cues(text)["quantity"] == 0.0, text


def test_a_function_word_glued_to_an_unknown_word_is_cut_off(sliced_assistant):
    """jieba glues 是 / 要 onto a word its dictionary lacks ("微博是什么？" → 微博是), a token no passage holds: the
    question found no keyword ("换电是什么？" was answered "not covered" on the demo articles, "什么是换电？" was not)."""
    info = sliced_assistant.retriever.question_info
    assert tokenize("微博是什么？") == ["微博是"]  # what the tokenizer gives; the index holds 微博
    assert info("微博是什么？").tokens == ["微博"]
    assert "上云" in info("上云要多久？").tokens and "上云要" not in info("上云要多久？").tokens
    assert info("奈雪是什么？").tokens == ["奈雪是"]  # no article of the slice has 奈雪: nothing better to search
    assert "微博" in sliced_assistant.search("微博是什么？", k=3)[0].text


def test_the_words_of_an_asked_measure_are_no_keywords(sliced_assistant):
    """"需要多长时间" is 多长 / 时间 / 长时间 / 多长时间 to the tokenizer: four keywords the answering sentence ("只需 3 到
    5 分钟") never holds, which sank its passage's keyword coverage; like 多少, they are the question's frame."""
    tokens = sliced_assistant.retriever.question_info("换电需要多长时间？").tokens
    assert "换电" in tokens and not {"多长", "时间", "长时间", "多长时间"} & set(tokens)
    assert "多久" not in sliced_assistant.retriever.question_info("换电一次要多久？").tokens
    assert "时间" in sliced_assistant.retriever.question_info("远程办公节省了多少通勤时间？").tokens  # no measure asked


def test_the_affinity_is_read_by_the_sentence_model_and_skips_foreign_vectors(tmp_path):
    import numpy as np

    from assistant.ranking import Affinity, load_affinity, load_model

    shipped = load_affinity()
    assert shipped is not None and "affinity" in load_model("sentence").features
    dim, rank = shipped.left.shape
    assert shipped.right.shape == (dim, rank) and rank < dim
    q = np.random.default_rng(0).normal(size=dim)
    V = np.random.default_rng(1).normal(size=(3, dim))
    expected = V @ shipped.right @ shipped.left.T @ q
    assert np.allclose(shipped.scores(q, V), expected, atol=1e-3)
    assert not shipped.scores(q[:10], V[:, :10]).any()  # another embedding model's vectors: no affinity
    shipped.save(tmp_path / "affinity.json")
    again = Affinity.load(tmp_path / "affinity.json")
    assert np.allclose(again.scores(q, V), shipped.scores(q, V), atol=1e-3)


def test_a_count_question_is_answered_with_the_count_in_the_asked_unit(tmp_path):
    """An article we wrote: the sentences about the year 2023 and about new cafés compete with the one that
    counts them ("318家")."""
    from conftest import write

    write(tmp_path / "articles" / "cafes.md", """# 山城咖啡馆的2023年

2023年山城的咖啡馆竞争格外激烈，新开的咖啡馆遍布解放碑、观音桥和南坪各个商圈。
据本地餐饮协会统计，全年全市共新开咖啡馆318家，同时关闭了95家。
新开的咖啡馆里精品咖啡馆占多数，连锁品牌在2023年下半年扩张明显。
不少咖啡馆主理人表示，2023年的房租和人工成本都比前一年更高。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    result = a.retriever.retrieve("2023年山城新开了多少家咖啡馆？", k=5)
    from assistant.answerers import answer_sentences

    sentences = answer_sentences(result.info, result, a.settings)
    best = max(sentences, key=lambda s: s.probability)
    assert "318家" in best.text, [(round(s.probability, 3), s.text) for s in sentences]
    assert all(s.vector is None or s.features.get("affinity", 0.0) != 0.0 for s in sentences)
    assert "318家" in a.ask("2023年山城新开了多少家咖啡馆？").text


def test_a_gold_that_is_a_section_heading_is_held_by_the_passages_under_it():
    from assistant.evaluate import Question, is_hit
    from assistant.results import BREADCRUMB_SEP, Passage

    q = Question("own-1", "平价咖啡靠什么赢？", file="a/木鱼.md", gold=["2.平价咖啡：关键是渠道"])
    under = Passage("c1", "铺满便利店的货架。", "木鱼咖啡", f"木鱼咖啡{BREADCRUMB_SEP}2.平价咖啡：关键是渠道", "/x/a/木鱼.md", "")
    other = Passage("c2", "铺满便利店的货架。", "木鱼咖啡", f"木鱼咖啡{BREADCRUMB_SEP}3.精品咖啡", "/x/a/木鱼.md", "")
    titled = Passage("c3", "铺满便利店的货架。", "2.平价咖啡：关键是渠道", "2.平价咖啡：关键是渠道", "/x/a/木鱼.md", "")
    assert is_hit(under, q, None) and not is_hit(other, q, None)
    assert not is_hit(titled, q, None)  # the article's title is not a section


def test_a_who_question_looks_for_a_person_the_question_does_not_name():
    """"谁 / which actor" is answered by a person's name, which the name cue's patterns (companies, titles, Latin
    names) do not see; an English question's own Chinese words do not count as the new name."""
    from assistant.questions import analyze
    from assistant.questions import names_a_person

    assert analyze("木鱼咖啡的创始人是谁？", []).person and analyze("Which actor plays the lead?", []).person
    assert not analyze("木鱼咖啡由哪家公司投资？", []).person and not analyze("Which retailer hides reviews?", []).person
    assert names_a_person("木鱼咖啡由张伟在2015年创立。", "木鱼咖啡的创始人是谁？") == 1.0
    assert names_a_person("木鱼咖啡在2015年创立于重庆。", "木鱼咖啡的创始人是谁？") == 0.0
    assert names_a_person("张伟表示，木鱼咖啡今年将开店。", "张伟创办的公司叫什么？") == 0.0  # the asked-about person


def test_a_follow_up_searched_with_the_previous_question_is_answered_on_its_own_words(tmp_path):
    """An article we wrote. "那会员人数呢？" after a question on the points needed for a latte is searched together with it
    ("会员人数 星光会员累计…"); the previous question's words made its own answer the likeliest sentence, and the answer
    repeated "累计 100 分可兑换…". The sentences that name the follow-up's own new word (人数) answer it."""
    from conftest import write

    write(tmp_path / "articles" / "club.md", """---
title: 星辰咖啡的会员计划
date: 2022-05-01
---

# 星辰咖啡的会员计划

星辰咖啡是一家连锁咖啡品牌，2022 年推出了“星光会员”计划，会员每消费 10 元积 1 分，累计 100 分可兑换一杯大杯拿铁。

## 效果

上线半年后，星光会员人数达到 120 万，复购率提升了 18%。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    first = "星光会员累计多少分可以兑换一杯拿铁？"
    assert "100 分" in a.ask(first).text
    follow = a.ask("那会员人数呢？", history=[(first, "累计 100 分可兑换一杯大杯拿铁。[1]")])
    assert follow.search_query.startswith("会员人数 ") and "120 万" in follow.text and "100 分" not in follow.text


def test_a_follow_up_that_points_at_the_previous_answer_is_searched_with_the_name_it_gave(tmp_path):
    """Articles we wrote. "它的CEO叫什么名字？" after "被称为“汉堡界的苹果”的是哪个汉堡品牌？": 它 is the brand the answer
    named, which the question does not hold; searched together with that question, the CEO sentence was out of reach
    (the shared corpus's Shake Shack question: gold passage outside the top 10)."""
    from conftest import write

    write(tmp_path / "articles" / "burger.md", """---
title: 慢扩张的汉堡品牌
date: 2022-06-01
---

# 慢扩张的汉堡品牌

被称为“汉堡界的苹果”的Maple Burger正在国内多个城市加速开店，门店多开在高档商场。

## 管理层怎么看

对于这种缓慢的扩张节奏，CEO Lina Park曾表示，Maple Burger希望成为一个“反连锁的连锁品牌”。
""")
    write(tmp_path / "articles" / "cars.md", """---
title: 电动车的新玩家
date: 2022-06-02
---

# 电动车的新玩家

苹果公司的CEO库克多次谈到汽车，但从未公布造车计划。山城汽车的CEO张远则表示，公司明年将推出第二款车型。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    first = "被称为“汉堡界的苹果”的是哪个汉堡品牌？"
    told = a.ask(first)
    assert "Maple Burger" in told.text
    follow = a.ask("它的CEO叫什么名字？", history=[(first, told.text)])
    assert follow.search_query.startswith("Maple Burger") and "Lina Park" in follow.text
    assert "库克" not in follow.text and "张远" not in follow.text


def test_a_swap_follow_up_is_answered_by_the_previous_answers_sentence_that_lists_both(tmp_path):
    """An article we wrote. "那木鱼便利呢？" after a question on 鹿童便利's closures: the previous answer quoted the sentence
    that lists both chains' closures; the sentences on 木鱼便利's other figures (its openings, its sales) outranked it."""
    from conftest import write

    write(tmp_path / "articles" / "stores.md", """---
title: 便利店的关店潮
date: 2023-10-01
---

# 便利店的关店潮

## 关店

2023年前三季度，山城地区共有30家便利店闭店，其中鹿童便利关店最多，闭店9家，其次是木鱼便利5家，其余品牌各关一两家。

## 扩张

木鱼便利2023年前三季度在山城新开了12家门店，并计划在2024年再开20家。木鱼便利2023年前三季度的门店销售额同比增长了15%。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    first = "2023年前三季度，鹿童便利在山城关掉了多少家门店？"
    told = a.ask(first)
    assert "闭店9家" in told.text
    follow = a.ask("那木鱼便利呢？", history=[(first, told.text)])
    assert follow.search_query == "2023年前三季度，木鱼便利在山城关掉了多少家门店？"
    assert "木鱼便利5家" in follow.text and "12家" not in follow.text and "15%" not in follow.text


def test_a_source_clause_leads_to_the_article_not_to_the_answer_sentence():
    """"According to Counterpoint's report, which brand is the biggest in India?": the answer sentence (here: "在越南市场，木鱼现在
    是最大的茶饮品牌。") seldom repeats the source, which its neighbours name; counted against it, the sentence lost
    to one that named the source and not the country."""
    from assistant.questions import analyze

    question = "According to Shancheng Research's 2023 report, which brand leads the tea market in Vietnam?"
    info = analyze(question, tokenize(question))
    assert "shancheng" in info.sources and "report" in info.sources and "2023" not in info.sources
    answer, source = "in vietnam, muyu leads the tea market.", "shancheng research's report covers 2023."
    assert info.coverage(answer, without_sources=True) > info.coverage(answer)
    assert info.anchor_share(answer, without_sources=True) > info.anchor_share(answer)
    assert info.coverage(source, without_sources=True) < info.coverage(source)
    # a time frame is no source; a Chinese source clause is one
    assert analyze("In the first quarter of 2023, how much did Muyu earn?", ["muyu", "earn"]).sources == ()
    zh = "据山城日报报道，木鱼咖啡在哪座城市开了第一家店？"
    assert "报道" in analyze(zh, tokenize(zh)).sources and "木鱼" not in "".join(analyze(zh, tokenize(zh)).sources)


def test_a_question_naming_a_fact_no_close_sentence_states_is_not_covered(tmp_path):
    """A near miss: the articles know the company, not its founder or valuation. The closest sentences talk about
    the company without the asked fact's words, so the answer says what is missing instead of quoting them; the
    facts that are stated are still answered (an article we wrote)."""
    from conftest import write

    from assistant.keywords import tokenize
    from assistant.questions import analyze, asked_facts, question_type

    write(tmp_path / "articles" / "beanpilot.md", """# 山城咖啡推出 Bean Pilot 咖啡机

山城咖啡今年三月推出了家用咖啡机 Bean Pilot，首发售价为2999元，第一个月卖出了一万两千台。
这家公司总部设在重庆，目前在西南地区经营着四十家门店，员工约六百人。
山城咖啡2022年的营收为3.1亿元，净利润为2100万元。

## 门店与会员

山城咖啡的会员人数在去年底突破了八十万，会员贡献了门店六成以上的销售额。
公司计划明年在成都和贵阳再开二十家门店，并把咖啡机卖进更多写字楼。
""")
    write(tmp_path / "articles" / "greenfield.md", """# 青田农场完成新一轮融资

青田农场由前工程师周远于2016年创办，主要在云南种植高山蔬菜。
本轮融资由远山资本领投，资金将用于建设冷链仓库。
农场的纪录片《高山菜园》由林木执导，去年在视频平台上线。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    for question, missing in (("山城咖啡的创始人是谁？", "创始人"), ("Who founded Shancheng Coffee?", "founder"),
                              ("山城咖啡的估值是多少？", "估值"), ("山城咖啡在微博上有多少粉丝？", "粉丝数"),
                              ("Who directed Shancheng Coffee's brand film?", "director"),
                              ("山城咖啡的市场份额是多少？", "市场份额"),
                              # the year asked, not the one stated: "2022年的营收为3.1亿元" does not answer it
                              ("山城咖啡2020年的营收是多少？", "2020年的数字")):
        answer = a.ask(question)
        assert answer.abstained and not answer.citations and answer.passages, (question, answer.text)
        assert answer.text.startswith(("资料中没有找到相关内容", "The articles don't cover this")) and missing in answer.text
    # only the likeliest sentence counts: another company's founder in the next likeliest ones is no answer (a near
    # miss of a fresh set of ours was answered with another company's founder in third place)
    from types import SimpleNamespace as Row

    from assistant.answerers import unstated_facts

    question = "山城咖啡的创始人是谁？"
    info = analyze(question, tokenize(question))
    result = Row(passages=[Row(heading="山城咖啡推出 Bean Pilot 咖啡机", text="", source="a.md", date=""),
                           Row(heading="西南创业者群像 › 山城咖啡与木鱼茶饮", text="", source="b.md", date="")])
    company = Row(passage=0, probability=0.11, text="山城咖啡今年三月推出了家用咖啡机 Bean Pilot。")
    other = Row(passage=1, probability=0.02, text="木鱼茶饮的创始人李青毕业于重庆大学。")
    assert [f.name for f in unstated_facts(info, result, [company, other])] == ["创始人"]
    other.probability = 0.2
    assert unstated_facts(info, result, [company, other]) == ()
    # an English question's likeliest three count, when at least a third as likely as the first: its answer is often
    # the second or third, while a sentence far below is one the passage holds and names the asked thing in passing
    question, other.probability = "Who founded Shancheng Coffee?", 0.05
    assert unstated_facts(analyze(question, tokenize(question)), result, [company, other]) == ()
    other.probability = 0.02
    assert [f.name for f in unstated_facts(analyze(question, tokenize(question)), result, [company, other])] == ["创始人"]
    # the fact told in an article the question's subject is not in is told of another company
    result.passages[1] = Row(heading="西南创业者群像 › 茶饮", text="", source="b.md", date="")
    other.probability = 0.2
    assert [f.name for f in unstated_facts(info, result, [company, other])] == ["创始人"]
    answer = a.ask("青田农场的创始人是谁？")  # stated: answered, with the name
    assert not answer.abstained and "周远" in answer.text, answer.text
    answer = a.ask("纪录片《高山菜园》的导演是谁？")  # "由林木执导" states the director
    assert not answer.abstained and "林木" in answer.text, answer.text
    answer = a.ask("Bean Pilot 咖啡机的售价是多少？")
    assert not answer.abstained and "2999元" in answer.text, answer.text
    answer = a.ask("山城咖啡2022年的净利润是多少？")
    assert not answer.abstained and "2100万元" in answer.text, answer.text
    answer = a.ask("山城咖啡一共开了多少家门店？")
    assert not answer.abstained and "四十家门店" in answer.text, answer.text
    # a model the articles never name: the price of the one they do name is no answer
    answer = a.ask("山城咖啡的 Bean Pilot X2 咖啡机售价是多少？")
    assert answer.abstained and "没有提到X2" in answer.text and "2999" not in answer.text, answer.text
    # the words ask for the fact only in a question of the type that asks for it: here the CEO is a qualifier
    question = "山城咖啡的CEO去年的薪酬是多少？"
    assert [f.name for f in asked_facts(question, question_type(question))] == ["薪酬"]
    question = "What is the name of the coffee shop that Lin Shan co-founded?"  # the name is asked, not the founder
    assert asked_facts(question, question_type(question)) == ()


def test_the_year_a_figure_is_asked_for_must_be_the_year_a_sentence_gives():
    """A near miss asks for a year the articles give no figure for, and its closest sentence gives another year's
    (three questions of our fresh sets were answered so). Only the year the figure is dated to counts: not an event's
    date, the start of a span, or a year compared with; and a sentence naming no year, or "去年", may be about it."""
    from assistant.keywords import tokenize
    from assistant.questions import AskedYear, analyze, asked_years

    assert asked_years("山城咖啡2021年全年的营收是多少？", "number") == (AskedYear("2021"),)
    assert asked_years("山城咖啡2021年全年的营收是多少？", "why") == ()
    for question in ("2022年3月离职的那位高管是第几号员工？", "2021年1-10月，两家的装机量相差多少？"):
        assert asked_years(question, "number") == (), question
    assert asked_years("2021年发了多少个版号？比2020年少了多少？", "number") == (AskedYear("2021"),)
    assert asked_years("2018-2020年的营收一共多少？", "number") == (AskedYear("2020"),)
    assert analyze("How much revenue did Shancheng Coffee make in 2020?", ["revenue"]).years == (AskedYear("2020"),)
    year = AskedYear("2021")
    assert not year.stated_in("该公司2020年营收约为30亿元。")
    for sentence in ("2021年营收为3亿元。", "营收为3亿元，与2020年相比增长两成。", "2019-2022年营收分别为1、2、3、4亿元。",
                     "去年营收为3亿元，2020年为2亿元。", "营收为3亿元。"):
        assert year.stated_in(sentence), sentence
    # the likeliest sentence counts, and one nearly as likely (the figure asked is often the next sentence)
    from types import SimpleNamespace as Row

    from assistant.answerers import unstated_facts

    info = analyze("山城咖啡2021年全年的客流是多少？", tokenize("山城咖啡2021年全年的客流是多少？"))
    assert info.years == (year,) and not info.asked
    result = Row(passages=[Row(heading="山城咖啡", text="", source="a.md", date="")])
    other_year = Row(passage=0, probability=0.8, text="2020年，山城咖啡的营收为2亿元。")
    asked_year = Row(passage=0, probability=0.5, text="2021年，山城咖啡的营收达到3亿元。")
    assert unstated_facts(info, result, [other_year, asked_year]) == (year,)
    asked_year.probability = 0.76
    assert unstated_facts(info, result, [other_year, asked_year]) == ()


def test_what_a_question_asks_must_be_stated_by_one_sentence():
    """Near misses of our sets (Weibo's revenue in the fourth quarter of 2021, AMD's for the whole of 2021, 盒马's loss
    for the whole of 2021) were answered by likely sentences each stating part of what is asked, none all of it. What
    the one stating most of it leaves out is unstated: here another city's store count beside a sentence on the asked
    city's store that counts nothing (sentences of ours)."""
    from types import SimpleNamespace as Row

    from assistant.answerers import unstated_facts
    from assistant.keywords import tokenize
    from assistant.questions import AskedPlace, analyze

    question = "山城咖啡2021年在重庆有多少家门店？"
    info = analyze(question, tokenize(question))
    result = Row(passages=[Row(heading="山城咖啡", text="", source="a.md", date="")])
    elsewhere = Row(passage=0, probability=0.8, text="2021年，山城咖啡在成都开出了四十家门店。")
    uncounted = Row(passage=0, probability=0.76, text="山城咖啡在重庆的门店正在装修。")
    assert unstated_facts(info, result, [elsewhere]) == (AskedPlace("重庆"),)
    assert unstated_facts(info, result, [elsewhere, uncounted]) == (AskedPlace("重庆"),)
    stated = Row(passage=0, probability=0.7, text="2021年，山城咖啡在重庆有二十家门店。")
    assert unstated_facts(info, result, [elsewhere, uncounted, stated]) == ()


def test_who_led_a_round_asks_for_the_lead_investor():
    """"Who led Weimai Medical's funding round…?" (a near miss of our fresh sets) was answered with a sentence on the
    round that names no investor: "led" only counted as "led the … round". "Series" and "round" name the round asked,
    not its subject: taken for the subject, they left out the passage that answers "Which investors co-led Hutouju's
    Series A round?" (sentences of ours)."""
    from types import SimpleNamespace as Row

    from assistant.answerers import subject_names, unstated_facts
    from assistant.keywords import tokenize
    from assistant.questions import analyze, asked_facts

    for question in ("Who led Weimai Medical's funding round of more than 300 million yuan?",
                     "Which investors co-led Hutouju's Series A round?", "Who led the round?"):
        assert [f.name for f in asked_facts(question, "who")] == ["领投方"], question
    assert asked_facts("What valuation did it reach in its Sequoia-led funding round?", "number")[0].name == "估值"
    assert asked_facts("Who led the team that built it?", "who") == ()
    question = "Which investors led Muyu Tea's Series A round?"
    info = analyze(question, tokenize(question))
    assert "series" not in subject_names(info, ["muyu tea series a: 木鱼茶饮完成a轮融资"])
    result = Row(passages=[Row(heading="Muyu Tea", text="", source="a.md", date="")])
    told = Row(passage=0, probability=0.8, text="木鱼茶饮完成A轮融资，此轮由甲基金和乙资本联合领投。")
    untold = Row(passage=0, probability=0.8, text="木鱼茶饮完成A轮融资，金额为一亿元。")
    assert unstated_facts(info, result, [told]) == ()
    assert [f.name for f in unstated_facts(info, result, [untold])] == ["领投方"]


def test_a_founding_year_and_a_take_from_revenue_sharing_are_stated_in_their_own_words():
    """Two false abstentions of a fresh set of ours: "In what year was … established?" asks the founding date, which
    "建于1885年的…" states; "How much did it take in from revenue sharing?" asks the revenue, which a film's "分账票房"
    is (sentences of ours). A sentence on the park's visitors states neither."""
    from assistant.questions import asked_facts

    (founded,) = asked_facts("In what year was Yunding National Park established?", "when")
    assert founded.name == "成立时间" and founded.stated_in("建于1902年的云顶国家公园，是山城第一个国家公园。")
    (revenue,) = asked_facts("How much did it take in from revenue sharing?", "number")
    assert revenue.name == "营收" and revenue.stated_in("《山城往事》上线首月累计分账票房为3200万元。")
    assert not founded.stated_in("云顶国家公园去年接待游客120万人次。")
    assert not revenue.stated_in("云顶国家公园去年接待游客120万人次。")


def test_a_figure_told_of_another_brand_does_not_answer():
    """Near misses of our sets: "通化东宝有多少款产品入围？" answered with "诺和诺德有19款产品入围", "步步高2021年关闭了多少家
    门店？" with 家乐福's closures: a number question's sentence naming none of its names and, before its figure, a brand
    that neither the question nor the heading names tells of another (sentences of ours)."""
    from assistant.answerers import _told_of_another
    from assistant.keywords import tokenize
    from assistant.questions import analyze

    question = "山城乳业2021年关闭了多少家门店？"
    info = analyze(question, tokenize(question))
    names = ["山城乳业"]
    assert _told_of_another(info, names, "2021年，Fresco也关闭了20多家门店。", "超市的2021")
    assert not _told_of_another(info, names, "2021年，Fresco也关闭了20多家门店。", "Fresco的2021")  # the heading's
    assert not _told_of_another(info, names, "据Wind数据显示，公司去年关闭了12家门店。", "山城乳业的2021")
    assert not _told_of_another(info, names, "Fresco之后，山城乳业也关闭了12家门店。", "超市的2021")
    # an English question's names are its Latin words; the Chinese it stands for is its own too
    question = "How many stores did Fresco close in 2021?"
    info = analyze(question, tokenize(question), alternatives={"stores": ("门店",)})
    assert _told_of_another(info, ["fresco"], "2021年，家乐福也关闭了20多家门店。", "超市的2021")
    assert not _told_of_another(info, ["fresco"], "2021年，Fresco关闭了12家门店。", "超市的2021")


def test_an_english_which_question_is_answered_by_the_name_after_its_words():
    """"Which security company's researcher figured out how to fool the face login?" (twice in our fresh sets) was
    answered with sentences retelling the attack; the one naming the company came sixth: among the likeliest, a
    sentence putting a name the question does not hold right after the Chinese for its words ("安全公司Nimbus") comes
    first."""
    from types import SimpleNamespace as Row

    from assistant.answerers import _naming_in_apposition
    from assistant.keywords import tokenize
    from assistant.questions import analyze

    question = "Which security company's researcher fooled the face login of Windows Hello?"
    glosses = {"security": ("安全",), "company": ("公司", "企业"), "researcher": ("研究员",), "login": ("登录",)}
    info = analyze(question, tokenize(question), {"安全": 9, "公司": 40, "研究员": 5, "登录": 6}, 100, glosses)
    retold = Row(text="只要外接一个摄像头，Windows Hello就会放行。")
    named = Row(text="这一漏洞引起了安全公司Nimbus一名研究员的注意。")
    other = Row(text="微软公司随后发布了补丁。")
    assert _naming_in_apposition([retold, other, named], info) == [named, retold, other]
    assert _naming_in_apposition([retold, other], info) == [retold, other]  # "Windows" is the question's own


def test_an_english_verb_and_a_measure_name_no_subject():
    """"How many bakeries in Harbin shut down in 2021?": "shut" (关闭) is the question's rarest word, and taken for its
    subject it left out the passage that answers, which writes 倒闭 (an English question of our fresh sets abstained so).
    A noun stays the subject."""
    from assistant.answerers import subject_names
    from assistant.keywords import tokenize
    from assistant.questions import analyze

    question = "How many bakeries in Harbin shut down in 2021?"
    glosses = {"bakeries": ("面包店",), "harbin": ("哈尔滨",), "shut": ("关闭", "关停")}
    info = analyze(question, tokenize(question), {"面包店": 30, "哈尔滨": 20, "关闭": 3, "2021": 60}, 100, glosses)
    found = ["哈尔滨2021年共有12家面包店倒闭。", "另一家连锁品牌关闭了部分门店。"]
    assert "shut" not in subject_names(info, found)
    assert "harbin" in subject_names(info, found)
    # nor does what a figure measures: "…销量同比涨幅差了多少？" is answered by a sentence writing 增幅 (a false abstention of
    # our fresh sets)
    question = "今年1月山城咖啡的销量同比涨幅是多少？"
    info = analyze(question, tokenize(question), {"山城": 20, "咖啡": 30, "销量": 40, "同比": 40, "涨幅": 2}, 100)
    assert subject_names(info, ["1月，山城咖啡销量同比增幅为30%，同期茶饮涨幅更大。"]) == ["山城"]


def test_a_fact_told_of_another_company_does_not_answer_for_the_one_asked(tmp_path):
    """A near miss: one article covers the company asked about, another tells the asked fact of a different company.
    The closest sentence holding the fact's words is about the other company: not covered (four near misses of our
    fresh sets were answered so: "4399's revenue" with 有赞's). The company the fact is told of is answered."""
    from conftest import write

    from assistant.answerers import subject_names
    from assistant.keywords import tokenize
    from assistant.questions import analyze

    # the words that ask name no subject: "钱" of "多少钱" is rarer than "咖啡", and a passage on money in general holds it
    question = "今年咖啡行业一共融了多少钱？"
    info = analyze(question, tokenize(question), {"咖啡": 40, "行业": 90, "钱": 5, "融资": 60}, 100)
    assert subject_names(info, ["咖啡行业今年共融资3亿元", "省钱的十个办法"]) == ["咖啡"]

    write(tmp_path / "articles" / "coldbrew.md", """# 山城咖啡推出冷萃新品

山城咖啡本周在重庆推出了一款冷萃咖啡，每杯售价十八元，首日卖出了三千杯。
这家咖啡品牌旗下的 Bean Pilot 门店主要开在写字楼里，目前共有四十家。
""")
    write(tmp_path / "articles" / "muyu.md", """# 木鱼茶饮完成B轮融资

木鱼茶饮本月完成了B轮融资，由远山资本领投，投后估值约为二十亿元。
公司2021年的营收为五亿元，今年计划在成都新开六十家门店。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    for question, missing in (("山城咖啡的估值是多少？", "估值"), ("山城咖啡2021年的营收是多少？", "营收")):
        answer = a.ask(question)
        assert answer.abstained and missing in answer.text and "二十亿" not in answer.text, (question, answer.text)
    answer = a.ask("木鱼茶饮的估值是多少？")
    assert not answer.abstained and "二十亿元" in answer.text, answer.text
    answer = a.ask("山城咖啡的冷萃咖啡一杯卖多少钱？")
    assert not answer.abstained and "十八元" in answer.text, answer.text


def test_the_funding_round_asked_must_be_the_round_a_sentence_tells(tmp_path):
    """A near miss asks for a round the articles say nothing of, and the closest sentence tells another round of the
    same company (fresh sets of ours: "Pre-A轮" answered with the A round, "B+轮" with the C round). A sentence naming
    no round ("本轮融资由…") may be about the one asked (an article we wrote)."""
    from conftest import write

    from assistant.questions import AskedRound, asked_rounds, funding_rounds

    assert funding_rounds("完成了近亿元的A轮融资，距离Pre-A轮不到半年") == {"A", "PRE-A"}
    assert funding_rounds("B＋轮、天使轮、pre A轮") == {"B+", "ANGEL", "PRE-A"}
    assert funding_rounds("How much did it raise in its Series B round, after the seed round?") == {"B", "SEED"}
    assert funding_rounds("本轮融资由远山资本领投，新一轮融资也在路上；AMD的CEO、iPad轮廓") == set()
    assert asked_rounds("为什么A轮融资的估值这么高？", "why") == ()
    assert AskedRound("B+").stated_in("本轮融资由远山资本领投。") and not AskedRound("B+").stated_in("C轮融资超过2亿元。")
    assert not AskedRound("B+").stated_in("距上轮B+轮融资仅两个月，该公司又完成了C轮融资。")  # the round it dates from
    assert not AskedRound("PRE-A").stated_in("完成了A轮融资，距离Pre-A轮不到半年。")
    write(tmp_path / "articles" / "muyu.md", """# 木鱼茶饮完成B轮融资

木鱼茶饮本月完成了两亿元的B轮融资，由远山资本领投，老股东青田创投跟投。
本轮资金将用于在成都和重庆新开六十家门店，并建设一座中央厨房。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    for question, missing in (("木鱼茶饮的A轮融资是谁领投的？", "A轮融资"), ("木鱼茶饮的Pre-A轮融了多少钱？", "Pre-A轮融资"),
                              ("Who led Muyu Tea's Series C round?", "Series C round")):
        answer = a.ask(question)
        assert answer.abstained and missing in answer.text and "远山资本" not in answer.text, (question, answer.text)
    answer = a.ask("木鱼茶饮的B轮融资是谁领投的？")
    assert not answer.abstained and "远山资本" in answer.text, answer.text


def indexed_article(tmp_path, text: str) -> Assistant:
    """An index of one article of ours (``text``, Markdown), in ``tmp_path``."""
    from conftest import write

    write(tmp_path / "articles" / "muyu.md", text)
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    return a


def not_covered_then_answered(a: Assistant, near_misses: list[tuple[str, str]], answered: list[tuple[str, str]]):
    """Each near miss abstains naming what is missing; each answerable question is answered with its key."""
    for question, missing in near_misses:
        answer = a.ask(question)
        assert answer.abstained and missing in answer.text, (question, answer.text)
    for question, key in answered:
        answer = a.ask(question)
        assert not answer.abstained and key in answer.text, (question, answer.text)


def test_the_part_of_the_year_asked_and_a_listing_s_figures_must_be_the_ones_a_sentence_gives(tmp_path):
    """Near misses of our fresh sets: "2021年全年的净利润" answered with the first three quarters', a second quarter's
    cost with the first's, August's output with January to July's, an IPO's price per share with a battery's price, a
    CEO's age with his appointment, a bid price with a count of doses. A sentence naming no part of the year (or month)
    may be the figure asked, when it gives a figure at all (an article we wrote)."""
    from assistant.questions import (AskedAmount, AskedMonth, AskedPeriod, AskedYear, analyze, asked_facts,
                                     asked_months, gives_figure, year_periods)

    assert year_periods("2021年第四季度和全年的财报，上半年、Q3与前三季度") == {"Q4", "FY", "H1", "Q3", "Q1-3"}
    # a flat's total price is its price (three near misses of our fresh sets were answered with its service charge)
    assert [f.name for f in asked_facts("她买的那套公寓总价是多少？", "number")] == ["售价"]
    assert year_periods("What was its net profit in the second quarter of 2021?") == {"Q2"}
    whole = AskedPeriod("FY")
    assert not whole.stated_in("2021年前三季度净利润为3亿元。") and whole.stated_in("2021年营收为3亿元，其中四季度1亿元。")
    assert whole.stated_in("营收为3亿元。") and not whole.stated_in("这意味着开店成本一直在涨。")
    assert not gives_figure("微博于3月3日发布了2021年第四季度财报。") and gives_figure("四季度净利润9亿元")
    assert not AskedYear("2021").stated_in("这意味着开店成本一直在涨。") and not gives_figure("一个做奶茶的年轻人")
    # "同年" refers back to the year the sentence names
    assert not AskedYear("2020").stated_in("2021年他的薪酬为3000万美元，同年员工的薪酬中位数为6万美元。")
    # the month a figure is dated to: not a day, a month's end or a range
    assert asked_months("2022年8月全国的咖啡豆进口量是多少？", "number") == (AskedMonth(8),)
    assert asked_months("How many stores opened in August 2022?", "number") == (AskedMonth(8),)
    for question in ("3月13日挂牌了多少宗地块？", "1-8月的利润是多少？", "截至7月底有多少家门店？", "2022年2月被曝离职的那位高管是第几号员工？",
                     "What was the freight index for January to May?"):
        assert asked_months(question, "number") == (), question
    august = AskedMonth(8)
    assert not august.stated_in("1-7月累计进口3万吨，截至7月底库存为1万吨。")
    assert august.stated_in("8月份进口量为1万吨。") and august.stated_in("累计进口量为3万吨。")
    # a sum is in 元 / 美元, or 万 / 亿 of them, not 亿 of anything ("2.14亿支")
    assert AskedAmount().stated_in("融资4000万美元。") and AskedAmount().stated_in("估值15亿。")
    assert not AskedAmount().stated_in("首年共报量2.14亿支，覆盖数十亿台设备。")
    assert analyze("小面产业园的总投资是多少亿元？", ["x"]).amounts == (AskedAmount(),)
    assert analyze("他的薪酬是员工薪酬中位数的多少倍？", ["x"]).amounts == ()  # a multiple, not a sum
    question = "At what price per share did it price its Hong Kong IPO?"
    assert [f.name for f in asked_facts(question, "number")] == ["发行价"]  # not a product's price (售价)
    # a price broken asks the share or count of listings below it (an answerable question of our fresh sets abstained)
    for question in ("What share of this year's new listings have broken their IPO price?", "今年跌破发行价的新股有多少只？"):
        assert asked_facts(question, "number") == (), question
    assert analyze("What was Muyu Tea's revenue in 2021?", ["revenue"]).years == (AskedYear("2021"),)
    a = indexed_article(tmp_path, """# 木鱼茶饮的2021年

木鱼茶饮2021年前三季度的营收为三亿元，净利润为两千万元。
公司第二季度在成都新开了十二家门店，门店总数达到八十家。
创始人周远表示，公司暂时没有上市计划，明年先把门店开到重庆。
""")
    not_covered_then_answered(a, [("木鱼茶饮2021年全年的营收是多少？", "全年"), ("木鱼茶饮第一季度新开了几家门店？", "第一季度"),
                                  ("木鱼茶饮上市的发行价是多少？", "发行价"), ("木鱼茶饮的创始人周远今年多少岁？", "年龄"),
                                  ("What was Muyu Tea's full-year revenue in 2021?", "full year")],
                              [("木鱼茶饮2021年前三季度的营收是多少？", "三亿元"), ("木鱼茶饮第二季度新开了几家门店？", "十二家")])


def test_a_model_asked_needs_letters_and_digits_or_the_word(tmp_path):
    """Three near misses of our sets asked which model of camera or microscope was used and were answered with the
    photographer's or the lab's story: a model is letters and digits ("EOS R5"), a brand and digits ("骁龙820"), or
    called one (型号); a count ("卖出300台") is none (an article we wrote)."""
    from assistant.questions import AskedModel, asked_facts, asked_titles

    model = asked_facts("What camera model did she shoot it with?", "fact")[0]
    assert model.name == "型号" and [f.name for f in asked_facts("实验室用的是哪个型号的显微镜？", "who")] == ["型号"]
    assert model.stated_in("她用的是一台EOS R5。") and model.stated_in("它基于骁龙820平台。")
    # a number question naming a model is not answered by another model's figure (a near miss of our sets: a graphics
    # card's launch price answered with an older card's)
    assert asked_titles("山鹰X5的售价是多少？", "number") == (AskedModel("x5"),)
    assert asked_titles("2021年Q4卖了多少台？", "number") == () == asked_titles("How much in March 2022?", "number")
    assert not AskedModel("x5").stated_in("山鹰X3的售价为3999元。") and AskedModel("x5").stated_in("它售价4999元。")
    assert not model.stated_in("去年一共卖出300台。") and not model.stated_in("她拿着相机拍下了闪电。")
    a = indexed_article(tmp_path, """# 山城的风暴摄影师

周雨是山城第一位职业风暴摄影师，今年二十二岁。
她十七岁开始追拍闪电，三年里驱车两万公里，拍下了上百场雷暴。
她的无人机是一台山鹰X5，每次起飞前都要检查电池。
山鹰X5一次充电能飞三十公里。
山鹰X6是今年的新款，下个月开售。
""")
    not_covered_then_answered(a, [("周雨拍闪电用的是什么型号的相机？", "型号"), ("山鹰X6一次充电能飞多少公里？", "没有说明x6的数字")],
                              [("周雨的无人机是什么型号？", "X5"), ("山鹰X5一次充电能飞多少公里？", "三十公里")])


def test_a_rank_asked_needs_a_place_given(tmp_path):
    """Near misses of our sets asked where a fitness trend, a game or a rich man ranked on a list the article covers,
    and were answered with the list's introduction: "排第几", "Where does … rank" need a place given (第三位, 榜首, ranked 3rd),
    not the list's length ("TOP20", "前五位"); "第几号员工" asks no rank (an article we wrote)."""
    from assistant.questions import asked_facts

    rank = asked_facts("瑜伽在这份榜单上排第几？", "number")[0]
    assert rank.name == "排名"
    assert [f.name for f in asked_facts("Where does the night run rank on the list?", "where")] == ["排名"]
    assert asked_facts("他是小米第几号员工？", "number") == ()
    assert rank.stated_in("城市定向赛排在第三位。") and rank.stated_in("夜跑位居榜首。") and rank.stated_in("It ranked 3rd.")
    assert not rank.stated_in("俱乐部公布了年度活动TOP10。") and not rank.stated_in("排在前五位的是夜跑和骑行。")
    a = indexed_article(tmp_path, """# 山城夜跑俱乐部的年度活动榜

山城夜跑俱乐部公布了2022年会员最喜欢的十项活动，榜单由一千名会员投票选出。
夜跑位居榜首，城市定向赛排在第三位。
瑜伽课今年也进入了这份榜单，报名人数比去年多了一倍，俱乐部打算明年增开周末班。
""")
    not_covered_then_answered(a, [("瑜伽课在山城夜跑俱乐部的活动榜上排第几？", "排名")],
                              [("城市定向赛在山城夜跑俱乐部的活动榜上排第几？", "第三位")])


def test_a_person_s_name_asked_needs_a_person_named(tmp_path):
    """Four near misses of our sets asked the name of a lawyer, a researcher or a company's head of AR that the article
    tells of without naming, and were answered with that sentence: "那位律师叫什么名字", "the name of the researcher" need
    a person named that the question does not name (an article we wrote)."""
    from assistant.questions import AskedName, AskedPerson, asked_names

    asked = asked_names("起诉俱乐部的那位会员叫什么名字？", "zh")
    assert asked == (AskedPerson("起诉俱乐部的那位会员叫什么名字？"),)
    assert asked_names("那家合资公司叫什么名字？", "zh") == (AskedName(),)
    assert asked_names("What's the name of the researcher who found the flaw?", "en")[0].name_en == "name"
    person = asked[0]
    assert person.stated_in("会员名叫王磊。") and person.stated_in("发现漏洞的是研究员Omer Tsarfati。")
    assert not person.stated_in("去年，一位会员起诉了俱乐部。") and not person.stated_in("俱乐部说案件已经和解。")
    a = indexed_article(tmp_path, """# 山城夜跑俱乐部的一场官司

去年冬天，一位会员因为退费问题起诉了山城夜跑俱乐部，要求退还一整年的会费。
这场官司在跑友圈里引起了不少讨论，很多人第一次认真读了入会合同。

## 俱乐部的回应

俱乐部的法律顾问名叫林晓，她说双方已经在今年三月和解，会费按月退还。
""")
    not_covered_then_answered(a, [("起诉山城夜跑俱乐部的那位会员叫什么名字？", "人名")],
                              [("山城夜跑俱乐部的法律顾问叫什么名字？", "林晓")])


def test_a_figure_asked_is_stated_by_a_sentence_giving_one_and_a_phone_s_model(tmp_path):
    """Near misses of our sets: "How many Shake Shack stores are there in Guangzhou?" was answered because a near tie
    named the Guangzhou store beside the figures for other cities; "小米12的起售价" with 小米1's price. A number question's
    place is stated by a sentence giving a figure (the likeliest sentence stays, its passage may give the figure
    later on); a phone maker's Chinese name and a number is a model, and "小米1" is not "小米12" (an article we wrote)."""
    from assistant.questions import AskedModel, model_names, same_model

    assert model_names("小米12的起售价是多少？") == {"小米12"} and model_names("魅族18 Pro用的是哪款芯片？") == {"魅族18"}
    assert model_names("他是小米12号员工，华为3月发布了新机，三星2021年发货量最高。") == set()
    assert not same_model("小米12", "小米1") and not same_model("x5", "x50") and same_model("x5", "x5pro")
    assert not AskedModel("小米12").stated_in("小米1以1999元的售价震撼了市场。")
    a = indexed_article(tmp_path, """# Moonbean咖啡的门店

截至今年三月，Moonbean在杭州有9家店，在南京有6家店，全国门店一共21家。
从杭州西湖店、南京新街口店到苏州观前街店，Moonbean的每家店都留出了一块露天座位区。
""")
    not_covered_then_answered(a, [("How many Moonbean stores are there in Suzhou?", "Suzhou")],
                              [("How many Moonbean stores are there in Nanjing?", "6家")])


def test_what_a_sale_fetched_is_not_its_starting_price(tmp_path):
    """Five near misses of our sets asked, each in other words, what a city's first batch of land finally sold for, and
    were answered with the auction's starting price: a sum asked of a sale's end ("最后一共卖了多少钱", "最终成交总价") is
    not stated by a starting price (起拍价, 底价, 挂牌价); a sentence giving both states it (an article we wrote)."""
    from assistant.questions import AskedAmount, asked_amounts

    assert asked_amounts("这批地最后一共拍出了多少钱？", "number") == (AskedAmount(final=True),)
    assert asked_amounts("这批地最终成交总价是多少？", "number") == (AskedAmount(final=True),)
    assert asked_amounts("这家公司把茶业务卖了多少钱？", "number") == (AskedAmount(),)
    assert asked_amounts("最后一共成交了多少套？", "number") == ()
    final = AskedAmount(final=True)
    assert not final.stated_in("山城首批共推出6宗地块，起拍总价52.5亿元。")
    assert final.stated_in("6宗地块起拍总价52.5亿元，最终成交总价61亿元。") and AskedAmount().stated_in("起拍总价52.5亿元。")
    a = indexed_article(tmp_path, """# 山城首批集中供地

三月初，山城的首批集中供地开始挂牌，一共推出6宗住宅地块，起拍总价52.5亿元，四月中旬集中竞价。
这批地块大多位于城市东部的新区，周边地铁线路将在明年通车。

## 第二批

第二批集中供地推出9宗地块，全部以底价成交，最终成交总价68亿元。
""")
    not_covered_then_answered(a, [("山城首批集中供地的6宗地最后一共卖了多少钱？", "金额")],
                              [("山城第二批集中供地最后一共卖了多少钱？", "68亿元")])


def test_an_english_score_asks_a_figure_in_points():
    """Four answerable questions of our sets asked, in English, what score a skier won her gold with, and none held the
    key (94.50分): "score" read as 评分 / 投中 and the question as one asking a fact, "big air" as 播出. "What score" and
    "final score" ask a number, "score" is 得分 / 成绩 first, "big air" 大跳台; a score is given in points ("94.50分") as
    well as a match's ("2:1")."""
    from assistant.crosslingual import english_terms
    from assistant.questions import asked_facts, question_type

    assert question_type("What score did she get in the final?") == "number"
    assert question_type("What was her final score at the Games?") == "number"
    question = "What score did she get in the big air final?"
    terms = {t.english: t.chinese for t in english_terms(question, lambda words: {})}
    assert terms["score"][:2] == ("得分", "成绩") and terms["big air"] == ("大跳台",)
    (score,) = asked_facts("这场比赛的比分是多少？", "number")
    assert score.stated_in("最终比分为2:1。") and score.stated_in("她以94.50分夺冠。") and not score.stated_in("她用了5分钟。")


def test_r_and_d_spending_is_told_as_such(tmp_path):
    """"腾讯2021年全年的研发投入是多少？" (two helpers wrote it) was answered with the year's net profit: R&D spending asked
    ("研发投入", "研发费用", "R&D") is stated by a sentence telling of R&D (articles we wrote)."""
    from assistant.questions import asked_facts

    (rd,) = [f for f in asked_facts("山城科技2022年的研发费用是多少？", "number") if f.name == "研发投入"]
    assert [f.name for f in asked_facts("How much did it spend on R&D last year?", "number")] == ["研发投入"]
    assert rd.stated_in("公司2022年研发投入2.3亿元。") and not rd.stated_in("公司2022年净利润1.5亿元。")
    without = indexed_article(tmp_path / "a", """# 山城科技的2022年

山城科技2022年营收12亿元，净利润1.5亿元，员工人数增加到800人。
公司表示，明年将继续在智能手表和耳机上发力，并在成都开设第二家工厂。
""")
    with_rd = indexed_article(tmp_path / "b", """# 嘉陵电子的2022年

嘉陵电子2022年营收9亿元，净利润0.8亿元。
公司2022年研发投入2.3亿元，占营收的四分之一，主要用在新一代传感器上。
""")
    not_covered_then_answered(without, [("山城科技2022年的研发投入是多少？", "研发投入")], [])
    not_covered_then_answered(with_rd, [], [("嘉陵电子2022年的研发投入是多少？", "2.3亿元")])


def test_a_figure_told_of_a_company_listed_beside_the_one_asked(tmp_path):
    """"阳光城2021年预计亏损多少钱？" (six helpers wrote it) was answered with the losses of the developers listed beside
    it, whose names jieba tags as a place and a person: a number question's sentence naming, before its figure, a name
    an enumeration of the passages found lists beside the question's own tells of another (an article we wrote)."""
    from assistant.answerers import listed_with

    texts = ["预亏房企包括嘉陵置业、南岸新城、朝天门控股和渝北发展等。", "预盈房企有两江地产、沙坪坝集团。"]
    assert listed_with(["南岸新城"], texts) == {"嘉陵置业", "朝天门控股", "渝北发展"}
    assert listed_with(["新城"], texts) == {"嘉陵置业", "朝天门控股", "渝北发展"}  # jieba's name of 南岸新城
    assert listed_with(["两江地产"], texts) == {"沙坪坝集团"} and listed_with(["华夏"], texts) == set()
    a = indexed_article(tmp_path, """# 山城房企的2022年

山城的房企陆续发布了业绩预告，发布预告的房企包括嘉陵置业、金沙城、朝天门控股和渝北发展等。
亏损最严重的当属嘉陵置业，2022年预计亏损金额在30亿-35亿元；朝天门控股全年预计亏损12.5亿元。
渝北发展表示，公司会继续出售非核心资产，回笼资金偿还到期债务。
""")
    not_covered_then_answered(a, [("金沙城2022年预计亏损多少钱？", "净利润"), ("金沙城预计2022年亏损多少钱？", "净利润")],
                              [("朝天门控股2022年预计亏损多少钱？", "12.5亿元")])


def test_a_fee_a_licence_and_a_sum_invested_are_told_as_such(tmp_path):
    """Near misses that several helpers wrote: what a streaming site paid for a show's rights (5), what fee a payment
    service charges (4), what a plant's total investment was (12 questions, none answerable) were answered with
    sentences on the show's audience, the service and the company's funding. Each is stated only by a sentence telling
    of it: a figure beside 版权 / licence, a fee or a price, a sum invested (an article we wrote)."""
    from assistant.questions import asked_facts, question_type

    def asked(question: str) -> list[str]:
        return [f.name for f in asked_facts(question, question_type(question))]

    assert asked("这次引进《晨跑》，一共花了多少版权费？") == ["版权费"] == asked("买下《晨跑》的版权花了多少钱？")
    assert asked("How much did the station pay for the show's rights?") == ["版权费"]
    assert asked("What fee does the app charge drivers per ride?") == ["收费"] == asked("平台每单要收多少手续费？")
    assert asked("新工厂的总投资是多少？") == ["投资额"] == asked("How much is the company investing in the new plant?")
    (licence,) = [f for f in asked_facts("买下版权花了多少钱？", "number")]
    assert licence.stated_in("电视台以300万元买下了独播版权。") and not licence.stated_in("2021年电视台买下了独播版权。")
    a = indexed_article(tmp_path, """# 山城电视台的新剧

山城电视台今年引进了美剧《晨跑》的独播版权，全季十集，每周六晚上播出。
这部剧在美国首播时每集平均有800万名观众，第二季已经在拍摄中。
为了这部剧，电视台新建了一个演播厅，总投资3000万元，明年还会用来录制访谈节目。
""")
    not_covered_then_answered(a, [("山城电视台引进《晨跑》一共花了多少版权费？", "版权费")],
                              [("山城电视台新建演播厅的总投资是多少？", "3000万元")])


def test_the_company_asked_by_which_one_and_by_its_name():
    """Near misses of our sets: "2021年营业收入排名第一的券商是哪一家？" (3 helpers) answered with the whole industry's
    revenue, "推出1元易经训练营的那家上市培训机构叫什么名字？" (3) with the course's quoted name, "Which universities are the
    researchers who discovered the Alexa versus Alexa flaw from?" (4) read as a comparison. The first two ask for a
    company the sentence must name (not the question's own words), the third for a school."""
    from assistant.questions import AskedName, asked_facts, asked_names, asked_organisations, question_type

    question = "2022年营收排名第一的券商是哪一家？"
    (company,) = asked_organisations(question, question_type(question))
    assert not company.stated_in("37家券商的营业收入合计3000亿元。") and company.stated_in("山城证券营收第一。")
    question = "推出1元国学课的那家培训机构叫什么名字？"
    assert asked_names(question, "zh") == (AskedName(),)
    (company,) = asked_organisations(question, question_type(question))
    assert not company.stated_in("她报了一家培训机构开的“国学课”。") and company.stated_in("课程由“山城教育集团”推出。")
    question = "Which universities are the researchers who found the Echo versus Echo flaw from?"
    assert question_type(question) == "who" and question_type("Tesla versus BYD: who sold more?") == "compare"
    assert [f.name for f in asked_facts(question, "who")] == ["学历"]


def test_amends_a_registered_capital_and_the_company_a_person_joined():
    """Near misses of our sets: what Google gave the users a faulty update locked out (3 helpers) was answered with the
    fix, a joint venture's registered capital (4) by a heading on a share purchase ("…出资百亿牵手…"), the company a
    manager joined after leaving (4) by the newspaper that reported it and by a founder he once ate with. Amends asked
    (补偿, 赔偿, 赔了多少) are told as such (违约金, 支付 count); a registered capital is a sum of money told of as one; a
    quoted source and an unknown name before a person's act ("与雷军一起…") name no company."""
    from assistant.questions import AskedOrganisation, asked_facts, question_type

    def fact(question: str, name: str):
        return next(f for f in asked_facts(question, question_type(question)) if f.name == name)

    amends = fact("这次事故之后，公司给受影响的用户提供了什么补偿？", "赔偿")
    assert fact("官司输了以后，他最后要赔给对方多少钱？", "赔偿").stated_in("他需要向对方支付365万元的违约金。")
    assert amends.stated_in("公司向每位用户赔偿100元。") and not amends.stated_in("公司随后推出了修复版本。")
    capital = fact("两家公司成立的合资公司注册资本是多少？", "注册资本")
    assert capital.stated_in("合资公司注册资本为30亿元人民币。") and capital.stated_in("双方共同出资10亿元设立合资公司。")
    assert capital.stated_in("银行成立时的注册资本为30亿越南盾。")  # CMRC's, in another currency
    assert not capital.stated_in("双方将组建合资公司，其中嘉陵科技持股30%。", "嘉陵科技出资百亿牵手山城汽车")
    company = AskedOrganisation("王磊离开嘉陵科技后去了哪家公司？")
    assert not company.stated_in("据山城日报独家报道，王磊离职。") and company.stated_in("王磊已加入山城汽车集团。")
    assert not company.stated_in("他与雷军一起创办了这家公司，王磊是其中一员。")


def test_a_day_s_final_figure_is_not_stated_by_an_article_written_before_it(tmp_path):
    """Ten near misses of our sets asked what the loan prime rate announced on January 20 finally was, and were answered
    from an article of January 18 that forecast it. A number question asking a day's final figure ("1月20日公布的…最终
    报多少") is not answered by the articles written before that day (an article we wrote)."""
    from assistant.questions import AskedOutcome, asked_outcomes

    assert asked_outcomes("3月10日公布的一年期存款利率最终下调了多少个基点？", "number") == (AskedOutcome(3, 10),)
    assert asked_outcomes("3月10日公布的存款利率是多少？", "number") == () == asked_outcomes("3月10日最终发生了什么？", "fact")
    day = AskedOutcome(3, 10)
    assert day.after("2022-03-08") and not day.after("2022-03-12") and not day.after("")
    a = indexed_article(tmp_path, """---
title: 山城银行的利率
date: 2022-03-08
---
# 山城银行的利率

3月5日，山城银行公布的一年期贷款利率最终下调了15个基点，这是它两年来第一次下调贷款利率。
山城银行将在3月10日公布新的存款利率，市场预计一年期存款利率可能下调5个基点至10个基点。
""")
    not_covered_then_answered(a, [("3月10日公布的一年期存款利率最终下调了多少个基点？", "3月10日的结果")],
                              [("3月5日公布的一年期贷款利率最终下调了多少个基点？", "15个基点")])


def test_a_figure_told_of_the_article_s_own_company_or_of_a_company_named_by_its_trade(tmp_path):
    """Near misses of our sets asked the 2021 revenue of 货拉拉 and of 返利科技 (names jieba cuts into 货 + 拉拉, 返利 + 科技)
    and were answered with 快狗打车's, which the article's heading names, and 华立科技's. A number question's opening
    words before its year are its subject; a sentence not naming it tells of another when the words before its figure
    name what its heading does, or a company by its trade ("华立科技"; an article we wrote)."""
    a = indexed_article(tmp_path, """# 山城快运一年亏掉三亿，同城货运的老三还能撑多久

2022年，山城快运的营收为6.6亿元，同比增加24%，亏损却扩大到3亿元。
在同城货运这条赛道上，行业第一的嘉陵搬家占有52.8%的市场份额，是山城快运的八倍。

## 卡牌生意

2022年，朝天门科技实现营收2.1亿元，它的卡牌机已经铺进了两千家商场。
南岸卡牌去年也推出了卡牌机，主要卖给社区超市。
""")
    not_covered_then_answered(a, [("嘉陵搬家2022年的营收是多少？", "营收"), ("南岸卡牌2022年的营收是多少？", "营收")],
                              [("山城快运2022年的营收是多少？", "6.6亿元"), ("朝天门科技2022年的营收是多少？", "2.1亿元")])


def test_a_region_a_brand_and_a_revenue_asked(tmp_path):
    """Near misses of our files: "2021年东北地区的商品房销售额是多少亿元？" (4 helpers, three regions) was answered with the
    national figures, "…排第一的美容仪是哪个品牌？" (3) with "TOP3皆为国外品牌", a game's June revenue in China
    ("…收入有多少？", 2) with its rank on the revenue chart. A region of China asked is named by the sentence; a brand
    asked is a company's name given ("TOP3" names none); a revenue or profit asked "是多少 / 有多少" is a sum (an article
    we wrote)."""
    from assistant.questions import AskedAmount, AskedRegion, asked_amounts, asked_organisations, asked_regions

    (region,) = asked_regions("2022年东北地区的新车销量是多少？", "number")
    assert region == AskedRegion("东北") and asked_regions("东北地区为什么卖得少？", "why") == ()
    assert region.stated_in("东北地区的新车销量为30万辆。") and not region.stated_in("全国新车销量为300万辆。")
    (brand,) = asked_organisations("去年双11销量第一的是哪个国外品牌？", "who")
    assert not brand.stated_in("销量排名TOP3的都是国外品牌。") and brand.stated_in("销量第一的是YA-MAN。")
    assert asked_amounts("山城卡社2022年的营收是多少？", "number") == (AskedAmount(),)
    assert asked_amounts("山城卡社的营收增长了多少？", "number") == () == asked_amounts("收入占比是多少？", "number")
    a = indexed_article(tmp_path, """# 2022年山城的新车市场

2022年，全国新车销量为300万辆，同比增长8%，其中新能源车占了三成。
山城车企的新车销量为12万辆，《云上赛车》手游也在这一年进入了山城收入榜的前五。
""")
    not_covered_then_answered(a, [("2022年东北地区的新车销量是多少？", "东北地区"), ("《云上赛车》手游2022年在山城的收入有多少？", "金额")],
                              [("2022年全国新车销量是多少？", "300万辆")])


def test_a_shortened_model_name_and_a_property_developer(tmp_path):
    """Of our fresh sets: "…有多少比例的Win10用户…" abstained, no passage writing "Win10" (they write "Windows 10"): a
    model name of letters and digits is found in its longer form. "Which developer won the most plots…?" asked for a
    game's or an app's developer (研发方) and abstained: a property developer is not one (an article we wrote)."""
    from assistant.questions import asked_facts, model_names, same_model

    assert same_model("win10", "windows10") and not same_model("win10", "windows11") and not same_model("p7", "p5")
    assert model_names("六成的Windows 11用户，三成的Win10用户") == {"windows11", "win10"}
    assert [f.name for f in asked_facts("Which studio is the developer of Star Farm?", "who")] == ["研发方"]
    assert [f.name for f in asked_facts("Who is the game developer behind Star Farm?", "who")] == ["研发方"]
    assert asked_facts("Which developer won the most land plots in Chengdu?", "fact") == ()
    a = indexed_article(tmp_path, """# 山城的新电脑

山城电脑公司今天说，已有六成的Windows 11用户开启了指纹登录。
""")
    not_covered_then_answered(a, [], [("有多少比例的Win11用户开了指纹登录？", "六成")])


def test_the_place_the_numbered_season_and_the_time_asked_must_be_the_ones_a_sentence_gives(tmp_path):
    """Near misses of our fresh sets: Shanghai's store count answered with a list of other cities, Beijing's house
    prices with the first-tier cities', a show's third season with its first two, "哪一年" with a sentence giving no
    year. A place inside a company's name ("红杉美国", "Tesla China") is not asked; a sentence naming no place
    may be about the one asked. Among the likeliest, the sentences stating what is asked come first (an article we
    wrote)."""
    from assistant.answerers import AnswerSentence, _stating_the_asked
    from assistant.questions import (AskedMonth, AskedOrdinal, AskedPlace, AskedTime, analyze, asked_facts,
                                     asked_months, asked_ordinals, asked_places, asked_times, asked_years,
                                     ordinals_named, places_named)

    assert places_named("How many stores does it have in Shanghai and the US?") == {"上海", "美国"}
    assert places_named("Tell us more; 在印尼和上海南京路") == {"印度尼西亚", "上海", "南京"}
    assert asked_places("红杉美国2021年宣布了什么？", "fact") == () and asked_places("特斯拉中国卖了多少辆？", "number") == ()
    assert asked_places("What did Tesla China sell in Shanghai?", "number") == (AskedPlace("上海"),)
    assert asked_places("为什么上海的门店更多？", "why") == ()
    shanghai = AskedPlace("上海")
    assert not shanghai.stated_in("已在大连、南京、北京等城市开设近390家门店。")
    assert shanghai.stated_in("门店总数达到390家。") and shanghai.stated_in("在上海、北京共有390家门店。")
    assert not AskedPlace("北京").stated_in("12月，一线城市的新房价格比上月低了0.1%。")
    assert AskedPlace("中国").stated_in("特斯拉上海工厂交付了1万辆。")  # a city inside the country asked
    assert not AskedPlace("中国").stated_in("特斯拉在美国交付了1万辆。")
    assert ordinals_named("第三季、第12届、Season 2 and the first batch") == {(3, "季"), (12, "届"), (2, "季"), (1, "批")}
    assert asked_ordinals("2021年第三季度的营收是多少？", "number") == ()  # a quarter, not a season
    third = AskedOrdinal(3, "季")
    assert not third.stated_in("该剧第一季评分6.7分，第二季只有3分。") and third.stated_in("该剧评分为6.7分。")
    # a month a figure is compared with is not the month asked, nor does a day name the month it falls in
    assert asked_months("货运指数比去年12月回升了多少？", "number") == ()
    assert not AskedMonth(11).stated_in("11月3日公布的10月服务业PMI为53.8。")
    assert analyze("What was the services PMI for November 2021?", ["pmi"]).months == (AskedMonth(11),)
    assert asked_years("How much did it lend on January 17, 2022?", "number") == ()  # the day dates it
    # a person's school or age is asked of the person the title names; "相比分别" asks no score
    assert [f.name for f in asked_facts("Which university did Knowunity's CEO Benedict Kurz attend?", "who")] == ["学历"]
    assert asked_facts("12月那次和7月那次相比分别是多少？", "number") == ()
    # a when-question's year ("哪一年"), given as digits, in Chinese numerals or counted from the day of writing
    assert asked_times("华为是哪一年公布回收流程的？", "when") == asked_times("What year was it founded?", "when") == (AskedTime(),)
    assert asked_times("这笔收购什么时候宣布的？", "when") == ()  # not a year, an opening or a deal's closing
    assert not AskedTime().stated_in("公司此前于3月公布了全过程。") and not AskedTime().stated_in("近期，公司宣布出售茶业务。")
    for sentence in ("尤金袋鼠是于1628年被发现的。", "明世宗嘉靖四十四年生。", "交易将于明年完成。", "2021 Q3 revenue"):
        assert AskedTime().stated_in(sentence), sentence
    info = analyze("木鱼茶饮在重庆有多少家门店？", ["木鱼", "重庆", "门店"])
    ranked = [AnswerSentence(0, n, n + 1, text, None, probability=p) for n, (text, p) in enumerate(
        (("成都的门店有四十家。", 0.5), ("门店共六十家。", 0.4), ("重庆的门店有二十家。", 0.3)))]
    assert [x.text for x in _stating_the_asked(ranked, info)] == ["门店共六十家。", "重庆的门店有二十家。", "成都的门店有四十家。"]
    # of those, a sentence naming the month asked comes before one naming none (a 2021 figure of our fresh sets)
    info = analyze("木鱼茶饮2021年3月卖出了多少杯？", ["木鱼", "2021", "3", "卖出"])
    ranked = [AnswerSentence(0, n, n + 1, text, None, probability=p) for n, (text, p) in enumerate(
        (("木鱼茶饮全年卖出一千万杯。", 0.5), ("除3月份卖出两百万杯外，其余月份都在八十万杯左右。", 0.3)))]
    assert [x.text for x in _stating_the_asked(ranked, info)][0].startswith("除3月份")
    a = indexed_article(tmp_path, """# 木鱼茶饮在西南开店

木鱼茶饮目前在成都和重庆共有六十家门店，其中成都四十家。
该品牌的纪录片第一季播放量为两千万次，第二季为三千万次。
木鱼茶饮此前宣布，在重庆建成了第一座中央厨房。
""")
    not_covered_then_answered(a, [("木鱼茶饮在上海有多少家门店？", "上海"), ("木鱼茶饮的纪录片第三季播放量是多少？", "第3季"),
                                  ("木鱼茶饮的第一座中央厨房是哪一年建成的？", "年份")],
                              [("木鱼茶饮在成都有多少家门店？", "四十家"), ("木鱼茶饮的纪录片第二季播放量是多少？", "三千万次")])


def test_when_a_thing_opens_a_count_and_a_school_must_be_given_by_a_sentence(tmp_path):
    """Near misses of our fresh sets: "Club Med什么时候开业？" answered with "将开放位于长白山的Club Med" (no time at all),
    "In which year did ESR go public?" read as a which-question, "卖出去多少台" with "第一台能完成OCR任务的设备" (an
    ordinal counts nothing), "在哪所大学做的" with "本科生史蒂夫…" (an undergraduate names no school). "第几名" asks a
    rank, which no count gives: the CMRC trial's answers are ordinals (an article we wrote)."""
    from assistant.questions import (AskedCount, AskedTime, AskedWhen, asked_counts, asked_facts, asked_times,
                                     question_type)

    assert question_type("In which year did it go public?") == "when"
    assert asked_times("In which year did it go public?", "when") == (AskedTime(),)
    assert asked_times("When will the resort open?", "when") == (AskedWhen(),)
    assert asked_times("长白山的度假村什么时候开业？", "when")[0].event.startswith("开业")
    assert asked_times("这笔交易预计什么时候宣布？", "when") == ()  # not an opening, a launch, a start or a closing
    opening = AskedWhen()
    assert not opening.stated_in("继杭州旗舰店之后，品牌将在苏州开出新店。")
    for sentence in ("度假村将于明年开业。", "度假村计划在2023年冬季开放。", "新店预计三个月后开业。", "It opens in December."):
        assert opening.stated_in(sentence), sentence
    sold = AskedCount("台部辆")
    assert asked_counts("改进后的装置一共卖出去多少台？", "number") == (sold,)
    assert not sold.stated_in("它是行业里第一台会自己清洗的封口机。") and sold.stated_in("该装置一共卖出三台。")
    assert asked_counts("他在那场比赛中获得第几名？", "number") == ()
    school = asked_facts("他参加的实验是在哪所大学做的？", "where")[0]
    assert not school.stated_in("本科生周远只能记住7个数字。") and school.stated_in("周远本科毕业于重庆大学。")
    a = indexed_article(tmp_path, """# 木鱼茶饮的新店与设备

木鱼茶饮宣布，继成都旗舰店之后，将开放位于重庆的旗舰店。旗舰店的面积是普通门店的三倍。

## 设备

木鱼茶饮自研的封口机于2020年推出，是行业里第一台能识别杯型的设备。
""")
    not_covered_then_answered(a, [("木鱼茶饮重庆的旗舰店什么时候开业？", "时间"), ("木鱼茶饮的封口机一共卖出去多少台？", "数量")],
                              [("木鱼茶饮的封口机是什么时候推出的？", "2020年")])


def test_a_when_question_s_event_must_be_the_one_a_sentence_dates(tmp_path):
    """Near misses of our sets: "小鹅拼拼是什么时候上线的？" answered with a sentence dated 2021 on the business closing,
    "隆基股份是哪一年上市的？" with the year its founder went to university: the sentence giving the time must tell the
    event asked (上线, 推出, 亮相 … for a launch; 上市, 挂牌, 登陆 … for a listing). A when-question naming no such event
    keeps the time alone (an article we wrote)."""
    from assistant.questions import AskedTime, asked_times

    launch = asked_times("小程序是什么时候上线的？", "when")[0]
    assert launch.stated_in("小程序于2020年12月正式亮相。") and not launch.stated_in("2021年，小程序的团队解散了。")
    listing = asked_times("山城乳业是哪一年上市的？", "when")[0]
    assert listing.stated_in("山城乳业2015年登陆A股。") and not listing.stated_in("1996年，创始人考入大学。")
    assert asked_times("山城乳业是哪一年成立的？", "when") == (AskedTime(),)
    # the likely sentences count, as an English question's: the time of the filming, then of the release
    from types import SimpleNamespace as Row

    from assistant.answerers import unstated_facts
    from assistant.keywords import tokenize
    from assistant.questions import analyze

    question = "拍摄结束后，这部电影什么时候在山城上映的？"
    info = analyze(question, tokenize(question))
    result = Row(passages=[Row(heading="电影", text="", source="a.md", date="")])
    filmed = Row(passage=0, probability=0.8, text="2007年7月开始拍摄，8月结束。")
    released = Row(passage=0, probability=0.6, text="2008年12月在山城上映。")
    assert unstated_facts(info, result, [filmed, released]) == ()
    assert [x.name for x in unstated_facts(info, result, [filmed])] == ["时间"]
    a = indexed_article(tmp_path, """# 山城乳业的三十年

1993年，周远考入重庆大学，毕业后进入一家奶厂。
2003年，他创办了山城乳业，第一年只卖出两万瓶酸奶。
""")
    not_covered_then_answered(a, [("山城乳业是哪一年上市的？", "年份")], [("山城乳业是哪一年创办的？", "2003年")])


def test_this_year_in_an_article_is_the_year_it_was_written(tmp_path):
    """A near miss of our fresh sets: "薇诺娜天猫旗舰店2021年的销售额同比增长了多少？" was answered with "今年…同比大增76%" from an
    article of 2022 (another brand's figure). "今年" / "去年" are read as the years they are in the article's date, so
    they no longer pass for the year asked (an article we wrote)."""
    from assistant.questions import dated

    assert dated("今年1-4月关店12家，去年全年关店3家。", "2022-05-01T00:00:00") == "2022年1-4月关店12家，2021年全年关店3家。"
    assert dated("It closed 12 stores last year.", "2022-05-01T00:00:00") == "It closed 12 stores 2021."
    assert dated("今年关店12家。", "") == "今年关店12家。"  # no date: nothing to count from
    a = indexed_article(tmp_path, """---
title: 木鱼茶饮收缩门店
date: 2022-05-01
---
# 木鱼茶饮收缩门店

今年1-4月，木鱼茶饮在全国关闭了12家门店，主要位于二线城市。
""")
    not_covered_then_answered(a, [("木鱼茶饮2021年关闭了多少家门店？", "2021年的数字")],
                              [("木鱼茶饮2022年1-4月关闭了多少家门店？", "12家")])


def test_an_english_name_the_closest_article_never_mentions_abstains(tmp_path):
    """A near miss of our fresh sets: "How much did XPeng's stock rise on that Monday when the 10-year Treasury yield
    broke 3%?" was answered with the day's treasury yields from a newsflash that never names 小鹏. A capitalised word
    glossed to a Chinese name (XPeng → 小鹏) that another article holds must be in the closest sentence's article (two
    articles we wrote)."""
    from conftest import write

    write(tmp_path / "articles" / "xpeng.md", """# 小鹏汽车3月交付量

小鹏汽车3月交付新车15414辆，同比增长202%。
""")
    a = indexed_article(tmp_path, """# 3月21日美股收盘

3月21日收盘，美国十年期国债收益率报2.977%，盘中一度站上3%。
同日美元指数小幅走高。
""")
    not_covered_then_answered(a, [("How much did XPeng's stock rise on the day the 10-year Treasury yield broke 3%?",
                                   "does not mention XPeng")],
                              [("How many cars did XPeng deliver in March?", "15414"),
                               ("What did the 10-year Treasury yield close at on March 21?", "2.977%")])


def test_the_count_and_the_name_asked_must_be_given_by_a_sentence(tmp_path):
    """Near misses of our training sets: "卖出去多少份" answered with a sentence on the course that counts nothing,
    "那家合资公司叫什么名字" with one on the joint venture that names nothing. A count may be given in a measure word
    counting the same things ("多少人" → "三百名"), in "个", or for "几" by listing; a name quoted, in Latin letters or
    announced. A person's name is checked as a person's ("首席执行官叫什么名字", ``AskedPerson``), a bare "叫什么" not at all
    (an article we wrote)."""
    from assistant.questions import AskedCount, AskedName, AskedPerson, asked_counts, asked_names

    assert asked_counts("这门课一共卖出去多少份？", "number") == (AskedCount("份"),)
    assert asked_counts("公司现在有几家门店？", "number") == (AskedCount("家所", few=True),)
    for question in ("这座城市有多少人口？", "它占了多少份额？", "新车卖多少钱？"):  # a noun, a share, a sum
        assert asked_counts(question, "number") == (), question
    people = AskedCount("人名位")
    assert people.stated_in("招到了三百名工人。") and people.stated_in("约有两千个人报名。")
    assert not people.stated_in("公司在2022年春节开出了七千元的月薪。")
    assert AskedCount("家所", few=True).stated_in("它在北京、上海、成都和重庆开店。")
    # how often: in 次, 遍 or 回, and not in 个, which counts things ("两个习惯" is no count of readings)
    assert asked_counts("How many times did the author read the book?", "number") == (AskedCount("次遍回", things=False),)
    assert asked_counts("How many times larger is the new plant?", "number") == ()
    often = AskedCount("次遍回", things=False)
    assert often.stated_in("这本书他前后读了三遍。") and not often.stated_in("方法的核心是两个习惯。")
    assert not AskedCount("家所").stated_in("它在北京、上海、成都和重庆开店。")
    assert asked_names("两家公司成立的合资公司叫什么名字？", "zh") == (AskedName(),)
    assert asked_names("这家公司的首席执行官叫什么名字？", "zh") == (AskedPerson("这家公司的首席执行官叫什么名字？"),)
    assert asked_names("这种点心又叫什么？", "zh") == ()
    assert AskedName().stated_in("平台名为“快工”。") and AskedName().stated_in("交由Blue Tide代工。")
    assert not AskedName().stated_in("双方将成立一家合资公司，前者持股四成。")
    a = indexed_article(tmp_path, """# 木鱼茶饮的新动作

木鱼茶饮推出了一门教人开奶茶店的线上课程，定价九十九元，主讲人是创始人周远。
木鱼茶饮与山城乳业成立了一家合资公司，木鱼茶饮持股六成，山城乳业持股四成。
木鱼茶饮今年春节在重庆招聘店员，最终招到了一百二十名店员。
木鱼茶饮的新品牌名为“小木鱼”，主打十元以下的果茶。
""")
    not_covered_then_answered(a, [("木鱼茶饮开店课程一共卖出去多少份？", "数量"),
                                  ("木鱼茶饮和山城乳业成立的合资公司叫什么名字？", "名称")],
                              [("木鱼茶饮今年春节一共招到了多少人？", "一百二十名"), ("木鱼茶饮的新品牌叫什么名字？", "小木鱼")])


def test_the_company_asked_must_be_named_by_a_sentence(tmp_path):
    """Near misses of our fresh sets: "李伟星离开小米之后去了哪家公司？" answered with the sentence on his leaving, "Which
    brokerage had the highest net profit…?" with the industry's total, "G11…是哪家物业公司牵头发起的？" with the alliance's
    founding. A company is named in Latin letters, quoted, as a name jieba tags or by a word ending in 公司 / 集团 …,
    and not as the question names it; a count of companies names none (an article we wrote)."""
    from assistant.questions import AskedOrganisation, asked_organisations

    asked = asked_organisations("周远离开木鱼茶饮之后去了哪家公司？", "fact")
    assert asked == (AskedOrganisation("周远离开木鱼茶饮之后去了哪家公司？"),)
    assert asked_organisations("Which brokerage earned the most in 2021?", "fact")
    assert asked_organisations("为什么哪家公司都不愿意做？", "why") == asked_organisations("周远去了哪里？", "fact") == ()
    moved = asked[0]
    for sentence in ("周远加入了山城乳业集团。", "周远去了Blue Tide。", "周远加入了“晚点”。"):
        assert moved.stated_in(sentence), sentence
    for sentence in ("周远上个月从木鱼茶饮离职。", "12家公司合计盈利3亿元。", "2019年5月1日木鱼茶饮公司成立。"):
        assert not moved.stated_in(sentence), sentence
    a = indexed_article(tmp_path, """# 木鱼茶饮的人事变动

木鱼茶饮联合创始人周远上个月离职，他此前负责门店扩张。
木鱼茶饮的果茶原料由山城乳业独家供应，双方的合作已有五年。
""")
    not_covered_then_answered(a, [("周远离开木鱼茶饮之后去了哪家公司？", "机构名称")],
                              [("木鱼茶饮的果茶原料由哪家公司供应？", "山城乳业")])


def test_the_kind_of_place_and_the_day_asked_must_be_given_by_a_sentence(tmp_path):
    """Near misses of our fresh sets: "首个项目落在哪个城市" answered with a sentence naming a country only, "截止日期是哪天"
    and "On what date…" with sentences giving no day. A city the gazetteer lacks counts when jieba tags it as a place
    or by its suffix; a municipality answers "哪个城市"; a country's name may end in 国 (an article we wrote)."""
    from assistant.questions import AskedDate, AskedPlaceKind, asked_dates, asked_place_kinds

    assert asked_place_kinds("首个项目落在哪个城市？") == (AskedPlaceKind("city"),)
    assert asked_place_kinds("In which country is it based?") == (AskedPlaceKind("country"),)
    assert asked_place_kinds("哪个国家的？") == (AskedPlaceKind("country"),) and asked_place_kinds("国内哪家最大？") == ()
    city, country = AskedPlaceKind("city"), AskedPlaceKind("country")
    assert not city.stated_in("公司将在中国成立一个新的亚太区平台。") and not city.stated_in("联盟今天在上市公司中成立。")
    for sentence in ("首个项目落在衡阳。", "项目位于佛山市。", "项目在上海。"):
        assert city.stated_in(sentence), sentence
    assert country.stated_in("他是马达加斯加的政治人物。") and not country.stated_in("他在上海工作。")
    assert asked_dates("申报截止日期是哪天？") == asked_dates("On what date was it attacked?") == (AskedDate(),)
    assert asked_dates("这家公司是哪一年成立的？") == ()
    for sentence in ("申报截止到3月13日。", "今天，联盟宣布成立。", "It opened on March 13."):
        assert AskedDate().stated_in(sentence), sentence
    assert not AskedDate().stated_in("申报将于2022年1月截止。")
    a = indexed_article(tmp_path, """# 木鱼茶饮的新动向

## 供应链平台

木鱼茶饮宣布与一家外资基金共同成立供应链平台，首期出资五亿元，平台的项目将投向中国的茶园。

## 中央厨房

木鱼茶饮的第二座中央厨房设在贵阳市，预计年底投产。

## 加盟

木鱼茶饮的加盟申请已经开放，首批名额有限，申请截止时间另行通知。

## 新品

木鱼茶饮的新品发布会定于6月18日举行，届时将推出三款果茶。
""")
    not_covered_then_answered(a, [("木鱼茶饮的供应链平台首个项目落在哪个城市？", "城市"),
                                  ("木鱼茶饮加盟申请的截止日期是哪天？", "日期")],
                              [("木鱼茶饮的第二座中央厨房设在哪个城市？", "贵阳"), ("木鱼茶饮的新品发布会是哪天？", "6月18日")])


def test_a_follow_up_that_reads_as_a_question_of_its_own_but_finds_nothing_alone_leans_on_the_history(tmp_path):
    """"到2023年变成多少了？" has a question word and a year, so it is tried on its own first; when that is too weak to
    answer it used to be "not covered" (three follow-ups of a fresh set of ours, over the whole corpus). Now it is
    searched with the previous question as well. In a corpus this small the question alone is not weak, so the
    abstention threshold is raised between the two readings' evidence (0.66 alone and 0.89 with the previous question
    under the models fitted on the shared sets; 0.80 and 0.94 under those fitted on ours too)."""
    import shutil
    from pathlib import Path

    from assistant.chain import with_previous
    from conftest import write

    articles = tmp_path / "articles"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "articles", articles)
    write(articles / "shancheng-stores.md", """# 山城咖啡的门店

山城咖啡在2021年底共有40家门店，大多开在重庆的写字楼里。
到2023年，门店增加到了65家，新店主要开在成都和贵阳。
公司表示，明年不再扩张，先把老店的翻台率提上去。
""")
    plain = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    plain.index([articles])
    first = "山城咖啡在2021年底有多少家门店？"
    history = [(first, plain.ask(first).text)]
    follow_up = "到2023年变成多少了？"
    alone = plain.chain.resolve(follow_up, [])[3].answerable
    leaning = plain.chain.resolve(with_previous(follow_up, history, plain.retriever.in_chinese), [])[3].answerable
    assert alone < leaning, (alone, leaning)
    a = Assistant(index_dir=str(tmp_path / "index"), abstain_below=(alone + leaning) / 2, quiet=True)
    assert a.chain.resolve(follow_up, [])[3].is_weak()  # alone, as typed
    answer = a.ask(follow_up, history=history)
    assert not answer.abstained and "65家" in answer.text, answer.text


def test_a_follow_up_that_names_nothing_is_not_answered_from_another_article(tmp_path):
    """"那到2020年涨到多少了？" after a question on a company's 2018 revenue (a fresh set of ours): it names no one, so
    only the chat's article can say of what. Tried alone over every article, it used to be answered with another
    article's figure for 2020 (here a tea market's size); it is now searched in the chat's article and then with
    the history (articles we wrote)."""
    import shutil
    from pathlib import Path

    from conftest import write

    articles = tmp_path / "articles"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "articles", articles)
    write(articles / "shancheng-revenue.md", """# 山城咖啡的营收

山城咖啡2018年的营收为1.2亿元，当时门店只开在重庆。
山城咖啡的门店后来开到了成都和贵阳。
公司表示，营收增长主要来自外卖订单。
""")
    write(articles / "tea-market.md", """# 西南茶饮市场

西南地区的现制茶饮市场规模在2019年约为80亿元。
到2020年，这一市场规模涨到了120亿元，门店总数超过两万家。
""")
    Assistant(index_dir=str(tmp_path / "index"), quiet=True).index([articles])
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    first = "山城咖啡2018年的营收是多少？"
    history = [(first, a.ask(first).text)]
    assert "1.2亿元" in history[0][1]
    follow_up = "那到2020年涨到多少了？"
    assert "120亿元" in a.ask(follow_up).text  # asked in a chat of its own, the tea market's figure
    answer = a.ask(follow_up, history=history)
    assert "120亿元" not in answer.text and all(c.passage.source.endswith("shancheng-revenue.md")
                                               for c in answer.citations), answer.text


def test_a_follow_up_is_searched_first_among_the_articles_the_last_answer_quoted(tmp_path):
    """Articles we wrote. "它离开主人多久后会发出提示音？" after a question whose answer named the tracker (小蓝点): the
    question names nothing, and another article's tracker says "离开主人…发出提示音" word for word (three follow-ups of
    our fresh sets went to another article that way). Every follow-up of our sets asks about an article the previous
    answer quoted; the chat's articles are read back from the answer's text, as any client sends it. A question that
    names its own subject is not bent by the chat, even with a "它" (a name the chat's article never mentions); one
    that compares with the chat's figure ("比上月增加了多少？") or names nothing at all ("预计到年底能卖出多少？") stays in
    the chat's article, though it could stand alone; "归母净利润呢？" asks for the net profit the revenue question's
    sentence did not state."""
    from conftest import write

    write(tmp_path / "articles" / "lantu.md", """---
title: 蓝图科技的春季发布会
date: 2023-03-20
---

# 蓝图科技的春季发布会

蓝图科技在春季发布会上推出了防丢设备“小蓝点”，售价149元，可以挂在钥匙或背包上。

小蓝点4月卖出2万个，比上月增加了5000个。

## 防止被人用来跟踪

为了防止被人用来跟踪，小蓝点与持有者分开8到24小时后会响铃提醒。

公司预计到年底，小蓝点累计销量将达到20万个。

## 业绩

2022年蓝图科技合计营收为18.6亿元，合计实现归母净利润2.4亿元。
""")
    write(tmp_path / "articles" / "qingniao.md", """---
title: 青鸟防丢卡上市
date: 2023-04-02
---

# 青鸟防丢卡上市

青鸟防丢卡（QCard）是一款卡片式防丢器，厚度只有2毫米，可以放进钱包。

青鸟防丢卡离开主人10分钟后就会发出提示音，提醒用户找回钱包。它4月卖出3万张，比上月增加了8000张。预计到年底能卖出50万张。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    first = "蓝图科技在春季发布会上推出了什么防丢设备？"
    told = a.ask(first)
    assert "小蓝点" in told.text and not told.abstained
    lantu = a.catalog.chunks([c.passage.chunk_id for c in told.citations])
    history = [(first, told.text)]
    assert a.chain.chat_articles(history) == (next(iter(lantu.values())).article_id,)
    assert a.chain.chat_articles([(first, "资料中没有找到相关内容。")]) == ()
    follow = a.ask("它离开主人多久后会发出提示音？", history=history)
    assert "8到24小时" in follow.text and "10分钟" not in follow.text, follow.text
    # its own subject: searched among all articles
    other = a.ask("青鸟防丢卡离开主人多久后会发出提示音？", history=history)
    assert "10分钟" in other.text, other.text
    # "它" of a question that names its own subject, one the chat's article never mentions, is that subject
    assert a.chain.names_elsewhere("QCard离开主人多久后，它会发出提示音？", a.chain.chat_articles(history))
    other = a.ask("QCard离开主人多久后，它会发出提示音？", history=history)
    assert "10分钟" in other.text and "8到24小时" not in other.text, other.text
    # a comparison with what the chat was about goes on with it, though it could stand alone
    sold = "小蓝点4月卖出多少个？"
    follow = a.ask("比上月增加了多少？", history=[(sold, a.ask(sold).text)])
    assert "5000个" in follow.text and "8000张" not in follow.text, follow.text
    # so does a question with no noun at all: of what, only the chat can say
    follow = a.ask("预计到年底能卖出多少？", history=[(sold, a.ask(sold).text)])
    assert "20万个" in follow.text and "50万张" not in follow.text, follow.text
    revenue = "2022年蓝图科技合计营收是多少？"
    follow = a.ask("归母净利润呢？", history=[(revenue, a.ask(revenue).text)])
    assert follow.search_query == "2022年蓝图科技合计归母净利润是多少？" and "2.4亿元" in follow.text, follow.text


def test_a_follow_up_weak_in_the_chat_s_article_keeps_its_answer_when_all_articles_give_only_a_doubtful_one(tmp_path):
    """Articles we wrote, after the case that asked for it: "和9月比降了多少？" found a sentence on housing sales in another
    article. Below the threshold in the chat's article by its probability alone, while all articles give no better
    than an answer with the caveat, the follow-up is still answered from the chat's article (searched there, or with
    the previous question), with the caveat: the threshold is set between the two readings' evidence, and every
    answer carries the caveat."""
    from conftest import write

    write(tmp_path / "articles" / "shancheng.md", """---
title: 山城咖啡的外卖生意
date: 2023-10-08
---

# 山城咖啡的外卖生意

山城咖啡9月的外卖订单占比为35%，8月时这一比例是38%。

公司表示，外卖订单的客单价比堂食低，但复购率更高。
""")
    write(tmp_path / "articles" / "housing.md", """---
title: 重庆9月楼市
date: 2023-10-09
---

# 重庆9月楼市

重庆9月新房成交1.1万套，和8月比降了12%，二手房成交则基本持平。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    first = "山城咖啡9月的外卖订单占比是多少？"
    history = [(first, a.ask(first).text)]
    assert "35%" in history[0][1]
    compared = "和8月比降了多少？"
    inside, outside = (a.chain.resolve(compared, history)[3], a.chain.resolve(compared, [])[3])
    assert inside.answerable < outside.answerable, (inside.answerable, outside.answerable)
    b = Assistant(index_dir=str(tmp_path / "index"), abstain_below=(inside.answerable + outside.answerable) / 2,
                  hedge_below=1.0, quiet=True)
    alone = b.ask(compared)
    assert not alone.abstained and "12%" in alone.text, alone.text  # alone: the housing article's answer, doubtful
    follow = b.ask(compared, history=history)
    assert follow.doubtful and "38%" in follow.text and "12%" not in follow.text, follow.text
    assert all(c.passage.source.endswith("shancheng.md") for c in follow.citations)


def test_the_question_s_subject_counts_in_a_passage_that_writes_its_two_halves_apart(tmp_path):
    """Articles we wrote. jieba reads "包装食品行业" as "食品行业", the rarest noun of the question and so its subject; the
    answer's passage writes "包装食品占到了全行业规模", and only another article's passage held "食品行业" whole: the
    answer's sentence was taken for one told of something else, and the question was "not covered" (an answerable
    question of a fresh set of ours)."""
    from conftest import write

    write(tmp_path / "articles" / "labels.md", """---
title: 山城超市的自有品牌
date: 2022-08-01
---

# 山城超市的自有品牌

2020年，国内各渠道里自有品牌的包装食品占到了全行业规模的12.5%，比五年前翻了一番。
""")
    write(tmp_path / "articles" / "snacks.md", """---
title: 零食的新玩家
date: 2022-08-03
---

# 零食的新玩家

食品行业的竞争越来越激烈，各大渠道都在做自有品牌，包装越来越讲究，新品牌所占的比例也在提高。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    answer = a.ask("2020年国内渠道的自有品牌在包装食品行业里占多大比例？")
    assert not answer.abstained and "12.5%" in answer.text, answer.text


def test_the_period_a_figure_is_compared_with_is_not_the_period_asked():
    """"和9月比降了多少？" (a follow-up of a fresh set of ours) asks how the figure changed since September, not a figure for
    September: the sentence "比上月下降0.3点" answers it. The year or month after 和 / 跟 / 与 … 比 or after 比 / 较 is
    the base of the comparison."""
    from assistant.questions import AskedMonth, AskedYear, asked_months, asked_years

    assert asked_months("和9月比降了多少？", "number") == () and asked_years("跟2019年比少了多少？", "number") == ()
    assert asked_years("2021年比2020年增长了多少？", "number") == (AskedYear("2021"),)
    assert asked_months("8月和9月的销量分别是多少？", "number") == (AskedMonth(8), AskedMonth(9))


def test_a_name_the_closest_article_never_mentions_is_not_covered(tmp_path):
    """Articles we wrote. A near miss of a fresh set of ours named a game studio one article covers, and the closest
    sentence, in a bakery chain's article, told why *that* company did the asked thing: answered with the wrong company.
    A question's proper name that the articles know, but not the closest sentence's article, is not covered; so is a
    place no article names ("冰岛的地热发电…" answered by a sentence on the country's own figure)."""
    from conftest import write

    write(tmp_path / "articles" / "games.md", """# 雁鸣网络的新游戏

雁鸣网络今年在日本上线了一款卡牌手游，首月下载量超过五十万次。
""")
    write(tmp_path / "articles" / "bakery.md", """# 木鱼烘焙把总部搬到成都

木鱼烘焙今年把总部从上海搬到了成都，因为成都的房租更低、年轻顾客也更多。
""")
    write(tmp_path / "articles" / "power.md", """# 地热发电的账本

地热发电目前占全国发电量的百分之三左右，比十年前翻了一番。
""")
    # jieba reads "交易会" (a trade fair, which another article names) across "交易 会利好": no name is asked there
    write(tmp_path / "articles" / "fair.md", """# 春季交易会开幕

本届春季交易会有三千家企业参展，展期五天。
""")
    write(tmp_path / "articles" / "grid.md", """# 电价放开以后

分析人士认为，电价可以随煤价上浮以后，火电企业的亏损会明显收窄。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    not_covered_then_answered(a, [("雁鸣网络为什么把总部搬到成都？", "雁鸣"), ("冰岛的地热发电占全国发电量的比例是多少？", "冰岛")],
                              [("木鱼烘焙为什么把总部搬到成都？", "房租更低"), ("地热发电占全国发电量的比例是多少？", "百分之三"),
                               ("为什么说电价市场化交易会利好火电企业？", "随煤价上浮")])


def test_a_republishing_note_answers_only_who_wrote_the_article(tmp_path):
    """An article we wrote, opening with the note republished articles carry. A question naming the source was
    answered with the note, which shares the source's name and says nothing else; asked for the author, it answers."""
    from conftest import write

    write(tmp_path / "articles" / "brands.md", """# 新消费品牌的两种打法

本文来自公众号“山城消费观察”，作者：木鱼，36氪经授权发布。

平价消费品的关键在于铺开渠道，线上线下都要覆盖。高端消费品的关键在于品牌，它卖的是一种生活方式。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    answer = a.ask("山城消费观察认为，平价消费品的关键是什么？")
    assert "渠道" in answer.text and "经授权发布" not in answer.text, answer.text
    assert "木鱼" in a.ask("山城消费观察这篇文章的作者是谁？").text


def test_an_original_title_line_is_no_answer(tmp_path):
    """An article we wrote, opening with the original title a republished article gives ("原标题：《…》"): a question in
    the title's words ("2022山城富豪榜上排第二的是谁？", as four of our sets asked of a rich list) was answered with the title
    line, which states nothing; asked for the title, it answers."""
    from conftest import write

    write(tmp_path / "articles" / "rich-list.md", """# 2022山城富豪榜发布

原标题：《2022山城富豪榜发布，你排第几名？》

今日，2022山城富豪榜发布。木鱼茶饮的创始人李青以320亿元位居榜首。

山城咖啡的周远从去年的第五上升至第二，财富为150亿元。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    answer = a.ask("2022山城富豪榜上，排第二的是谁？")
    assert "原标题" not in answer.text and "周远" in answer.text, answer.text
    assert "原标题" in a.ask("这篇文章的原标题是什么？").text


def test_investors_named_before_a_sum_raised_are_not_its_subject(tmp_path):
    """An article we wrote. "How much did Lantu raise in its Series A?": the sentence with the sum calls the company
    "该团队" and names its investors before the sum ("…由 Redwood 和 Stride 共同领投…"); read as the sum of another
    company, it was "not covered" (a false abstention of a fresh set of ours)."""
    from conftest import write

    write(tmp_path / "articles" / "lantu.md", """# 学习应用 Lantu 完成A轮融资

Lantu 是一款帮助中学生互相讲题的学习应用，用户大多在德国。

该团队刚刚在 Redwood 和 Stride 共同领投的 A 轮融资中获得了 1200 万欧元的新资金，将用于进入西班牙市场。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    answer = a.ask("How much did Lantu raise in its Series A?")
    assert not answer.abstained and "1200 万欧元" in answer.text, answer.text


def test_the_side_asked_and_the_month_compared_with():
    """One of two opposed qualifiers is not stated by a sentence naming only the other (a fresh set's near miss asked
    for the Android figure and got the iOS one); "比上月" compares with the month before and dates no figure, so a
    sentence on October does not give November's."""
    from assistant.questions import AskedMonth, asked_sides

    android, week = asked_sides("这款游戏安卓端上线一周的收入是多少？", "number")
    assert (android.side, week.side) == ("安卓", "一周")
    assert not android.stated_in("iOS端的收入：近一周大约二百三十万美元。")
    assert android.stated_in("安卓端和iOS端合计收入约为五百万美元。") and android.stated_in("上线一周收入约为五百万美元。")
    (first_month,) = asked_sides("上线首月在iOS端的收入是多少？", "number")[1:]
    assert not first_month.stated_in("iOS端近一周的收入约为二百三十万美元。")
    assert asked_sides("iOS端和安卓端的收入差多少？", "number") == ()  # both sides: a comparison
    assert not AskedMonth(11).stated_in("10月发展指数回落至86.1，比上月下降0.3点。")
    assert AskedMonth(11).stated_in("本月发展指数回落至86.1。")
    # an English question's side, in its words, against the Chinese sentence (two near misses of our fresh sets asked
    # for a manufacturing index and were given the same survey's services one)
    (made,) = asked_sides("What was the Shancheng manufacturing index for March?", "number")
    assert not made.stated_in("3月山城服务业指数为51.2，比上月回升0.6点。") and made.stated_in("3月山城制造业指数为49.8。")
    (services,) = asked_sides("And the non-manufacturing index?", "number")
    assert services.stated_in("非制造业指数为52.4。") and not services.stated_in("制造业指数为49.8。")
    sides = asked_sides("How much did its exports grow year on year?", "number")
    assert [x.side for x in sides] == ["exports", "year on year"]


def test_each_side_asked_must_be_stated(tmp_path):
    """An article we wrote. A fresh set's near miss asked for the first week's figure on Android and was answered with
    iOS's: the sentence named the week, and a question's sides counted as one kind, any of which would do."""
    from conftest import write

    write(tmp_path / "articles" / "game.md", """# 《山城物语》上线首周

据第三方数据估算，《山城物语》上线第一周在iOS端的收入约为二百三十万美元，下载量排在免费榜第五。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    not_covered_then_answered(a, [("《山城物语》上线第一周在安卓端的收入是多少？", "安卓")],
                              [("《山城物语》上线第一周在iOS端的收入是多少？", "二百三十万")])


def test_the_index_named_and_a_city_s_figure():
    """Near misses of our fresh sets: the index a question names is not another index of the same release ("建筑业商务活动指数"
    was answered with the non-manufacturing one); a city's store count is not the global one."""
    from assistant.questions import AskedMonth, AskedPlace, AskedPlaceKind, asked_indexes, asked_months, asks_figure

    (index,) = asked_indexes("10月份建筑业商务活动指数是多少？", "number")
    assert index.label == "建筑业商务活动" and not index.stated_in("10月份，非制造业的商务活动指数是52.4%。")
    assert index.stated_in("建筑业商务活动指数为56.9%，比上月上升0.2个百分点。")
    (index,) = asked_indexes("10月份制造业PMI里的新订单指数是多少？", "number")
    assert index.label == "新订单" and not index.stated_in("10月，制造业的采购经理指数（PMI）是49.2%。")
    assert asked_indexes("2021年全年指数涨了多少？", "number") == () and asked_indexes("指数是什么？", "fact") == ()
    assert asked_indexes("2021年一整年新能源汽车指数涨了多少？", "number")[0].label == "新能源汽车"
    # an English question asking for an index's value is typed a fact question; it asks for a figure all the same, and
    # the month it names dates it (a fresh set's near miss for March was answered with January–February's index)
    ctsi = "What was China's transport production index for November 2021?"
    assert asks_figure(ctsi, "fact") and asked_months(ctsi, "fact") == (AskedMonth(11),)
    assert AskedMonth(11).name_en == "November figure" and not asks_figure("Which index rose the most?", "who")
    # a province is named by its suffix, not by the verb 省 ("节省成本") nor by "全省"
    province = AskedPlaceKind("province")
    assert province.stated_in("公司总部在安大略省。") and province.stated_in("工厂建在湖南省衡阳市。")
    assert not any(province.stated_in(t) for t in ("这样可以节省成本。", "大家都很省心。", "全省的销量第一。"))
    assert not AskedPlace("成都").stated_in("品牌在全球的门店数为382家。")
    assert AskedPlace("成都").stated_in("品牌在成都的门店数为3家。") and AskedPlace("成都").stated_in("门店数为3家。")


def test_an_area_is_given_in_its_units_and_a_nouns_first_character_counts_nothing():
    """Near misses and false abstentions of our fresh sets: "那套loft公寓建筑面积有多大？" was answered with the sentence on
    buying the flat, which gives no size; "培养多少本地数字人才" read 本 (books) as the counter and abstained on "6万名";
    "what share of the profit goes to…" abstained on a sentence giving the split of 分润."""
    from assistant.questions import AskedCount, asked_counts, asked_facts

    area = [f for f in asked_facts("她在西安买的那套公寓建筑面积有多大？", "number") if f.name == "面积"]
    assert area and area[0].stated_in("这套公寓的建筑面积只有38平米。") and area[0].stated_in("园区占地120亩。")
    assert area[0].stated_in("该区土地面积2.35 km²，是城里最小的区。")
    assert not area[0].stated_in("她在2019年买下了一套地铁口的小公寓。")
    assert not area[0].stated_in("平台上的房源平均每天被浏览300次。")
    assert [f.name for f in asked_facts("What is the floor area of the warehouse?", "number")] == ["面积"]
    assert asked_counts("这个项目计划培养多少本地数字人才？", "number") == ()
    assert asked_counts("这个城市有多少家电商平台？", "number") == (AskedCount("家所"),)  # 家 counts platforms
    profit = [f for f in asked_facts("What share of the profit goes to the brand owners?", "number") if f.name == "净利润"]
    assert profit and profit[0].stated_in("按环节分润，品牌方拿走约一半。")


def test_an_off_topic_question_and_a_countrys_adjective(tmp_path):
    """Off-topic questions of our fresh sets ("What is the boiling point of liquid nitrogen?") were answered from an
    article on protein structures: no sentence found was even 0.5% likely to answer, which the abstention model,
    linear in that probability, outweighed. And "the British blind association" was "not covered" since CC-CEDICT
    reads British as 不列颠, which another article writes and the closest does not: it writes 英国 (articles we wrote)."""
    from conftest import write

    write(tmp_path / "articles" / "ubc.md", "# 温哥华的大学\n\n不列颠哥伦比亚大学位于加拿大温哥华，成立于1908年。\n")
    a = indexed_article(tmp_path, """# 一百年前的读书机器

1913年，英国一位物理学家展示了一台能把印刷文字转成声音的机器，帮助盲人读书。
当时英国的盲人协会没有支持这台机器，因为协会担心它会妨碍盲文的推广。
后来一家仪器公司改进了这台机器，但只卖出了很少几台。
""")
    not_covered_then_answered(a, [("What is the boiling point of liquid nitrogen?", "don't cover")],
                              [("Why did the British blind association not support the reading machine?", "盲文")])


def test_a_latin_name_the_closest_article_never_mentions_abstains(tmp_path):
    """A near miss of our fresh sets: "At what valuation did Ubras raise its most recent funding round?" was answered
    with other companies' valuations from articles that never name Ubras. A capitalised word the articles write in
    Latin letters (no Chinese equivalent) must be in the closest sentence's article too (articles we wrote)."""
    from conftest import write

    write(tmp_path / "articles" / "lumio.md", """# 重庆内衣门店观察

重庆解放碑一带的内衣门店里，Lumio、山茶等新品牌卖得最好，无钢圈款式最受欢迎。
""")
    a = indexed_article(tmp_path, """# 山城咖啡完成B轮融资

山城咖啡完成B轮融资，本轮融资后估值达到12亿元，由木鱼资本领投。
""")
    not_covered_then_answered(a, [("At what valuation did Lumio complete its Series B round?",
                                   "does not mention Lumio")],
                              [("Which brands sell best in Chongqing's underwear stores?", "Lumio"),
                               ("What valuation did Shancheng Coffee reach after its Series B round?", "12亿元")])


def test_a_follow_up_is_answered_by_a_sentence_stating_what_it_asks_in_other_words(tmp_path):
    """A follow-up of our fresh sets: "这些游戏一共赚了多少钱？" after "2021年有多少款中国手游进了日本畅销榜Top100？" was
    answered with sentences naming 游戏, a word the follow-up adds; the sentence giving the sum ("…合计吸金约…亿美元")
    names none of its words, and was dropped though it states a sum, which the question asks for (an article we
    wrote)."""
    a = indexed_article(tmp_path, """# 2021年山城手游市场观察

2021年共有30款国产手游进入山城畅销榜前一百，合计吸金约12亿元，占前一百总收入的四成。
山城玩家对老游戏的忠诚度很高，新游戏很难挤进榜单前列。
这些上榜的游戏里，策略类游戏最多，其次是角色扮演类游戏。
""")
    first = "2021年有多少款国产手游进了山城畅销榜前一百？"
    answer = a.ask("这些游戏一共赚了多少钱？", history=[(first, a.ask(first).text)])
    assert not answer.abstained and "12亿元" in answer.text, answer.text


def test_an_amount_that_looks_like_a_year_dates_nothing():
    """A follow-up of our fresh sets, "那它每个月能收多少租金？" after "…2018年在西安买的loft公寓总价多少？", abstained on
    "租金只有2000出头": 2000 was read as a year other than the one asked. A figure in a unit is an amount."""
    from assistant.questions import AskedYear

    asked = AskedYear("2018")
    assert asked.stated_in("房租不高，每个月只有2000出头。") and asked.stated_in("这款手机售价1999元，卖出了3万台。")
    assert asked.stated_in("园区里有2000多家企业。")
    assert not asked.stated_in("2020年营收3亿元。") and not asked.stated_in("截至2021年底，共有2000家门店。")

def test_a_follow_up_asking_another_kind_is_searched_without_the_previous_questions_asking_words():
    """Follow-ups of our sets searched together with the previous question took its kind: "关掉的是哪家店？" after
    "盒马第一次关店是在什么时候？" was a when-question, "怎么会少了这么多年？" after "…还剩多少年？" asked for a number of years
    too. The previous question's asking words are left out when the follow-up asks another kind; a fragment that asks
    nothing of its own ("那会员人数呢？") keeps them."""
    from assistant.chain import with_previous
    from assistant.questions import question_type

    query = with_previous("关掉的是哪家店？", [("木鱼超市第一次关店是在什么时候？", "…")])
    assert "什么时候" not in query and "木鱼超市第一次关店" in query and question_type(query) == "who", query
    query = with_previous("怎么会少了这么多年？", [("她的公寓拿到房产证时还剩多少年？", "…")])
    assert "多少" not in query and question_type(query) == "why", query
    query = with_previous("那会员人数呢？", [("星光会员累计多少分可以兑换一杯咖啡？", "…")])
    assert "多少" in query and question_type(query) == "number", query


def test_a_figure_reached_so_far_is_not_a_target():
    """Near misses our writers asked four times: "How many people has the 10x1000 program trained in Indonesia so far?"
    was answered with the target the program was set ("…培养6万名…的目标") and its yearly promise. A figure asked "so far"
    ("已经", "到现在") is not stated by a sentence naming a target or a plan and nothing reached."""
    from assistant.questions import AskedSoFar, asked_so_far

    assert asked_so_far("这个计划到现在已经培训了多少名人才？", "number") == (AskedSoFar(),)
    assert asked_so_far("How many people has the program trained so far?", "number") == (AskedSoFar(),)
    assert asked_so_far("这个计划每年培训多少名人才？", "number") == ()
    reached = AskedSoFar()
    assert not reached.stated_in("该项目的目标是在五年内培养两万名本地工程师。")
    assert not reached.stated_in("基金会承诺每年资助五百名山区学生。")
    assert reached.stated_in("截至去年底，该项目已培训了3200名工程师，离两万名的目标还有距离。")
    assert reached.stated_in("项目去年培训了3200名工程师。")


def test_a_sum_a_side_an_index_and_a_person_asked_in_other_words():
    """Near misses of our fresh sets: "…代言拿了多少代言费？" was answered with "在短短7天的时间内…", "…去年的投资总金额是多少？"
    with a count of deals, "China's men's underwear market" with the women's, "《黑道风云》在日本市场一共赚了多少钱？"
    with its global revenue (under a heading on Japan). A follow-up's "非制造业那个指数" named an index "非制造业那个";
    "…练习记数字的大学生叫什么名字？" asks for a person, whose name no sentence quotes: a name of a person is asked
    (``AskedPerson``), not of a thing."""
    from assistant.questions import AskedAmount, AskedPerson, asked_amounts, asked_indexes, asked_names, asked_sides

    assert asked_amounts("他给这款游戏代言拿了多少代言费？", "number") == (AskedAmount(),)
    assert asked_amounts("这家基金去年的投资总金额是多少？", "number") == (AskedAmount(),)
    for other in ("这家店有多少消费者？", "有多少人消费过？", "这个项目耗费了多少时间？"):
        assert asked_amounts(other, "number") == (), other
    assert not AskedAmount().stated_in("该基金去年完成了3000多个交易。") and AskedAmount().stated_in("代言费约为500万元。")
    men, china = asked_sides("What was the size of China's men's underwear market in 2020?", "number")
    assert not men.stated_in("2020年国内女性内衣的市场有1239亿元。") and men.stated_in("男士内衣市场规模为300亿元。")
    (japan,) = asked_sides("《山城物语》在日本市场一共赚了多少钱？", "number")
    assert not japan.stated_in("早在去年，《山城物语》全球收入就已经突破10亿美元。", heading="出海日本的游戏厂商")
    assert japan.stated_in("《山城物语》在日本的收入约为2亿美元，全球收入超过10亿美元。")
    assert japan.stated_in("《山城物语》去年的收入约为2亿美元。")
    assert asked_sides("这款游戏在全球和日本的收入各是多少？", "number") == ()
    # the world asked is no side: a sentence on "国内" may well give the world's figure (one of our sets abstained so)
    assert asked_sides("Which game was No. 1 in worldwide revenue in June?", "number") == ()
    (index,) = asked_indexes("非制造业那个指数 2021年10月中国制造业PMI是多少？", "number")
    assert index.label == "非制造业" and index.stated_in("非制造业指数为52.4%。")
    assert asked_names("那项研究里练习记数字的大学生叫什么名字？", "zh") == (AskedPerson("那项研究里练习记数字的大学生叫什么名字？"),)
    assert AskedPerson("…的大学生叫什么名字？").stated_in("本科生史蒂夫·法隆（Steve Faloon）只能记住7个数字。")
    assert asked_names("那家合资公司叫什么名字？", "zh")


def test_a_reason_told_of_what_the_question_asks_about_comes_first():
    """"…2022财年营收为什么会下滑？" (a question of our fresh sets) was answered with the CFO's reason for the net loss, and
    the sentence on the revenue's reason, fifth likeliest, found no room left: among the reasons, those naming what the
    question asks the reason of (the word before 为什么) come first (sentences of ours)."""
    from types import SimpleNamespace as Row

    from assistant.answerers import _giving_a_reason, _reason_of

    question = "山城超市2022年的营收为什么会下滑？"
    assert _reason_of(question) == "营收" and _reason_of("为什么很多年轻人不去工厂？") == ""
    first = Row(text="山城超市2022年营收80亿元，同比下滑5%。", features={})
    loss = Row(text="对于净亏损，公司表示主要是一次性计提所致。", features={"reason": 1.0})
    other = Row(text="公司全年新开了十家门店。", features={})
    revenue = Row(text="营收下滑主要是因为疫情期间门店闭店。", features={"reason": 1.0})
    ranked = [first, loss, other, revenue]
    assert _giving_a_reason(ranked, (), _reason_of(question)) == [first, revenue, loss, other]
    assert _giving_a_reason(ranked, (), "") == ranked


def test_a_works_figure_a_follow_ups_likely_sentences_and_a_reason_before_the_claim(tmp_path):
    """Of our fresh sets (an article we wrote):
    - "《原神》2021年在日本市场的收入是多少？", asked seven times, was answered with the sum of all the games the article
      counts ("30款中国手游…合计吸金约34.6亿美元"): a number question read on its own needs a sentence naming its 《work》
      (written with or without its dots: "《三国志·战略版》" is the article's "《三国志战略版》");
    - "那它的估值呢？" after a question on the company's revenue abstained: the valuation sentence was the third likeliest,
      and only the likeliest counted for a Chinese question; a follow-up's three likeliest count, as an English one's;
    - "苏明为什么说她那套loft公寓很难转手？" left out the sentence giving the reasons before the claim with no word that
      marks a reason ("…流动率小，…税费高，…很难转手。")."""
    from assistant.answerers import _claimed, _ends_on
    from assistant.questions import AskedTitle, asked_titles

    assert asked_titles("《原神》2021年在日本市场的收入是多少？", "number") == (AskedTitle("原神"),)
    assert asked_titles("《原神》为什么在日本火了？", "why") == ()
    assert AskedTitle("三国志·战略版").stated_in("《三国志战略版》的单日峰值为6700组。")
    claim = _claimed("苏明为什么说她那套loft公寓很难转手？")
    assert claim == ("很难", "转手") and _ends_on("老街商铺流动性差，转让税费又高，所以很难转手。", claim)
    assert not _ends_on("商住公寓很难转手，很难转手的公寓只能自住。", claim) and not _ends_on("很难转手。", claim)
    # a last clause that only holds the claim's words tells of something else
    seats = _claimed("山城咖啡选址为什么看重露天座位？")
    assert not _ends_on("无论是老店还是新店，山城咖啡的大部分门店都有宽敞的露天座位区。", seats)
    a = indexed_article(tmp_path, """# 2021年国产手游在山城市场的表现

2021年共有8款国产手游进入山城畅销榜前一百，合计收入约3.2亿美元，占前一百总收入的两成。
《云上物语》是其中唯一的卡牌游戏，玩家多为中学生。

## 卡牌公司

山城卡社还没有上市，外界只能从投资人那里听说，它2020年的营收约为3亿元，净利润超过1亿元。
卡牌的制作成本很低，一张卡牌的成本只要几分钱。
同时公司去年获得山海资本投资，估值达到20亿元，成为卡牌独角兽。

## 老街商铺

十年前，老街的商铺很抢手，因为老街的客流大，不少投资者当年买下了商铺。
很多人至今还说，老街的商铺是最稳妥的投资。
由于老街离地铁站远，年轻人很少来老街逛街。
产权分散，转让的税费又高，基本很难转手。
老街的商铺租金一路走低，这导致不少商户搬走了。
""")
    not_covered_then_answered(a, [("《云上物语》2021年在山城市场的收入是多少？", "《云上物语》")],
                              [("2021年国产手游在山城畅销榜前一百的合计收入是多少？", "3.2亿美元")])
    first = "山城卡社2020年大概赚了多少营收？"
    answer = a.ask("那它的估值呢？", history=[(first, a.ask(first).text)])
    assert not answer.abstained and "20亿元" in answer.text, answer.text
    answer = a.ask("为什么说老街的商铺很难转手？")
    assert not answer.abstained and "税费又高" in answer.text, answer.text


def test_nine_months_a_lone_one_students_hong_kong_and_the_publisher_give_no_figure_asked():
    """Near misses of our fresh sets: "…2021年全年的净利润" answered with "2021年前9个月…" (a part of the year written in
    months), "…卖出去多少台？" with "展示过一台…" (一 as an article), "At which university…" with "两个大学生…" (students
    name no school), "How many … stores in Shenzhen?" with "在中国香港、澳门的…门店数…" (Hong Kong, not all of China), and
    "…2021年全年营业收入是多少？" with "36氪获悉，…收入有所下滑" (the publisher's name gives no figure)."""
    from assistant.questions import AskedPlace, asked_counts, asked_facts, gives_figure, year_periods

    assert year_periods("2021年前9个月，公司净利润为1.38亿港元") == {"Q1-3"}
    assert year_periods("2018-2021前九个月") == {"Q1-3"} and year_periods("前6个月的营收") == {"H1"}
    assert year_periods("in the first nine months of 2021") == {"Q1-3"}
    (count,) = asked_counts("这种阅读机当年一共卖出去多少台？", "number")
    assert not count.stated_in("早在1913年，一位物理学家就造出过一台给盲人读书用的机器。")
    assert count.stated_in("这种阅读机一共只卖出了十一台。") and count.stated_in("一共卖出了1台。")
    (school,) = asked_facts("At which university did the two researchers run their study?", "who")
    assert not school.stated_in("两个大学生练习记忆随机数字。") and school.stated_in("他毕业于山城大学。")
    shenzhen = AskedPlace("深圳")
    assert not shenzhen.stated_in("这家汉堡店的中国香港门店有6家，澳门有1家。")
    assert shenzhen.stated_in("这家汉堡店在中国的门店数为17家。")
    assert not gives_figure("36氪获悉，这家公司公告称，导购收入有所下滑。") and gives_figure("36氪获悉，营收3亿元。")



def test_an_english_why_questions_restating_sentence_is_followed_by_its_reason():
    """"Why did Lu Zhengyao's noodle chain Qubayu shut all of its stores?" (asked six times in our fresh sets) found the
    sentence restating it ("…开业不到半年…关闭…所有门店。"), whose glossed words cover 0.52 of the question's: below the
    0.6 that marks a Chinese restatement, so the reason after it ("…过于拥挤…") was left out."""
    from assistant.answerers import AnswerSentence, _reason_after

    restating = AnswerSentence(0, 0, 20, "山城面馆开业不到半年就关闭了所有门店。", None, {"lex": 0.52, "en": 1.0})
    reason = AnswerSentence(0, 20, 40, "小面赛道过于拥挤，面馆的价格又偏贵。", None, {"lex": 0.1, "en": 1.0})
    position = {id(restating): 0, id(reason): 1}
    assert _reason_after(restating, [restating, reason], position) == [reason]
    chinese = AnswerSentence(0, 0, 20, restating.text, None, {"lex": 0.52})
    assert _reason_after(chinese, [chinese, reason], {id(chinese): 0, id(reason): 1}) == []


def test_a_measure_asked_a_year_in_a_title_and_a_count_named_before_its_number():
    """Of our fresh sets over articles 001–100: "…最好在多长时间内换工作？" and "FF 81的续航里程是多少公里？" were answered with
    sentences giving no duration and no length ("售价30万元的FF 81"); "《2022人工智能教育蓝皮书》一共收回了多少份有效问卷？"
    abstained for want of a 2022 figure (the year is the title's); "…平均每个月要搜多少次？" abstained on "搜索的次数达80亿"."""
    from assistant.questions import asked_counts, asked_measures, asked_years

    (duration,) = asked_measures("如果确定领导是在压榨你，最好在多长时间内换工作？", "number")
    assert not duration.stated_in("勤敲打，懂激励，给机会，讲公平。") and duration.stated_in("最好在半年内离开。")
    assert duration.stated_in("整个过程通常只需 3 到 5 分钟。") and duration.stated_in("他在公司待了三年。")
    (length,) = asked_measures("这款车的续航里程是多少公里？", "number")
    assert not length.stated_in("售价30万元的这款车定位高端。") and length.stated_in("续航里程达到700公里。")
    (weight,) = asked_measures("这台机器有多重？", "number")
    assert weight.stated_in("整机重1.2吨。") and not weight.stated_in("整机售价1.2万元。")
    assert asked_measures("为什么换电只需要几分钟？", "why") == () and asked_measures("续航是多少？", "number") == ()
    # a rate's height and a figurative distance are no measures ("毛利率有多高" lost 4 answers in a first version)
    assert asked_measures("这项业务的毛利率有多高？", "number") == ()
    assert asked_measures("How far did the fund beat its original target?", "number") == ()
    assert asked_measures("预测一次要多长时间？", "number")[0].stated_in("预测时间仅需9毫秒。")
    assert asked_years("《2022山城教育蓝皮书》一共收回了多少份有效问卷？", "number") == ()
    (count,) = asked_counts("用户现在平均每个月要搜多少次？", "number")
    assert count.stated_in("用户每月的搜索次数达到80亿。") and not count.stated_in("用户越来越多。")


def test_a_works_title_does_not_reorder_the_answer():
    """CMRC's "《格斗天王》的首集收视率是多少？": the sentence giving the figure ("首集收视率为7.07…") does not repeat the
    title, the article being the work's; the title is checked for abstention (with the heading), not put first in the
    answer."""
    from assistant.answerers import AnswerSentence, ExtractiveAnswerer
    from assistant.questions import AskedTitle, QuestionInfo
    from assistant.settings import Settings

    texts = ["首集收视率为7.07，年轻观众的收视为4.2。", "《山城物语》讲的是一家格斗馆的故事。"]
    figure, story = [AnswerSentence(0, o, o + len(x), x, None, {}, p)
                     for o, x, p in zip([0, len(texts[0])], texts, [0.5, 0.3])]
    info = QuestionInfo(text="《山城物语》的首集收视率是多少？", lang="zh", type="number", tokens=["山城", "物语", "收视率"])
    info.titles = (AskedTitle("山城物语"),)
    # room for one sentence: the figure's
    chosen = ExtractiveAnswerer(Settings(max_answer_chars=30), None).select(info.text, info, [figure, story])
    assert figure in chosen, chosen


def test_a_province_s_figure_a_deal_closing_a_group_s_revenue_and_a_word_after_a_degree_adverb(tmp_path):
    """Near misses of our sets: "2021年北京的商品房销售额是多少？" (4 helpers) answered with the nation's figure, "…这笔交易预计
    什么时候完成交割？" (2) with the sale's announcement, "What was Ubras's revenue in 2021?" (6) with a sentence giving no
    sum, "What was Yurun Group's net profit in 2021?" (3) with another group's; and "…高端酒店最扎堆的是哪个地方？" abstained,
    扎堆 read as a place no article names. A Chinese province or city asked is stated by a sentence naming none only in
    a passage naming it; a deal's closing is told as such with its time; "What was X's revenue" asks a sum; "Group"
    names no company, nor "Medical" or "Capital"; a word after a degree adverb is no name (an article we wrote)."""
    from assistant.answerers import _without_company_kind
    from assistant.questions import AskedAmount, AskedPlace, asked_amounts, asked_times, question_type

    question = "What were Zhongshan Tea's total sales in 2022?"
    assert question_type(question) == "number" and asked_amounts(question, "number") == (AskedAmount(),)
    assert question_type("What was the main driver of sales growth?") == "fact"
    assert _without_company_kind(["jialing", "group"]) == ["jialing"] and _without_company_kind(["group"]) == ["group"]
    assert _without_company_kind(["jialing", "medical"]) == ["jialing"]  # "Aibo Medical": 医疗 is in any clinic's article
    beijing = AskedPlace("北京")
    assert not beijing.stated_in("商品房销售额为13.3万亿元。", "", "全国商品房销售额为13.3万亿元。")
    assert beijing.stated_in("商品房销售额为3000亿元。", "", "北京的楼市：商品房销售额为3000亿元。")
    assert beijing.stated_in("商品房销售额为13.3万亿元。")  # no passage given: as before
    assert AskedPlace("香港").stated_in("已有40家物业公司上市。", "", "已有40家物业公司登陆港股。")
    assert asked_times("When will the tea deal close?", "when")
    assert not asked_times("When did it close its stores?", "when")
    a = indexed_article(tmp_path, """# 山城的酒店与楼市

2022年新开业的高端酒店里，有六成选在山里，其中嘉陵山最受欢迎，三家国际酒店集团都在那里开了新店。

## 楼市

国家统计局公布了去年的楼市数据。2022年，商品房销售额为13.3万亿元，比上年下降26.7%。

## 茶叶

山城集团近期宣布，将把旗下的茶叶业务以20亿元的价格出售给朝天门资本。

## 茶馆

重庆的老茶馆今年又开了不少，很多年轻人周末会去喝一碗盖碗茶。
""")
    not_covered_then_answered(a, [("2022年重庆的商品房销售额是多少？", "重庆"),
                                  ("山城集团出售茶叶业务的交易预计什么时候完成交割？", "时间")],
                              [("2022年新开的高端酒店最扎堆的是哪个地方？", "嘉陵山"), ("2022年全国的商品房销售额是多少？", "13.3万亿元"),
                               ("山城集团把茶叶业务卖了多少钱？", "20亿元")])


def test_a_number_question_s_likeliest_sentences_give_a_figure_and_a_count_of_people_is_no_sum(tmp_path):
    """Near misses of our sets: "博原资本首期基金的规模有多大？" (3 helpers) was answered with the fund's founding, "山姆会员店
    2021年在中国的销售额是多少？" with its count of paying members. A number question's likeliest sentences (a Chinese
    question's near ties, an English one's five likeliest) give a figure, or it is not covered; "几家 / 几种" may be
    answered in words ("三家公司"); 万 or 亿 after a word for a count, with no currency, is no sum (an article we wrote)."""
    from assistant.questions import AskedAmount, a_figure

    amount = AskedAmount()
    assert not amount.stated_in("会员数量已超过500万。") and not amount.stated_in("用户1.2亿")
    assert amount.stated_in("会员费收入达到3亿。") and amount.stated_in("会员突破400万，GMV达到2亿。")
    assert a_figure("一半以上的门店在山城。") and not a_figure("门店大多在山城。")
    a = indexed_article(tmp_path, """# 山城基金

山城基金的首期基金去年秋天成立，规模尚未公布，由山城集团发起，专门投资本地的餐饮品牌。

基金的合伙人说，他们更看重门店的复购率，而不是开店的速度。

今年春天，它投了三家火锅公司，其中一家已经开到了成都。
""")
    not_covered_then_answered(a, [("山城基金首期的规模有多大？", "数字")], [("山城基金今年春天投了几家火锅公司？", "三家")])


def test_english_sums_counts_ranges_and_the_terms_no_article_holds(tmp_path):
    """Near misses of our sets, in English: "How much money is Alipay putting into …" (3 helpers) and "How much ransom
    money did LAPSU$ demand" (2) answered with sentences giving no sum, "How many employees did Xilinx have …" with
    a deal's value, "What is the driving range of the FF 81?" (3) with its price, "What was Knowunity's valuation …"
    and "Who founded CHALI …" with the company's founding year, "What is the boiling point of liquid nitrogen …?" (12
    sets) with a 3000-degree sentence, "How many cars did Changan sell in January 2022?" with BYD's figure, "What
    valuation is Klarna targeting for its US IPO?" (3) with Chime's. Each now names what it asks, and a question whose
    terms no article holds, with nothing that reads like an answer, is off topic (an article we wrote)."""
    from assistant.answerers import _own_names, _told_of_another
    from assistant.crosslingual import unwritten_terms
    from assistant.questions import AskedAmount, asked_amounts, asked_counts, asked_facts, question_type

    for question in ("How much money is Jialing putting into the tea fund?", "How much did Chaotianmen commit to it?",
                     "How much ransom money did the group demand?"):
        assert asked_amounts(question, "number") == (AskedAmount(),), question
    assert question_type("What was Jialing Tea's valuation after its Series A round?") == "number"
    assert question_type("What is the registered capital of the joint venture?") == "number"
    assert question_type("What was the average lead time at the start of 2020?") == "number"
    assert [c.counters for c in asked_counts("How many employees did Jialing Tea have?", "number")] == ["人名位"]
    # a follow-up searched with the previous question asks what its own words do
    assert not asked_counts("What share of its output is that How many cars did it order?", "number")
    assert [f.name for f in asked_facts("What is the driving range of the Jialing S1?", "number")] == ["续航"]
    founder = next(f for f in asked_facts("Who founded Jialing Tea?", "who") if f.name == "创始人")
    assert not founder.stated_in("2013年成立的嘉陵茶，一直在追赶立顿。") and founder.stated_in("嘉陵茶由王山于2013年成立。")
    known = lambda words: {w: 3 for w in words if w == "摄氏度"}  # noqa: E731
    assert unwritten_terms("What is the boiling point of liquid nitrogen in degrees Celsius?", known) == (
        "boiling point", "liquid nitrogen")
    assert unwritten_terms("What was Jialing Tea's revenue in 2021?", known) == ()
    a = indexed_article(tmp_path, """# 嘉陵汽车的一月

1月，嘉陵汽车卖出1.2万辆新能源车，同比增长30%。

## 同行

传统车企方面，比亚迪1月卖出9.5万辆新能源车。

## 工厂

嘉陵汽车的工厂用电炉把废料加热到约3000摄氏度，再回收其中的金属。
""")
    info = a.chain.retriever.question_info("How many cars did Jialing sell in January 2022?")
    assert _own_names(info) == ["jialing"]  # "January" dates the figure: every sentence on 1月 would hold it
    # "US" is a place asked (AskedPlace), "IPO" no name: a sentence on Chime's valuation naming the US answered Klarna's
    klarna = a.chain.retriever.question_info("What valuation is Jialing targeting for its US IPO?")
    assert _own_names(klarna) == ["jialing"]
    assert _told_of_another(info, ["jialing"], "传统车企方面，比亚迪1月卖出9.5万辆新能源车。", "同行")
    not_covered_then_answered(a, [("What is the boiling point of liquid nitrogen in Celsius?", "liquid nitrogen")],
                              [("How many new energy vehicles did Jialing sell in January?", "1.2万辆")])
