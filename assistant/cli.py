"""The ``assistant`` command: a thin shell over ``assistant.Assistant``."""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import sys
import textwrap
from pathlib import Path

from .errors import AssistantError, ConfigError
from .progress import TqdmProgress
from .questions import required

EPILOG = """\
Every option can also be set with an ASSISTANT_* environment variable, e.g. ASSISTANT_INDEX_DIR,
ASSISTANT_CHUNK_SIZE, ASSISTANT_EMBEDDING_MODEL, ASSISTANT_CHROMA_URL (see README, "Configuration").

Exit codes: 0 done; 1 done, but something was left out (index / feeds: a file, entry or feed failed, listed
in the output, while the rest is indexed and the index is consistent; remove: a path was not indexed;
stats --check: problems found); 2 nothing was done: bad usage or an index that cannot be used, said on one
"error:" line; 130 interrupted.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant", description="Offline question answering over your articles, with citations.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", help="index folder (default: vectorstore, or ASSISTANT_INDEX_DIR)")
    common.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000 (ASSISTANT_CHROMA_URL)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="add new/changed articles to the index, drop deleted ones",
                       description="Index article files and folders (.md, .markdown, .html, .htm, .txt). "
                                   "Only new or changed articles are read and only passages never seen before are "
                                   "embedded; articles whose file is gone from a given folder are removed. "
                                   "Exit code 0: all indexed; 1: some files failed (listed), the rest is indexed; "
                                   "2: nothing was done (no usable PATH, or the index cannot be used).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders (searched recursively)")
    p.add_argument("--rebuild", action="store_true",
                   help="build a new index of these PATHs beside the live one and switch to it when it is complete "
                        "(questions are answered from the live index until then; an interrupted rebuild leaves it "
                        "as it was; cached vectors of unchanged texts are reused)")
    p.add_argument("--clear-cache", action="store_true", help="also forget cached vectors: embed everything again")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("search", parents=[common], help="show the passages that best match a question")
    p.add_argument("query")
    p.add_argument("-k", type=int, help="number of passages (default 5, ASSISTANT_K)")
    p.add_argument("--mode", choices=["hybrid", "dense", "keyword"],
                   help="retrieval mode (default hybrid, ASSISTANT_SEARCH_MODE)")
    _add_filters(p)
    p.add_argument("--json", action="store_true", help="print passages as JSON")

    p = sub.add_parser("ask", parents=[common], help="answer a question with numbered citations",
                       description="Answer from the indexed articles. Every sentence ends with a citation [n]; "
                                   "when the articles don't cover the question the answer says so and lists "
                                   "the closest passages instead.")
    p.add_argument("question")
    p.add_argument("--answerer", choices=["extractive", "llm"],
                   help="extractive (offline, default) or llm (needs ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL)")
    p.add_argument("-k", type=int, help="passages to answer from (default 5)")
    _add_filters(p)
    p.add_argument("--json", action="store_true", help="print the Answer as JSON")

    p = sub.add_parser("eval", parents=[common], help="measure retrieval and answers on a question set",
                       description="Questions as JSON Lines ({id, q, lang, file, gold, type}) or SQuAD JSON "
                                   "(e.g. CMRC 2018). For SQuAD, each entry is written as one article under "
                                   "INDEX_DIR/eval-articles/ and indexed into INDEX_DIR first: use a separate "
                                   "--index-dir. Prints hit@1/3/5, MRR@10, abstention, answers given with the "
                                   "low-confidence caveat, answer-contains-gold "
                                   "and latency. Questions typed 'review' without gold (disliked answers) are "
                                   "asked and counted, but left out of every rate.")
    p.add_argument("file")
    p.add_argument("-k", "--k", type=int, default=5, help="passages given to the answerer (default 5)")
    p.add_argument("--files-dir", help="folder the questions' 'file' names are relative to "
                                       "(default: match by file name)")
    p.add_argument("--no-answers", action="store_true", help="retrieval metrics only (faster)")
    p.add_argument("--json", action="store_true", help="print metrics and per-question rows as JSON")

    p = sub.add_parser("stats", parents=[common], help="what the index holds")
    p.add_argument("--check", action="store_true",
                   help="also verify the database files are sound and that vectors and passages agree")
    p.add_argument("--repair", action="store_true", help="fix what --check finds")
    p.add_argument("--files", nargs="*", metavar="DIR",
                   help="also list each file: indexed / pending / failed (why) / from which feed, and when it "
                        "last changed; only the files under the DIRs given (default: every indexed file and the "
                        "folders indexed so far); a DIR that does not exist is an error unless files indexed from "
                        "it are still in the index")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("remove", parents=[common], help="remove articles from the index (files stay)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="an article file, or a folder: every indexed article under it")

    p = sub.add_parser("feedback", parents=[common], help="users' thumbs up/down on answers",
                       description="Answers rated in the app or with POST /api/feedback are kept in the index folder "
                                   "(feedback.sqlite: a full rebuild keeps them). "
                                   "'export' writes them as an eval file (JSON Lines {id, q, lang, file, gold, "
                                   "type}): liked answers with their cited sentences as gold strings, liked "
                                   "abstentions as unanswerable questions; run them with "
                                   "'assistant eval OUT.jsonl --files-dir ARTICLES_DIR'.")
    p.add_argument("action", choices=["export"])
    p.add_argument("output", metavar="OUT.jsonl")
    p.add_argument("--include-down", action="store_true",
                   help="also export disliked answers, typed 'review' and without gold (to be written by hand; "
                        "eval counts them apart, in no rate)")
    p = sub.add_parser("watch", parents=[common], help="keep the index in step with folders (Ctrl-C stops)",
                       description="Index the folders, then watch them: files created, changed, renamed or "
                                   "deleted are reflected in search within seconds (changes are batched, files "
                                   "still being written wait until they are complete). Feeds added with "
                                   "`assistant feeds add` are synced at start and every --feed-interval minutes.")
    p.add_argument("paths", nargs="+", metavar="DIR", help="folders to watch (recursively)")
    p.add_argument("--feed-interval", type=_minutes, metavar="MIN",
                   help="minutes between feed syncs (default 30, ASSISTANT_FEED_INTERVAL; 0 = never)")
    p.add_argument("--poll", action="store_true", help="poll for changes instead of inotify (network drives)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only errors")

    p = sub.add_parser("feeds", help="RSS/Atom feeds saved into the articles folder and indexed",
                       description="Subscribe to RSS 2.0 / Atom feeds. Each entry is saved as a Hexo-style "
                                   "article under ARTICLES_DIR/feeds/NAME/ and indexed; entries with only a "
                                   "summary get the linked page's text. `assistant watch` syncs them every "
                                   "--feed-interval minutes. Exit code of add and sync: 0 all synced; 1 a feed or "
                                   "entry failed, or saved entries could not be indexed (listed: the next sync or "
                                   "the watcher indexes them); 2 nothing was done.")
    feeds = p.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    f = feeds.add_parser("add", parents=[common], help="subscribe to a feed (and sync it now)")
    f.add_argument("url")
    f.add_argument("--name", help="folder name for its articles (default: from the URL)")
    f.add_argument("--articles-dir",
                   help="articles folder; its entries go to ARTICLES_DIR/feeds/NAME/ (default: "
                        "ASSISTANT_ARTICLES_DIR, else the one folder the index was built from)")
    f.add_argument("--no-sync", action="store_true", help="only subscribe; sync later")
    f = feeds.add_parser("list", parents=[common], help="the feeds and their last sync")
    f.add_argument("--json", action="store_true")
    f = feeds.add_parser("remove", parents=[common], help="unsubscribe (saved articles stay unless --delete-files)")
    f.add_argument("name")
    f.add_argument("--delete-files", action="store_true", help="also delete its saved articles and unindex them")
    f = feeds.add_parser("sync", parents=[common], help="fetch the feeds now, save and index new entries")
    f.add_argument("names", nargs="*", metavar="NAME", help="only these feeds (default: all)")
    f.add_argument("--json", action="store_true")
    return parser


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--date-from", metavar="YYYY-MM-DD", help="only articles dated on or after")
    p.add_argument("--date-to", metavar="YYYY-MM-DD", help="only articles dated on or before")
    p.add_argument("--category", help="only articles with this category")
    p.add_argument("--source", help="only articles under this file or folder path")


def _minutes(text: str) -> float:
    """argparse type of --feed-interval: a number of minutes, 0 for never."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (never sync) or more minutes, got {text}")
    return value


