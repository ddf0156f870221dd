"""Learned scoring, three small linear models over features we already compute:

- ``passage``: how likely a retrieved candidate holds the answer (orders the search results);
- ``sentence``: how likely a sentence of the top passages states the answer (picks the answer's sentences);
- ``abstain``: how likely the retrieved evidence answers the question at all (else: "not covered").

Each is a linear model read through the logistic function — a logistic regression, or for ``sentence`` a
conditional logit (softmax over one question's sentences) Platt-scaled to a probability — whose weights live
in ``assistant/models/<name>.json`` (a few kB), trained
by ``benchmarks/train_models.py`` on the shared question sets with cross-validation by article, so the
figures reported for it come from questions whose articles it never saw. The features are plain
numbers with names, so the README's ablation table can say what each one buys.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .questions import AMOUNT_TAIL, QuestionInfo

MODELS_DIR = Path(__file__).resolve().parent / "models"

# -- what a sentence looks like -----------------------------------------------------------------

_NUM_UNIT = re.compile(
    r"\d+(?:[.,]\d+)*" + AMOUNT_TAIL + r"(?:%|％|‰|万|亿|千|百|十|元|美元|港元|欧元|日元|块|家|个|倍|人|名|位|辆|台|款|次|年|月|日|天|"
    r"小时|分钟|秒|米|公里|千米|吨|件|股|层|平方|克|bp|GB|TB|MW|GW|kWh|GWh|mAh|x|k|m|bn|million|billion)", re.I)
_CN_NUMBER = re.compile(r"[一二两三四五六七八九十百千万亿]+(?:倍|成|家|个|年|位|名|款|次|种|项|人|元|岁|座|所|条|辆|台|件|天|"
                        r"平方|公里|米|吨)|[一二两三四五六七八九]成|过半|翻番|翻倍")
_REASON = re.compile(r"因为|由于|原因|因此|所以|导致|得益于|在于|主要是|为了|使得|以便|源于|归因|驱动|推动|受益|出于|基于|"
                     r"造成|影响|归咎|归罪|归功|根源|之所以|缘于|缘故|起因|诱因|罪魁|源自|(?:多重|多种|诸多|众多|种种)因素|"
                     r"because|due to|driven by|thanks to|reason", re.I)
_NAME = re.compile(r"[A-Z][A-Za-z0-9]+|《[^》]+》|“[^”]{2,20}”|[\u4e00-\u9fff]{2,8}(?:公司|集团|科技|银行|资本|基金|大学|"
                   r"研究院|平台|控股|股份|创投|投资|药业|汽车|咖啡)|(?:创始人|CEO|董事长|总裁|总经理|负责人|合伙人|担任|出任)")
_TIME = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|今年|去年|明年|上半年|下半年|季度|年底|年初|月底|\b(?:19|20)\d{2}\b")
# a date is not the quantity a "多少" question asks for ("2021年" answers nothing)
_DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:\d{1,2}\s*月)?(?:\d{1,2}\s*日)?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*月份?|"
                   r"\b(?:19|20)\d{2}\b(?!" + AMOUNT_TAIL + r"(?:元|美元|万|亿|人|家|个|%))")  # "2000 元" is an amount
_BARE_NUMBER = re.compile(r"\d+\.\d+|\d+(?:,\d{3})+|[%％]")
_PLACE = re.compile(r"[\u4e00-\u9fff]{1,6}(?:省|市|县|区|州|岛|海沟|海域|国|地区|园区|基地)|北京|上海|深圳|广州|杭州|香港|美国|"
                    r"日本|欧洲|东南亚|印度")


# "一个 / 一家" is mostly the article "a" ("她在江北开了一个茶馆"), no amount a "多少" question asks for
_A_ONE = re.compile(r"(?<![\d一二两三四五六七八九十百千万亿])第?一(?:个|家|位|名|款|次|种|项)")


def sentence_cues(text: str) -> dict[str, float]:
    undated = _A_ONE.sub(" ", _DATE.sub(" ", text))
    return {
        "num": 1.0 if (_NUM_UNIT.search(text) or _CN_NUMBER.search(text)) else 0.0,
        "quantity": 1.0 if (_NUM_UNIT.search(undated) or _CN_NUMBER.search(undated) or _BARE_NUMBER.search(undated)) else 0.0,
        "reason": 1.0 if _REASON.search(text) else 0.0,
        "name": 1.0 if _NAME.search(text) else 0.0,
        "time": 1.0 if _TIME.search(text) else 0.0,
        "place": 1.0 if _PLACE.search(text) else 0.0,
    }


# which cue answers which question type
TYPE_CUE = {"number": "num", "why": "reason", "who": "name", "when": "time", "where": "place"}


def names_something_new(text: str, question: str) -> float:
    """1 when ``text`` has a name the question (lower-cased) does not: the answer to "哪家 / which" is a name
    the question could not contain ("Costco", not the "UX" it asks about)."""
    return 1.0 if any(m.group(0).lower() not in question for m in _NAME.finditer(text)) else 0.0


def type_match(info: QuestionInfo, cues: dict[str, float], number: str = "num") -> float:
    """Whether the text holds what the question asks for. ``number``: the cue that answers a 多少 question —
    the answer sentence reads "quantity" (a date answers no 多少: "2021年"), the passage ranker still "num"."""
    cue = number if info.type == "number" else TYPE_CUE.get(info.type)
    return cues[cue] if cue else 0.0


# -- the models -----------------------------------------------------------------------------------

@dataclass
class LinearModel:
    """Standardised logistic regression: p = sigmoid(((x - mean) / scale) · coef + intercept)."""

    name: str
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5  # for decisions (abstain below it)
    hedge: float = 0.0  # abstention model: answer below it, but say the evidence is doubtful (0: never)
    meta: dict = field(default_factory=dict)  # how it was trained, held-out figures

    @classmethod
    def load(cls, path: Path) -> "LinearModel":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(name=data["name"], features=list(data["features"]), mean=np.array(data["mean"], dtype=float),
                   scale=np.array(data["scale"], dtype=float), coef=np.array(data["coef"], dtype=float),
                   intercept=float(data["intercept"]), threshold=float(data.get("threshold", 0.5)),
                   hedge=float(data.get("hedge", 0.0)), meta=data.get("meta", {}))

    def save(self, path: Path) -> None:
        data = {"name": self.name, "features": self.features, "mean": _round(self.mean), "scale": _round(self.scale),
                "coef": _round(self.coef), "intercept": round(float(self.intercept), 6),
                "threshold": round(float(self.threshold), 6), "meta": self.meta}
        if self.hedge:
            data["hedge"] = round(float(self.hedge), 6)
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def decision(self, rows: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(rows)
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept

    def proba(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.decision(rows)))


def _round(values: np.ndarray, digits: int = 6) -> list[float]:
    return [round(float(v), digits) for v in values]


@dataclass
class Affinity:
    """A learned question–sentence affinity, qᵀ·L·Rᵀ·s over the embedding vectors. Cosine weighs every
    direction of meaning alike; an answer sentence shares some with its question more than others (a
    "多少" question's number, not its topic words). Low rank (L, R: dim × rank), fitted with the sentence
    model on the same questions; the sentence model reads it as its ``affinity`` feature."""

    left: np.ndarray
    right: np.ndarray
    meta: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Affinity":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(left=np.array(data["left"], dtype=np.float32), right=np.array(data["right"], dtype=np.float32),
                   meta=data.get("meta", {}))

    def save(self, path: Path) -> None:
        data = {"name": "affinity", "meta": self.meta, "left": [_round(row, 5) for row in self.left],
                "right": [_round(row, 5) for row in self.right]}
        Path(path).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")

    def scores(self, query: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """One score per row of ``vectors``; zeros when the embeddings are not the ones it was fitted on."""
        if query is None or len(vectors) == 0 or query.shape[-1] != self.left.shape[0]:
            return np.zeros(len(vectors))
        return (vectors @ self.right) @ (self.left.T @ query)


@lru_cache(maxsize=None)
def load_affinity(folder: str = "") -> Affinity | None:
    """The bundled affinity, or the one in ``folder``; None where there is none (its feature reads 0)."""
    path = Path(folder or MODELS_DIR) / "affinity.json"
    return Affinity.load(path) if path.exists() else None


@lru_cache(maxsize=None)
def load_model(name: str, folder: str = "") -> LinearModel:
    """A bundled model (``passage``, ``sentence``, ``abstain``), or one from ``folder``."""
    return LinearModel.load(Path(folder or MODELS_DIR) / f"{name}.json")


def forget_models() -> None:
    """Read the model files again on next use (training writes new ones into the same folders)."""
    load_model.cache_clear()
    load_affinity.cache_clear()


def as_matrix(rows: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    return np.array([[row.get(n, 0.0) for n in names] for row in rows], dtype=float).reshape(len(rows), len(names))
