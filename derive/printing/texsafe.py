r"""User text made safe for LaTeX: one escaping function, and a check for names in math.

Every piece of user text that reaches a report (titles, claim names, messages, steps
not understood) goes through :func:`escape`, which writes each TeX special character
as a command: ``\`` as ``\textbackslash{}``, ``^`` as ``\textasciicircum{}``, so no
``^^5c`` reaches TeX as a backslash and ``100% of the \input{/etc/passwd}`` prints as
itself and reads no file.

Names inside math (``z^{(L-1)}``, ``\hat{y}``, ``\text{soft}``) are LaTeX the author
wrote. :func:`math_name` keeps a name only when it is made of a short allowlist of
harmless pieces; otherwise its layer tag (or the whole name) is written as escaped text
in ``\text{...}``.
"""

from __future__ import annotations

import re

SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "%": r"\%",
    "\n": " ",  # a blank line would end the paragraph inside `\section{...}`
    "\r": " ",
    "\t": " ",
}
GREEK_LETTERS = dict(
    zip(
        "αβγδεζηθικλμνξπρστυφχψωςϑϕϖϱϵΓΔΘΛΞΠΣΥΦΨΩ",
        "alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
        "sigma tau upsilon varphi chi psi omega varsigma vartheta phi varpi varrho epsilon "
        "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split(),
        strict=True,
    )
)
SYMBOLS = {  # the math symbols derive's messages and authors' prose use
    "∂": "partial",
    "∇": "nabla",
    "≠": "neq",
    "≤": "leq",
    "≥": "geq",
    "≈": "approx",
    "≡": "equiv",
    "→": "to",
    "←": "leftarrow",
    "⇒": "Rightarrow",
    "⇔": "Leftrightarrow",
    "↦": "mapsto",
    "∈": "in",
    "∉": "notin",
    "⊂": "subset",
    "∑": "sum",
    "∏": "prod",
    "∫": "int",
    "√": "surd",
    "∞": "infty",
    "±": "pm",
    "∓": "mp",
    "×": "times",
    "⊙": "odot",
    "⊗": "otimes",
    "∘": "circ",
    "⋅": "cdot",
    "∀": "forall",
    "∃": "exists",
    "∧": "wedge",
    "∨": "vee",
    "ℓ": "ell",
    "′": "prime",
    "«": "ll",  # Latin-1, but not in LaTeX's default font encoding (OT1)
    "»": "gg",
}
UNICODE = {
    # \ensuremath, not $...$: two in a row would make $$, which starts display math
    **{char: f"\\ensuremath{{\\{name}}}" for char, name in {**GREEK_LETTERS, **SYMBOLS}.items()},
    "−": "-",
    "·": r"\textperiodcentered{}",
    "…": r"\ldots{}",
    "–": "--",
    "—": "---",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "✓": r"\ensuremath{\checkmark}",
    "✔": r"\ensuremath{\checkmark}",
    "✗": r"\ensuremath{\times}",
    "✘": r"\ensuremath{\times}",
    "∅": r"\ensuremath{\emptyset}",
    "ᵀ": r"\ensuremath{^T}",
    "²": r"\ensuremath{^2}",
    "³": r"\ensuremath{^3}",
    "¹": r"\ensuremath{^1}",
    "Ð": "?",
    "ð": "?",
    "Þ": "?",
    "þ": "?",
}

GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda "
    "mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
TAKES_ARGUMENT = frozenset(
    "hat bar tilde vec dot ddot check breve acute grave widehat widetilde overline "
    "underline mathbf mathrm mathit mathcal mathsf mathtt boldsymbol operatorname sqrt "
    "frac".split()
)
COMMANDS = (
    frozenset(GREEK.split())
    | TAKES_ARGUMENT
    | frozenset("partial ell prime infty nabla ast star cdot dagger ln log exp".split())
)
TEXT_GROUP = r"\\(?:text|textrm|textit|textnormal)\s*\{[A-Za-z0-9 ]*\}"
PIECE = re.compile(
    rf"(?P<text>{TEXT_GROUP})"
    r"|(?P<command>\\[A-Za-z]+)\s*"
    r"|(?P<script>[\^_](?=[{A-Za-z0-9]))"
    r"|(?P<brace>[{}])"
    r"|[A-Za-z0-9 '+\-*/,.()\[\]|=<>:;!]"
)
TAG = "^{("
BLANK_LINE = re.compile(r"\n[ \t]*\n")


def escape(value: str) -> str:
    r"""User text as LaTeX text: special characters as commands, other scripts spelled out.

    Characters outside Latin-1 that have no spelling here, and control characters,
    become ``?``.

    >>> escape(r"50% of ^^5cinput{x}")
    '50\\% of \\textasciicircum{}\\textasciicircum{}5cinput\\{x\\}'
    """
    out = []
    for char in value:
        if char in SPECIAL:
            out.append(SPECIAL[char])
        elif char in UNICODE:
            out.append(UNICODE[char])
        elif ord(char) < 256 and char.isprintable():
            out.append(char)
        else:
            out.append("?")
    return "".join(out)


