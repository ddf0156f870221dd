"""English questions over Chinese articles: the dictionary lookup and what it changes in search."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.crosslingual import english_terms, pinyin_index, unwritten_names


def known_from(vocabulary: dict[str, int]):
    return lambda words: {w: vocabulary[w] for w in words if w in vocabulary}


def test_phrases_win_over_their_words_and_only_article_words_are_kept():
    vocabulary = {"北京大学": 5, "估值": 40, "收入": 90, "营收": 30, "大学": 60}
    terms = english_terms("What share got a degree from Peking University, and what valuation and revenue?",
                          known_from(vocabulary))
    by_english = {t.english: t.chinese for t in terms}
    assert by_english["peking university"][0] == "北京大学"  # the phrase, not "university" → 大学 alone
    assert "university" not in by_english
    assert by_english["valuation"] == ("估值",)
    assert by_english["revenue"][:2] == ("收入", "营收")  # the most frequent in the articles first
    assert all(w in vocabulary for t in terms for w in t.chinese)  # nothing the articles lack
    assert english_terms("What is the capital of France?", known_from({})) == []


def test_inflected_words_and_romanised_names():
    vocabulary = {"卫星": 3, "耐看": 2, "娱乐": 9}
    pinyin = pinyin_index(vocabulary)
    terms = english_terms("How many satellites did Naikan Entertainment launch?", known_from(vocabulary), pinyin)
    by_english = {t.english: t.chinese for t in terms}
    assert by_english["satellites"] == ("卫星",)
    assert by_english["naikan"] == ("耐看",)  # no dictionary knows the company: its pinyin does
    # a place the dictionary knows only as another place's qualifier ("Sanya … city, Hainan"): its pinyin first;
    # a name whose own entry the articles use keeps it ("Huawei" is 华为, not 华立 that reads the same)
    vocabulary = {"三亚": 4, "海南": 9, "基金": 30, "华为": 5, "华立": 2}
    pinyin = pinyin_index(vocabulary)
    terms = {t.english: t.chinese for t in english_terms("Why did Hainan set up a fund with Huawei?",
                                                          known_from(vocabulary), pinyin)}
    assert terms["hainan"][0] == "海南" and terms["huawei"] == ("华为",)
    # a capitalised word whose dictionary senses no article uses is read as pinyin with the words after it: "Lu" is the
    # state 鲁国 to CC-CEDICT, "Lu Zhengyao" the articles' 陆正耀
    vocabulary = {"陆正耀": 2, "门店": 5}
    terms = {t.english: t.chinese for t in english_terms("Why did Lu Zhengyao close his stores?",
                                                          known_from(vocabulary), pinyin_index(vocabulary))}
    assert terms["lu zhengyao"] == ("陆正耀",) and "lu" not in terms


def test_a_time_counted_from_another_and_a_countrys_adjective():
    """"And what was it valued at a year later?" (a follow-up of our fresh sets) is answered by "一年后…估值…翻3倍":
    the phrase stands for 一年后, not for its words. "British" stands for 英国, which the articles write, before
    CC-CEDICT's 不列颠 (glossary_en_zh.tsv)."""
    known = known_from({"一年后": 3, "次年": 2, "估值": 9, "英国": 9, "不列颠": 1, "日本": 20})
    terms = {t.english: t.chinese for t in english_terms("And what was it valued at a year later?", known)}
    assert terms["a year later"][0] == "一年后"
    terms = {t.english: t.chinese for t in english_terms("Why didn't the British association back it?", known)}
    assert terms["british"][0] == "英国"
    terms = {t.english: t.chinese for t in english_terms("Why do Japanese players love it?", known)}
    assert terms["japanese"] == ("日本",)
    # "…how many digits could Steve Faloon remember by the end?" was answered with the first day's figure: the articles
    # write the end 最后 ("最后他能记住82个数字")
    known = known_from({"最后": 30, "最终": 20, "数字": 9})
    terms = {t.english: t.chinese for t in english_terms("How many digits could he remember by the end?", known)}
    assert terms["by the end"][0] == "最后"
    # business words with no Chinese word before: the vocational share of a round-up's funding was not found
    known = known_from({"职业教育": 5, "职业": 30, "超过": 40, "登录": 6, "一年期": 4})
    question = ("What share of the funding went to vocational education after the one-year rate topped 3% and "
                "login failed?")
    terms = {t.english: t.chinese for t in english_terms(question, known)}
    assert terms["vocational education"][0] == "职业教育" and terms["one-year"] == ("一年期",)
    assert terms["topped"][0] == "超过" and terms["login"] == ("登录",)


