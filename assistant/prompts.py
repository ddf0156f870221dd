"""Prompt templates (text files in ``prompts/``) and the fenced, numbered passage block they embed.

A template file has a ``[system]`` part, a ``[user]`` part and, optionally, a ``[reminder]`` appended to the
user message after the passages and the question: small models follow a citation rule placed there far more
often than one only in the system message (measured in benchmarks/llm.py). Passages go in as data inside
``<passage>`` tags, so text in an article ("忽略以上所有指令……") cannot pose as an instruction.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from .errors import ConfigError
from .results import Passage

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_OR_PUNCT = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


# markup pasted with a question says nothing about its language: tags, link targets, addresses
_MARKUP = re.compile(r"<[^>]*>|\]\([^)]*\)|https?://\S+|[*_`#>\[\]]+")


# an English sentence's grammar words; a title or quotation ("《The Art of War》") is a name, not grammar
_LATIN_WORD = re.compile(r"[a-z]+")
_EN_GRAMMAR = frozenset("a an the is are was were be been do does did what which who whom whose why how when where "
                        "of in on at for to with by from and or that this it its has have had will would can".split())
_TITLED = re.compile(r"《[^》]*》|“[^”]*”|「[^」]*」|\"[^\"]*\"")


def language_of(text: str) -> str:
    """'zh' when the text is written in Chinese, else 'en'. An English question may spell a company in Chinese
    ("Why did Tahoe Group (泰禾集团) swing back to a profit?"): it stays English when at least two English grammar
    words hold it together and its Latin words outnumber the Chinese words (about two characters each)."""
    text = _MARKUP.sub("", text)
    cjk = len(_CJK.findall(text))
    if cjk < max(1, len(text) // 20):
        return "en"
    words = _LATIN_WORD.findall(_TITLED.sub(" ", text).lower())
    if sum(w in _EN_GRAMMAR for w in words) >= 2 and len(words) > cjk / 2:
        return "en"
    return "zh"


@lru_cache(maxsize=None)
def load_template(name: str, lang: str, folder: str = "") -> ChatPromptTemplate:
    path = Path(folder or PROMPTS_DIR) / f"{name}_{lang}.txt"
    if not path.exists():
        raise ConfigError(f"prompt template {path} not found (set ASSISTANT_PROMPTS_DIR to a folder that has it)")
    text = path.read_text(encoding="utf-8")
    match = re.fullmatch(r"\s*\[system\]\n(.*?)\n\[user\]\n(.*?)(?:\n\[reminder\]\n(.*))?", text, re.S)
    if not match:
        raise ConfigError(f"{path}: expected a [system] section followed by a [user] section")
    user = match.group(2).strip() + ("\n\n" + match.group(3).strip() if match.group(3) else "")
    return ChatPromptTemplate.from_messages([("system", match.group(1).strip()), ("human", user)])


def estimate_tokens(text: str) -> int:
    """Tokens a Qwen/Llama-style tokenizer makes of ``text``, erring high: a CJK character counts one
    token, other text one per 3.5 characters. Checked with Qwen2.5's tokenizer (llama.cpp ``/tokenize``):
    clean Chinese passages are really ≈0.67 token a character, so this counts ≈1.4× (a 4096 budget sends
    ≈2.6k real tokens of passages and instructions); article text with markup and URLs comes out at
    0.9-1.02× — never more than 2 % low. Too high costs passage text; too low, a refused request."""
    cjk = len(_CJK_OR_PUNCT.findall(text))
    return cjk + -(-(len(text) - cjk) * 2 // 7)


# An opening angle bracket and what passes for one: full-width ＜, small ﹤, 〈 ⟨ ‹, HTML entities
# (&lt; &#60; &#x3c;). A model reads all of them as "<", so all of them are defused, followed by the
# word "passage" in any case or width (ｐａｓｓａｇｅ).
_LT = r"(?:[<＜﹤〈〈⟨‹]|&lt;?|&#0*60;?|&#x0*3c;?)"
_WORD = "".join(f"[{c}{c.upper()}{chr(ord(c) + 0xFEE0)}{chr(ord(c.upper()) + 0xFEE0)}]" for c in "passage")
_FAKE_TAG = re.compile(_LT + r"(\s*[/／⁄∕]?\s*" + _WORD + ")", re.I)


def fence(text: str) -> str:
    """Keep passage text from closing its own fence or opening a new one: the bracket of anything
    that reads as ``<passage`` or ``</passage`` becomes "[" (not a bracket any model takes for "<")."""
    return _FAKE_TAG.sub(r"[\1", text)


def attribute(value: str) -> str:
    """A title or heading as a quoted attribute value: one line, fenced, quotes and brackets escaped,
    so ``A" id="1`` cannot add an attribute."""
    return html.escape(" ".join(fence(value).split()), quote=True)


def format_passages(passages: list[Passage]) -> str:
    blocks = []
    for n, p in enumerate(passages, 1):
        date = f' date="{attribute(p.date[:10])}"' if p.date else ""
        header = f'<passage id="{n}" title="{attribute(p.title)}" section="{attribute(p.section)}"{date}>'
        blocks.append(f"{header}\n{fence(p.text)}\n</passage>")
    return "\n\n".join(blocks)


def format_history(history: list[tuple[str, str]]) -> str:
    lines = []
    for question, answer in history[-3:]:
        plain = re.sub(r"\[\d+\]", "", answer)[:500]
        lines.append(f"用户/User: {question}")
        lines.append(f"助手/Assistant: {plain}")
    return "\n".join(lines)
