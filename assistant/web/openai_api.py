"""An OpenAI-compatible face under /v1, so chat clients and SDKs work unchanged:
``OpenAI(base_url="http://127.0.0.1:7860/v1", api_key=...)``.

The last user message is the question, earlier user/assistant turns the history (system, developer
and tool messages are skipped; a role beyond those, or a question without text, is a 400 saying so). The reply's content
is the cited answer followed by a plain-Markdown "Sources" list; the structured citations travel in an
extra ``citations`` field (of the completion, and of the last chunk when streaming).

``usage`` of a non-streamed reply is an estimate (``prompts.estimate_tokens``: no tokenizer of the
answering model is at hand, and the extractive answerer has none): a CJK character counts one token,
other text one per 3.5 characters, which errs high. A streamed reply carries it in a last chunk when the
request asks for it (``stream_options: {"include_usage": true}``, as OpenAI does).
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from .. import Answer, Assistant, AssistantError
from ..prompts import estimate_tokens
from .auth import Guard
from .http import ApiError, add_fallback, authenticated, openai_error, status_of
from .render import display_path
from .schemas import CitationOut, DateRange, PassageCount, PassageOut

MODELS = {"assistant": "extractive", "assistant-llm": "llm"}
ROLES = ("system", "developer", "user", "assistant", "tool", "function")  # OpenAI's; only user/assistant are read
# OpenAI's request fields that are accepted and ignored (clients send them by default): the reply is always
# one answer from the articles. Any other unknown field is ignored too.
IGNORED = ("temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "stop", "seed", "presence_penalty",
           "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "user", "tools", "tool_choice",
           "parallel_tool_calls", "response_format", "metadata", "store", "reasoning_effort")
SOURCES = "**Sources**"
CLOSEST = "**Closest passages**"


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatIn(DateRange):
    """OpenAI's request body; its sampling and tool options (``IGNORED``: temperature, max_tokens, n, stop,
    ...) are accepted and ignored, as clients send them unasked. Our own options ride along as extra
    fields (``extra_body`` in the openai package)."""
    model_config = ConfigDict(extra="allow")
    model: str = "assistant"
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    k: PassageCount = None
    category: str | None = None


def text_of(m: Message) -> str:
    if isinstance(m.content, list):  # [{"type": "text", "text": ...}, {"type": "image_url", ...}]
        return "".join(part.get("text", "") for part in m.content if part.get("type") == "text")
    return m.content or ""


def question_and_history(messages: list[Message]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message, and the (question, answer) pairs before it; our Sources lists are cut off
    the earlier answers so they do not leak into follow-up rewriting. A request that cannot be read is
    refused naming what is wrong with which message."""
    for i, m in enumerate(messages):
        if m.role not in ROLES:
            raise ApiError(400, f"messages[{i}]: unknown role {m.role!r}; use user or assistant (system, "
                                "developer and tool messages are accepted and skipped)")
    turns = [(m.role, text_of(m)) for m in messages if m.role in ("user", "assistant")]
    last = max((i for i, m in enumerate(messages) if m.role in ("user", "assistant")), default=None)
    if last is None:
        raise ApiError(400, "no user message: the last user message is the question")
    if turns[-1][0] != "user":
        raise ApiError(400, f"messages[{last}] is the assistant's: end with the user's question")
    if not turns[-1][1].strip():
        content = messages[last].content
        kinds = sorted({str(part.get("type")) for part in content}) if isinstance(content, list) else []
        if kinds and "text" not in kinds:
            raise ApiError(400, f"messages[{last}] has no text, only {', '.join(kinds)} content: this assistant "
                                "answers text questions")
        raise ApiError(400, f"messages[{last}] is empty: the last user message must be a non-empty question")
    history, pending = [], None
    for role, text in turns[:-1]:
        if role == "user":
            pending = text
        elif pending is not None:
            history.append((pending, text.split("\n\n" + SOURCES)[0].split("\n\n" + CLOSEST)[0].strip()))
            pending = None
    return turns[-1][1].strip(), history