def test_names_no_article_writes():
    """A person or place no article writes in any form ("Iceland", 冰岛 to CC-CEDICT): the question is about what the
    articles never discuss (its closest sentences were China's birth figures)."""
    vocabulary = {"人口": 9, "融资": 9, "骁龙": 3}
    known = known_from(vocabulary)
    assert unwritten_names("What is the population of Iceland?", known) == ("Iceland",)
    assert unwritten_names("What is the population of Iceland?", known_from({**vocabulary, "冰岛": 1})) == ()
    assert unwritten_names("How many plays did Shakespeare write?", known) == ("Shakespeare",)
    assert unwritten_names("Iceland: what is its population?", known) == ()  # a question's first word may be anything
    # a word the glossary gives (the chip, 骁龙, not CC-CEDICT's flower) and a word the articles write as it is
    assert unwritten_names("Which phone first used the Snapdragon 888?", known) == ()
    assert unwritten_names("What is the population of Iceland?", known_from({**vocabulary, "iceland": 1})) == ()


def test_hyphens_and_irregular_verbs():
    vocabulary = {"前端": 4, "前台": 9, "赢得": 7, "韩元": 1, "数字化": 30}
    terms = english_terms("Who won the front-end digitalization race?", known_from(vocabulary))
    by_english = {t.english: t.chinese for t in terms}
    assert by_english["front-end"][0] == "前端"  # "front end" before the hyphenated entry (前台, front desk)
    assert set(by_english["won"]) == {"赢得", "韩元"}  # the past of "win" and Korea's currency: both kept
    assert by_english["digitalization"] == ("数字化",)
    # a phrase's first word inflected: "went public" is "go public", "men" the plural of "man"
    vocabulary = {"上市": 12, "公开": 9, "男子": 3, "连锁": 5}
    terms = {t.english: t.chinese for t in english_terms("Which chain for men went public?", known_from(vocabulary))}
    assert terms["went public"] == ("上市",) and terms["men"] == ("男子",)


def test_a_word_whose_own_senses_the_articles_do_not_use_falls_back_on_related_words():
    """Words of an English question of ours whose CC-CEDICT senses no article uses ("launder" is 洗濯 there, "attacker"
    袭击者): a two-word sense the word opens ("to launder money", 洗钱), an agent noun's verb with 者 (攻击者). Both had
    left the word unglossed. A phrase keeps its words unglossed: "boiling point" (沸点) is not 沸腾 and 指引, and an
    off-topic question was answered with sentences on 指引 when it was split."""
    vocabulary = {"洗钱": 3, "攻击者": 2, "印刷": 4, "工具": 30, "沸腾": 2, "指引": 3}
    question = "Which tool did the attacker use to launder the funds after the printed book was stolen?"
    terms = {t.english: t.chinese for t in english_terms(question, known_from(vocabulary))}
    assert terms["launder"] == ("洗钱",) and terms["attacker"] == ("攻击者",)
    assert english_terms("What is the boiling point of water?", known_from(vocabulary)) == []
    # a word with a sense the articles use keeps to it ("tool" is 工具, not "tool bit" 刀片 or "tool magazine" 刀库)
    assert terms["tool"] == ("工具",)


