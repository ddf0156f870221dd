"""What every HTTP route shares: JSON errors, the credentials check and the read-only rule.

REST errors are ``{"error": code, "detail": message}``; under /v1 they take OpenAI's shape
(``{"error": {"message", "type", "param", "code"}}``, type ``invalid_request_error`` or ``server_error``)
so chat clients show the message. REST bodies are strict: an unknown field is a 422 naming it (a typo
such as ``date_form`` would otherwise answer unfiltered); /v1 takes OpenAI's extra fields.
"""

from __future__ import annotations

import difflib
import json
import logging
from typing import get_args

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ..errors import AssistantError, ModelError, StoreError
from .actions import Busy
from .auth import Guard

log = logging.getLogger("assistant.web")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 422: "unprocessable", 429: "too_many_attempts", 500: "internal_error",
         503: "index_not_ready"}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class ApiError(Exception):
    """An error reply; ``extra`` adds fields to a REST error body (e.g. what an upload rejected)."""

    def __init__(self, status: int, detail: str, code: str | None = None, headers: dict | None = None,
                 extra: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.code = status, detail, code or CODES.get(status, "error")
        self.headers, self.extra = headers, extra or {}


def status_of(exc: AssistantError) -> int:
    """The HTTP status for an error the library raised on purpose."""
    if isinstance(exc, Busy):
        return 409
    if isinstance(exc, (StoreError, ModelError)):
        return 503
    return 400  # ConfigError (bad filter or date), ArticleError, LLMError after its fallback


def is_openai(path: str) -> bool:
    return path == "/v1" or path.startswith("/v1/")


def openai_error(status: int, detail: str, code: str | None = None) -> dict:
    """OpenAI's error object: its clients read ``type`` (``invalid_request_error`` for what the caller can
    fix, ``server_error`` for ours); ``code`` keeps our precise reason."""
    return {"error": {"message": detail, "type": "server_error" if status >= 500 else "invalid_request_error",
                      "param": None, "code": code or CODES.get(status, "error")}}


def error_response(request: Request, status: int, detail: str, code: str | None = None,
                   headers: dict | None = None, extra: dict | None = None) -> JSONResponse:
    code = code or CODES.get(status, "error")
    if is_openai(request.url.path):
        body = openai_error(status, detail, code)
    else:
        body = {"error": code, "detail": detail} | (extra or {})
    return JSONResponse(body, status_code=status, headers=headers)


def problem(request: Request, error: dict) -> str:
    """One validation error as a sentence a client can act on (pydantic's wording is for Python code)."""
    where = ".".join(str(p) for p in error["loc"][1:])
    if error["type"] == "json_invalid":
        return f"request body is not valid JSON: {error['ctx']['error']} (at character {where})"
    if error["loc"] == ("body",) and "json" not in request.headers.get("content-type", ""):
        return "send the body as JSON with the header Content-Type: application/json"
    if error["loc"] == ("body",) and error["type"] == "missing":
        return "the request body is empty; send a JSON object"
    if error["type"] == "value_error":  # our validators' own words, without pydantic's "Value error, "
        return f"{where}: {error['ctx']['error']}" if where else str(error["ctx"]["error"])
    if error["type"] == "bool_type":  # strict: "yes", 1 or "false" are no booleans
        return f"{where}: must be true or false (a JSON boolean), not {json.dumps(error.get('input'))}"
    if error["type"] == "int_type":  # strict: true, "5" or 5.0 are no counts
        return f"{where}: must be a whole number (a JSON integer), not {json.dumps(error.get('input'), default=str)}"
    return f"{where or 'body'}: {error['msg']}"


def unknown_names(unknown: list[str], known: list[str], what: str = "field") -> str:
    """422's message: each unknown name, the known one it is probably a typo of, and the known ones."""
    said = []
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        said.append(f"unknown {what} {name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return "; ".join(said) + (f"; the {what}s are: {', '.join(known)}" if known else f"; this route takes no {what}s")


def body_fields(request: Request) -> list[str]:
    """The fields of the route's JSON body model (for naming them next to an unknown one)."""
    field = getattr(request.scope.get("route"), "body_field", None)
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    for kind in (annotation, *get_args(annotation)):  # IndexIn, or IndexIn | None
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return list(kind.model_fields)
    return []


def install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        headers = exc.headers or ({"WWW-Authenticate": "Bearer"} if exc.status == 401 else None)
        return error_response(request, exc.status, exc.detail, exc.code, headers, exc.extra)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError):
        return error_response(request, status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        unknown = [str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 2]
        problems = "; ".join(problem(request, e) for e in errors if e["type"] != "extra_forbidden")
        if unknown:  # 422: well-formed, but not what this route takes
            said = unknown_names(unknown, body_fields(request))
            return error_response(request, 422, f"{said}; {problems}" if problems else said)
        return error_response(request, 400, problems or "invalid request")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return error_response(request, exc.status_code, str(exc.detail))


def authenticated(guard: Guard):
    """FastAPI dependency: ``Guard.admit``'s rule (401 without valid credentials; a password past the limit of
    failures from an address gets 429 without being checked; a right API key always passes)."""
    def check(request: Request) -> None:
        refusal = guard.admit(request.headers, request.cookies, request.client.host if request.client else "?")
        if refusal is not None:
            raise ApiError(refusal.status, refusal.detail, headers=refusal.headers)
    return check


def only_query(*names: str):
    """FastAPI dependency: 422 for a query parameter the route does not take (``?categroy=x`` would
    otherwise list everything, unfiltered)."""
    def check(request: Request) -> None:
        unknown = [n for n in dict.fromkeys(request.query_params) if n not in names]
        if unknown:
            raise ApiError(422, unknown_names(unknown, list(names), "query parameter"))
    return check


def add_fallback(router: APIRouter, dependencies: list | None = None) -> None:
    """Register last on ``router``: its unknown paths are a 404, and its paths called with the wrong method
    a 405, in the router's error shape (after ``dependencies``: the credentials check). Without it they
    fall through to the Gradio app mounted at "/", whose 404 is ``{"detail": "Not Found"}``."""
    routes = list(router.routes)

    @router.api_route("", methods=METHODS, dependencies=dependencies, include_in_schema=False)
    @router.api_route("/{path:path}", methods=METHODS, dependencies=dependencies, include_in_schema=False)
    def fallback(request: Request) -> None:
        allowed = sorted({m for r in routes if r.path_regex.match(request.url.path) for m in r.methods})
        if allowed:
            raise ApiError(405, f"{request.method} {request.url.path} is not allowed; use {' or '.join(allowed)}",
                           headers={"Allow": ", ".join(allowed)})
        raise ApiError(404, f"no route {request.url.path}; the routes are listed at /docs")


def writable(guard: Guard):
    """FastAPI dependency for writes: 403 in read-only mode."""
    def check() -> None:
        if guard.read_only:
            raise ApiError(403, "this server is read-only (ASSISTANT_READ_ONLY): no uploads, deletes or re-indexing")
    return check


class BodyLimit:
    """ASGI middleware: refuse an upload to ``path`` bigger than ``limit`` bytes with 413 before it is read
    (FastAPI parses a multipart body completely, to temporary files, before the route can look at it)."""

    def __init__(self, app, path: str, limit: int):
        self.app, self.path, self.limit = app, path, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") != self.path:
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) <= self.limit:
            return await self.app(scope, receive, send)
        detail = f"upload over {self.limit / 1e6:g} MB in one request; send fewer or smaller files"
        if length is not None:
            return await _reply(send, 413, {"error": "too_large", "detail": detail})
        seen, over = 0, False

        async def counted():  # chunked: count as it arrives; past the limit the app sees a hang-up
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                over = True
                return {"type": "http.disconnect"}
            return message

        async def unless_over(message):  # the app's reply to the hang-up is replaced by ours
            if not over:
                await send(message)

        await self.app(scope, counted, unless_over)
        if over:
            await _reply(send, 413, {"error": "too_large", "detail": detail})


async def _reply(send, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})