def is_plain_math(written: str) -> bool:
    r"""Tell whether ``written`` is math made only of allowlisted pieces.

    Letters, digits, spaces, ``'+-*/,.()[]|=<>:;!``, balanced braces, ``^`` and ``_``
    before a brace or a letter (never ``^^``), Greek letters and a few commands
    (``\hat``, ``\mathbf``, ``\partial`` ...), and ``\text{...}`` of letters and digits.

    >>> is_plain_math(r"\gamma^{(L-1)}"), is_plain_math(r"z^{(\text{^^5cinput})}")
    (True, False)
    """
    depth, at = 0, 0
    while at < len(written):
        piece = PIECE.match(written, at)
        if piece is None:
            return False
        command = piece.group("command")
        if command is not None:
            if command[1:] not in COMMANDS:
                return False
            follows = written[piece.end() : piece.end() + 1]
            if command[1:] in TAKES_ARGUMENT and not (follows == "{" or follows.isalpha()):
                return False
        if piece.group("brace") is not None:
            depth += 1 if piece.group("brace") == "{" else -1
            if depth < 0:
                return False
        at = piece.end()
    return depth == 0


def math_name(written: str, printed: str | None = None) -> str:
    r"""A name for math: ``printed`` (LaTeX of ``written``) if it is plain, else escaped.

    A plain base keeps its place and only an unusual layer tag becomes text; any other
    name is text as a whole.

    >>> math_name(r"z^{(2)}")
    'z^{(2)}'
    >>> math_name("z^{(50%)}")
    'z^{(\\text{50\\%})}'
    """
    printed = written if printed is None else printed
    if is_plain_math(printed):
        return printed
    base, tag, rest = written.partition(TAG)
    if tag and base and rest.endswith(")}") and is_plain_math(base):
        return f"{base}^{{(\\text{{{escape(rest[:-2])}}})}}"
    return f"\\text{{{escape(written)}}}"


AUTHOR_COMMANDS = COMMANDS | frozenset(
    (
        "sum prod int oint lim limsup liminf max min sup inf arg argmax argmin det "
        "sin cos tan tanh sinh cosh sigmoid softmax "
        "left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr "
        "cdots ldots dots vdots ddots times div pm mp odot otimes oplus circ top intercal "
        "neq ne leq le geq ge leqslant geqslant ll gg approx equiv sim propto to mapsto "
        "rightarrow leftarrow Rightarrow Leftarrow iff implies in notin subset subseteq "
        "forall exists mid quad qquad displaystyle textstyle limits nolimits mathbb dfrac "
        "tfrac binom underbrace overbrace lbrace rbrace langle rangle lvert rvert lVert "
        "rVert vert Vert emptyset not colon bullet circ odot star top perp"
    ).split()
)
MATRICES = frozenset("matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix cases aligned".split())
AUTHOR_PIECE = re.compile(
    r"(?P<text>\\(?:text|textrm|textit|textnormal|mathrm)\s*\{[A-Za-z0-9 ,.;:'()\-]*\})"
    r"|(?P<env>\\(?:begin|end)\{[A-Za-z]+\})"
    r"|(?P<newline>\\\\)"
    r"|(?P<symbol>\\[{}|,;:! ])"
    r"|(?P<command>\\[A-Za-z]+)\s*"
    r"|(?P<script>[\^_](?=[{A-Za-z0-9\\]))"
    r"|(?P<brace>[{}])"
    r"|(?P<tab>&)"
    r"|[A-Za-z0-9 \n'+\-*/,.()\[\]|=<>:;!?]"
)


def is_author_math(written: str) -> bool:
    r"""Tell whether ``written`` is math an author wrote that is safe to typeset as it is.

    Like :func:`is_plain_math`, with the commands of ordinary math
    (``\frac``, ``\sum``, ``\left(``, ``\cdot`` ...), ``\text{...}`` of plain words,
    and matrices and cases (``\begin{pmatrix}``, with ``&`` and ``\\`` inside only).
    Nothing that reads a file, defines a command, or leaves a group open passes, nor a
    blank line (in math TeX takes it for the end of a paragraph, and stops).

    >>> is_author_math(r"\frac{\partial E}{\partial z_j} = \sum_{k} t_k (y_j - \delta_{jk})")
    True
    >>> [is_author_math(x) for x in (r"\input{x}", "50%", "a^^5c", r"\left( x", "{")]
    [False, False, False, False, False]
    >>> is_author_math("x = y\n\n= z")
    False
    """
    if BLANK_LINE.search(written):
        return False
    depth, fences, at = 0, 0, 0
    environments: list[str] = []
    while at < len(written):
        piece = AUTHOR_PIECE.match(written, at)
        if piece is None:
            return False
        at = piece.end()
        kind = piece.lastgroup
        if kind == "command":
            command = piece.group("command")[1:]
            if command not in AUTHOR_COMMANDS:
                return False
            if command in ("left", "right"):
                fences += 1 if command == "left" else -1
                if fences < 0:
                    return False
            follows = written[at : at + 1]
            if command in TAKES_ARGUMENT and not (follows in ("{", "[") or follows.isalnum()):
                return False
        elif kind == "env":
            verb, name = piece.group("env")[1:-1].split("{")
            if name not in MATRICES:
                return False
            if verb == "begin":
                environments.append(name)
            elif not environments or environments.pop() != name:
                return False
        elif kind in ("newline", "tab") and not environments:
            return False
        elif kind == "brace":
            depth += 1 if piece.group("brace") == "{" else -1
            if depth < 0:
                return False
    return depth == 0 and fences == 0 and not environments
