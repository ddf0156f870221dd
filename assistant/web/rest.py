"""The REST API under /api: JSON in and out, each route a thin call into ``Assistant`` (see schemas.py)."""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Iterator

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse

from .. import Answer, Assistant, AssistantError, IndexReport, __version__
from ..uploads import safe_name
from . import actions
from .auth import Guard
from .http import ApiError, add_fallback, authenticated, only_query, status_of, writable
from .render import display_path, job_result
from .schemas import (AnswerOut, ArticleFull, ArticleOut, ArticlesOut, AskIn, DeleteOut, Error, FeedbackIn,
                      FeedbackOut, FileProblem, IndexIn, IndexReportOut, Job, PassageOut, SearchIn, SearchOut,
                      UploadOut, UploadRefused)

ERRORS = {code: {"model": Error} for code in (400, 401, 403, 404, 409, 413, 503)}


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def router(a: Assistant, guard: Guard) -> APIRouter:
    folder = Path(a.settings.articles_dir).expanduser().resolve()
    api = APIRouter(prefix="/api", tags=["REST"], responses=ERRORS)
    auth = [Depends(authenticated(guard))]
    write = auth + [Depends(writable(guard))]

    def ready() -> None:
        if a.is_empty:
            raise ApiError(503, "the index is empty: add articles (POST /api/articles) or index the folder "
                                "(POST /api/index)")

    def source(path: str | None) -> str | None:
        """The ``source`` filter as clients see files: relative to the articles folder."""
        return str((folder / path).resolve()) if path and not Path(path).is_absolute() else path

    def article_out(r: dict) -> ArticleOut:
        return ArticleOut(article_id=r["article_id"], title=r["title"], date=r["date"], categories=r["categories"],
                          source=display_path(r["source"], folder), passages=r["n_chunks"], chars=r["chars"],
                          url=f"/articles/{r['article_id']}")

    @api.get("/health", responses={})
    def health() -> dict:
        """Open without credentials (for load balancers): is the server up and the index filled (the
        first indexing, which runs in the background while the server answers, has finished)."""
        jobs = [a.jobs.current, *a.jobs.queued]
        indexing = any(j is not None and j.kind == "first" for j in jobs)
        return {"status": "ok", "ready": not a.is_empty and not indexing, "version": __version__}

    @api.get("/stats", dependencies=auth)
    def stats() -> dict:
        """What the index holds: articles, passages, vectors, model, disk use; the articles folder and the
        folders the watcher follows (``watching``: empty when it does not watch)."""
        watching = [str(f) for f in a.watcher.folders] if a.watcher else []
        return a.stats() | {"read_only": guard.read_only, "articles_dir": str(folder), "watching": watching}

    @api.get("/ingest_status", dependencies=auth)
    def ingest_status() -> dict:
        """Feeds with their last sync, each file of the articles folder as indexed / pending / failed (with
        the reason and its feed), and the folder watcher's state (``watch``: null when not watching)."""
        return actions.ingest_status(a, folder)

    @api.post("/ask", dependencies=auth, response_model=AnswerOut,
              responses={200: {"content": {"text/event-stream": {}},
                               "description": "the Answer, or with stream=true Server-Sent Events: 'delta' "
                                              "events {text}, then one 'answer' event (the Answer), or 'error'"}})
    def ask(body: AskIn):
        """Answer with numbered citations, or abstain with the closest passages."""
        ready()
        options = dict(history=[tuple(h) for h in body.history], answerer=body.answerer, k=body.k,
                       date_from=body.date_from, date_to=body.date_to, category=body.category, source=source(body.source))
        if not body.stream:  # serialised once here (FastAPI would validate the model again)
            return Response(AnswerOut.of(a.ask(body.question, **options), folder).model_dump_json(),
                            media_type="application/json")
        parts = a.stream(body.question, **options)
        try:  # a bad filter fails here, as a JSON error, not inside the event stream
            first = next(parts)
        except AssistantError as exc:
            raise ApiError(status_of(exc), str(exc)) from None

        def events() -> Iterator[str]:
            try:
                for part in itertools.chain([first], parts):
                    if isinstance(part, Answer):
                        yield sse("answer", AnswerOut.of(part, folder).model_dump())
                    else:
                        yield sse("delta", {"text": part})
            except AssistantError as exc:
                yield sse("error", {"error": "error", "detail": str(exc)})

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @api.post("/search", dependencies=auth)
    def search(body: SearchIn) -> SearchOut:
        """The k best passages for a query, best first (no answer)."""
        ready()
        found = a.search(body.query, k=body.k, mode=body.mode, date_from=body.date_from, date_to=body.date_to,
                         category=body.category, source=source(body.source))
        return SearchOut(passages=[PassageOut.of(p, folder) for p in found])

    @api.get("/articles", dependencies=auth + [Depends(only_query("offset", "limit", "q", "category"))])
    def articles(offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500),
                 q: str = Query("", description="substring of the title or file"),
                 category: str = Query("", description="only articles in this category")) -> ArticlesOut:
        """Indexed articles, newest first, paged and filtered."""
        rows = a.articles()
        needle = q.strip().lower()
        if needle:
            rows = [r for r in rows if needle in f"{r['title']} {display_path(r['source'], folder)}".lower()]
        if category:
            rows = [r for r in rows if category.lower() in (c.lower() for c in r["categories"])]
        return ArticlesOut(total=len(rows), offset=offset, limit=limit,
                           articles=[article_out(r) for r in rows[offset:offset + limit]])

    @api.get("/articles/{article_id}", dependencies=auth)
    def article(article_id: str) -> ArticleFull:
        """The whole article: text, headings and paragraphs, and each passage's offsets into the text."""
        full = a.article(article_id)
        if full is None:
            raise ApiError(404, f"no article {article_id!r} in the index")
        return ArticleFull(**article_out(full | {"n_chunks": full["passages"]}).model_dump(),
                           text=full["text"], blocks=full["blocks"], passage_spans=full["passage_spans"],
                           current=full["current"])

    @api.post("/articles", dependencies=write, status_code=201,
              responses={422: {"model": UploadRefused, "description": "no file saved: each one was rejected"}})
    def upload(request: Request, files: list[UploadFile] = File(...)) -> UploadOut:
        """Upload article files (multipart ``files``): saved into the articles folder and indexed, with the
        app's checks (type, size, text); files that fail are listed in ``rejected``. When every file is
        rejected, the reply is a 422 error with the same lists (a 201 would read as success)."""
        limit = int(a.settings.max_upload_mb * 1_000_000)
        if len(files) > a.settings.max_upload_files:
            raise ApiError(400, f"{len(files)} files in one upload; at most {a.settings.max_upload_files} "
                                "(ASSISTANT_MAX_UPLOAD_FILES)")
        with tempfile.TemporaryDirectory(prefix="assistant-upload-") as tmp:
            paths = []
            for i, f in enumerate(files):
                data = f.file.read(limit + 1)
                if len(data) > limit:
                    raise ApiError(413, f"{f.filename}: over the {a.settings.max_upload_mb:g} MB upload limit "
                                        "(ASSISTANT_MAX_UPLOAD_MB)")
                path = Path(tmp) / str(i) / safe_name(f.filename or "upload", a.settings)
                path.parent.mkdir()
                path.write_bytes(data)
                paths.append(path)
            report, rejected, saved = actions.write(
                a, "upload", lambda progress: actions.ingest(a, paths, folder, progress))
        out = UploadOut(saved=[display_path(str(p), folder) for p in saved],
                        rejected=[FileProblem(file=n, reason=r) for n, r in rejected],
                        report=IndexReportOut.of(report or IndexReport(), folder))
        if rejected and not saved:
            reasons = "; ".join(f"{n}: {r}" for n, r in rejected)
            raise ApiError(422, f"no file saved: {reasons}", extra=out.model_dump())
        return out

    @api.delete("/articles/{article_id}", dependencies=write)
    def delete(article_id: str) -> DeleteOut:
        """Remove an article from the index; its file moves to ``.deleted/`` in the articles folder."""
        full = next((r for r in a.articles() if r["article_id"] == article_id), None)
        if full is None:
            raise ApiError(404, f"no article {article_id!r} in the index")
        done = actions.write(a, "delete", lambda progress: actions.delete(a, full["source"], folder))
        return DeleteOut(removed=done["removed"],
                         moved_to=display_path(str(done["moved"]), folder) if done["moved"] else None)

    @api.post("/index", dependencies=write, status_code=202)
    def index(body: IndexIn | None = None) -> Job:
        """Re-index the articles folder (new, changed, deleted files), or rebuild it, as a background job;
        follow it with ``GET /api/jobs/{id}``. It is queued behind the jobs already submitted (the page's,
        the folder watcher's), one at a time."""
        rebuild = bool(body and body.rebuild)
        job = a.jobs.submit("rebuild" if rebuild else "index",
                            lambda progress: {"report": a.index([folder], rebuild=rebuild, progress=progress)})
        return job_out(job)

    @api.get("/jobs/{job_id}", dependencies=auth)
    def job(job_id: str) -> Job:
        """An indexing job's progress (phase, done of total) and, when done, its report."""
        found = a.jobs.get(job_id)
        if found is None:
            raise ApiError(404, f"no job {job_id!r} (the last 100 jobs are kept while the server runs)")
        return job_out(found)

    def job_out(job) -> Job:
        report = job_result(job).get("report")
        done, total = job.progress.get(job.phase, (0, 0))
        return Job(id=str(job.id), kind=job.kind, status=job.state, phase=job.phase, done=done, total=total,
                   created=job.created, started=job.started or None, finished=job.finished or None,
                   report=IndexReportOut.of(report, folder) if report else None, error=job.error or None)

    @api.post("/feedback", dependencies=auth, status_code=201)
    def feedback(body: FeedbackIn) -> FeedbackOut:
        """Thumbs up/down on an answer, stored with its question, citations and settings (allowed in read-only
        mode: it changes no article). ``assistant feedback export`` turns them into eval questions."""
        citations = [c.model_dump() if hasattr(c, "model_dump") else c for c in body.citations]
        settings = body.settings | ({} if body.abstained is None else {"abstained": body.abstained})
        return FeedbackOut(id=a.add_feedback(body.rating, body.question, body.answer, citations, settings,
                                             body.comment))

    add_fallback(api, auth)
    return api
