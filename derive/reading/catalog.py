"""Find derivation documents: ``./derivations`` first, then the packaged catalogue."""

from __future__ import annotations

from pathlib import Path

from derive.errors import NotFoundError

SUFFIX = ".md"
# files read by their suffix (derive.reading.document.read_document); `-` is standard input
READ = (SUFFIX, ".tex", ".ipynb", ".txt")


def catalogue_dirs() -> list[Path]:
    """Folders searched for documents by name, in order."""
    here = Path(__file__).resolve().parent.parent  # the package: derive/reading/ -> derive/
    candidates = [Path.cwd() / "derivations", here / "derivations", here.parent / "derivations"]
    seen: list[Path] = []
    for folder in candidates:
        if folder.is_dir() and folder.resolve() not in [s.resolve() for s in seen]:
            seen.append(folder)
    return seen


def find_document(name_or_path: str) -> Path:
    """Return the file for a document name (``softmax-ce``) or a path (``-``: standard input).

    Raises:
        NotFoundError: no such file or catalogue entry.
    """
    path = Path(name_or_path)
    if name_or_path == "-":
        return path
    if path.suffix.lower() in READ or path.exists() or "/" in name_or_path:
        if path.is_file():
            return path
        raise NotFoundError(f"no such file `{name_or_path}`")
    for folder in catalogue_dirs():
        candidate = folder / f"{name_or_path}{SUFFIX}"
        if candidate.is_file():
            return shown(candidate)
    known = ", ".join(p.stem for p in list_documents()) or "none found"
    raise NotFoundError(
        f"no document called `{name_or_path}` in ./derivations or the catalogue "
        f"(known: {known}); give a path to a .md, .tex, .ipynb or .txt file, or see `derive list`"
    )


def shown(path: Path) -> Path:
    """``path`` relative to the working directory when it is inside it, as it is typed."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def list_documents() -> list[Path]:
    """Every document file, a name found in ./derivations hiding the packaged one."""
    found: dict[str, Path] = {}
    for folder in catalogue_dirs():
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            found.setdefault(path.stem, shown(path))
    return [found[name] for name in sorted(found)]
