"""One queue of index writes per ``Assistant``: every indexing run of a process goes through it.

The folder watcher, the page's buttons and uploads, feed syncs and the REST API's jobs all write the
same index, and the index has one writer at a time (the writer lock in ``indexer.py``). Instead of
racing for that lock and failing ("another process is indexing"), they submit jobs here: jobs run one
after another in one worker thread, in the order they came, each with its progress, a cancel flag and
its result, and the finished ones are kept for a while (the page's "Recent jobs", ``GET /api/jobs/{id}``).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger("assistant.jobs")

Progress = Callable[[str, int, int], None]


class Cancelled(Exception):
    """Raised inside the job (from its progress callback) when it was cancelled."""


@dataclass
class Job:
    id: int
    kind: str  # first, upload, reindex, rebuild, delete, restore, index (API), watch, feeds
    created: float = field(default_factory=time.time)
    started: float = 0.0
    finished: float = 0.0
    state: str = "queued"  # queued, running, done, failed, cancelled
    progress: dict[str, tuple[int, int]] = field(default_factory=dict)  # phase -> (done, total)
    phase: str = ""  # the phase reported last
    result: Any = None
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event, repr=False)
    exception: BaseException | None = field(default=None, repr=False)
    work: Callable | None = field(default=None, repr=False)
    echo: Callable | None = field(default=None, repr=False)

    @property
    def seconds(self) -> float:
        """Running time (0 while queued)."""
        return (self.finished or time.time()) - self.started if self.started else 0.0


class JobRunner:
    """Runs submitted jobs one at a time, first come first served, in a background thread."""

    def __init__(self, keep: int = 30, keep_ids: int = 100):
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        self._queue: deque[Job] = deque()
        self._by_id: dict[str, Job] = {}
        self._keep_ids = keep_ids
        self._changes = 0
        self.current: Job | None = None
        self._history: deque[Job] = deque(maxlen=keep)
        self._thread: threading.Thread | None = None
        self._progress: Progress = lambda phase, done, total: None

    # -- state -----------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.current is not None or bool(self._queue)

    @property
    def history(self) -> list[Job]:
        """The finished jobs, newest first (a copy: other threads add to it)."""
        with self._lock:
            return list(self._history)

    @property
    def queued(self) -> list[Job]:
        with self._lock:
            return list(self._queue)

    @property
    def version(self) -> int:
        """Changes whenever a job is submitted, starts or ends: the page refreshes its tables then."""
        return self._changes

    def get(self, job_id) -> Job | None:
        return self._by_id.get(str(job_id))

    # -- submitting ------------------------------------------------------------------------
    def submit(self, kind: str, work: Callable[[Progress], Any], echo: Progress | None = None) -> Job:
        """Queue ``work(progress)``; it runs after the jobs submitted before it. ``progress(phase, done,
        total)`` records how far it got and raises ``Cancelled`` once the job is cancelled."""
        with self._lock:
            job = Job(next(self._ids), kind, work=work, echo=echo)
            self._queue.append(job)
            self._by_id[str(job.id)] = job
            for old in list(self._by_id)[:-self._keep_ids]:
                del self._by_id[old]
            self._changes += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="assistant-jobs", daemon=True)
                self._thread.start()
            self._lock.notify_all()
        return job

    def run(self, kind: str, work: Callable[[Progress], Any], timeout: float | None = None) -> Any:
        """Submit and wait: the result, or the job's exception raised again (``Cancelled`` if cancelled).
        Called from inside a job of this runner, ``work`` runs at once (it would wait for itself)."""
        if threading.current_thread() is self._thread:
            return work(self._progress)  # the running job's: its progress shows, its Cancel stops this
        job = self.submit(kind, work)
        try:
            if not job.ended.wait(timeout):
                raise TimeoutError(f"the {kind} job did not finish within {timeout:g} s")
        except BaseException:  # Ctrl-C while waiting: stop the job at its next progress report
            self.cancel(job)
            job.ended.wait(10)
            raise
        if job.state == "cancelled" and job.result is None:
            raise Cancelled()
        if job.state == "failed" and job.exception is not None:
            raise job.exception
        return job.result

    def cancel_all(self) -> bool:
        """Drop the queued jobs and cancel the running one; False when there was nothing to cancel."""
        with self._lock:
            jobs = [*self._queue, *([self.current] if self.current else [])]
        return any([self.cancel(j) for j in jobs])

    def cancel(self, job: Job | None = None) -> bool:
        """Cancel a job (default: the running one). A queued job is dropped; a running one stops at its
        next progress report."""
        with self._lock:
            job = job or self.current
            if job is None or job.state not in ("queued", "running"):
                return False
            job.cancel.set()
            if job.state == "queued":
                self._queue.remove(job)
                self._end(job, "cancelled")
            return True

    def wait(self, job: Job | None = None, timeout: float | None = None) -> Job | None:
        """Block until ``job`` has ended (default: until nothing is queued or running); the job waited
        for, or the newest finished one."""
        if job is not None:
            job.ended.wait(timeout)
            return job
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self.busy:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._lock.wait(left)
            return self._history[0] if self._history else None

    # -- the worker ------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    self._lock.wait()
                job = self._queue.popleft()
            self._execute(job)

    def _execute(self, job: Job) -> None:
        echo = job.echo

        def progress(phase: str, done: int, total: int) -> None:
            job.progress[phase] = (done, total)
            job.phase = phase
            if echo:
                echo(phase, done, total)
            if job.cancel.is_set():
                raise Cancelled()

        with self._lock:
            self.current, self._progress = job, progress
            job.state, job.started = "running", time.time()
            self._changes += 1
        state = "failed"
        try:
            job.result = job.work(progress)
            state = "cancelled" if job.cancel.is_set() else "done"
        except Cancelled:
            state = "cancelled"
        except BaseException as exc:  # noqa: BLE001 - reported with the job (``run`` raises it again)
            from .errors import AssistantError

            if isinstance(exc, Exception) and not isinstance(exc, AssistantError):
                log.exception("%s job failed", job.kind)
            job.error, job.exception = str(exc) or type(exc).__name__, exc
        finally:
            with self._lock:
                if self.current is job:
                    self.current = None
                self._end(job, state)

    def _end(self, job: Job, state: str) -> None:
        """Record a job's end (the lock is held)."""
        job.state, job.finished = state, time.time()
        job.work = job.echo = None
        self._history.appendleft(job)
        self._changes += 1
        job.ended.set()
        self._lock.notify_all()