def _settings(args):
    from .settings import Settings

    return Settings.from_env(index_dir=args.index_dir, chroma_url=args.chroma_url)


def _has_index(index: Path) -> bool:
    """An index was built in this folder: its live generation has a catalog."""
    from .indexer import generation_dir, live_generation

    return index.is_dir() and (generation_dir(index, live_generation(index)) / "assistant.sqlite").is_file()


def _no_index(index: Path) -> ConfigError:
    return ConfigError(f"no index at {index}: check --index-dir (or ASSISTANT_INDEX_DIR), "
                       f"or build one with `assistant index PATH --index-dir {index}`")


def _assistant(args, existing: bool = False):
    """The Assistant over ``--index-dir``. ``existing``: the command only reads an index, so a folder without
    one is a mistyped path, not a new index to create silently (nothing is written there)."""
    from .api import Assistant

    if existing:
        index = _settings(args).index_path
        if not _has_index(index):
            raise _no_index(index)
    return Assistant(index_dir=args.index_dir, chroma_url=args.chroma_url,
                     quiet=getattr(args, "quiet", None) or None)


def _unusable_paths(paths: list[str], extensions) -> list[str]:
    """The PATHs that cannot be indexed at all (missing, or a file of a type we do not read), with why."""
    allowed = tuple(e.lower() for e in extensions)
    found = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            found.append(f"{raw}: no such file or folder")
        elif path.is_file() and not path.name.lower().endswith(allowed):
            found.append(f"{raw}: unsupported file type (supported: {', '.join(extensions)})")
    return found


