"""The LLM answer path on a sample of the shared dev sets, against whatever endpoint is configured,
beside the extractive answerer on the same questions.

    ASSISTANT_LLM_BASE_URL=http://127.0.0.1:8080/v1 ASSISTANT_LLM_MODEL=qwen2.5-coder-1.5b-instruct \\
        python benchmarks/llm.py --index-dir /tmp/full-index [--variants after,system] [--stop-at 09:00]

The index must hold the whole shared corpus (``assistant index ../shared/corpus``). The sample (20
questions, fixed): from 36kr_dev2.jsonl 16 (zh/en, fact/number/why/compare, 4 follow-ups, 3 unanswerable),
from 36kr_dev.jsonl 4 (one unanswerable). A follow-up is asked after its history questions, whose
answers come from the extractive answerer (only the follow-up costs model time).

Every request goes through a recording proxy on 127.0.0.1: the model's replies are kept in
``--replies`` (JSON Lines, keyed by the prompt less its passages), so a second run replays them in seconds and measures a
changed citation check or chain on the same replies; only new prompts reach the model. Times (first
token, total) are the recorded ones. ``--cached-only`` never calls the model (questions without a
recorded reply are left out, and the count says so).

Prompt variants: ``after`` = prompts/ as shipped (the citation rule repeated after the passages and the
question, in the question's language); ``refuse`` = that reminder plus "if the passages do not answer,
reply only: …" (which the system message says already); ``system`` = no reminder (the rule only in the
system message). Those asked are sent for each question, ``after`` first: the server reuses the shared
prefix (system + passages + question) for the others, so only ``after``'s time to first token is cold.

Reported per answerer: answers with ≥ 1 valid citation; answers shown cited without support (must be 0);
sentences of the model's raw reply that carried a mark, and those whose mark the check upheld;
unsupported figures in the raw reply and in what is shown; key fact present; correct abstention on
the unanswerable questions (and false abstention on the answerable ones); fallbacks by cause; time to
first token and total.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from assistant.citations import _MARKER, SupportCheck, claim_of, split_sentences  # noqa: E402
from assistant.llm import LLMAnswerer  # noqa: E402
from assistant.prompts import PROMPTS_DIR, language_of  # noqa: E402

SHARED = ROOT.parent / "shared"
DEFAULT_REPLIES = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "assistant" / "llm-bench-replies.jsonl"
_WS = re.compile(r"\s+")
REFUSE = {"zh": "资料里没有答案时，只回答：资料中没有找到相关内容。",
          "en": " If the passages do not contain the answer, reply only: The articles don't cover this."}


# -- the sample ------------------------------------------------------------------------------

def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sample() -> list[dict]:
    """20 questions, the same every run: stratified, shuffled with a fixed seed inside each stratum."""
    dev = load(SHARED / "eval" / "36kr_dev.jsonl")
    dev2 = load(SHARED / "eval" / "36kr_dev2.jsonl")
    for row in dev:
        row["file"] = row["file"] and f"36kr/{row['file']}"
        row["key"] = [m for g in row["gold"] for m in re.findall(r"\d+(?:\.\d+)?%?", g)]
    rng = random.Random(14)
    plan = [
        (dev2, lambda r: r["lang"] == "zh" and r["type"] in ("fact", "number", "why", "compare"), 6),
        (dev2, lambda r: r["lang"] == "en" and r["type"] in ("fact", "number", "why", "compare"), 3),
        (dev2, lambda r: r["lang"] == "zh" and r["type"] == "followup", 2),
        (dev2, lambda r: r["lang"] == "en" and r["type"] == "followup", 2),
        (dev2, lambda r: r["lang"] == "zh" and r["type"] == "unanswerable", 2),
        (dev2, lambda r: r["lang"] == "en" and r["type"] == "unanswerable", 1),
        (dev, lambda r: r["lang"] == "zh" and r["type"] == "number", 2),
        (dev, lambda r: r["lang"] == "en" and r["type"] == "number", 1),
        (dev, lambda r: r["lang"] == "en" and r["type"] == "unanswerable", 1),
    ]
    groups = []
    for rows, keep, n in plan:
        pool = [r for r in rows if keep(r)]
        rng.shuffle(pool)
        groups.append(pool[:n])
    # round-robin over the groups, so that a run cut short still has every kind of question
    return [g[i] for i in range(max(map(len, groups))) for g in groups if i < len(g)]


# -- the recording proxy --------------------------------------------------------------------------

def prompt_key(messages: list[dict]) -> str:
    """A prompt's identity without its passages: the instructions, question and reminder. Retrieval can
    order near-tied tail passages differently from one process to the next, and a replay should still
    find the reply (the check then runs on the passages retrieved now). One replies file per model."""
    plain = [re.sub(r"<passage .*</passage>", "<passages>", str(m.get("content", "")), flags=re.S) for m in messages]
    return hashlib.sha256(json.dumps(plain, ensure_ascii=False).encode()).hexdigest()[:24]


class Recorder:
    """An OpenAI-compatible pass-through that keeps every reply, keyed by the request body."""

    def __init__(self, upstream: str, path: Path, cached_only: bool):
        self.upstream = upstream.rstrip("/")
        self.path = path
        self.cached_only = cached_only
        self.records: dict[str, dict] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    self.records[prompt_key(rec["messages"])] = rec
        self.log: list[dict] = []  # records served, in order
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _fetch(self, body: dict) -> dict:
        """Ask the real endpoint (streaming, to time the first token); the record it makes."""
        import httpx

        started = time.perf_counter()
        first = None
        text, usage, timings, error = [], None, None, ""
        payload = dict(body, stream=True, stream_options={"include_usage": True})
        if "max_completion_tokens" in payload:  # newer clients' name; some servers know only max_tokens
            payload.setdefault("max_tokens", payload["max_completion_tokens"])
        try:
            with httpx.stream("POST", f"{self.upstream}/chat/completions", json=payload, timeout=None,
                              headers={"Authorization": f"Bearer {os.environ.get('ASSISTANT_LLM_API_KEY', 'x')}"}) as r:
                if r.status_code != 200:
                    error = f"HTTP {r.status_code}: {r.read()[:200]!r}"
                for line in r.iter_lines():
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    chunk = json.loads(line[6:])
                    usage = chunk.get("usage") or usage
                    timings = chunk.get("timings") or timings
                    for choice in chunk.get("choices") or []:
                        piece = (choice.get("delta") or {}).get("content") or ""
                        if piece and first is None:
                            first = time.perf_counter() - started
                        text.append(piece)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        return {"text": "".join(text), "ttft": first, "total": time.perf_counter() - started, "usage": usage,
                "timings": timings, "error": error, "when": time.strftime("%Y-%m-%d %H:%M")}

    def _handler(self):
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stream = bool(body.pop("stream", False))
                body.pop("stream_options", None)
                key = prompt_key(body.get("messages") or [])
                with rec.lock:  # one request at a time, as the server has one slot
                    record = rec.records.get(key)
                    if record is None and not rec.cached_only:
                        record = dict(rec._fetch(body), key=key, messages=body.get("messages"))
                        if not record["error"]:
                            rec.records[key] = record
                            with rec.path.open("a", encoding="utf-8") as f:
                                f.write(json.dumps(record, ensure_ascii=False) + "\n")
                    rec.log.append(record or {"key": key, "missing": True})
                try:
                    if record is None or record["error"]:
                        self.send_response(503)
                        self.send_header("Content-Type", "application/json")
                        self.end_headers()
                        reason = "not recorded (--cached-only)" if record is None else record["error"]
                        self.wfile.write(json.dumps({"error": {"message": reason}}).encode())
                        return
                    self._reply(record["text"], body.get("model", "m"), stream)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout); the reply is recorded all the same

            def _reply(self, text: str, model: str, stream: bool):
                if not stream:
                    data = json.dumps({"id": "r", "object": "chat.completion", "created": 0, "model": model,
                                       "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                                    "finish_reason": "stop"}]}, ensure_ascii=False).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for i in range(0, max(len(text), 1), 8):
                    chunk = {"id": "r", "object": "chat.completion.chunk", "created": 0, "model": model,
                             "choices": [{"index": 0, "delta": {"content": text[i:i + 8]}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                done = {"id": "r", "object": "chat.completion.chunk", "created": 0, "model": model,
                        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())

        return Handler


# -- scoring -----------------------------------------------------------------------------------

def norm(text: str) -> str:
    return _WS.sub(" ", text or "").strip().lower()


def has_key(text: str, keys: list[str]) -> bool | None:
    if not keys:
        return None
    t = norm(text).replace(",", "")
    return any(norm(k).replace(",", "") in t for k in keys)


def cause(notice: str) -> str:
    """The fallback's cause, in a few words, from the notice."""
    rules = [("LLM was not asked", "evidence check (LLM not asked)"), ("no reply in time", "timeout"),
             ("marks only", "marks only"), ("reply was empty", "empty reply"),
             ("figures or names found in no passage", "invented figures"),
             ("no passage supports", "no supported sentence"), ("do not answer the question", "model declined"),
             ("failed", "endpoint error"), ("not recorded", "not recorded")]
    for needle, name in rules:
        if needle in notice:
            return name
    return "other: " + notice[:60]


