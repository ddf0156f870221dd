"""Keep the index in step with folders: file events → a quiet moment → one incremental indexing run.

Events only mark paths as pending. A worker thread waits until no event has arrived for ``watch_debounce``
seconds (at most ``watch_max_wait`` after the first one, so a long copy still makes progress), then checks
that each pending file's size and mtime stay the same for ``watch_settle`` seconds: a file still being
written is left pending for the next round instead of being indexed half-way. Stable files go through
``Assistant.index`` (the same incremental, crash-safe run and writer lock as ``assistant index``) as a
"watch" job of the assistant's job runner (``jobs.py``), so in the app a run queues behind the page's and
the API's jobs instead of failing on the lock; paths that are gone leave the index. An editor's save
storm or a 500-file copy is therefore a handful of runs. A run that is cancelled (the page's Cancel)
is not retried: its files wait for their next change or a re-index.

watchdog's native observer (inotify) is used where it works, its polling observer where it does not
(inotify watch limit reached, network file systems) or when ``watch_poll`` is set.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .errors import AssistantError, StoreError
from .indexer import discover
from .results import IndexReport

log = logging.getLogger(__name__)

_IGNORED_EVENTS = {"opened", "closed_no_write"}  # reading a file (the indexer does) is not a change
# only the initial catch-up run indexes a watched folder as a whole (that also drops files deleted while
# nobody watched); later runs index just the files that changed and are complete


class Watcher:
    """Watch ``folders`` and index what changes in them, until ``stop()``.

    ``on_run(report)`` is called after each indexing run (from the worker thread); ``runs`` counts them.
    With ``feed_interval`` (minutes, 0 = never) the worker also syncs the feeds: at start, then that often.
    """

    def __init__(self, assistant, folders: Sequence[str | os.PathLike], *, poll: bool | None = None,
                 debounce: float | None = None, settle: float | None = None, max_wait: float | None = None,
                 feed_interval: float | None = None, initial_sync: bool = True,
                 on_run: Callable[[IndexReport], None] | None = None,
                 on_error: Callable[[str], None] | None = None):
        s = assistant.settings
        self.assistant = assistant
        self.folders = [Path(f).expanduser().resolve() for f in folders]
        for folder in self.folders:
            if not folder.is_dir():
                raise AssistantError(f"cannot watch {folder}: not a folder; create it or pass another path")
        self.poll = s.watch_poll if poll is None else poll
        self.debounce = s.watch_debounce if debounce is None else debounce
        self.settle = s.watch_settle if settle is None else settle
        self.max_wait = s.watch_max_wait if max_wait is None else max_wait
        self.feed_interval = (s.feed_interval if feed_interval is None else feed_interval) * 60
        self.initial_sync = initial_sync
        self.on_run = on_run or (lambda report: None)
        self.on_error = on_error or (lambda message: log.warning(message))
        self.runs = 0
        self.last_report: IndexReport | None = None
        self.last_error = ""
        self.observer_kind = ""
        self._pending: dict[Path, tuple[float, int]] = {}  # path -> (time of its first event, event number)
        self._events = 0
        self._last_event = 0.0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._busy = False
        self._observer = None
        self._thread: threading.Thread | None = None
        self._next_feed_sync = time.monotonic() if self.feed_interval else None  # first sync at start

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> "Watcher":
        self._observer = self._start_observer()
        if self.initial_sync:
            self._mark(self.folders)
            self._last_event = 0.0  # no need to wait for quiet: run at once
        self._thread = threading.Thread(target=self._work, name="assistant-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop watching; an indexing run in progress is allowed to finish (it is crash-safe anyway)."""
        self._stopping.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> "Watcher":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def idle(self) -> bool:
        """Nothing pending and no run in progress."""
        with self._lock:
            return not self._pending and not self._busy

    def status(self) -> dict:
        with self._lock:
            pending = sorted(str(p) for p in self._pending)
        return {"folders": [str(f) for f in self.folders], "observer": self.observer_kind, "runs": self.runs,
                "pending": pending, "running": self._busy, "last_error": self.last_error,
                "last_run": self.last_report.summary() if self.last_report else ""}

    # -- events --------------------------------------------------------------------------------
    def _start_observer(self):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type in _IGNORED_EVENTS:
                    return
                if event.is_directory and event.event_type in ("modified", "closed"):
                    if watcher.observer_kind == "polling":
                        watcher._reconcile(Path(os.fsdecode(event.src_path)))
                    return  # a folder is "modified" whenever a file in it is: the file's own event counts
                paths = [event.src_path, getattr(event, "dest_path", "")]
                watcher._mark(Path(os.fsdecode(p)) for p in paths if p)

        kinds = [PollingObserver] if self.poll else [Observer, PollingObserver]
        for kind in kinds:
            observer = kind(timeout=1) if kind is PollingObserver else kind()
            try:
                for folder in self.folders:
                    observer.schedule(Handler(), str(folder), recursive=True)
                observer.start()
            except OSError as exc:  # e.g. inotify watch limit: poll instead
                log.warning("cannot watch with %s (%s); polling instead", kind.__name__, exc)
                continue
            self.observer_kind = "polling" if kind is PollingObserver else "native"
            return observer
        raise AssistantError(f"cannot watch {', '.join(map(str, self.folders))}")

    def _mark(self, paths: Iterable[Path]) -> None:
        now = time.monotonic()
        added = False
        with self._lock:
            for path in paths:
                if self._relevant(path):
                    self._events += 1  # a later event on a path being checked keeps it pending
                    self._pending[path] = (self._pending.get(path, (now, 0))[0], self._events)
                    added = True
            if added:
                self._last_event = now
        if added:
            self._wake.set()

    def _reconcile(self, folder: Path) -> None:
        """Polling compares snapshots, so a file created and deleted (or replaced) between two polls
        shows only as its folder being modified: compare that folder's files with the index."""
        try:
            known = self.assistant.catalog.indexed_times()
            changed = [Path(s) for s in known if Path(s).parent == folder and not os.path.exists(s)]
            for child in folder.iterdir():
                if child.is_file() and (str(child) not in known or child.stat().st_mtime > known[str(child)][0]):
                    changed.append(child)
        except (OSError, AssistantError) as exc:
            log.warning("cannot compare %s with the index: %s", folder, exc)
            return
        self._mark(changed)

    def _relevant(self, path: Path) -> bool:
        """Inside a watched folder, not excluded (hidden, ``_*``, README…), an article or a folder."""
        settings = self.assistant.settings
        folder = next((f for f in self.folders if path == f or f in path.parents), None)
        if folder is None or settings.index_path.resolve() in (path, *path.parents):
            return False
        from .indexer import _excluded

        if any(_excluded(part, settings) for part in path.relative_to(folder).parts):
            return False
        suffix = path.suffix.lower()
        return path == folder or not suffix or suffix in settings.extensions or path.is_dir()

    # -- the worker ----------------------------------------------------------------------------
    def _work(self) -> None:
        while not self._stopping.is_set():
            timeout = None
            if self._next_feed_sync is not None:
                timeout = max(0.0, self._next_feed_sync - time.monotonic())
            self._wake.wait(timeout)
            self._wake.clear()
            self._wait_for_quiet()
            if self._stopping.is_set():
                return
            batch = self._take_stable()
            if batch:
                self._run(batch)
            if self._next_feed_sync is not None and time.monotonic() >= self._next_feed_sync:
                self._sync_feeds()  # after the folder: slow or unreachable feeds never delay local files

    def _wait_for_quiet(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                if not self._pending:
                    return
                now = time.monotonic()
                quiet_at = self._last_event + self.debounce
                deadline = min(first for first, _ in self._pending.values()) + self.max_wait
            if now >= quiet_at or now >= deadline:
                return
            self._stopping.wait(min(quiet_at, deadline) - now)

    def _take_stable(self) -> set[Path]:
        """Pending paths whose files did not change during ``settle`` seconds (the others stay pending)."""
        with self._lock:
            batch = dict(self._pending)
        before = {p: _signature(p) for p in batch}
        if any(s is not None for s in before.values()):
            self._stopping.wait(self.settle)
        stable = {p for p in batch if _signature(p) == before[p]}
        with self._lock:
            for p in stable:
                if self._pending.get(p) == batch[p]:  # no event since the check began
                    del self._pending[p]
            if len(stable) < len(batch):
                self._wake.set()  # come back for the files still being written
            self._busy = bool(stable)
        return stable

    def _run(self, paths: set[Path]) -> None:
        from .jobs import Cancelled

        try:
            report = self.assistant.jobs.run(
                "watch", lambda progress: apply_changes(self.assistant, paths, self.folders))
        except Cancelled:
            self.runs += 1
            self.last_error = (f"indexing {len(paths)} changed path(s) was cancelled; they are indexed when they "
                               "change again or on a re-index")
            return
        except StoreError as exc:
            if "another process is indexing" in str(exc):  # wait for the other writer, then retry
                self._requeue(paths)
                self._stopping.wait(1.0)
                return
            self._failed(paths, exc)
            return
        except Exception as exc:  # noqa: BLE001 - the watcher must outlive one bad run
            self._failed(paths, exc)
            return
        finally:
            with self._lock:
                self._busy = False
        self.runs += 1
        self.last_report, self.last_error = report, ""
        try:
            self.on_run(report)
        except Exception:  # noqa: BLE001
            log.exception("on_run callback failed")

    def _requeue(self, paths: set[Path]) -> None:
        now = time.monotonic()
        with self._lock:
            for p in paths:
                self._events += 1
                self._pending.setdefault(p, (now, self._events))
        self._wake.set()

    def _failed(self, paths: set[Path], exc: Exception) -> None:
        self.runs += 1
        self.last_error = f"indexing {len(paths)} changed path(s) failed: {exc}"
        self.on_error(self.last_error)

    def _sync_feeds(self) -> None:
        from .feeds import sync_feeds

        self._next_feed_sync = time.monotonic() + self.feed_interval
        try:
            for result in sync_feeds(self.assistant):
                if result.error:
                    self.on_error(f"feed {result.name}: {result.error}")
        except Exception as exc:  # noqa: BLE001
            self.on_error(f"feed sync failed: {exc}")


def apply_changes(assistant, paths: Iterable[Path], folders: Sequence[Path]) -> IndexReport:
    """Index the article files among ``paths`` (folders: the files in them), drop the gone ones."""
    files: list[Path] = []
    gone: list[Path] = []
    for path in paths:
        if path.is_dir() or path.is_file():
            found, _, _ = discover([path], assistant.settings)
            if path.is_dir() and path in folders:
                files.append(path)  # a whole watched folder: a full run (removals included)
            else:
                files.extend(found)
        else:
            gone.append(path)
    report = assistant.index(list(dict.fromkeys(files))) if files else IndexReport()
    if gone:
        prefixes = [str(p) + os.sep for p in gone]
        known = assistant.catalog.article_by_source()
        drop = [s for s in known if (Path(s) in gone or s.startswith(tuple(prefixes))) and not Path(s).exists()]
        if drop:
            report.removed += assistant.remove(drop)
            report.chunks_total = assistant.catalog.counts()[1]
    return report


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
