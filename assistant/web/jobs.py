"""Indexing jobs of the web app: one at a time, in a background thread, cancellable, with a short history.

The page asks ``Jobs`` what is running (and how far it got) instead of waiting on a request, so a job keeps
its status across reloads and tabs, the first-start indexing can run while the page is already served, and
a second job is refused with a reason instead of queueing silently behind the first.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger("assistant.app")


class Cancelled(Exception):
    """Raised inside the job (from its progress callback) when the user pressed Cancel."""


@dataclass
class Job:
    id: int
    kind: str  # "first", "upload", "reindex", "rebuild", "delete", "restore"
    started: float = field(default_factory=time.time)
    finished: float = 0.0
    state: str = "running"  # running, done, failed, cancelled
    progress: dict[str, tuple[int, int]] = field(default_factory=dict)  # phase -> (done, total)
    result: Any = None
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def seconds(self) -> float:
        return (self.finished or time.time()) - self.started


class Jobs:
    """At most one job runs; finished jobs are kept newest first (``history``)."""

    def __init__(self, keep: int = 8):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.current: Job | None = None
        self.history: deque[Job] = deque(maxlen=keep)
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self.current is not None

    @property
    def version(self) -> int:
        """Changes whenever a job starts or ends: the page refreshes its tables when it changes."""
        return (self.history[0].id * 2 if self.history else 0) + (1 if self.current else 0)

    def start(self, kind: str, work: Callable[[Callable[[str, int, int], None]], Any],
              echo: Callable[[str, int, int], None] | None = None) -> Job | None:
        """Run ``work(progress)`` in a thread; None when another job is running."""
        with self._lock:
            if self.current is not None:
                return None
            job = self.current = Job(next(self._ids), kind)

        def progress(phase: str, done: int, total: int) -> None:
            job.progress[phase] = (done, total)
            if echo:
                echo(phase, done, total)
            if job.cancel.is_set():
                raise Cancelled()

        def run() -> None:
            try:
                job.result = work(progress)
                job.state = "cancelled" if job.cancel.is_set() else "done"
            except Cancelled:
                job.state = "cancelled"
            except Exception as exc:  # noqa: BLE001 - reported on the page; the app keeps serving
                log.exception("job %s failed", kind)
                job.state, job.error = "failed", str(exc) or type(exc).__name__
            finally:
                job.finished = time.time()
                with self._lock:
                    self.history.appendleft(job)
                    self.current = None

        self._thread = threading.Thread(target=run, name=f"job-{kind}", daemon=True)
        self._thread.start()
        return job

    def cancel(self) -> bool:
        job = self.current
        if job is None:
            return False
        job.cancel.set()
        return True

    def wait(self, timeout: float | None = None) -> Job | None:
        """Block until the running job ends (for tests and ``main(wait=True)``); the job that ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.history[0] if self.history else None