def shown_unsupported(answer, check: SupportCheck, lang: str) -> int:
    """Sentences of the final text that carry a mark whose passage does not support them."""
    bad = 0
    numbers = {c.number: i for i, c in enumerate(answer.citations)}
    for piece in split_sentences(answer.text):
        claim = claim_of(piece)
        marks = [int(n) for m in _MARKER.finditer(piece) for n in re.split(r"\s*[,，、]\s*", m.group(1))]
        if not marks or not claim:
            continue
        for n in marks:
            if n not in numbers:
                bad += 1
                break
            passage = answer.citations[numbers[n]].passage
            i = next((j for j, p in enumerate(check.passages) if p.chunk_id == passage.chunk_id), None)
            if i is None or check.score(claim, i, lang)[0] < 1.0:
                bad += 1
                break
    return bad


def raw_stats(reply: str, check: SupportCheck, lang: str) -> dict:
    """What the model itself did: sentences, sentences with a valid mark, marks the check upholds, figures in no passage."""
    sentences = marked = upheld = 0
    figures = []
    for piece in split_sentences(reply):
        claim = claim_of(piece)
        if not re.search(r"\w", claim):
            continue
        sentences += 1
        figures += check.unsupported_figures(claim, lang)
        valid = [int(n) for m in _MARKER.finditer(piece) for n in re.split(r"\s*[,，、]\s*", m.group(1))
                 if 1 <= int(n) <= len(check.passages)]
        if valid:
            marked += 1
            if any(check.score(claim, n - 1, lang)[0] >= 1.0 for n in valid):
                upheld += 1
    return {"sentences": sentences, "marked": marked, "upheld": upheld, "figures": figures}


