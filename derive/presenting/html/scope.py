r"""A stylesheet confined to one box: each rule's selectors prefixed by the box's.

The report's stylesheet (``style.css``) styles a whole page: ``body``, ``h2``, ``table``.
Embedded in a page it does not own (a notebook's output), the same rules must reach
only inside the report's box, or they would restyle the notebook around it. The page
itself (``:root``, ``html``, ``body``) becomes the box.

>>> print(scoped(":root { --ink: #000; } h2 { color: var(--ink); }", ".box"))
.box { --ink: #000; }
.box h2 { color: var(--ink); }

Meant for the stylesheet derive ships: plain rules and ``@media`` blocks, no braces
inside strings; comments are dropped.
"""

from __future__ import annotations

import re

__all__ = ["scoped"]

PAGE = (":root", "html", "body")  # selectors for the page itself: in a box, the box
NESTING = ("@media", "@supports")  # at-rules that hold rules: their rules are scoped
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def scoped(css: str, scope: str) -> str:
    """``css`` with every rule applying only inside ``scope`` (a selector: ``.box``)."""
    return "\n".join(rules(COMMENT.sub("", css), scope))


def rules(css: str, scope: str) -> list[str]:
    """Each rule of ``css``, scoped, one a line (an ``@media`` block's rules inside it)."""
    out, at = [], 0
    while (opening := css.find("{", at)) != -1:
        closing = matching(css, opening)
        prelude, inner = css[at:opening].strip(), css[opening + 1 : closing]
        if prelude.startswith(NESTING):
            out.append(f"{prelude} {{\n" + "\n".join(rules(inner, scope)) + "\n}")
        elif prelude.startswith("@"):
            out.append(f"{prelude} {{{inner}}}")  # @font-face, @keyframes: not selectors
        else:
            out.append(f"{selectors(prelude, scope)} {{{inner}}}")
        at = closing + 1
    return out


def matching(css: str, opening: int) -> int:
    """The index of the ``}`` that closes the ``{`` at ``opening`` (the end if none does)."""
    depth = 0
    for n in range(opening, len(css)):
        depth += {"{": 1, "}": -1}.get(css[n], 0)
        if depth == 0:
            return n
    return len(css)


def selectors(prelude: str, scope: str) -> str:
    """``h2, .a`` → ``.box h2, .box .a``; the page's own selectors become ``.box``."""
    return ", ".join(scope if one in PAGE else f"{scope} {one}" for one in split_selectors(prelude))


def split_selectors(prelude: str) -> list[str]:
    """The selectors of a list, split at its commas outside parentheses (``:is(a, b)``)."""
    found, depth, start = [], 0, 0
    for n, char in enumerate(prelude):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            found.append(prelude[start:n].strip())
            start = n + 1
    found.append(prelude[start:].strip())
    return [one for one in found if one]
