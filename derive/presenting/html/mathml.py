r"""LaTeX as MathML, made safe to put in a page, or the LaTeX itself when it cannot be.

MathML is drawn by the browser itself (Chromium, Firefox and Safari all render MathML
Core), so a report needs no script, no font and no network: latex2mathml, a small pure
Python converter, writes it. Its output is parsed and rebuilt from a list of MathML
elements and attributes: anything else (``\text{<script>…}`` comes out as an element;
an ``&`` as bad XML), and any macro it did not know (left as ``\foo`` in the text), makes
the formula fall back to its source, escaped, in a ``<code>`` that says it was not drawn.

>>> print(to_mathml(r"x_j"))
<math display="inline"><mrow><msub><mi>x</mi><mi>j</mi></msub></mrow></math>
>>> print(to_mathml(r"\text{<b>}"))
<code class="tex" title="not drawn: derive could not render this LaTeX">\text{&lt;b&gt;}</code>
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from latex2mathml.converter import convert

__all__ = ["to_mathml"]

NS = "{http://www.w3.org/1998/Math/MathML}"
ELEMENTS = frozenset(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mover munder "
    "munderover mtable mtr mtd mstyle mpadded mphantom menclose merror mfenced semantics "
    "mlabeledtr maligngroup malignmark".split()
)
ATTRIBUTES = frozenset(
    "display mathvariant stretchy fence separator form lspace rspace width height depth "
    "columnalign rowspacing columnspacing columnlines rowlines frame displaystyle scriptlevel "
    "linethickness accent accentunder movablelimits notation open close separators "
    "minsize maxsize symmetric largeop align rowalign columnspan".split()
)
VALUE = re.compile(r"^[\w .%#-]*$")  # attribute values: words, numbers, lengths
MAX_LENGTH = 20_000  # characters of LaTeX: longer is shown as written


def to_mathml(latex: str, display: bool = False) -> str:
    """``latex`` as a safe ``<math>`` element, or as escaped source when it cannot be."""
    if len(latex) <= MAX_LENGTH:
        try:
            tree = ET.fromstring(convert(latex, display="block" if display else "inline"))
        except Exception:  # latex2mathml raises many kinds on what it cannot read
            tree = None
        if tree is not None:
            clean = rebuilt(tree)
            if clean is not None:
                return ET.tostring(clean, encoding="unicode", short_empty_elements=False)
    return source(latex)


def source(latex: str) -> str:
    """The LaTeX itself, escaped, marked as not drawn."""
    title = "not drawn: derive could not render this LaTeX"
    return f'<code class="tex" title="{title}">{html.escape(latex, quote=False)}</code>'


def rebuilt(node: ET.Element) -> ET.Element | None:
    """A copy of ``node`` with only known elements and attributes, or None if it has others.

    Text that still holds a backslash is a macro the converter did not know: None.
    """
    tag = node.tag.removeprefix(NS)
    if tag not in ELEMENTS:
        return None
    copy = ET.Element(tag)
    for name, value in node.attrib.items():
        if name in ATTRIBUTES and VALUE.match(value):
            copy.set(name, value)
    for text in (node.text, node.tail):
        if text and "\\" in text:
            return None
    copy.text, copy.tail = node.text, node.tail
    for child in node:
        kept = rebuilt(child)
        if kept is None:
            return None
        copy.append(kept)
    return copy