# -- the run -------------------------------------------------------------------------------------

def variant_dirs(names: list[str], tmp: Path) -> dict[str, str]:
    dirs = {}
    for name in names:
        if name == "after":
            dirs[name] = str(PROMPTS_DIR)
        elif name in ("system", "refuse"):
            folder = tmp / name
            folder.mkdir()
            for f in PROMPTS_DIR.glob("*.txt"):
                text = f.read_text(encoding="utf-8")
                head, _, reminder = text.partition("\n[reminder]\n")
                if name == "refuse" and reminder:  # the reminder plus "if the passages don't answer, say so"
                    head += "\n[reminder]\n" + reminder.strip() + REFUSE[f.stem[-2:]]
                (folder / f.name).write_text(head + "\n", encoding="utf-8")
            dirs[name] = str(folder)
        else:
            raise SystemExit(f"unknown prompt variant {name!r}: use after, refuse, system")
    return dirs


def run(args) -> None:
    base_url = os.environ.get("ASSISTANT_LLM_BASE_URL", "")
    model = os.environ.get("ASSISTANT_LLM_MODEL", "")
    if not (base_url and model) and not args.cached_only:
        raise SystemExit("set ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL (or use --cached-only)")
    args.replies.parent.mkdir(parents=True, exist_ok=True)
    recorder = Recorder(base_url, args.replies, args.cached_only)
    a = Assistant(index_dir=str(args.index_dir), quiet=True, llm_base_url=recorder.base_url,
                  llm_model=model or "replay", llm_timeout=args.timeout, llm_max_tokens=args.max_tokens,
                  llm_context=args.context)
    tmp = Path(tempfile.mkdtemp(prefix="llm-bench-"))
    variants = args.variants.split(",")
    answerers = {name: LLMAnswerer(a.settings.replace(prompts_dir=folder))
                 for name, folder in variant_dirs(variants, tmp).items()}
    questions = sample()[:args.n]
    rows: list[dict] = []
    try:
        for n, q in enumerate(questions, 1):
            if args.stop_at and time.strftime("%H:%M") >= args.stop_at:
                print(f"stopped at {args.stop_at}: {n - 1} of {len(questions)} questions done", flush=True)
                break
            history = [(h, a.ask(h, answerer="extractive").text) for h in q.get("history") or []]
            ext = a.ask(q["q"], history=history, answerer="extractive")
            rows.append(score(q, "extractive", ext, None, a))
            for name in variants:
                a.chain.llm = answerers[name]
                served = len(recorder.log)
                ans = a.ask(q["q"], history=history, answerer="llm")
                rows.append(score(q, name, ans, recorder.log[served:], a))
            for r in rows[-1 - len(variants):]:
                print(json.dumps(brief(r), ensure_ascii=False), flush=True)
    finally:
        recorder.close()
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    report(rows, ["extractive"] + variants)