def cmd_index(args) -> int:
    unusable = _unusable_paths(args.paths, _settings(args).extensions)
    if len(unusable) == len(args.paths):  # checked before the index is opened: nothing is written
        raise ConfigError(f"nothing to index: {'; '.join(unusable)}")
    a = _assistant(args)
    progress = TqdmProgress(quiet=args.quiet)
    try:
        report = a.index(args.paths, rebuild=args.rebuild, clear_cache=args.clear_cache, progress=progress)
    except KeyboardInterrupt:
        progress.close()
        print("\ninterrupted: the index stays consistent; run the same command again to finish", file=sys.stderr)
        return 130
    progress.close()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.summary() + report.failures() + report.warned())
        for path, other in report.duplicates:
            print(f"  duplicate: {path} has the same content as {other}")
    return 1 if report.failed else 0


def cmd_search(args) -> int:
    query = required(args.query)  # a usage error first, as in ask
    a = _assistant(args, existing=True)
    hits = a.search(query, k=args.k, mode=args.mode, date_from=args.date_from, date_to=args.date_to,
                    category=args.category, source=args.source)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("no passages found" + (" (the index is empty: run `assistant index PATH`)" if a.is_empty else ""))
    for i, h in enumerate(hits, 1):
        print(f"[{i}] {h.score:.3f}  {h.heading}")
        print(f"    {h.source}" + (f"  ({h.date[:10]})" if h.date else ""))
        print(textwrap.indent(textwrap.fill(h.text, width=100), "    "))
        print()
    return 0


def cmd_ask(args) -> int:
    question = required(args.question)
    a = _assistant(args, existing=True)
    if a.is_empty:
        raise AssistantError(f"the index in {a.settings.index_path} is empty: run `assistant index PATH` first")
    kwargs = dict(answerer=args.answerer, k=args.k, date_from=args.date_from, date_to=args.date_to,
                  category=args.category, source=args.source)
    if args.json:
        print(json.dumps(a.ask(question, **kwargs).to_dict(), ensure_ascii=False, indent=2))
        return 0
    answer = None
    for part in a.stream(question, **kwargs):
        if isinstance(part, str):
            print(part, end="", flush=True)
        else:
            answer = part
    print("\n")
    if answer.notice:
        print(f"note: {answer.notice}\n", file=sys.stderr)
    for c in answer.citations:
        print(f"[{c.number}] {c.passage.heading}  ({c.passage.source})")
        print(textwrap.indent(textwrap.fill(c.quote, width=100), "    > "))
    if answer.abstained:
        for p in answer.passages:
            print(f"- {p.heading}  ({p.source})")
            print(textwrap.indent(textwrap.shorten(p.text, width=200), "    "))
    return 0


def cmd_eval(args) -> int:
    from pathlib import Path

    from .evaluate import evaluate, files_not_found, format_metrics, load_questions

    path = Path(args.file)
    a = _assistant(args, existing=path.suffix.lower() != ".json")  # SQuAD files bring their own articles
    files_dir = Path(args.files_dir) if args.files_dir else None
    if path.suffix.lower() == ".json":
        articles = a.settings.index_path / "eval-articles" / path.stem
        questions = load_questions(path, articles)
        report = a.index([articles], progress=TqdmProgress())
        if report.failed:
            raise AssistantError(f"could not index the eval articles: {report.failed[:3]}")
        files_dir = articles
    else:
        questions = load_questions(path)
        missing = files_not_found(questions, files_dir) if files_dir else []
        if missing:
            raise ConfigError(f"{path}: {len(missing)} of the files its questions name are not under --files-dir "
                              f"{files_dir} (e.g. {missing[0]}); pass the folder those names are relative to, or "
                              f"leave --files-dir out to match passages by file name")
    if a.is_empty:
        raise AssistantError("the index is empty: run `assistant index PATH` first")
    bar = TqdmProgress()
    result = evaluate(a, questions, k=args.k, files_dir=files_dir, answers=not args.no_answers,
                      progress=lambda done, total: bar("questions", done, total))
    bar.close()
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_metrics(result.metrics))
    return 0