def test_months_possessives_and_business_words_as_chinese_news_writes_them():
    vocabulary = {"品牌": 50, "烙印": 1, "估值": 40, "英特尔": 3}
    terms = english_terms("Was Intel's brand valued higher in February than in December?", known_from(vocabulary))
    by_english = {t.english: t.chinese for t in terms}
    assert by_english["intel"] == ("英特尔",)  # "intel's" looked up without its possessive
    assert by_english["brand"][0] == "品牌"  # not CC-CEDICT's first sense, 烙印 (a branding iron's mark)
    assert by_english["valued"][0] == "估值"
    assert by_english["february"] == ("2月",) and by_english["december"] == ("12月",)  # not 二月, 十二月
    # business senses before CC-CEDICT's first ones: a plant is a factory, capacity is output, funding is raised
    vocabulary = {"工厂": 9, "植物": 9, "产能": 9, "才能": 9, "融资": 9, "基金": 9, "充电": 9, "攻击": 9, "收费": 9,
                  "上限": 9, "帽子": 9, "出货": 9, "船舶": 9, "子基金": 9, "燃油车": 9, "改款": 9, "模型": 9, "休息": 9, "国家馆": 9, "欧洲": 9, "欧洲人": 9,
                  "畅销": 9}
    for question, english, first in (("How many plants?", "plants", "工厂"), ("What capacity?", "capacity", "产能"),
                                      ("How much funding?", "funding", "融资"), ("Is charging free?", "charging", "充电"),
                                      ("What does it charge?", "charge", "收费"), ("What is the cap?", "cap", "上限"),
                                      ("How many did it ship?", "ship", "出货"), ("Which sub-fund?", "sub-fund", "子基金"),
                                      ("Are fuel cars cheaper?", "fuel cars", "燃油车"),
                                      ("How often is a model refresh?", "model refresh", "改款"),
                                      ("When should I take a break?", "take a break", "休息"),
                                      ("Which pavilion?", "pavilion", "国家馆"), ("Any European arm?", "european", "欧洲"),
                                      ("Which of the top grossing games?", "grossing", "畅销")):
        assert {t.english: t.chinese for t in english_terms(question, known_from(vocabulary))}[english][0] == first
    # glossary phrases that open or end with a function word are read too (they never were: "first", "new", "a" and
    # "year" are function words), and general news words take their news sense
    vocabulary = {"上半年": 9, "A轮": 9, "新零售": 9, "同比": 9, "设备": 9, "装置": 9, "发现": 9, "创始": 9, "成立": 9,
                  "手机": 9, "运存": 9, "内存": 9}
    for question, english, first in (("What was its revenue in the first half?", "first half", "上半年"),
                                      ("Who led the Series A?", "series a", "A轮"),
                                      ("What is new retail?", "new retail", "新零售"),
                                      ("How much did sales grow year on year?", "year on year", "同比"),
                                      ("How many devices?", "devices", "设备"), ("Who found the flaw?", "found", "发现"),
                                      ("When was it founded?", "founded", "成立"), ("Which phone?", "phone", "手机"),
                                      ("How much RAM?", "ram", "内存")):
        assert {t.english: t.chinese for t in english_terms(question, known_from(vocabulary))}[english][0] == first


@pytest.fixture(scope="module")
def club(tmp_path_factory):
    """Two articles we wrote, in Chinese only."""
    from conftest import write

    root = tmp_path_factory.mktemp("club")
    write(root / "articles" / "night-run.md", """# 山城夜跑俱乐部

山城夜跑俱乐部成立于2019年，由几位程序员发起，最初只有十二名成员。

## 安全规则与装备

夜跑时每位成员必须穿着反光背心，并佩戴头灯。下雨时活动取消。

## 会员与费用

会员每年缴纳一百元会费，用于购买补给和保险。
""")
    write(root / "articles" / "hotpot.md", """# 嗒乐嗒乐宣布关店

嗒乐嗒乐是一家火锅连锁品牌，去年关闭了三十家门店，原因是商场租金上涨。
""")
    a = Assistant(index_dir=str(root / "index"), quiet=True)
    a.index([root / "articles"])
    return a


def test_english_keywords_reach_chinese_passages(club):
    question = "What must members wear for safety?"
    info = club.retriever.question_info(question)
    assert {"安全", "佩戴"} <= set(info.search_tokens)
    assert info.coverage("夜跑时每位成员必须穿着反光背心，并佩戴头灯。") > 0.5
    found = club.search(question, mode="keyword")
    assert found and "反光背心" in found[0].text  # BM25 saw Chinese words for an English question
    plain = Assistant(index_dir=club.settings.index_dir, quiet=True, crosslingual=False)
    assert plain.search(question, mode="keyword") == []  # without the dictionary, nothing to match


