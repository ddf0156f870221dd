"""Turning ``[n]`` markers into checked, renumbered citations.

Whatever wrote the answer (the extractive answerer or an LLM), numbers that point at no passage are
dropped, the remaining ones are renumbered 1, 2, 3 … in order of first appearance, and every
citation carries the sentence of its passage that best matches the claim it supports.
"""

from __future__ import annotations

import re

from .chunking import passage_sentences
from .results import Citation, Passage

_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]")
_CLAIM_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s")


def bigrams(text: str) -> set[str]:
    chars = [c for c in text.lower() if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:])}


def best_sentence(passage_text: str, claim: str) -> str:
    """The passage sentence sharing the most character bigrams with the claim."""
    target = bigrams(claim)
    best, best_score = "", -1.0
    for s, e in passage_sentences(passage_text):
        sentence = passage_text[s:e]
        grams = bigrams(sentence)
        score = len(grams & target) / (len(grams) ** 0.5 + 1)
        if score > best_score:
            best, best_score = sentence, score
    return best


def repair_citations(text: str, passages: list[Passage]) -> tuple[str, list[Citation]]:
    """Renumber valid ``[n]`` (1-based into ``passages``) by first appearance; drop invalid ones."""
    mapping: dict[int, int] = {}
    claims: dict[int, str] = {}

    def claim_before(pos: int) -> str:
        start = max(text.rfind(ch, 0, pos) for ch in "。！？!?；;\n")
        dot = text.rfind(". ", 0, pos)
        start = max(start, dot)
        return _MARKER.sub("", text[start + 1:pos]).strip()

    def renumber(match: re.Match) -> str:
        kept = []
        for raw in re.split(r"\s*[,，、]\s*", match.group(1)):
            n = int(raw)
            if not 1 <= n <= len(passages):
                continue
            if n not in mapping:
                mapping[n] = len(mapping) + 1
                claims[n] = claim_before(match.start())
            if mapping[n] not in kept:
                kept.append(mapping[n])
        return "".join(f"[{k}]" for k in kept)

    repaired = _MARKER.sub(renumber, text)
    repaired = re.sub(r"[ \t]+([。，！？,.!?])", r"\1", repaired)
    citations = [
        Citation(number=new, passage=passages[old - 1], quote=best_sentence(passages[old - 1].text, claims[old]))
        for old, new in sorted(mapping.items(), key=lambda item: item[1])
    ]
    return repaired.strip(), citations
