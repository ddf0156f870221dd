"""What the page and the REST API share: the write operations (add uploads, delete an article), which run
as jobs of the assistant's one job runner (``assistant/jobs.py``), behind the folder watcher's runs, feed
syncs and the other buttons' jobs, instead of failing while one of them indexes; and the ingest status."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, Callable

from .. import Assistant, IndexReport
from ..errors import AssistantError, StoreError
from ..uploads import safe_name, save_uploads, set_aside
from .render import display_path


class Busy(AssistantError):
    """Another process holds the index's writer lock for longer than ``lock_wait`` (409)."""


def write(a: Assistant, kind: str, work: Callable[[Callable], Any]) -> Any:
    """Run ``work(progress)`` as a job of the assistant's runner and wait for it (it queues behind the
    jobs before it); another process holding the index too long is ``Busy``."""
    try:
        return a.jobs.run(kind, work)
    except StoreError as exc:
        if "another process is indexing" in str(exc):
            raise Busy(str(exc)) from None
        raise


def ingest(a: Assistant, files, folder: Path, progress=None, cancel: threading.Event | None = None
           ) -> tuple[IndexReport | None, list[tuple[str, str]], list[Path]]:
    """Save uploads into the folder and index just them; uploads that fail to index are set aside."""
    saved, rejected = save_uploads(files or [], folder, a.settings)
    report = a.index(saved, progress=progress, cancel=cancel) if saved else None
    for path, _ in report.failed if report else []:
        set_aside(path, folder, ".rejected")
    if report:
        report.warnings += renamed_uploads(files or [], saved, a.settings)
    return report, rejected, saved


def renamed_uploads(files, saved: list[Path], settings) -> list[tuple[str, str]]:
    """A warning per upload saved under a numbered name because a different article has its name: a
    corrected version uploaded again sits beside the old one, and answers may still quote the old one."""
    names = {safe_name(Path(f).name, settings) for f in files}
    out = []
    for path in saved:
        if path.name not in names:
            taken = re.sub(r"-\d+(\.[^.]+)$", r"\1", path.name)
            out.append((str(path), f"{taken} already holds a different article, so this upload is saved as "
                                   f"{path.name} and both are indexed; delete {taken} if this one replaces it"))
    return out


def delete(a: Assistant, source: str, folder: Path) -> dict:
    """Drop an article from the index and move its file to ``.deleted/`` (nothing uploaded is lost). The
    delete job's result, the same from the page and the API (the page's job report and Undo read it):
    ``removed``, ``moved`` (the file's new place or None), ``say`` and ``undo``."""
    title = next((r["title"] for r in a.articles() if r["source"] == source), source)
    removed = a.remove([source])
    moved = set_aside(source, folder, ".deleted")
    where = display_path(str(moved), folder) if moved else "—"
    return {"removed": removed, "moved": moved, "say": ("deleted", {"title": f"«{title}»", "where": where}),
            "undo": {"moved": str(moved), "source": source, "title": title} if moved else None}




def ingest_status(a: Assistant, folder: Path) -> dict:
    """Feeds with their last sync, each file's state (indexed / pending / failed, from which feed), and the
    folder watcher's state (None when not watching); paths relative to the articles folder."""
    files = a.file_status([folder]) if folder.is_dir() else []
    watch = a.watcher.status() if a.watcher else None
    if watch:
        watch["pending"] = [display_path(p, folder) for p in watch["pending"]]
        watch["folders"] = [display_path(p, folder) for p in watch["folders"]]
    return {"feeds": [f | {"folder": display_path(f["folder"], folder)} for f in a.feeds.list()],
            "files": [{"file": display_path(f.pop("path"), folder)} | f for f in files], "watch": watch}
