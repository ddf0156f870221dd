"""Progress of long work. The library calls ``progress(phase, done, total)``; front ends decide how to
show it (tqdm bars in a terminal, nothing with ``--quiet``, Gradio's progress bar in the app)."""

from __future__ import annotations

import sys
from typing import Callable

ProgressCallback = Callable[[str, int, int], None]

PHASES = {
    "reading": "Reading articles",
    "embedding": "Embedding passages",
    "writing": "Writing index",
    "questions": "Questions",
}


def no_progress(phase: str, done: int, total: int) -> None:
    pass


class TqdmProgress:
    """One tqdm bar per phase, on stderr; silent when quiet or when stderr is not a terminal."""

    def __init__(self, quiet: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = not quiet and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._bars: dict[str, object] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self._bars.get(phase)
        if bar is None:
            bar = tqdm(total=total, desc=PHASES.get(phase, phase), unit={"embedding": "text", "questions": "question"}.get(phase, "file"),
                       file=self.stream, dynamic_ncols=True, leave=True)
            self._bars[phase] = bar
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()
            del self._bars[phase]

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()