def cmd_stats(args) -> int:
    a = _assistant(args, existing=True)
    stats = a.stats()
    if args.check or args.repair:
        stats["problems"] = a.check(repair=args.repair)
    files = _file_rows(a, args.files) if args.files is not None else None
    if files is not None:
        stats["files"] = {state: sum(1 for f in files if f["state"] == state)
                          for state in ("indexed", "pending", "failed")}
    if args.json:
        print(json.dumps(stats if files is None else {**stats, "file_status": files}, ensure_ascii=False, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key:>16}: {value}")
        for f in files or []:
            extra = "".join([f" ({f['reason']})" if f["reason"] else "", f" [feed {f['feed']}]" if f["feed"] else ""])
            print(f"{f['state']:>8}  {_when(f['changed'])}  {f['path']}{extra}")
    return 1 if stats.get("problems") and not args.repair else 0


def _file_rows(a, folders: list[str]) -> list[dict]:
    """``Assistant.file_status``, limited to the files under ``folders`` when some are given (it also lists
    every indexed article, wherever it is). A folder that does not exist is an error unless the index still
    holds files from it (deleted since: listed as "file is gone"), as a mistyped one would list nothing."""
    if not folders:
        return a.file_status()
    from .indexer import is_within

    roots = {f: str(Path(f).expanduser().resolve()) for f in folders}
    rows = [row for row in a.file_status(folders) if any(row["path"] == r or is_within(row["path"], r)
                                                         for r in roots.values())]
    missing = [f for f, r in roots.items() if not Path(r).exists()
               and not any(row["path"] == r or is_within(row["path"], r) for row in rows)]
    if missing:
        raise ConfigError(f"--files {missing[0]}: no such file or folder, and nothing indexed from it")
    return rows


def cmd_remove(args) -> int:
    a = _assistant(args, existing=True)
    removed, missing = 0, []
    for path in args.paths:  # one by one, to name a path that was not indexed
        n = a.remove([path])
        removed += n
        if not n:
            missing.append(path)
    if removed or not missing:
        print(f"removed {removed} article(s)")
    for path in missing:
        print(f"not in the index: {path}", file=sys.stderr)
    return 1 if missing else 0


def cmd_feedback(args) -> int:
    from .feedback import export

    skipped: list[dict] = []
    n = export(_assistant(args, existing=True).feedback(), args.output, include_down=args.include_down,
               skipped=skipped)
    left_out = ""
    if skipped:  # liked, but no cited sentence to check and no "not covered" answer either
        left_out = f"; left out {len(skipped)} liked answer{'s' if len(skipped) > 1 else ''} without citations"
    print(f"wrote {n} question(s) to {args.output}{left_out}")
    return 0


def cmd_watch(args) -> int:
    import time

    from .watch import Watcher

    a = _assistant(args)

    def ran(report) -> None:
        if report.added or report.updated or report.removed or report.failed or not args.quiet:
            print(f"{time.strftime('%H:%M:%S')} {report.summary()}{report.failures()}{report.warned()}", flush=True)

    def failed(message: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} error: {message}", file=sys.stderr, flush=True)

    watcher = Watcher(a, args.paths, poll=args.poll or None, feed_interval=args.feed_interval,
                      on_run=ran, on_error=failed).start()
    if not args.quiet:
        print(f"watching {', '.join(map(str, watcher.folders))} ({watcher.observer_kind}); Ctrl-C stops",
              flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nstopping…", file=sys.stderr)
        watcher.stop()
    return 0


def _feed_articles_dir(args) -> str | None:
    """Where `feeds add` saves its entries when given: --articles-dir, else ASSISTANT_ARTICLES_DIR."""
    if args.articles_dir:
        return args.articles_dir
    return _settings(args).articles_dir if os.environ.get("ASSISTANT_ARTICLES_DIR") else None


def _indexed_folder(a) -> str:
    """Else the articles folder of the index's other feeds, else the one folder the index was built from:
    the entries sit with the articles that folder's `watch` keeps indexed, never in a folder relative to
    wherever the command happens to run."""
    from .indexer import is_within

    used = {str(Path(f["folder"]).parent.parent) for f in a.feeds.list()}  # ARTICLES_DIR/feeds/NAME
    if len(used) == 1:
        return used.pop()
    index = a.settings.index_path
    folders = sorted(f for f in json.loads(a.catalog.get_meta("folders") or "[]") if Path(f).is_dir())
    eval_articles = str(index.resolve() / "eval-articles")  # written by `assistant eval` of SQuAD files
    tops = [f for f in folders if not f.startswith(eval_articles) and not any(is_within(f, other) for other in folders)]
    if len(tops) == 1 and not used:
        return tops[0]
    if used:
        built = f"has feeds in {len(used)} articles folders ({', '.join(sorted(used)[:3])})"
    else:
        built = f"was built from {len(tops)} folders ({', '.join(tops[:3])})" if tops else "has no indexed folder yet"
    raise ConfigError(f"the index at {index} {built}: {_ASK_ARTICLES_DIR}")


_ASK_ARTICLES_DIR = "give the folder to save the feed's articles in with --articles-dir (or ASSISTANT_ARTICLES_DIR)"


def cmd_feeds(args) -> int:
    if args.feeds_command == "add":
        articles_dir = _feed_articles_dir(args)
        index = _settings(args).index_path
        if articles_dir is None and not _has_index(index):  # said before anything is written
            raise ConfigError(f"no index at {index} to take the articles folder from: {_ASK_ARTICLES_DIR}")
        a = _assistant(args)
        feed = a.feeds.add(args.url, name=args.name, articles_dir=articles_dir or _indexed_folder(a))
        print(f"added {feed['name']}: {feed['url']} -> {feed['folder']}")
        if args.no_sync:
            return 0
        return _print_sync(a.feeds.sync([feed["name"]]), as_json=False)
    feeds = _assistant(args, existing=args.feeds_command in ("list", "remove")).feeds
    if args.feeds_command == "sync":
        return _print_sync(feeds.sync(args.names or None), as_json=args.json)
    if args.feeds_command == "remove":
        n = feeds.remove(args.name, delete_files=args.delete_files)
        print(f"removed feed {args.name}" + (f" and {n} article(s)" if args.delete_files else ""))
        return 0
    rows = feeds.list()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        print("no feeds; add one with `assistant feeds add URL`")
    for f in [] if args.json else rows:
        when = _when(f["last_sync"])
        state = f"error: {f['last_error']}" if f["last_error"] and f["last_ok"] != f["last_sync"] else \
            f"new {f['new']}, updated {f['updated']}, failed {f['failed']}"
        print(f"{f['name']}  {f['url']}\n    {f['entries']} entries in {f['folder']}; last sync {when}: {state}")
    return 0


def _when(ts) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "never"


def _print_sync(results, as_json: bool) -> int:
    if as_json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(r.summary())
            for entry, reason in r.failed:
                print(f"  failed: {entry}: {reason}")
            for path, reason in (r.index or {}).get("failed", []):
                print(f"  not indexed: {path}: {reason}")
        if results and results[0].index:
            i = results[0].index
            print(f"indexed: added {i['added']}, updated {i['updated']}, passages embedded {i['chunks_embedded']}")
        if not results:
            print("no feeds; add one with `assistant feeds add URL`")
    left_out = any(r.error or r.failed or (r.index and r.index["failed"]) for r in results)
    return 1 if left_out else 0


COMMANDS = {"index": cmd_index, "search": cmd_search, "ask": cmd_ask, "eval": cmd_eval, "stats": cmd_stats,
            "remove": cmd_remove, "feedback": cmd_feedback, "watch": cmd_watch, "feeds": cmd_feeds}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, so a closed pipe is noticed inside the try
        return code
    except BrokenPipeError:  # `assistant ask … | head -1`: the reader has all it wants; stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail again
        return 141  # 128 + SIGPIPE, as a Unix tool ended by the closed pipe
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as exc:  # after the file was opened: damaged pages, or locked for too long
        from .catalog import is_corrupt, unusable

        where = getattr(args, "index_dir", None) or "the index folder"
        if not is_corrupt(exc):
            print(f"error: {unusable(where, exc)}", file=sys.stderr)
            return 2
        print(f"error: the index in {where} is damaged ({exc}); "
              "run `assistant stats --check` to see which file, move it away and run "
              "`assistant index --rebuild PATH...`", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.filename is None:
            raise
        print(f"error: {exc.filename}: {exc.strerror}; check that the path exists and that you may use it",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
