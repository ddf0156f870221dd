"""One server, three faces: the Gradio page at /, the REST API under /api and the OpenAI-compatible API
under /v1 (plus the article viewer at /articles/{id}), all on one FastAPI app behind the same auth.
OpenAPI schema at /openapi.json, docs at /docs."""

from __future__ import annotations

import socket
import threading

import gradio as gr
import uvicorn
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.routing import Mount

from .. import Assistant, __version__
from . import docs, openai_api, rest, viewer
from .auth import Guard, LoginLimit
from .http import BodyLimit, install_errors
from .strings import I18N
from .ui import CSS, HEAD, build

DESCRIPTION = """Offline question answering over a folder of articles, every claim cited.

Send `Authorization: Bearer <key>` (a key of `ASSISTANT_API_KEYS`) when the server requires a login.
REST errors are `{"error": code, "detail": message}`."""


def create_app(a: Assistant) -> FastAPI:
    """The FastAPI app with every face mounted (not started). Every write goes through ``a.jobs`` (the
    page's buttons, the API's jobs, the first-start indexing and the folder watcher's runs)."""
    settings = a.settings
    guard = Guard(settings)
    app = FastAPI(title="Article assistant", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    install_errors(app)
    app.include_router(rest.router(a, guard))
    app.include_router(openai_api.router(a, guard))
    app.include_router(viewer.router(a, guard))
    app.include_router(docs.router())
    demo = build(a)
    gr.mount_gradio_app(app, demo, path="/", auth=guard.login if guard.enabled else None,
                        auth_message=login_message(guard) if guard.enabled else None,
                        max_file_size=int(settings.max_upload_mb * 1_000_000), ssr_mode=False, pwa=False,
                        mcp_server=False, footer_links=["api"], theme=gr.themes.Default(), css=CSS, head=HEAD, i18n=I18N,
                        server_name=settings.host, server_port=settings.port)
    guard.sessions = next(r.app for r in app.routes if isinstance(r, Mount) and r.path == "")
    app.add_middleware(LoginLimit, limiter=guard.limiter)
    app.add_middleware(BodyLimit, path="/api/articles",
                       limit=int(settings.max_upload_mb * 1_000_000 * settings.max_upload_files) + 1_000_000)
    app.openapi = lambda: openapi_schema(app, settings.max_question_chars, settings.max_k)
    app.state.guard, app.state.blocks = guard, demo
    return app


def login_message(guard: Guard) -> str:
    if guard.keys and not guard.user:
        return "Log in to the article assistant: any user name, and an API key as the password."
    return "Log in to the article assistant."


def openapi_schema(app: FastAPI, max_question_chars: int, max_k: int) -> dict:
    """FastAPI's schema, told the truth: it documents a validation 422 for every body, but ours answers bad
    input with 400 (see http.py); and the question's maxLength and k's maximum are this server's settings,
    not constants."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for ops in schema["paths"].values():
            for op in ops.values():
                responses = op.get("responses", {})
                if "HTTPValidationError" in str(responses.get("422")):
                    del responses["422"]
        models = schema.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            models.pop(name, None)
        for name, field in (("AskIn", "question"), ("SearchIn", "query")):
            models[name]["properties"][field]["maxLength"] = max_question_chars
        for name in ("AskIn", "SearchIn", "ChatIn"):
            k = models[name]["properties"]["k"]
            for branch in k.get("anyOf", [k]):
                if branch.get("type") == "integer":
                    branch["maximum"] = max_k
        app.openapi_schema = schema
    return app.openapi_schema


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, not yet listening: app.py takes it before it creates or indexes anything,
    so a taken port is a clear error before anything starts (OSError, e.g. "Address already in use")."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:
        sock.close()
        if isinstance(exc, OverflowError):  # a port beyond 65535 (Settings.validate refuses it first)
            raise OSError(f"port must be 0-65535, got {port}") from None
        raise
    return sock


class Server:
    """uvicorn on an already bound socket: ``sock`` from ``bind`` (app.py binds before anything starts),
    else one bound to host:port here."""

    def __init__(self, app: FastAPI, host: str, port: int, sock: socket.socket | None = None):
        self.sock = sock if sock is not None else bind(host, port)
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}/"
        self.app = app
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                                    timeout_graceful_shutdown=5))
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        """Serve in this thread until Ctrl-C (uvicorn re-raises it after shutting down: that is the normal end)."""
        try:
            self.server.run(sockets=[self.sock])
        except KeyboardInterrupt:
            print("Stopped.", flush=True)

    def start(self) -> "Server":
        """Serve in a background thread; returns once the server accepts requests."""
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True,
                                       name="assistant-server")
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the server stopped while starting (see the log above)")
            self.thread.join(0.05)
        return self

    def close(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(15)
        self.sock.close()
