"""Chat with a folder of articles in the browser: ``python app.py`` (or ``./run.sh``), then open the URL.

The entry point only: arguments, first-run indexing, launch. The page is built in ``assistant.web.ui``
(rendering in ``assistant.web.render``); searching, answering and indexing all happen in the library.
Named API endpoints for ``gradio_client``: ``/ask``, ``/search`` and ``/index`` (see README).
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

import gradio as gr

from assistant import Assistant, AssistantError, Settings
from assistant.progress import TqdmProgress
from assistant.web.ui import CSS, HEAD, build


# -- command line -------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Chat with a folder of articles in the browser (Gradio).")
    p.add_argument("--host", help="address to bind (default: $ASSISTANT_HOST or 127.0.0.1; "
                                  "0.0.0.0 opens it to the network)")
    p.add_argument("--port", type=int, help="port (default: $ASSISTANT_PORT or 7860)")
    p.add_argument("--articles-dir", help="folder indexed on first start and where uploads are saved "
                                          "(default: $ASSISTANT_ARTICLES_DIR or examples/articles)")
    p.add_argument("--index-dir", help="index folder (default: $ASSISTANT_INDEX_DIR or vectorstore)")
    p.add_argument("--auth", help="require a login, user:password (default: $ASSISTANT_AUTH, none)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None, block: bool = True, started: float | None = None) -> tuple[gr.Blocks, str]:
    """Index the folder if the index is empty, then serve. ``block=False`` returns (app, url) for tests."""
    started = started or time.perf_counter()
    args = parse_args(argv)
    try:
        settings = Settings.from_env(host=args.host, port=args.port, articles_dir=args.articles_dir,
                                     index_dir=args.index_dir, auth=args.auth)
        a = Assistant(settings)
        if a.is_empty:
            print(f"The index in {settings.index_dir} is empty: indexing {settings.articles_dir} …", flush=True)
            bars = TqdmProgress(quiet=settings.quiet)
            report = a.index([settings.articles_dir], progress=bars)
            bars.close()
            print(report.summary(), flush=True)
            for path, reason in report.failed:
                print(f"  skipped {path}: {reason}", flush=True)
        if not a.is_empty:
            a.warm_up()  # load the model now, not on the first question
    except AssistantError as exc:
        sys.exit(f"error: {exc}")
    demo = build(a)
    auth = tuple(settings.auth.split(":", 1)) if settings.auth else None
    try:
        _, url, _ = demo.launch(server_name=settings.host, server_port=settings.port, auth=auth,
                                auth_message="Log in to the article assistant" if auth else None,
                                max_file_size=int(settings.max_upload_mb * 1_000_000), prevent_thread_lock=True,
                                share=False, ssr_mode=False, pwa=False, mcp_server=False, quiet=True,
                                footer_links=["api"], theme=gr.themes.Default(), css=CSS, head=HEAD)
    except OSError as exc:
        sys.exit(f"error: cannot serve on {settings.host}:{settings.port} ({exc}); try --port")
    print(f"Ready in {time.perf_counter() - started:.1f} s: {url}" + (" (login required)" if auth else ""),
          flush=True)
    if block:
        demo.block_thread()
    return demo, url


if __name__ == "__main__":
    main(started=STARTED)
