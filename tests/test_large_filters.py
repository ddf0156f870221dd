"""A search filtered to many articles (a year, a common category: ~10^5 articles at 1M passages) is run
as an unfiltered vector search that fetches more hits until enough pass the filter, then, for a large set
of rare articles, as Chroma metadata filters part by part: the same hits as one metadata filter."""

from assistant.vectors import VectorStore


def _article_ids(a) -> list[str]:
    return sorted(r[0] for r in a.catalog.db.execute("SELECT article_id FROM articles"))


def test_large_filters_find_what_a_metadata_filter_finds(sliced_assistant, monkeypatch):
    a = sliced_assistant
    qv = a.embedder.embed_query("前端数字化和后端数字化有什么区别？")
    ids = _article_ids(a)
    chosen = set(ids[1::2])  # half of the articles
    exact = a.vectors.query(qv, 6, chosen)  # small set: Chroma's metadata filter
    assert len(exact) == 6 and all(cid.partition("-")[0] in chosen for cid, _ in exact)

    monkeypatch.setattr(VectorStore, "MAX_WHERE_IDS", 1)  # the same set now counts as large
    assert a.vectors.query(qv, 6, chosen) == exact  # unfiltered search, more hits fetched, filtered

    monkeypatch.setattr(VectorStore, "MAX_FETCH", 8)  # too few of the nearest pass: metadata filters in parts
    monkeypatch.setattr(VectorStore, "WHERE_PART", 2)
    unfiltered = [c.partition("-")[0] for c, _ in a.vectors.query(qv, 24)]
    rare = set(sorted(set(ids) - set(unfiltered))[:3])  # articles far from the question
    assert len(rare) == 3
    wheres = []
    query = VectorStore._query
    monkeypatch.setattr(VectorStore, "_query", lambda self, v, n, where: wheres.append(where) or query(self, v, n, where))
    parts = a.vectors.query(qv, 6, rare)
    assert len([w for w in wheres if w]) == (len(rare) + 1) // 2  # the parts of the filter
    monkeypatch.setattr(VectorStore, "MAX_WHERE_IDS", 1000)
    assert [c for c, _ in parts] == [c for c, _ in a.vectors.query(qv, 6, rare)]
    assert all(abs(s1 - s2) < 1e-6 for (_, s1), (_, s2) in zip(parts, a.vectors.query(qv, 6, rare)))
