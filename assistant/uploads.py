"""Saving user-uploaded files into the articles folder, safely.

An upload is untrusted: its name may try to escape the folder (``../../x.md``), hide itself
(``.x.md``), clash with an existing article, or match the indexer's exclude patterns (``README.md``
would be skipped by a folder re-index and silently dropped). Its content may be binary, in an
unknown encoding or empty. Each file is checked completely before anything is written, so a
rejected file never reaches the folder or the index.
"""

from __future__ import annotations

import fnmatch
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .articles import read_article
from .chunking import chunk_article
from .errors import ArticleError, LimitError
from .indexer import too_many_passages
from .settings import Settings

MAX_NAME_BYTES = 200  # file systems allow 255; room for a numbered suffix
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def save_uploads(paths: Iterable[str | os.PathLike], articles_dir: str | os.PathLike,
                 settings: Settings) -> tuple[list[Path], list[tuple[str, str]]]:
    """Copy acceptable files into ``articles_dir``; return (saved paths, [(file name, reason)]).

    ``saved`` lists the files in ``articles_dir`` that now hold the uploads, in upload order. A file
    whose name is taken by different content gets a numbered name (``name-2.md``); one identical to
    the file already under its name is not copied again, and that existing path is returned.
    """
    paths = list(paths)
    if len(paths) > settings.max_upload_files:
        raise LimitError(f"{len(paths)} files in one upload, over the limit of {settings.max_upload_files} "
                         "(ASSISTANT_MAX_UPLOAD_FILES); upload them in smaller groups or copy them into the "
                         "articles folder and re-index it")
    folder = Path(articles_dir).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    rejected: list[tuple[str, str]] = []
    for raw in paths:
        source = Path(raw)
        try:
            data = _checked_bytes(source, settings)
            target = _store(data, folder, safe_name(source.name, settings))
        except ArticleError as exc:
            rejected.append((source.name, exc.reason))
            continue
        if target not in saved:
            saved.append(target)
    return saved, rejected


def safe_name(name: str, settings: Settings) -> str:
    """A plain file name for ``name``: no directories, no hidden or excluded names, no odd characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    suffix = _suffix(name)
    stem = _UNSAFE.sub("_", name[:len(name) - len(suffix)])
    stem = re.sub(r"\s+", " ", stem).strip(" ._") or "article"
    if any(fnmatch.fnmatch(stem + suffix, p) for p in settings.exclude):
        stem = "upload-" + stem
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def _suffix(name: str) -> str:
    """The lower-case extension of a file name (``.md``), or "" when it has none worth keeping."""
    suffix = Path(name.strip()).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ""


def _checked_bytes(source: Path, settings: Settings) -> bytes:
    """The file's bytes, if it is an article the indexer can use; ArticleError with the reason if not."""
    suffix = _suffix(source.name)
    if suffix not in settings.extensions:
        raise ArticleError(str(source), f"unsupported file type {suffix or '(none)'}; "
                                        f"allowed: {', '.join(settings.extensions)}")
    limit = int(settings.max_upload_mb * 1_000_000)
    try:
        if not source.is_file():
            raise ArticleError(str(source), "not a regular file")
        if source.stat().st_size > limit:
            raise ArticleError(str(source), f"file is {source.stat().st_size / 1e6:.1f} MB, over the "
                                            f"{settings.max_upload_mb:g} MB upload limit")
        data = source.read_bytes()
    except OSError as exc:
        raise ArticleError(str(source), f"cannot read file ({exc.strerror or exc})") from None
    if len(data) > limit:  # grew since stat
        raise ArticleError(str(source), f"file is over the {settings.max_upload_mb:g} MB upload limit")
    try:
        article = read_article(source, max_bytes=limit)  # decodable and has text, else ArticleError says why
        n = len(chunk_article(article, settings.chunk_size, settings.chunk_overlap, settings.min_chunk))
    except ArticleError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser bug must reject this file, not the whole batch
        raise ArticleError(str(source), f"cannot parse the file ({type(exc).__name__}: {exc})") from None
    if n > settings.max_passages_per_file:
        raise ArticleError(str(source), too_many_passages(n, settings))
    return data


@dataclass
class Estimate:
    """What indexing some files will cost, told before it starts."""

    files: int
    passages: int
    seconds: float

    @property
    def is_big(self) -> bool:
        return self.seconds >= 30

    @property
    def duration(self) -> str:
        """How long, for people ("3 min", "40 s"); the page words the estimate in its language."""
        return f"{self.seconds / 60:.0f} min" if self.seconds >= 90 else f"{self.seconds:.0f} s"


def estimate(paths: Iterable[str | os.PathLike], settings: Settings) -> Estimate:
    """Passages the files will make and the time to embed them (``settings.indexing_rate``; passages
    whose text is cached already cost less, so this is an upper bound). Unreadable files count 0."""
    files, passages = 0, 0
    limit = int(settings.max_upload_mb * 1_000_000)
    for raw in paths:
        files += 1
        try:
            article = read_article(Path(raw), max_bytes=limit)
        except Exception:  # noqa: BLE001 - save_uploads reports why
            continue
        passages += len(chunk_article(article, settings.chunk_size, settings.chunk_overlap, settings.min_chunk))
    return Estimate(files, passages, passages / settings.indexing_rate)


def _store(data: bytes, folder: Path, name: str) -> Path:
    """Write ``data`` as ``folder/name`` (or ``name-2`` …) without ever replacing an existing file."""
    stem, suffix = os.path.splitext(name)
    temp = folder / f".upload-{uuid.uuid4().hex}{suffix}"  # hidden: a concurrent re-index skips it
    with open(temp, "xb") as handle:
        handle.write(data)
    try:
        for n in range(1, 1000):
            target = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
            if target.is_symlink() or target.parent.resolve() != folder:
                continue
            if target.is_file():
                if target.read_bytes() == data:
                    return target
                continue
            try:
                os.link(temp, target)  # fails instead of overwriting a file that appeared meanwhile
            except FileExistsError:
                continue
            return target
        raise ArticleError(name, "too many files with this name in the articles folder")
    finally:
        temp.unlink(missing_ok=True)


def set_aside(path: str | os.PathLike, articles_dir: str | os.PathLike, bin_name: str = ".deleted") -> Path | None:
    """Move a file of the articles folder into ``articles_dir/<bin_name>/`` (hidden, so never indexed)
    instead of deleting it: nothing uploaded is lost. Files outside the folder are left alone (None)."""
    folder = Path(articles_dir).expanduser().resolve()
    source = Path(path).expanduser()
    if not source.is_file() or source.resolve().parent == folder / bin_name:
        return None
    try:
        source.resolve().relative_to(folder)
    except ValueError:
        return None
    bin_dir = folder / bin_name
    bin_dir.mkdir(exist_ok=True)
    stem, suffix = os.path.splitext(source.name)
    for n in range(1, 10_000):
        target = bin_dir / (source.name if n == 1 else f"{stem}-{n}{suffix}")
        try:
            os.link(source, target)  # never replaces an earlier deleted file of the same name
        except FileExistsError:
            continue
        source.unlink()
        return target
    return None