def usage(messages: list[Message], content: str) -> dict:
    """OpenAI's token counts, estimated (see the module's docstring): the messages sent, the reply."""
    prompt = sum(estimate_tokens(text_of(m)) for m in messages)
    completion = estimate_tokens(content)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def sources_markdown(answer: Answer, folder: Path) -> str:
    """The numbered sources as plain Markdown text (no links: chat clients render it as is)."""
    def line(label: str, title: str, date: str, source: str, quote: str = "") -> str:
        meta = " · ".join(x for x in (date[:10], display_path(source, folder)) if x)
        return f"- {label}{title} ({meta})" + (f": “{quote}”" if quote else "")

    if answer.citations:
        return "\n\n" + SOURCES + "\n" + "\n".join(
            line(f"[{c.number}] ", c.passage.title, c.passage.date, c.passage.source, c.quote)
            for c in answer.citations)
    if answer.passages:
        return "\n\n" + CLOSEST + "\n" + "\n".join(line("", p.title, p.date, p.source) for p in answer.passages)
    return ""


def router(a: Assistant, guard: Guard) -> APIRouter:
    folder = Path(a.settings.articles_dir).expanduser().resolve()
    llm = bool(a.settings.llm_base_url and a.settings.llm_model)
    models = [m for m, answerer in MODELS.items() if answerer != "llm" or llm]
    v1 = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], dependencies=[Depends(authenticated(guard))])

    def extra(answer: Answer) -> dict:
        return {"citations": [CitationOut.of(c, folder).model_dump() for c in answer.citations],
                "passages": [PassageOut.of(p, folder).model_dump() for p in answer.passages] if answer.abstained
                else [],
                "abstained": answer.abstained, "doubtful": answer.doubtful, "search_query": answer.search_query,
                "notice": answer.notice}

    def model_object(model_id: str) -> dict:
        if model_id not in models:
            raise ApiError(404, f"model {model_id!r} not found; available: {', '.join(models)}", "model_not_found")
        return {"id": model_id, "object": "model", "created": 0, "owned_by": "assistant"}

    @v1.get("/models")
    def list_models() -> dict:
        """``assistant`` (extractive answers), plus ``assistant-llm`` when an LLM endpoint is configured."""
        return {"object": "list", "data": [model_object(m) for m in models]}

    @v1.get("/models/{model_id}")
    def get_model(model_id: str) -> dict:
        """One model (``client.models.retrieve``); an unknown id is a 404 ``model_not_found``."""
        return model_object(model_id)

    @v1.post("/chat/completions")
    def chat(body: ChatIn):
        """Chat completions, streamed (``stream: true``, Server-Sent Events ending with ``[DONE]``) or not."""
        model_object(body.model)  # a 404 for an unknown model
        question, history = question_and_history(body.messages)
        if a.is_empty:
            raise ApiError(503, "the index is empty: add articles first")
        options = dict(history=history, answerer=MODELS[body.model], k=body.k, date_from=body.date_from,
                       date_to=body.date_to, category=body.category)
        head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": body.model}
        if not body.stream:
            answer = a.ask(question, **options)
            content = answer.text + sources_markdown(answer, folder)
            return JSONResponse(head | {"object": "chat.completion", "choices": [
                {"index": 0, "finish_reason": "stop", "logprobs": None,
                 "message": {"role": "assistant", "content": content}}],
                "usage": usage(body.messages, content)} | extra(answer))

        parts = a.stream(question, **options)
        try:
            first = next(parts)
        except AssistantError as exc:
            raise ApiError(status_of(exc), str(exc)) from None

        counted = body.stream_options is not None and body.stream_options.include_usage

        def chunk(delta: dict | None, finish: str | None = None, **more) -> str:
            choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
            data = head | {"object": "chat.completion.chunk", "choices": choices} | ({"usage": None} if counted else {})
            return f"data: {json.dumps(data | more, ensure_ascii=False)}\n\n"

        def events() -> Iterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            sent = ""
            try:
                for part in itertools.chain([first], parts):
                    if isinstance(part, Answer):
                        rest = part.text[len(sent):] if part.text.startswith(sent) else ""
                        sources = sources_markdown(part, folder)
                        yield chunk({"content": rest + sources})
                        yield chunk({}, "stop", **extra(part))
                        if counted:  # OpenAI's usage chunk: no choices, the counts of the whole reply
                            yield chunk(None, usage=usage(body.messages, sent + rest + sources))
                    else:
                        sent += part
                        yield chunk({"content": part})
            except AssistantError as exc:
                yield f"data: {json.dumps(openai_error(status_of(exc), str(exc)), ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    add_fallback(v1)
    return v1
