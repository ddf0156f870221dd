"""Offline question answering over a folder of articles, with numbered citations.

    from assistant import Assistant
    a = Assistant(index_dir="vectorstore")
    a.index(["path/to/articles"])
    a.search("前端数字化和后端数字化有什么区别？", k=5)
"""

from .api import Assistant
from .errors import ArticleError, AssistantError, ConfigError, LimitError, LLMError, ModelError, StoreError
from .results import Answer, Citation, IndexReport, Passage
from .settings import Settings

__all__ = [
    "Assistant", "Settings", "Passage", "IndexReport", "Answer", "Citation",
    "AssistantError", "ArticleError", "ConfigError", "LimitError", "ModelError", "StoreError", "LLMError",
]
__version__ = "0.1.0"
