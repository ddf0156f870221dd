"""Chat with a folder of articles in the browser: ``python app.py`` (or ``./run.sh``), then open the URL.

The entry point only: arguments, first-run indexing, serving. One port, three faces (``assistant.web``):
the Gradio page at ``/`` (``gradio_client`` endpoints ``/ask``, ``/search``, ``/index``), the REST API under
``/api`` and an OpenAI-compatible API under ``/v1``; searching, answering and indexing happen in the library.
"""

from __future__ import annotations

import os
import time

STARTED = time.perf_counter()  # "ready in" counts the imports too

# before gradio is imported: no analytics or version checks, no model hub (the app runs offline)
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from assistant import Assistant, AssistantError, Settings
from assistant.progress import TqdmProgress
from assistant.web.auth import is_loopback, load_keys

if TYPE_CHECKING:
    from assistant.web.server import Server


# -- command line -------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Serve the article assistant: the chat page at /, the REST API at /api (docs at /docs) and "
                    "an OpenAI-compatible API at /v1, on one port.")
    p.add_argument("--host", help="address to bind (default: $ASSISTANT_HOST or 127.0.0.1; "
                                  "an address beyond loopback needs --auth or ASSISTANT_API_KEYS)")
    p.add_argument("--port", type=int, help="port, 0-65535, 0 for any free one (default: $ASSISTANT_PORT or 7860); "
                                            "a taken port is an error before anything is created or indexed")
    p.add_argument("--articles-dir", help="folder indexed on first start and where uploads are saved "
                                          "(default: $ASSISTANT_ARTICLES_DIR or examples/articles)")
    p.add_argument("--index-dir", help="index folder (default: $ASSISTANT_INDEX_DIR or vectorstore)")
    p.add_argument("--auth", help="require a login, user:password (default: $ASSISTANT_AUTH, none)")
    p.add_argument("--api-keys", help="keys for Authorization: Bearer, comma-separated or a file with one per line "
                                      "(default: $ASSISTANT_API_KEYS, none)")
    p.add_argument("--read-only", action="store_true", default=None,
                   help="no uploads, deletes or re-indexing, in the page and the API ($ASSISTANT_READ_ONLY)")
    p.add_argument("--no-watch", action="store_true",
                   help="do not index changes in the articles folder as they happen (ASSISTANT_WATCH=false)")
    p.add_argument("--insecure-no-auth", action="store_true",
                   help="allow binding beyond loopback without a login (anyone on the network may upload and "
                        "delete unless --read-only)")
    return p.parse_args(argv)


def fail(message: str) -> NoReturn:
    """Refuse to start: one ``error:`` line and exit code 2 (nothing was done), as the command line does."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def articles_folder(settings: Settings) -> Path:
    """The articles folder, created when it does not exist yet: the watcher can only follow a folder that
    exists at start (one created later by the first upload was never watched, and nothing said so)."""
    folder = Path(settings.articles_dir).expanduser()
    if folder.exists() and not folder.is_dir():
        fail(f"the articles folder {folder} is a file; pass a folder with --articles-dir")
    if not folder.exists():
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            fail(f"cannot create the articles folder {folder} ({exc.strerror or exc}); "
                 "pass another with --articles-dir")
        print(f"Created the articles folder {folder} (it did not exist)", flush=True)
    return folder


def watch_folder(a: Assistant, catch_up: bool = True) -> None:
    """Index the articles folder's changes as they happen (assistant/watch.py). Its runs queue in
    ``a.jobs`` with the first indexing and the page's and API's jobs. ``catch_up``: first index what
    changed while the app was not running (not needed after a first indexing of the whole folder).
    Not watching is said, never silent."""
    folder = Path(a.settings.articles_dir).expanduser()
    if not a.settings.watch:
        print("Not watching the articles folder (--no-watch / ASSISTANT_WATCH=false)", flush=True)
        return

    from assistant.watch import Watcher

    try:
        a.watcher = Watcher(a, [folder], initial_sync=catch_up,
                            on_error=lambda m: print(f"watch: {m}", flush=True),
                            on_run=lambda r: (r.added or r.updated or r.removed or r.failed)
                            and print(f"watch: {r.summary()}{r.failures()}{r.warned()}", flush=True)).start()
    except (AssistantError, OSError) as exc:
        print(f"Not watching {folder}: {exc}", flush=True)
        return
    print(f"Watching {folder} for changes (--no-watch to turn off)", flush=True)


def main(argv: list[str] | None = None, block: bool = True, started: float | None = None,
         wait: bool = False) -> tuple[Server, str]:
    """Serve at once; an empty index is filled from the articles folder in the background (the page shows
    "indexing N of M"). ``block=False`` returns (server, url) for tests; ``wait`` waits for that indexing."""
    started = started or time.perf_counter()
    args = parse_args(argv)
    sock = None
    try:
        settings = Settings.from_env(host=args.host, port=args.port, articles_dir=args.articles_dir,
                                     index_dir=args.index_dir, auth=args.auth, api_keys=args.api_keys,
                                     read_only=args.read_only, watch=False if args.no_watch else None)
        guarded = bool(settings.auth or load_keys(settings.api_keys))
        if not guarded and not is_loopback(settings.host) and not args.insecure_no_auth:
            fail(f"refusing to serve on {settings.host} without a login: anyone on the network could "
                 "upload and delete articles. Set --auth user:password or ASSISTANT_API_KEYS, "
                 "or pass --insecure-no-auth (with --read-only for a public demo).")
        # after the checks: gradio takes seconds to import
        from assistant.web.server import Server, bind, create_app
        from assistant.web.ui import first_index

        try:  # the port first: taken, nothing is created, indexed or watched
            sock = bind(settings.host, settings.port)
        except OSError as exc:
            fail(f"cannot serve on {settings.host}:{settings.port} ({exc.strerror or exc}); try --port")
        articles_folder(settings)
        a = Assistant(settings)
        first = a.is_empty and not settings.read_only
        if first:
            print(f"The index in {settings.index_dir} is empty: indexing {settings.articles_dir} in the "
                  "background …", flush=True)
            first_index(a, echo=TqdmProgress(quiet=settings.quiet))
        elif not a.is_empty:
            a.warm_up()  # load the model now, not on the first question
        watch_folder(a, catch_up=not first)
        app = create_app(a)
    except BaseException as exc:  # the port is given back whatever stopped the start (main runs in tests too)
        if sock is not None:
            sock.close()
        if isinstance(exc, AssistantError):
            fail(str(exc))
        raise
    server = Server(app, settings.host, settings.port, sock=sock)
    notes = [n for n, on in (("login required", guarded), ("read-only", settings.read_only)) if on]
    print(f"Ready in {time.perf_counter() - started:.1f} s: {server.url}" + (f" ({', '.join(notes)})" if notes else "")
          + f" · API {server.url}docs · OpenAI-compatible {server.url}v1", flush=True)
    if block:
        server.run()
        return server, server.url
    server.start()
    if wait:
        a.jobs.wait()
    return server, server.url


if __name__ == "__main__":
    main(started=STARTED)