def test_an_english_question_also_meets_sentences_in_their_own_language(club):
    """The question's Chinese equivalents get a vector of their own, and the abstention model reads how close
    the closest retrieved sentence comes to it (``en_gloss_best``)."""
    from assistant.answerers import answer_sentences, evidence_features

    result = club.retriever.retrieve("What do members pay each year?", k=3)
    assert {"会员", "缴纳"} <= set(result.info.glossed().split())
    assert result.glossed_vector is not None and result.glossed_vector.shape == result.query_vector.shape
    sentences = answer_sentences(result.info, result, club.settings)
    closeness = {s.text: float(s.vector @ result.glossed_vector) for s in sentences}
    closest = max(closeness, key=closeness.get)
    assert "会费" in closest
    assert evidence_features(result.info, result, sentences)["en_gloss_best"] == pytest.approx(closeness[closest])
    chinese = club.retriever.retrieve("会员每年交多少钱？", k=3)
    assert chinese.info.glossed() == "" and chinese.glossed_vector is None
    chinese_sentences = answer_sentences(chinese.info, chinese, club.settings)
    assert evidence_features(chinese.info, chinese, chinese_sentences)["en_gloss_best"] == 0.0


def test_glossary_terms_and_a_bad_glossary(tmp_path):
    from assistant.crosslingual import read_glossary
    from assistant.errors import ConfigError

    # 后端 is ours even when jieba never cut it out of the articles as a word
    terms = english_terms("How does back-end work differ?", known_from({}))
    assert {t.english: t.chinese for t in terms}["back-end"] == ("后端",)
    # the glossary's words come first, in its order, however frequent CC-CEDICT's other senses are
    terms = english_terms("Which researcher led it?", known_from({"研究员": 50, "科研人员": 30, "研究者": 20}))
    assert {t.english: t.chinese for t in terms}["researcher"] == ("研究人员", "研究员", "研究者")
    # a company's English name that is neither a dictionary word nor the pinyin of its Chinese name
    terms = english_terms("How big a stake did ByteDance take in the Chinese Academy of Sciences spin-off?", known_from({}))
    by_english = {t.english: t.chinese for t in terms}
    assert set(by_english["bytedance"]) == {"字节跳动", "字节"}
    assert set(by_english["chinese academy of sciences"]) == {"中国科学院", "中科院"}
    extra = tmp_path / "terms.tsv"
    extra.write_text("# ours\nflash joule heating\t闪速焦耳加热\n", encoding="utf-8")
    terms = english_terms("What does flash Joule heating yield?", known_from({}), glossary=str(extra))
    assert {t.english: t.chinese for t in terms}["flash joule heating"] == ("闪速焦耳加热",)
    extra.write_text("no tab here\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="terms.tsv, line 1"):
        read_glossary(extra)


def test_names_jieba_cuts_apart_are_read_from_the_titles(club):
    from assistant.keywords import fts_query, unknown_names

    # jieba knows no 嗒乐嗒乐: the index holds 嗒 / 乐 / 嗒 / 乐, the title names it whole
    assert "嗒乐嗒乐" in unknown_names(club.retriever.catalog.titles())
    # a word the index does not hold as a token is searched as the phrase of its pieces
    assert fts_query(["嗒乐嗒乐", "火锅"], {"火锅"}) == '"嗒 乐 嗒 乐" OR "火锅"'
    assert fts_query(["首席执行官", "火锅"], {"火锅"}) == '"首席 执行 执行官" OR "火锅"'
    # 乐 reads "le" and "yue": the name is found under either spelling
    question = "Who founded Dayuedayue?"
    assert club.retriever.question_info(question).alternatives["dayuedayue"] == ("嗒乐嗒乐",)
    found = club.search(question, mode="keyword")  # "founded" has no Chinese word in these articles
    assert found and "三十家门店" in found[0].text


def test_a_place_no_article_names_is_not_covered(club):
    """"What is the population of Iceland?" over articles that never name 冰岛: not covered, and the answer says which
    name the passages lack (an off-topic question of ours had been answered with China's birth figures)."""
    answer = club.ask("What is the population of Iceland?")
    assert answer.abstained and "None of the passages found mentions Iceland." in answer.text, answer.text


def test_an_english_follow_up_puts_the_name_in_place_of_its_reference(club):
    """"its members" after a question about the Quokka Collective is searched as "Quokka Collective's members",
    not with the whole previous question, whose words (safety gear) would pull in the wrong section. When the
    name itself reaches nothing in the articles ("set up" has no Chinese word there), the whole previous question is
    searched too and the reading with the stronger evidence is kept."""
    safety = [("What safety gear does the Quokka Collective require on night runs?", "…")]
    answer = club.ask("How much do its members pay each year?", history=safety)
    assert answer.search_query == "How much do Quokka Collective's members pay each year"
    assert not answer.abstained and "会费" in answer.text
    gear = [("What gear must runners of the Quokka Collective wear at night?", "…")]
    answer = club.ask("When was the company founded?", history=gear)
    # "founded" is 成立 in the articles: the name alone reaches the club's founding sentence
    assert answer.search_query == "When was Quokka Collective founded" and "成立于2019年" in answer.text
    answer = club.ask("When was the company set up?", history=gear)
    # "When was Quokka Collective set up" alone reaches nothing; the previous question's words find the club
    assert answer.search_query == ("When was the company set up "
                                   "What gear must runners of the Quokka Collective wear at night?")
    assert answer.citations and answer.citations[0].passage.title == "山城夜跑俱乐部"


def test_names_the_articles_translate_in_brackets(tmp_path):
    """An article that gives a name's English in brackets is the index's own glossary: "Wombat Freight" is in
    no dictionary and is not pinyin, yet the question reaches 袋熊物流."""
    from conftest import write

    from assistant.crosslingual import article_aliases, corpus_aliases

    text = ("总部位于成都的袋熊物流（Wombat Freight）今天宣布完成两亿元B轮融资，由老牌投资机构山海资本（Summit Sea Capital）"
            "领投。公司同时推出 Slow Lane（慢车道）计划，并任命王小鹿为首席运营官（COO），以下称 Wombat（以下简称袋熊）。")
    # the name, not the words leading to it ("由老牌投资机构"); both orders; "以下简称" is no translation
    assert article_aliases(text) == [("wombat freight", "袋熊物流"), ("summit sea capital", "山海资本"),
                                     ("coo", "首席运营官"), ("slow lane", "慢车道")]
    assert corpus_aliases([text, "袋熊物流（Wombat Freight）", "袋熊（Wombat Freight）"])["wombat freight"] == ["袋熊物流", "袋熊"]
    terms = english_terms("How much did Wombat Freight raise?", known_from({}),
                          aliases={"wombat freight": ["袋熊物流"]})
    assert {t.english: t.chinese for t in terms}["wombat freight"] == ("袋熊物流",)

    write(tmp_path / "articles" / "wombat.md",
          "# 西南冷链再获融资\n\n" + text + "\n\n## 资金用途\n\n袋熊物流表示，这笔资金将用于建设西南地区的冷链仓库。\n")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    question = "What will Wombat Freight build with the money?"
    assert a.retriever.question_info(question).alternatives["wombat"][0] == "袋熊物流"
    # the section that names the company only in Chinese is reached through the article's own bracket
    assert any("冷链仓库" in p.text for p in a.search(question, mode="keyword"))
    plain = Assistant(index_dir=str(tmp_path / "index"), quiet=True, crosslingual=False)
    assert not any("冷链仓库" in p.text for p in plain.search(question, mode="keyword"))


def test_titles_and_dotted_names_the_articles_translate_in_brackets(tmp_path):
    """A book list of ours: each book's heading gives its title with the original ("by" its author left out), and its
    author with the dot jieba does not read as part of the name. A question naming the title in English, function
    words and all ("On the Mountain Road"), reaches the section through the heading."""
    from conftest import write

    from assistant.crosslingual import article_aliases

    assert article_aliases("1.《山间的路》（On the Mountain Road by Tom Hill）\n作者：汤姆·希尔（Tom Hill）") == [
        ("on the mountain road", "山间的路"), ("tom hill", "汤姆·希尔"), ("tom hill", "希尔")]
    write(tmp_path / "articles" / "books.md", """# 改变我的几本书

## 1.《山间的路》（On the Mountain Road by Tom Hill）

作者：汤姆·希尔（Tom Hill）

这本书讲一个人每天走同一条山路，慢慢学会了专注。

## 2.《慢慢来》（Take It Slow）

作者：安娜·李（Anna Lee）

这本书讲怎样在忙碌的生活里给自己留出时间。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([tmp_path / "articles"])
    question = "Who wrote On the Mountain Road?"
    assert a.retriever.question_info(question).alternatives["mountain"] == ("山间的路",)
    answer = a.ask(question)
    assert "汤姆·希尔" in answer.text and "山间的路" in answer.citations[0].passage.heading, answer.text
