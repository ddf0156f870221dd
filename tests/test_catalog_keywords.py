"""Keyword search at scale: very common query tokens are left out of BM25, the rarest always stays,
and the cached counts behind that follow writes. No model involved: catalog rows only."""

import pytest

from assistant.articles import read_article
from assistant.catalog import Catalog
from assistant.chunking import chunk_article
from assistant.keywords import tokenize


def _add(catalog: Catalog, folder, i: int, body: str) -> None:
    path = folder / f"{i:03d}.md"
    path.write_text(f"---\ntitle: 第{i}篇\n---\n<p>{body}</p>", encoding="utf-8")
    article = read_article(path)
    chunks = chunk_article(article)
    catalog.commit_article(article, chunks, [tokenize(c.embed_text) for c in chunks])


@pytest.fixture
def catalog(tmp_path):
    c = Catalog(tmp_path / "assistant.sqlite", keyword_max_df=0.5, keyword_max_postings=0)
    for i in range(30):
        words = ["common"] + (["middle"] if i < 10 else []) + [f"rare{i}"]
        _add(c, tmp_path, i, " ".join(words))
    return c


def test_small_indexes_keep_every_token(catalog):
    assert catalog.keyword_tokens(["common", "rare3", "middle"]) == ["common", "rare3", "middle"]


def test_common_tokens_leave_the_keyword_query(catalog, monkeypatch):
    monkeypatch.setattr(Catalog, "CHEAP_POSTINGS", 0)  # as if every posting list were long
    assert catalog.passage_count() == 30
    df, n = catalog.doc_freq(["common", "middle", "rare3", "absent"])
    assert (df, n) == ({"common": 30, "middle": 10, "rare3": 1}, 30)
    # common sits in every passage (> 50%): dropped; unknown tokens cost nothing and stay
    assert catalog.keyword_tokens(["common", "rare3", "middle", "absent"]) == ["rare3", "middle", "absent"]
    assert catalog.keyword_tokens(["common"]) == ["common"]  # the rarest token is always kept
    assert catalog.keyword_tokens(["common", "middle"]) == ["middle"]
    top = catalog.keyword_search(["common", "rare3"], 3)
    assert top[0][0] in catalog.chunk_ids(_article_id(catalog, "003.md"))
    # a postings budget: middle (10 postings) does not fit after rare3 (1) within 5
    catalog.keyword_max_postings = 5
    assert catalog.keyword_tokens(["middle", "rare3"]) == ["rare3"]
    catalog.keyword_max_df, catalog.keyword_max_postings = 1.0, 0
    assert catalog.keyword_tokens(["common", "rare3"]) == ["common", "rare3"]  # caps off: all tokens


def test_counts_follow_writes_of_any_connection(catalog, tmp_path):
    other = Catalog(tmp_path / "assistant.sqlite")
    assert other.passage_count() == 30
    _add(catalog, tmp_path, 99, "common rare99")
    assert catalog.passage_count() == 31 and other.passage_count() == 31  # own write, another's write


def test_cached_document_frequencies_refresh_when_the_index_grows(catalog, tmp_path, monkeypatch):
    monkeypatch.setattr(Catalog, "EXACT_DF_BELOW", 0)  # the big-index path, on a small index
    assert catalog.doc_freq(["common"]) == ({"common": 30}, 30)
    _add(catalog, tmp_path, 100, "common")  # 1 of 30 = 3% more passages: counted again
    assert catalog.doc_freq(["common"]) == ({"common": 31}, 31)
    catalog._df["common"] = 999  # a stale count is kept while the index stays within 2%...
    assert catalog.doc_freq(["common"])[0] == {"common": 999}
    for i in range(101, 103):
        _add(catalog, tmp_path, i, "common")
    assert catalog.doc_freq(["common"])[0] == {"common": 33}  # ...and dropped beyond


def _article_id(catalog: Catalog, name: str) -> str:
    return next(a for s, (a, _) in catalog.article_by_source().items() if s.endswith(name))


def test_a_filter_may_name_more_articles_than_sqlite_has_variables(catalog):
    """A year or a common category at 1M passages names ~10^5 articles (SQLite allows 32,766 variables)."""
    wanted = {r[0] for r in catalog.db.execute("SELECT article_id FROM articles ORDER BY source LIMIT 3")}
    many = wanted | {f"{i:016x}" for i in range(40_000)}  # ids of no article
    got = catalog.keyword_search(["common"], 10, many)
    assert got == catalog.keyword_search(["common"], 10, wanted) and len(got) == 3
    assert {cid.partition("-")[0] for cid, _ in got} == wanted


def test_category_filter_ignores_case_and_reads_every_category(tmp_path):
    c = Catalog(tmp_path / "assistant.sqlite")
    for i, categories in enumerate([["Tech", "快讯"], ["finance"], []]):
        path = tmp_path / f"{i}.md"
        path.write_text(f"---\ntitle: 第{i}篇\ncategories: {categories}\n---\n<p>正文{i}</p>", encoding="utf-8")
        article = read_article(path)
        chunks = chunk_article(article)
        c.commit_article(article, chunks, [tokenize(x.embed_text) for x in chunks])
    by_name = {s.rsplit("/", 1)[-1]: a for s, (a, _) in c.article_by_source().items()}
    assert c.filter_articles(category=" tech ") == {by_name["0.md"]}
    assert c.filter_articles(category="快讯") == {by_name["0.md"]}
    assert c.filter_articles(category="FINANCE") == {by_name["1.md"]}
    assert c.filter_articles(category="sports") == set()
