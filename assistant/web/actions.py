"""The write operations the page and the REST API share: add uploads, delete an article, and one
indexing job at a time in the background (with its progress, for ``GET /api/jobs/{id}``)."""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from .. import Assistant, IndexReport
from ..errors import AssistantError, StoreError
from ..uploads import save_uploads, set_aside


class Busy(AssistantError):
    """Another write (upload, delete, indexing job) holds the index."""


def ingest(a: Assistant, files, folder: Path, progress=None, cancel: threading.Event | None = None
           ) -> tuple[IndexReport | None, list[tuple[str, str]], list[Path]]:
    """Save uploads into the folder and index just them; uploads that fail to index are set aside."""
    saved, rejected = save_uploads(files or [], folder, a.settings)
    report = a.index(saved, progress=progress, cancel=cancel) if saved else None
    for path, _ in report.failed if report else []:
        set_aside(path, folder, ".rejected")
    return report, rejected, saved


def delete(a: Assistant, source: str, folder: Path) -> tuple[int, Path | None]:
    """Drop an article from the index and move its file to ``.deleted/`` (nothing uploaded is lost)."""
    removed = a.remove([source])
    return removed, set_aside(source, folder, ".deleted")


class Jobs:
    """One writer at a time for the web layer; a second one gets ``Busy`` (409) instead of waiting."""

    def __init__(self, keep: int = 100):
        self._lock = threading.Lock()
        self.jobs: dict[str, dict] = {}
        self.keep = keep

    @contextmanager
    def writing(self):
        if not self._lock.acquire(blocking=False):
            raise Busy("an indexing job is running; try again when it has finished (GET /api/jobs/{id})")
        try:
            yield
        except StoreError as exc:  # the index lock held by another process (or the page's own indexing)
            if "indexing" in str(exc):
                raise Busy(str(exc)) from None
            raise
        finally:
            self._lock.release()

    def start(self, kind: str, work: Callable[[Callable], IndexReport]) -> dict:
        """Run ``work(progress)`` in a thread; returns the job record (updated in place)."""
        if not self._lock.acquire(blocking=False):
            raise Busy("an indexing job is running; try again when it has finished (GET /api/jobs/{id})")
        job = {"id": uuid.uuid4().hex[:12], "kind": kind, "status": "running", "phase": "", "done": 0, "total": 0,
               "started": time.time(), "finished": None, "report": None, "error": None}
        self.jobs[job["id"]] = job
        for old in list(self.jobs)[:-self.keep]:
            del self.jobs[old]

        def progress(phase: str, done: int, total: int) -> None:
            job.update(phase=phase, done=done, total=total)

        def run() -> None:
            try:
                job["report"] = work(progress)
                job["status"] = "done"
            except Exception as exc:  # noqa: BLE001 - the job reports it; the server keeps serving
                job["status"], job["error"] = "failed", str(exc) or type(exc).__name__
            finally:
                job["finished"] = time.time()
                self._lock.release()

        threading.Thread(target=run, name=f"index-job-{job['id']}", daemon=True).start()
        return job
