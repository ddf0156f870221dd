"""The LLM answerer: any OpenAI-compatible chat endpoint, as a LangChain LCEL chain
(``prompt | ChatOpenAI | StrOutputParser``).

The prompt is fitted to ``llm_context`` before it is sent (lowest-ranked passages trimmed or dropped
first), its size is logged, and what comes back is never trusted: ``citations.enforce`` checks every
sentence against the passages, and a follow-up rewrite that is empty, unchanged or rambling is refused.
Errors, timeouts and refused rewrites raise ``LLMError`` so the chain falls back and says why.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from typing import Iterator

from .chunking import passage_sentences
from .errors import LLMError
from .prompts import estimate_tokens, format_history, format_passages, language_of, load_template
from .results import Passage
from .settings import Settings

log = logging.getLogger("assistant.llm")

MESSAGE_OVERHEAD = 8  # chat-template tokens around each message (role markers, separators)
LARGE_PROMPT = 1000  # above this many tokens a timeout notice names the prompt size
MIN_TRIMMED = 60  # a trimmed passage keeps at least this many tokens, or is dropped


@dataclass
class Prompt:
    """What is sent for one answer: the template inputs, the passages as sent (numbered 1..n in the
    prompt, a prefix of the retrieved ones in rank order, the last possibly trimmed) and its size."""

    lang: str
    inputs: dict
    passages: list[Passage]
    tokens: int
    dropped: int = 0  # retrieved passages left out to fit the context
    trimmed: bool = False


class LLMAnswerer:
    """Any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server, DeepSeek, Qwen …)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._model = None

    @property
    def configured(self) -> bool:
        return bool(self.settings.llm_base_url and self.settings.llm_model)

    @property
    def chat_model(self):
        if self._model is None:
            if not self.configured:
                raise LLMError("no LLM endpoint configured: set ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL")
            from langchain_openai import ChatOpenAI

            s = self.settings
            self._model = ChatOpenAI(
                base_url=s.llm_base_url, model=s.llm_model, api_key=s.llm_api_key or "not-needed",
                timeout=s.llm_timeout, max_retries=0, temperature=s.llm_temperature, max_tokens=s.llm_max_tokens,
            )
        return self._model

    def chain(self, lang: str):
        """prompt → chat model → text, as an LCEL runnable."""
        from langchain_core.output_parsers import StrOutputParser

        return load_template("answer", lang, self.settings.prompts_dir) | self.chat_model | StrOutputParser()

    def prompt(self, question: str, passages: list[Passage], lang: str | None = None) -> Prompt:
        """Fit the passages into the context budget: keep them in rank order while they fit, trim the
        first one that does not to whole sentences, drop the rest."""
        lang = lang or language_of(question)
        template = load_template("answer", lang, self.settings.prompts_dir)
        fixed = _size(template.format_messages(question=question, passages=""))
        room = self.settings.llm_context - self.settings.llm_max_tokens - fixed
        sent: list[Passage] = []
        trimmed = False
        for p in passages:
            cost = estimate_tokens(format_passages([p])) + 2  # + the blank line between blocks
            if cost <= room:
                sent.append(p)
                room -= cost
                continue
            cut = _trim(p, room)
            if cut is not None:
                sent.append(cut)
                trimmed = True
            break
        if not sent:
            raise LLMError(f"the question and instructions leave no room for passages in ASSISTANT_LLM_CONTEXT="
                           f"{self.settings.llm_context} tokens with ASSISTANT_LLM_MAX_TOKENS="
                           f"{self.settings.llm_max_tokens}; raise the first or lower the second")
        inputs = {"question": question, "passages": format_passages(sent)}
        tokens = _size(template.format_messages(**inputs))
        log.info("LLM prompt: ~%d tokens, %d of %d passages%s", tokens, len(sent), len(passages),
                 " (last one trimmed)" if trimmed else "")
        return Prompt(lang, inputs, sent, tokens, dropped=len(passages) - len(sent), trimmed=trimmed)

    def stream(self, prompt: Prompt) -> Iterator[str]:
        try:
            for delta in self.chain(prompt.lang).stream(prompt.inputs):
                if delta:
                    yield delta
        except LLMError:
            raise
        except Exception as exc:  # noqa: BLE001 - every transport/protocol error means "fall back"
            raise LLMError(f"the LLM endpoint {self.settings.llm_base_url} failed: {_describe(exc, prompt.tokens)}") from exc

    def condense(self, question: str, history: list[tuple[str, str]]) -> str:
        """A standalone version of a follow-up. Raises LLMError (the caller then uses the rule-based
        rewrite) when the model fails or its rewrite is empty, unchanged, or far longer than needed."""
        from langchain_core.output_parsers import StrOutputParser

        lang = language_of(question)
        chain = load_template("condense", lang, self.settings.prompts_dir) | self.chat_model | StrOutputParser()
        try:
            text = chain.invoke({"question": question, "history": format_history(history)})
        except Exception as exc:  # noqa: BLE001
            raise LLMError(f"the LLM endpoint {self.settings.llm_base_url} failed: {_describe(exc, 0)}") from exc
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        rewrite = re.sub(r"^(?:改写后的问题|standalone question)\s*[:：]\s*", "", lines[0], flags=re.I) if lines else ""
        rewrite = rewrite.strip().strip("\"'“”")
        previous = history[-1][0] if history else ""
        if not rewrite:
            raise LLMError("the LLM's follow-up rewrite was empty")
        if _plain(rewrite) == _plain(question):
            raise LLMError("the LLM's follow-up rewrite was the question unchanged")
        if len(rewrite) > 1.5 * (len(question) + len(previous)) + 20:
            raise LLMError(f"the LLM's follow-up rewrite was far longer than the question ({len(rewrite)} characters)")
        return rewrite


def _size(messages) -> int:
    return sum(estimate_tokens(str(m.content)) + MESSAGE_OVERHEAD for m in messages)


def _trim(p: Passage, room: int) -> Passage | None:
    """The passage cut to the whole sentences that fit in ``room`` tokens (None if that is too little)."""
    if room < MIN_TRIMMED:
        return None
    overhead = estimate_tokens(format_passages([dataclasses.replace(p, text="")])) + 2
    end = 0
    for _, e in passage_sentences(p.text):
        if overhead + estimate_tokens(p.text[:e]) > room:
            break
        end = e
    if end == 0:
        return None
    return dataclasses.replace(p, text=p.text[:end].rstrip(), end=p.start + end)


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def _describe(exc: Exception, prompt_tokens: int) -> str:
    name = type(exc).__name__
    if "Timeout" in name:
        if prompt_tokens >= LARGE_PROMPT:
            return (f"no reply in time to a prompt of ~{prompt_tokens} tokens ({name}; a slow CPU can take minutes "
                    "just to read it: raise ASSISTANT_LLM_TIMEOUT, or lower ASSISTANT_K or ASSISTANT_LLM_CONTEXT)")
        return f"no reply in time ({name}; raise ASSISTANT_LLM_TIMEOUT for slow models)"
    return f"{name}: {str(exc)[:200]}"
