"""Write a report's ``.tex`` whole or not at all, and compile it with a TeX engine.

TeX runs locked down: shell escape off (``-no-shell-escape``, and ``shell_escape=f``
for kpathsea), and ``openin_any=p``, ``openout_any=p`` (paranoid) so that even a report
that slipped past escaping can neither read a file outside its scratch directory (an
absolute path, a parent directory, a dotfile) nor write one. latexmk reads no rc file
(``-norc``), so none can turn shell escape back on, and runs pdflatex with the same
options.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from derive.errors import DeriveError, Position

INSTALL_HINT = (
    "no TeX engine found (latexmk or pdflatex); the .tex is written. To make PDFs, install "
    "one, e.g. on Debian: apt-get install texlive-latex-base texlive-latex-recommended "
    "latexmk (about 150 MB)"
)
TEX_TIMEOUT = 180  # seconds for the TeX engine
LOCKED_DOWN = {"openin_any": "p", "openout_any": "p", "shell_escape": "f"}  # for kpathsea
ENGINE_OPTIONS = ("-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape")


class ReportError(DeriveError):
    """The report could not be written or compiled."""


@dataclass(frozen=True)
class Written:
    r"""What was written: the ``.tex``, the PDF if one was made, and a note for the user.

    ``overfull`` holds, for each line LaTeX could not fit in the page's width, by how
    many points it runs over (from the log's ``Overfull \hbox`` warnings).
    """

    tex: Path
    pdf: Path | None = None
    note: str = ""
    overfull: tuple[float, ...] = ()


def write_report(text: str, out: str | Path, *, pdf: bool = False) -> Written:
    """Write ``text`` to ``out`` atomically; with ``pdf``, compile it beside it.

    Raises:
        ReportError: the file cannot be written, or LaTeX fails (with the log lines that
            matter).
    """
    target = Path(out)
    if target.suffix != ".tex":
        raise ReportError(f"the report is a .tex file: write `-o {target.with_suffix('.tex')}`")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, text.encode("utf-8"))
    except OSError as err:
        raise ReportError(f"cannot write {target}: {err.strerror}", Position(str(target))) from None
    if not pdf:
        return Written(target)
    engine = shutil.which("latexmk") or shutil.which("pdflatex")
    if engine is None:
        return Written(target, None, INSTALL_HINT)
    return Written(target, *compile_pdf(target, engine))


def atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary file beside ``target``, then rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~current_umask())  # as an ordinary new file would be
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask (read by setting it, then putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def compile_pdf(tex: Path, engine: str) -> tuple[Path, str, tuple[float, ...]]:
    """Compile ``tex`` in a scratch directory; move the PDF beside it (same stem).

    Returns:
        The PDF, no note, and how far each overfull line runs over (points).
    """
    with tempfile.TemporaryDirectory(prefix="derive-tex-") as scratch:
        source = Path(scratch) / "report.tex"
        shutil.copyfile(tex, source)
        environment = tex_environment()
        for command in tex_commands(engine, source.name):
            try:
                done = subprocess.run(
                    command,
                    cwd=scratch,
                    env=environment,
                    capture_output=True,
                    timeout=TEX_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise ReportError(f"LaTeX took over {TEX_TIMEOUT} s on {tex}") from None
            if done.returncode != 0:
                raise ReportError(f"LaTeX failed on {tex}: {log_excerpt(Path(scratch))}")
        made = Path(scratch) / "report.pdf"
        target = tex.with_suffix(".pdf")
        atomic_write(target, made.read_bytes())
        return target, "", overfull(Path(scratch) / "report.log")


OVERFULL = re.compile(r"^Overfull \\hbox \(([0-9.]+)pt too wide\)", re.MULTILINE)


def overfull(log: Path) -> tuple[float, ...]:
    r"""How many points each ``Overfull \hbox`` of the log runs over the line."""
    if not log.exists():
        return ()
    found = OVERFULL.findall(log.read_text(encoding="utf-8", errors="replace"))
    return tuple(float(x) for x in found)


def tex_commands(engine: str, source: str) -> list[list[str]]:
    """The runs that compile ``source``: latexmk once, or pdflatex twice, locked down."""
    if Path(engine).name == "latexmk":
        pdflatex = " ".join(["pdflatex", "-no-shell-escape", "%O", "%S"])
        return [[engine, "-norc", "-pdf", f"-pdflatex={pdflatex}", *ENGINE_OPTIONS, source]]
    once = [engine, *ENGINE_OPTIONS, source]
    return [once, once]


def tex_environment() -> dict[str, str]:
    """The environment for TeX: this one, with kpathsea's paranoid settings on top."""
    return {**os.environ, **LOCKED_DOWN}


def log_excerpt(scratch: Path) -> str:
    """The lines of the LaTeX log that say what went wrong (``!`` errors and ``l.N``)."""
    log = scratch / "report.log"
    if not log.exists():
        return "no log was written"
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    picked = []
    for n, line in enumerate(lines):
        if line.startswith("!"):
            picked += [line, *[x for x in lines[n + 1 : n + 4] if x.startswith("l.")]]
    return " | ".join(picked[:6]) or "see the log: " + " ".join(lines[-3:])
