"""Extractive answers from the real index of a corpus slice: grounded, cited, abstaining when unsure."""

import re

import pytest

from assistant import Answer, Assistant
from assistant.answerers import comparison_sides
from assistant.chain import rewrite_follow_up
from assistant.cli import main

from conftest import FLAGSHIP_EN, FLAGSHIP_ZH, SEED

FRONT = "前端数字化更多是聚焦"
BACK = "后端数字化更多是基于"


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
    front = [n for s, n in pairs if FRONT in s]
    back = [n for s, n in pairs if BACK in s]
    assert front and back, answer.text
    for n in front + back:
        assert by_number[n].passage.source.endswith(SEED.name)
    assert {c.number for c in answer.citations} == {n for _, n in pairs}
    assert [c.number for c in answer.citations] == sorted(c.number for c in answer.citations)


def test_unanswerable_questions_abstain_and_show_closest_passages(sliced_assistant):
    for question in ["小米汽车首款量产车SU7的起售价是多少？", "How many Starlink satellites did SpaceX launch in 2021?",
                     "东方甄选的主播董宇辉是因为什么走红的？"]:
        answer = sliced_assistant.ask(question)
        assert answer.abstained, (question, answer.text)
        assert answer.citations == []
        assert answer.text.startswith(("资料中没有找到相关内容", "The articles don't cover this"))
        assert answer.passages  # the closest passages are still returned for display


def test_stream_yields_text_then_the_answer(sliced_assistant):
    parts = list(sliced_assistant.stream(FLAGSHIP_ZH))
    assert isinstance(parts[-1], Answer)
    assert "".join(parts[:-1]) == parts[-1].text
    assert len(parts) > 2


def test_deterministic(sliced_assistant):
    first = sliced_assistant.ask("什么是SCRM？")
    again = sliced_assistant.ask("什么是SCRM？")
    assert first.text == again.text and [c.passage.chunk_id for c in first.citations] == \
        [c.passage.chunk_id for c in again.citations]


def test_follow_up_uses_the_history(sliced_assistant):
    assert rewrite_follow_up("那后端呢？", [("前端数字化是什么？", "…")]) == "后端数字化是什么？"
    assert rewrite_follow_up("它有什么用？", [("什么是SCRM？", "…")]) == "什么是SCRM？ 它有什么用？"
    assert rewrite_follow_up("电池租用怎么收费？", [("换电模式好吗？", "…")]) == "电池租用怎么收费？"
    answer = sliced_assistant.ask("那后端呢？", history=[("前端数字化更多聚焦什么？", "前端数字化更多是聚焦……[1]")])
    assert answer.search_query == "后端数字化更多聚焦什么？"
    assert not answer.abstained and "后端数字化" in answer.text


def test_comparison_sides():
    assert comparison_sides(FLAGSHIP_ZH) == ["前端数字化", "后端数字化"]
    assert comparison_sides(FLAGSHIP_EN) == ["front-end digitalization", "back-end digitalization"]
    assert comparison_sides("新冠核酸检测和抗原检测检的东西有什么不一样？")[1].startswith("抗原检测")
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


def test_empty_index_abstains(tmp_path):
    answer = Assistant(index_dir=str(tmp_path / "empty"), quiet=True).ask(FLAGSHIP_ZH)
    assert answer.abstained and answer.passages == []
