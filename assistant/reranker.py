"""An optional cross-encoder reranking step, off by default.

No multilingual cross-encoder ships its weights on PyPI, so nothing here is downloaded: set
``ASSISTANT_RERANKER`` to a local sentence-transformers CrossEncoder folder to turn it on. It re-orders
the best ``rerank_top`` fused candidates by the cross-encoder's score of (question, passage).
"""

from __future__ import annotations

import threading
from pathlib import Path

from .errors import ModelError
from .settings import Settings


class Reranker:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._model = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.settings.reranker)

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    path = Path(self.settings.reranker).expanduser()
                    if not (path / "config.json").exists():
                        raise ModelError(f"reranker folder {path} not found or not a CrossEncoder folder "
                                         "(no config.json); unset ASSISTANT_RERANKER to search without one")
                    from sentence_transformers import CrossEncoder

                    self._model = CrossEncoder(str(path), device="cpu", local_files_only=True)
        return self._model

    def scores(self, question: str, texts: list[str]) -> list[float]:
        if not texts:
            return []
        return [float(s) for s in self.model.predict([(question, t) for t in texts], show_progress_bar=False)]
