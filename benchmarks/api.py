"""What the HTTP layer costs: p50 overhead of POST /api/ask and /v1/chat/completions over ``Assistant.ask``.

One Assistant over the demo articles answers the same questions three ways: called directly, through
the REST API and through the OpenAI-compatible API (a real server on 127.0.0.1, with an API key so the
auth check is included). Overhead per request = wall time seen by the client minus the answer's own
``seconds`` (time inside the answer chain, reported by the server); the difference of the p50s of
direct and HTTP calls is printed too. Target: p50 overhead <= 10 ms.

    nice -n 10 python benchmarks/api.py [--rounds 5] [--work-dir /tmp/api-bench]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import httpx  # noqa: E402

from assistant import Assistant  # noqa: E402
from assistant.web.server import Server, create_app  # noqa: E402

QUESTIONS = [
    "前端数字化和后端数字化有什么区别？",
    "What is the difference between front-end and back-end digitalization?",
    "中小企业选CRM时应该注意什么？",
    "换电和充电哪个更划算？",
    "大模型客服什么时候需要转人工？",
    "远程办公对哪类工作的效率影响最大？",
    "火星上一共有几只猫？",  # abstains
]
KEY = "benchmark-key-0123456789"


def p50(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5, help="times each question is asked each way")
    p.add_argument("--work-dir", help="keep the index here (default: a temporary folder)")
    args = p.parse_args()
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="api-bench-"))
    a = Assistant(index_dir=str(work / "index"), articles_dir=str(ROOT / "examples" / "articles"), quiet=True,
                  api_keys=KEY)
    print(a.index([ROOT / "examples" / "articles"]).summary())
    a.warm_up()
    server = Server(create_app(a), "127.0.0.1", 0).start()
    base = server.url.rstrip("/")
    direct, rest_wall, rest_over, v1_wall, inside = [], [], [], [], []
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as http:
            health = []
            for _ in range(200):
                start = time.perf_counter()
                http.get("/api/stats").raise_for_status()
                health.append(time.perf_counter() - start)
            for q in QUESTIONS:  # warm every path once
                a.ask(q)
                http.post("/api/ask", json={"question": q}).raise_for_status()
            for _ in range(args.rounds):
                for q in QUESTIONS:
                    start = time.perf_counter()
                    a.ask(q)
                    direct.append(time.perf_counter() - start)

                    start = time.perf_counter()
                    r = http.post("/api/ask", json={"question": q})
                    wall = time.perf_counter() - start
                    r.raise_for_status()
                    rest_wall.append(wall)
                    rest_over.append(wall - r.json()["seconds"])
                    inside.append(r.json()["seconds"])

                    start = time.perf_counter()
                    r = http.post("/v1/chat/completions",
                                  json={"model": "assistant", "messages": [{"role": "user", "content": q}]})
                    wall = time.perf_counter() - start
                    r.raise_for_status()
                    v1_wall.append(wall)
    finally:
        server.close()

    n = len(direct)
    print(f"\n{n} requests each way ({len(QUESTIONS)} questions x {args.rounds} rounds), demo articles")
    print(f"{'':28}{'p50 ms':>9}{'p90 ms':>9}")
    for name, values in (("Assistant.ask (direct)", direct), ("POST /api/ask", rest_wall),
                         ("POST /v1/chat/completions", v1_wall)):
        print(f"{name:28}{p50(values):9.1f}{statistics.quantiles(values, n=10)[-1] * 1000:9.1f}")
    print(f"{'GET /api/stats':28}{p50(health):9.1f}{statistics.quantiles(health, n=10)[-1] * 1000:9.1f}")
    print(f"\nREST overhead per request (wall - answer.seconds): p50 {p50(rest_over):.1f} ms, "
          f"p90 {statistics.quantiles(rest_over, n=10)[-1] * 1000:.1f} ms")
    print(f"the answer chain's own time: p50 {p50(direct):.1f} ms called directly, {p50(inside):.1f} ms inside the "
          "server")
    paired = [w - d for w, d in zip(rest_wall, direct)]
    print(f"REST - direct, paired by question and round: p50 {p50(paired):.1f} ms")
    print(f"REST p50 - direct p50: {p50(rest_wall) - p50(direct):.1f} ms")
    print(f"/v1 p50 - direct p50:  {p50(v1_wall) - p50(direct):.1f} ms; paired: "
          f"{p50([w - d for w, d in zip(v1_wall, direct)]):.1f} ms")
    verdict = "met" if p50(rest_over) <= 10 else "NOT met"
    print(f"target p50 overhead <= 10 ms: {verdict}")


if __name__ == "__main__":
    main()
