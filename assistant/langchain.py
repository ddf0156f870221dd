"""LangChain interop: the hybrid retriever as a ``BaseRetriever`` and the embedder as ``Embeddings``."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever


class PassageRetriever(BaseRetriever):
    """``Assistant.search`` as a LangChain retriever: one Document per passage, metadata included."""

    assistant: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=p.text, metadata={k: v for k, v in p.to_dict().items() if k != "text"}, id=p.chunk_id)
            for p in self.assistant.search(query, k=self.k)
        ]


class AssistantEmbeddings(Embeddings):
    """The offline e5 model with the right prompts, for LangChain vector stores."""

    def __init__(self, embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()
