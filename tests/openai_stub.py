"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol (streaming too),
with scripted replies. It tests the chain's wiring, never answer quality.

The scripts replay what a small local model was seen doing (issue 14): answers without ``[n]``, replies
of marks only, invented figures, a follow-up "rewritten" to itself, a slow first token (``first_delay``:
headers go out at once, the first text comes late), and a 2,048-token context that rejects longer prompts
the way llama.cpp's server does (``context``)."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def prompt_tokens(messages: list[dict]) -> int:
    """The stub's own count, independent of the assistant's estimate and a little above what Qwen2.5's
    tokenizer makes of this corpus (≈0.67 token a Chinese character): 0.8 a Chinese character or
    punctuation mark, 1.3 a Latin word, one a digit run or other sign, plus 4 per message."""
    total = 0.0
    for m in messages:
        text = str(m.get("content", ""))
        total += 4 + 0.8 * len(re.findall(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]", text))
        total += 1.3 * len(re.findall(r"[A-Za-z]+", text))
        total += len(re.findall(r"\d+|[^\w\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef]", text, re.A))
    return round(total)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up is part of the script, not an error


class OpenAIStub:
    def __init__(self):
        self.replies: list[dict] = []  # consumed in order; the last one repeats
        self.requests: list[dict] = []
        self.accepted: list[int] = []  # prompt sizes (stub tokens) let through / refused by a "context" script
        self.rejected: list[int] = []
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def script(self, *replies: dict) -> None:
        """Each reply: {"text": "..."} or {"status": 500} or {"delay": seconds, "text": ...} or {"raw": b"..."},
        optionally with {"first_delay": seconds} (streaming: the wait before the first text) or
        {"context": tokens} (a prompt longer than that is refused with HTTP 400, as llama.cpp does)."""
        self.replies = list(replies)
        self.requests.clear()
        self.accepted.clear()
        self.rejected.clear()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _next(self) -> dict:
        return self.replies.pop(0) if len(self.replies) > 1 else (self.replies[0] if self.replies else {"text": ""})

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append({"path": self.path, "body": body})
                reply = stub._next()
                if reply.get("delay"):
                    time.sleep(reply["delay"])
                if reply.get("context"):
                    tokens = prompt_tokens(body.get("messages", []))
                    if tokens + int(body.get("max_tokens") or body.get("max_completion_tokens") or 0) > reply["context"]:
                        stub.rejected.append(tokens)
                        self.send_response(400)
                        self.send_header("Content-Type", "application/json")
                        self.end_headers()
                        message = (f"the request exceeds the available context size ({tokens} prompt tokens, "
                                   f"context {reply['context']}), try increasing it")
                        self.wfile.write(json.dumps({"error": {"code": 400, "message": message,
                                                               "type": "exceed_context_size_error"}}).encode())
                        return
                    stub.accepted.append(tokens)
                if "status" in reply:
                    self.send_response(reply["status"])
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode())
                    return
                if "raw" in reply:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(reply["raw"])
                    return
                text = reply.get("text", "")
                model = body.get("model", "stub")
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    pieces = [text[i:i + 7] for i in range(0, len(text), 7)] or [""]
                    self.wfile.flush()
                    if reply.get("first_delay"):
                        time.sleep(reply["first_delay"])
                    for n, piece in enumerate(pieces):
                        chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                                 "choices": [{"index": 0, "delta": ({"role": "assistant"} if n == 0 else {}) | {"content": piece},
                                              "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                        self.wfile.flush()
                    done = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                    self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                    return
                payload = {"id": "c1", "object": "chat.completion", "created": 0, "model": model,
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                        "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
