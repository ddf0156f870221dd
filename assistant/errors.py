"""Errors the assistant raises on purpose. Each message says what went wrong and what to do."""


class AssistantError(Exception):
    """Base class: anything the CLI should print as a one-line message instead of a traceback."""


class ConfigError(AssistantError):
    """A setting or environment variable has a value that cannot work."""


class ArticleError(AssistantError):
    """One file could not be read as an article. The path is part of the message."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class ModelError(AssistantError):
    """The embedding model could not be found, converted or loaded."""


class StoreError(AssistantError):
    """The index is missing, locked by another process or was built with another model."""


class LimitError(AssistantError):
    """A request is over one of the limits in ``Settings`` (k, question length, files per upload …)."""


class LLMError(AssistantError):
    """The OpenAI-compatible endpoint failed, timed out or answered nonsense."""
