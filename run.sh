#!/usr/bin/env bash
# One entry point for newcomers:
#   ./run.sh [--port 7861 ...]   set up .venv if needed, then start the chat app (python app.py ...);
#                                the articles folder is indexed on first run
#   ./run.sh test [pytest args]  set up .venv if needed, then run the test suite
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV=.venv
STAMP="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"

if [ ! -f "$STAMP" ]; then
    echo "setting up $VENV (first run: a few minutes) ..." >&2
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    # torch first, pinned: the CPU build; an unpinned torch would pull a multi-GB CUDA build
    "$VENV/bin/pip" install --quiet "torch==2.13.0"
    "$VENV/bin/pip" install --quiet -e ".[test]"
    rm -f "$VENV"/.installed-*
    touch "$STAMP"
fi

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False

cmd=app
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then  # a first word without a leading dash names the command
    cmd="$1"
    shift
fi
case "$cmd" in
    app)  exec "$VENV/bin/python" app.py "$@" ;;
    test) exec "$VENV/bin/python" -m pytest "$@" ;;
    *)    echo "usage: ./run.sh [app|test] [args...]" >&2; exit 2 ;;
esac
