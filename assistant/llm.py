"""The LLM answerer: any OpenAI-compatible chat endpoint, as a LangChain LCEL chain
(``prompt | ChatOpenAI | StrOutputParser``). Its citations are checked by ``citations.repair_citations``;
errors and timeouts raise ``LLMError`` so the chain falls back to the extractive answer.
"""

from __future__ import annotations

from typing import Iterator

from .citations import repair_citations
from .errors import LLMError
from .prompts import format_passages, language_of, load_template
from .results import Citation, Passage
from .settings import Settings


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
                timeout=s.llm_timeout, max_retries=0, temperature=s.llm_temperature,
                max_tokens=s.llm_max_tokens,
            )
        return self._model

    def chain(self, lang: str):
        """prompt → chat model → text, as an LCEL runnable."""
        from langchain_core.output_parsers import StrOutputParser

        return load_template("answer", lang, self.settings.prompts_dir) | self.chat_model | StrOutputParser()

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        lang = language_of(question)
        inputs = {"question": question, "passages": format_passages(passages)}
        try:
            for delta in self.chain(lang).stream(inputs):
                if delta:
                    yield delta
        except LLMError:
            raise
        except Exception as exc:  # noqa: BLE001 - every transport/protocol error means "fall back"
            raise LLMError(f"the LLM endpoint {self.settings.llm_base_url} failed: {_describe(exc)}") from exc

    def finish(self, text: str, passages: list[Passage]) -> tuple[str, list[Citation]]:
        return repair_citations(text, passages)

    def condense(self, question: str, history: list[tuple[str, str]]) -> str:
        from langchain_core.output_parsers import StrOutputParser

        from .prompts import format_history

        lang = language_of(question)
        chain = load_template("condense", lang, self.settings.prompts_dir) | self.chat_model | StrOutputParser()
        try:
            text = chain.invoke({"question": question, "history": format_history(history)})
        except Exception as exc:  # noqa: BLE001
            raise LLMError(f"the LLM endpoint {self.settings.llm_base_url} failed: {_describe(exc)}") from exc
        return text.strip().splitlines()[0].strip() if text.strip() else question


def _describe(exc: Exception) -> str:
    name = type(exc).__name__
    if "Timeout" in name:
        return f"no reply in time ({name}; raise ASSISTANT_LLM_TIMEOUT for slow models)"
    return f"{name}: {str(exc)[:200]}"