def score(q: dict, name: str, ans, served: list[dict] | None, a: Assistant) -> dict:
    lang = language_of(q["q"])
    answerable = bool(q.get("file"))
    row = {"id": q["id"], "lang": lang, "type": q["type"], "answerable": answerable, "answerer": name,
           "used": ans.answerer, "abstained": ans.abstained, "cited": bool(ans.citations) and not ans.abstained,
           "key": has_key(ans.text, q.get("key") or []) if answerable else None, "notice": ans.notice,
           "text": ans.text, "search_query": ans.search_query, "missing": False,
           "quotes": [f"[{c.number}] {c.quote}" for c in ans.citations]}
    check = None
    if name != "extractive" and ans.passages:
        query = ans.search_query if q.get("history") else q["q"]
        try:
            prompt = a.chain.llm.prompt(query, ans.passages, lang)
            check = SupportCheck(prompt.passages)
            row["prompt_tokens_est"] = prompt.tokens
        except Exception:  # noqa: BLE001 - a prompt that cannot be built was reported by the chain already
            check = None
    if check is not None and ans.answerer == "llm":
        row["shown_unsupported"] = shown_unsupported(ans, check, lang)
        row["shown_figures"] = sum(len(check.unsupported_figures(claim_of(p), lang)) for p in split_sentences(ans.text))
    if served is not None:
        row["missing"] = any(r.get("missing") for r in served)
        answer_req = [r for r in served if not r.get("missing") and "<passage" in json.dumps(r.get("messages"), ensure_ascii=False)]
        if answer_req:
            rec = answer_req[-1]
            row.update(ttft=rec["ttft"], total=rec["total"], raw=rec["text"],
                       prompt_tokens=(rec.get("usage") or {}).get("prompt_tokens"))
            if check is not None:
                row["raw_stats"] = raw_stats(rec["text"], check, lang)
        if (ans.answerer != "llm" or ans.abstained) and ans.notice:
            row["cause"] = cause(ans.notice)
        elif ans.notice:
            row["repairs"] = ans.notice
    return row


def brief(r: dict) -> dict:
    keep = ("id", "answerer", "used", "abstained", "cited", "key", "shown_unsupported", "ttft", "total",
            "prompt_tokens", "cause")
    out = {k: r.get(k) for k in keep if k in r}
    out["text"] = r["text"][:80]
    if "raw" in r:
        out["raw"] = r["raw"][:80]
    return out


def pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "–"


def report(rows: list[dict], names: list[str]) -> None:
    done = {r["id"] for r in rows if r["answerer"] == names[-1] and not r["missing"]}
    asked = {r["id"] for r in rows}
    print(f"\n{len(done)} of {len(asked)} questions with every answer measured; the last column is the "
          f"extractive answerer on all {len(asked)}")
    columns = [(name, done) for name in names] + [("extractive", asked)]
    print("| | " + " | ".join(f"{n} ({len(ids)})" for n, ids in columns) + " |\n|---|" + "---|" * len(columns))
    lines: dict[str, list[str]] = {}
    for name, ids in columns:
        rs = [r for r in rows if r["answerer"] == name and r["id"] in ids]
        ans = [r for r in rs if r["answerable"]]
        una = [r for r in rs if not r["answerable"]]
        keyed = [r for r in ans if r["key"] is not None]
        llm = name != "extractive"
        raw = [r["raw_stats"] for r in rs if "raw_stats" in r]
        ttft = [r["ttft"] for r in rs if r.get("ttft") is not None]
        total = [r["total"] for r in rs if r.get("total") is not None]
        tokens = [r["prompt_tokens"] for r in rs if r.get("prompt_tokens")]
        estimates = [r["prompt_tokens_est"] for r in rs if r.get("prompt_tokens") and r.get("prompt_tokens_est")]
        causes = Counter(r.get("cause") for r in rs if r.get("cause"))
        cells = {
            "answers with ≥ 1 valid citation (answerable)": pct(sum(r["cited"] for r in ans), len(ans)),
            "… of them written by the LLM": pct(sum(r["cited"] and r["used"] == "llm" for r in ans), len(ans)) if llm else "–",
            "shown cited without support (sentences)": str(sum(r.get("shown_unsupported", 0) for r in rs)) if llm else "–",
            "raw reply: sentences with a valid [n]": pct(sum(s["marked"] for s in raw), sum(s["sentences"] for s in raw)) if llm else "–",
            "raw reply: marks the check upholds": pct(sum(s["upheld"] for s in raw), sum(s["marked"] for s in raw)) if llm else "–",
            "raw reply: figures in no passage": str(sum(len(s["figures"]) for s in raw)) if llm else "–",
            "shown: figures in no passage": str(sum(r.get("shown_figures", 0) for r in rs)) if llm else "–",
            "key fact present (answerable)": pct(sum(bool(r["key"]) for r in keyed), len(keyed)),
            "correct abstention (unanswerable)": pct(sum(r["abstained"] for r in una), len(una)),
            "false abstention (answerable)": pct(sum(r["abstained"] for r in ans), len(ans)),
            "supported citations, or fallback with its cause": pct(
                sum((r["cited"] and r["used"] == "llm" and not r.get("shown_unsupported")) or bool(r.get("cause"))
                    for r in rs), len(rs)) if llm else "–",
            "LLM answers shown after the check changed them": (
                f"{sum(bool(r.get('repairs')) for r in rs)} (marks attached/corrected "
                f"{sum('attached' in r.get('repairs', '') for r in rs)}, sentences left out "
                f"{sum('left out' in r.get('repairs', '') for r in rs)})") if llm else "–",
            "fallbacks / not-LLM answers by cause": ", ".join(f"{k} {v}" for k, v in causes.most_common()) or "–",
            "time to first token, median (max)": f"{statistics.median(ttft):.0f} s ({max(ttft):.0f} s)" if ttft else "–",
            "total, median (max)": f"{statistics.median(total):.0f} s ({max(total):.0f} s)" if total else "–",
            "prompt tokens (server's count), median (max); our estimate": (
                f"{statistics.median(tokens):.0f} ({max(tokens)}); {statistics.median(estimates):.0f}"
                if tokens and estimates else "–"),
        }
        for label, cell in cells.items():
            lines.setdefault(label, []).append(cell)
    for label, cells in lines.items():
        print(f"| {label} | " + " | ".join(cells) + " |")


