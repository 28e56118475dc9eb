"""HTML pages as input: reduce a page to its title and paragraphs (stdlib html.parser, no JS).

Script, style, template, noscript, svg and head content are dropped; block elements (p, div,
br, li, h1-h6, tr, article, section...) end a paragraph, so paragraphs come out separated by
blank lines, which is what the cleaner expects. Entities are decoded by the parser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIP = {"script", "style", "template", "noscript", "svg", "head", "iframe", "object"}
BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
         "article", "section", "header", "footer", "blockquote", "pre", "hr", "main", "aside",
         "nav", "figure", "figcaption", "dd", "dt", "dl", "form", "body", "html"}
VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source",
        "track", "wbr", "param"}

# A text field "is an HTML document" when it starts (after comments/whitespace) with a doctype
# or an <html>/<head>/<body> tag, or with a block tag and closes one later. Text that merely
# holds an entity (&amp;) or a stray <b> is left alone: the cleaner handles those.
_DOC_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                        re.IGNORECASE | re.DOTALL)
_BLOCK_START = re.compile(r"\A\s*<(p|div|article|section|h[1-6]|table|ul|ol)\b[^>]*>",
                          re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    if _DOC_START.match(text):
        return True
    m = _BLOCK_START.match(text)
    return bool(m and re.search(rf"</{m.group(1)}\s*>", text, re.IGNORECASE))


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.in_title = False
        self.title: list[str] = []
        self.h1: list[str] = []
        self.in_h1 = False
        self.blocks: list[str] = []
        self.current: list[str] = []

    def _end_block(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "title":
            self.in_title = True
        if tag in SKIP and tag not in VOID:
            self.skip_depth += 1
        elif tag in BLOCK:
            self._end_block()
        if tag == "h1":
            self.in_h1 = True

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in BLOCK:
            self._end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in BLOCK:
            self._end_block()
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if self.skip_depth:
            return
        self.current.append(data)
        if self.in_h1:
            self.h1.append(data)


def html_to_text(html: str) -> tuple[str | None, str]:
    """(title, text): the <title> (else the first <h1>) and the paragraphs, blank-line separated.

    The h1 stays in the text; the cleaner drops a first line that repeats the title.
    """
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    parser._end_block()
    title = " ".join("".join(parser.title).split()) or " ".join("".join(parser.h1).split())
    return title or None, "\n\n".join(parser.blocks)
