"""benchmarks/train_models.py is run by hand, for twenty minutes, long after the API it calls has moved on: its
first stage (questions → search → labelled candidate features) must keep working against the current API. A
renamed chain method once broke it unnoticed, so here it runs on two articles and three questions we wrote."""

import json
import sys
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.evaluate import Question
from conftest import write

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import train_models  # noqa: E402


def test_the_feature_dump_labels_the_gold_passage_and_searches_a_follow_up_as_its_rewrite(tmp_path, monkeypatch):
    articles = tmp_path / "articles"
    write(articles / "coffee.md", """# 山城咖啡完成新一轮融资

## 融资

山城咖啡宣布完成1.2亿元B轮融资，由木鱼资本领投。

## 门店

山城咖啡目前在西南地区经营86家门店，计划明年再开40家。
""")
    write(articles / "tea.md", """# 禾木茶饮的扩张

禾木茶饮去年新开了120家门店，其中一半开在县城。
""")
    a = Assistant(index_dir=str(tmp_path / "index"), quiet=True)
    a.index([articles])
    questions = [
        Question(id="t1", q="山城咖啡的B轮融资由谁领投？", lang="zh", file="coffee.md",
                 gold=["由木鱼资本领投"]),
        Question(id="t2", q="它有多少家门店？", lang="zh", file="coffee.md", gold=["经营86家门店"],
                 type="followup", history=["山城咖啡的B轮融资由谁领投？"]),
        Question(id="t3", q="禾木茶饮去年新开了多少家门店？", lang="zh", file="tea.md",
                 gold=["新开了120家门店"]),
    ]
    monkeypatch.setattr(train_models, "question_sets", lambda work: [("36kr", questions, articles)])

    items = train_models.dump(tmp_path, {"36kr": a})

    assert [i.question.id for i in items] == ["t1", "t2", "t3"]
    follow_up = items[1]
    assert "山城咖啡" in follow_up.query and follow_up.query != follow_up.question.q  # "它" resolved
    for item in items:
        assert item.features and len(item.features) == len(item.labels) == len(item.chunk_ids)
        assert sum(item.labels) >= 1  # the passage holding the gold sentence is among the candidates
        assert item.group == f"36kr:{(articles / item.question.file).resolve()}"  # folds group by article
        assert set(train_models.PASSAGE_FEATURES) <= set(item.features[0])

    # stage 2 and the near-miss diagnostic: the same views with the sentences stating the answer taken out
    from assistant.ranking import MODELS_DIR, load_affinity, load_model

    seen = train_models.see(items, {"36kr": a}, MODELS_DIR, near_misses=False)
    train_models.score_sentences(seen, load_model("sentence"), load_affinity())
    assert all(any(s.labels) for s in seen)  # each view holds a sentence with the gold
    X, origin = train_models.stripped_rows(seen)
    assert list(origin) == [0, 1, 2] and X.shape == (3, len(train_models.ABSTAIN_FEATURES))
    full, _ = train_models.evidence_rows(seen)
    best = train_models.ABSTAIN_FEATURES.index("p_best")
    for row, n in zip(X, origin):  # the best remaining sentence is no likelier than the best of all
        assert row[best] <= full[n][best]
    assert (X[:, best] < full[:, best]).any()  # and for some view the gold sentence was the best one


def test_our_questions_are_kept_as_spans_of_the_articles_and_read_back(tmp_path, monkeypatch):
    """benchmarks/training_questions.jsonl holds no article text: gold and key are where they stand in the article,
    read back from the corpus; a question quoting ten characters of it in a row is left out."""
    import question_spans

    corpus = tmp_path / "corpus"
    write(corpus / "36kr" / "coffee.md", "---\ntitle: 山城咖啡\n---\n<p>山城咖啡宣布完成1.2亿元B轮融资，由木鱼资本领投。</p>\n"
                                         "<p>山城咖啡目前在西南地区经营86家门店。</p>\n")
    monkeypatch.setattr(question_spans, "CORPUS", corpus)
    question_spans.visible_text.cache_clear()
    question_spans.corpus_runs.cache_clear()
    row = {"id": "t1", "q": "它有多少家门店？", "lang": "zh", "file": "36kr/coffee.md", "gold": ["经营86家门店"],
           "key": ["86家"], "type": "followup", "history": ["山城咖啡的B轮融资由谁领投？"]}
    spanned = question_spans.to_spans(row)
    assert "86" not in json.dumps(spanned, ensure_ascii=False).replace('"id": "t1"', "")  # offsets, not text
    (tmp_path / "ours.jsonl").write_text(json.dumps(spanned, ensure_ascii=False) + "\n", encoding="utf-8")
    [back] = question_spans.load_spanned(tmp_path / "ours.jsonl")
    assert (back.gold, back.key, back.history, back.file) == (row["gold"], row["key"], row["history"], row["file"])
    assert question_spans.quotes_corpus("山城咖啡宣布完成一点二亿元融资了吗？") is False  # 8 in a row
    assert question_spans.quotes_corpus("西南地区经营86家门店吗？ 目前在西南地区经营") is False
    assert question_spans.quotes_corpus("谁说山城咖啡宣布完成1.2亿元") is False  # the run breaks at "1.2"
    assert question_spans.quotes_corpus("山城咖啡目前在西南地区经营多少家？") is True  # 13 in a row
    with pytest.raises(SystemExit, match="t2.*not in 36kr/coffee.md"):
        question_spans.to_spans({**row, "id": "t2", "key": ["90家"]})
    question_spans.visible_text.cache_clear()
    question_spans.corpus_runs.cache_clear()


def test_the_training_questions_still_match_the_shared_corpus():
    """The spans point into ../shared/corpus: an edited article would silently give wrong gold and keys."""
    import question_spans

    questions = question_spans.load_spanned(train_models.OURS)
    lines = [line for line in train_models.OURS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(questions) == len(lines) > 1000
    for q in questions:
        assert q.answerable and q.key and all(q.key) and all(q.gold), q.id  # a span past the text's end reads ""
        assert not question_spans.quotes_corpus(" ".join([q.q, *q.history])), q.id
