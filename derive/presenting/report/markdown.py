r"""A document's prose, Markdown, as LaTeX: every piece of text escaped, safe math kept.

The Markdown is read by the same parser that finds the body's display math
(:func:`derive.reading.displays.parser`). Paragraphs, headings, emphasis, lists, quotes,
inline code and code blocks become their LaTeX; a link is its text; raw HTML is printed
as text. Inline math ``$…$`` stays math when :func:`derive.printing.texsafe.is_author_math`
finds it made of ordinary math only; any other is printed as escaped text, so prose with
``\input``, ``^^5c``, ``%`` or a stray brace prints as itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token

from derive.presenting.report.builder import Tex, text
from derive.printing.texsafe import is_author_math
from derive.reading.displays import parser

HEADINGS = {"h1": "subsection*", "h2": "subsubsection*"}  # deeper ones: \paragraph
INLINE = {  # inline tokens that open or close a group
    "em_open": r"\emph{",
    "em_close": "}",
    "strong_open": r"\textbf{",
    "strong_close": "}",
    "s_open": "",
    "s_close": "",
    "link_open": "",
    "link_close": "",
}
BLOCKS = {
    "bullet_list_open": r"\begin{itemize}",
    "bullet_list_close": r"\end{itemize}",
    "ordered_list_open": r"\begin{enumerate}",
    "ordered_list_close": r"\end{enumerate}",
    "list_item_open": r"\item ",
    "list_item_close": "",
    "blockquote_open": r"\begin{quote}",
    "blockquote_close": r"\end{quote}",
    "hr": "\\par\\noindent\\rule{\\linewidth}{0.4pt}\n",
}
DISPLAY = ("math_block", "math_block_eqno", "amsmath", "math_block_label")


def prose(markdown: str) -> Tex:
    """Markdown as LaTeX paragraphs."""
    out: list[str] = []
    for token in parser().parse(markdown):
        out.append(block(token))
    return Tex("".join(out).strip("\n"))


def block(token: Token) -> str:
    """One block-level token as LaTeX."""
    if token.type == "heading_open":
        return "\\" + HEADINGS.get(token.tag, "paragraph") + "{"
    if token.type == "heading_close":
        return "}\n\n"
    if token.type == "inline":
        return inline(token.children or [])
    if token.type == "paragraph_close":
        return "\n" if token.hidden else "\n\n"
    start = token.attrs.get("start")
    if token.type == "ordered_list_open" and isinstance(start, int) and start > 1:
        return f"{BLOCKS[token.type]}\\setcounter{{enumi}}{{{start - 1}}}\n"  # `2.` stays 2
    if token.type in BLOCKS:
        return BLOCKS[token.type] + ("" if token.type == "list_item_open" else "\n")
    if token.type in ("fence", "code_block"):
        return code(token.content)
    if token.type in DISPLAY:
        return display_math(token.content)
    if token.type == "html_block":
        return text(token.content) + "\n\n"
    return ""  # paragraph_open, and what has no LaTeX of its own


def inline(children: Sequence[Token]) -> str:
    """The inline tokens of a paragraph or heading as LaTeX."""
    out = []
    for child in children:
        if child.type in INLINE:
            out.append(INLINE[child.type])
        elif child.type == "code_inline":
            out.append(r"\texttt{" + text(child.content) + "}")
        elif child.type == "math_inline":
            out.append(inline_math(child.content))
        elif child.type == "math_inline_double":
            out.append(inline_math(child.content, display=True))
        elif child.type == "softbreak":
            out.append("\n")
        elif child.type == "hardbreak":
            out.append("\\newline\n")
        elif child.type == "image":
            out.append(inline(child.children or []))
        else:  # text, html_inline: printed as written
            out.append(text(child.content))
    return "".join(out)


def inline_math(written: str, *, display: bool = False) -> str:
    """``$…$`` as math when it is ordinary math, else as the text the author wrote."""
    if written.strip() and is_author_math(written) and "\\\\" not in written:
        style = r"\displaystyle " if display else ""
        return f"${style}{written.strip()}$"
    fence = "$$" if display else "$"
    return text(f"{fence}{written}{fence}")


def display_math(written: str) -> str:
    """A display block met in prose: centred math, or its text when it is not plain."""
    if is_author_math(written):
        return f"\\[ {written.strip()} \\]\n\n"
    return code(written)


def code(written: str) -> str:
    """A code block: each line escaped, in typewriter type, breakable anywhere."""
    lines = [breakable(text(line)) or r"\mbox{}" for line in written.rstrip("\n").split("\n")]
    body = "\\\\\n".join(lines)
    return f"\\begin{{flushleft}}\\ttfamily\\small\n{body}\n\\end{{flushleft}}\n\n"


def breakable(escaped: str) -> Tex:
    r"""Escaped text that may break after any punctuation (``\allowbreak``), to fit a line."""
    out = []
    depth = 0
    for char in escaped:
        out.append(char)
        depth += {"{": 1, "}": -1}.get(char, 0) if not out[-2:-1] == ["\\"] else 0
        if depth == 0 and char in ",;+=)]/|}-" and not out[-2:-1] == ["\\"]:
            out.append(r"\allowbreak{}")
    return Tex("".join(out))
