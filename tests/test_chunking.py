"""Chunking by heading: sections never mix, passages end at sentence ends, sizes stay near target."""

import statistics

from assistant.articles import HEADING, read_article
from assistant.chunking import chunk_article, sentence_spans

from conftest import CORPUS, SEED, hexo, write

ENDS = tuple("。！？；!?.…”’\"」』）)]")


def _section_spans(article):
    """(start, end) of each section's body in article.text."""
    spans, start = [], 0
    for b in article.blocks:
        if b.kind == HEADING:
            spans.append((start, b.start))
            start = b.end + 1
    spans.append((start, len(article.text)))
    return spans


def check_invariants(article, chunks, size, overlap):
    sections = _section_spans(article)
    paragraph_ends = {b.end for b in article.blocks}
    for c in chunks:
        assert article.text[c.start:c.end] == c.text
        assert c.embed_text.startswith(c.breadcrumb + "\n") and c.embed_text.endswith(c.text)
        assert c.breadcrumb.split(" › ")[0] == article.title
        # never two sections in one passage
        assert any(s <= c.start and c.end <= e for s, e in sections), c.text[:40]
        # ends at a sentence or paragraph end (run-on sentences above 1.5 × size are the exception)
        assert c.end in paragraph_ends or c.text.endswith(ENDS) or len(c.text) > size, c.text[-20:]
        assert len(c.text) <= size * 1.5 + overlap + 80
    # consecutive passages of a section overlap by at most `overlap` characters
    for a, b in zip(chunks, chunks[1:]):
        if a.headings == b.headings and b.start < a.end:
            assert a.end - b.start <= overlap
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_seed_sections_and_breadcrumbs():
    article = read_article(SEED)
    chunks = chunk_article(article, chunk_size=400, chunk_overlap=60, min_chunk=80)
    check_invariants(article, chunks, 400, 60)
    crumbs = {c.breadcrumb for c in chunks}
    assert "从前端数字化到后端数字化，数字化的路到底该怎么走？ › 后端数字化：借助数字中台、云计算、SaaS等实现B端生意突围" in crumbs
    assert chunks[0].headings == [] and chunks[0].position == 0
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert all(c.date == article.date and c.source == article.path for c in chunks)


def test_whole_corpus_invariants_at_several_sizes():
    files = sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")
    for size, overlap in [(250, 40), (400, 60), (600, 100)]:
        lengths = []
        for path in files:
            article = read_article(path)
            chunks = chunk_article(article, chunk_size=size, chunk_overlap=overlap, min_chunk=min(80, size // 3))
            check_invariants(article, chunks, size, overlap)
            lengths += [len(c.text) for c in chunks]
        assert statistics.median(lengths) <= size


def test_h3_nests_under_h2_and_short_tail_joins(tmp_path):
    long_para = "这是一个比较长的句子，用来把段落撑到足够的长度。" * 12  # ~290 characters
    body = (f"<p>导语。</p><h2>大节</h2><p>{long_para}</p><p>{long_para}</p><p>短尾。</p>"
            f"<h3>小节</h3><p>小节正文。</p><h2>另一节</h2><p>另一节正文。</p>")
    article = read_article(write(tmp_path / "a.md", hexo("标题", body)))
    chunks = chunk_article(article, chunk_size=300, chunk_overlap=0, min_chunk=40)
    assert [c.headings for c in chunks] == [[], ["大节"], ["大节"], ["大节", "小节"], ["另一节"]]
    assert chunks[2].text.endswith("短尾。")  # the 3-character tail joined its neighbour
    assert chunks[3].breadcrumb == "标题 › 大节 › 小节"


def test_long_paragraph_splits_at_sentence_ends_with_overlap(tmp_path):
    sentences = [f"第{i}句话讲的是数字化转型中的第{i}个问题。" for i in range(40)]
    article = read_article(write(tmp_path / "b.md", hexo("长段落", "<p>" + "".join(sentences) + "</p>")))
    chunks = chunk_article(article, chunk_size=200, chunk_overlap=60, min_chunk=40)
    assert len(chunks) > 3
    for c in chunks:
        assert c.text.startswith("第") and c.text.endswith("。")
    # each passage after the first starts with the last sentence(s) of the one before
    for a, b in zip(chunks, chunks[1:]):
        assert a.end > b.start and a.text.endswith(b.text[: a.end - b.start])


def test_run_on_text_is_cut_at_clauses_then_hard(tmp_path):
    run_on = "，".join(["没有句号的长文本"] * 120)
    article = read_article(write(tmp_path / "c.md", hexo("无句号", f"<p>{run_on}</p>")))
    chunks = chunk_article(article, chunk_size=200, chunk_overlap=0, min_chunk=40)
    assert len(chunks) > 3 and all(len(c.text) <= 300 for c in chunks)
    assert "".join(c.text for c in chunks) == run_on


def test_sentence_spans_english_and_chinese():
    text = "First sentence. Second one! 第三句。第四句？“引用。”最后"
    spans = sentence_spans(text, 0, len(text), 500)
    assert [text[s:e] for s, e in spans] == ["First sentence.", "Second one!", "第三句。", "第四句？", "“引用。”", "最后"]


def test_ids_are_stable_and_change_only_with_text(tmp_path):
    body = "<h2>一</h2><p>第一节的内容。</p><h2>二</h2><p>第二节的内容。</p>"
    path = write(tmp_path / "d.md", hexo("稳定", body))
    first = [c.chunk_id for c in chunk_article(read_article(path))]
    assert first == [c.chunk_id for c in chunk_article(read_article(path))]
    write(path, hexo("稳定", body.replace("第二节的内容。", "第二节改过的内容。")))
    second = [c.chunk_id for c in chunk_article(read_article(path))]
    assert first[0] == second[0] and first[1] != second[1]


def test_english_abbreviations_do_not_end_sentences():
    text = ("The U.S. economy grew, e.g. in services and retail. Dr. Smith agreed with that view. "
            "See Fig. 3 and No. 7 for the figures. Acme Inc. was founded in 1990 by J. R. Miller. "
            "It closed at 5 p.m. Then everyone went home for the day.")
    spans = sentence_spans(text, 0, len(text), 500)
    assert [text[s:e] for s, e in spans] == [
        "The U.S. economy grew, e.g. in services and retail.", "Dr. Smith agreed with that view.",
        "See Fig. 3 and No. 7 for the figures.", "Acme Inc. was founded in 1990 by J. R. Miller.",
        "It closed at 5 p.m.", "Then everyone went home for the day."]
    mixed = "宝洁公司前CEO雷富礼(A.G. Lafley)在《哈佛商业评论》中建议增加两项内容。第二句。"
    assert [mixed[s:e] for s, e in sentence_spans(mixed, 0, len(mixed), 500)] == [
        "宝洁公司前CEO雷富礼(A.G. Lafley)在《哈佛商业评论》中建议增加两项内容。", "第二句。"]
    # a work's title ends no sentence, whatever marks it holds
    titled = "招股书披露《我们的乐园！》是首个登上畅销榜第一的游戏。《你好？》随后推出。"
    assert [titled[s:e] for s, e in sentence_spans(titled, 0, len(titled), 500)] == [
        "招股书披露《我们的乐园！》是首个登上畅销榜第一的游戏。", "《你好？》随后推出。"]
