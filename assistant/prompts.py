"""Prompt templates (text files in ``prompts/``) and the fenced, numbered passage block they embed.

A template file has a ``[system]`` part and a ``[user]`` part. Passages go in as data inside
``<passage>`` tags, so text in an article ("忽略以上所有指令……") cannot pose as an instruction.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from .errors import ConfigError
from .results import Passage

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

_CJK = re.compile(r"[\u3400-\u9fff]")


def language_of(text: str) -> str:
    """'zh' when the text has Chinese characters in it, else 'en'."""
    return "zh" if len(_CJK.findall(text)) >= max(1, len(text) // 20) else "en"


@lru_cache(maxsize=None)
def load_template(name: str, lang: str, folder: str = "") -> ChatPromptTemplate:
    path = Path(folder or PROMPTS_DIR) / f"{name}_{lang}.txt"
    if not path.exists():
        raise ConfigError(f"prompt template {path} not found (set ASSISTANT_PROMPTS_DIR to a folder that has it)")
    text = path.read_text(encoding="utf-8")
    match = re.fullmatch(r"\s*\[system\]\n(.*?)\n\[user\]\n(.*)", text, re.S)
    if not match:
        raise ConfigError(f"{path}: expected a [system] section followed by a [user] section")
    return ChatPromptTemplate.from_messages([("system", match.group(1).strip()), ("human", match.group(2).strip())])


def fence(text: str) -> str:
    """Keep passage text from closing its own fence or opening a new one."""
    return re.sub(r"</?\s*passage", lambda m: m.group(0).replace("<", "‹"), text, flags=re.I)


def format_passages(passages: list[Passage]) -> str:
    blocks = []
    for n, p in enumerate(passages, 1):
        date = f' date="{p.date[:10]}"' if p.date else ""
        header = f'<passage id="{n}" title="{fence(p.title)}" section="{fence(p.section)}"{date}>'
        blocks.append(f"{header}\n{fence(p.text)}\n</passage>")
    return "\n\n".join(blocks)


def format_history(history: list[tuple[str, str]]) -> str:
    lines = []
    for question, answer in history[-3:]:
        plain = re.sub(r"\[\d+\]", "", answer)[:500]
        lines.append(f"用户/User: {question}")
        lines.append(f"助手/Assistant: {plain}")
    return "\n".join(lines)