def calibrate(index_dir: Path) -> None:
    """How often the support check passes a sentence that does not belong: for each of the 36
    answerable dev questions, 20 sentences of passages retrieved for the other questions (cut to their
    first two thirds, as a model shortens what it copies) are checked against the question's passages."""
    from assistant.chunking import passage_sentences

    a = Assistant(index_dir=str(index_dir), quiet=True)
    questions = [q for q in load(SHARED / "eval" / "36kr_dev.jsonl") if q["file"]]
    results = [a.retriever.retrieve(q["q"], a.settings.k) for q in questions]
    rng = random.Random(1)
    strengths = []
    for i, r in enumerate(results):
        check = SupportCheck(r.passages)
        own = {p.chunk_id for p in r.passages}
        others = [p.text[s:e] for j, rr in enumerate(results) if j != i for p in rr.passages
                  if p.chunk_id not in own for s, e in passage_sentences(p.text) if e - s > 12]
        strengths += [check.best(s[:max(12, len(s) * 2 // 3)], "zh")[1] for s in rng.sample(others, 20)]
    strengths.sort()
    passed = sum(s >= 1.0 for s in strengths)
    print(f"unrelated sentences the check passes: {passed}/{len(strengths)}; strength quantiles "
          + ", ".join(f"p{int(q * 100)} {strengths[int(q * (len(strengths) - 1))]:.2f}" for q in (0.5, 0.9, 0.99)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True, help="an index of the whole ../shared/corpus")
    parser.add_argument("--variants", default="after", help="prompt variants, comma-separated: after (as shipped), "
                        "refuse, system")
    parser.add_argument("--n", type=int, default=20, help="questions of the sample to run (default 20)")
    parser.add_argument("--replies", type=Path, default=DEFAULT_REPLIES, help="recorded replies (JSON Lines)")
    parser.add_argument("--cached-only", action="store_true", help="replay recorded replies only; never call the model")
    parser.add_argument("--timeout", type=float, default=1800, help="ASSISTANT_LLM_TIMEOUT for the run (s)")
    parser.add_argument("--max-tokens", type=int, default=320, help="ASSISTANT_LLM_MAX_TOKENS for the run (320: short "
                        "answers keep a CPU run short; the recorded run used it)")
    parser.add_argument("--context", type=int, default=4096, help="ASSISTANT_LLM_CONTEXT for the run")
    parser.add_argument("--stop-at", default="", help="HH:MM: start no new question after this time")
    parser.add_argument("--json", type=Path, help="write every answer's row here")
    parser.add_argument("--calibrate", action="store_true", help="only measure the support check on unrelated sentences")
    args = parser.parse_args()
    calibrate(args.index_dir) if args.calibrate else run(args)


if __name__ == "__main__":
    main()
