"""The pytest plugin: derivation documents as test items, and ``assert_identity`` in tests.

Inert unless enabled (``--derive``, or ``derive = true`` in the ini file), so a project
that merely installed derive sees no change. Enabled, it collects:

- every ``*.md`` under the ini option ``derive_paths`` (default ``derivations``), and any
  other ``*.md`` pytest walks whose front matter has a ``name``;
- one item per claim (``path::claim-name``) and one per step of the body
  (``path::line-N``). A claim passes when its verdict is what the document expects; a
  step passes when it holds, fails when it is wrong and not listed under ``[[steps]]``,
  and is skipped with its reason when it is not understood or undecided (it fails
  instead under ``--derive-strict`` or ``derive_strict = true``).

A failing item reports the statement, the verdict, the counterexample and the residual,
not a traceback; a document derive refuses is one failing item, ``file:line:col: what``.
``@pytest.mark.derive(sizes=..., timeout=...)`` sets the check's options for a test
module, class or function; the ``derive_identity`` fixture is
:func:`derive.assert_identity` with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from derive.defaults import DEFAULT_TIMEOUT, run_seed, set_run_seed

if TYPE_CHECKING:  # derive itself is imported only once the plugin is enabled
    from derive.checking.check import Task
    from derive.checking.steps import PlannedStep
    from derive.model import Claim, Document


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--derive`` and the ini options."""
    group = parser.getgroup("derive", "derivation documents as tests")
    group.addoption(
        "--derive", action="store_true", help="collect derivation documents (claims and steps)"
    )
    group.addoption(
        "--derive-seed",
        type=int,
        default=None,
        help="the seed of derive's random points (default: a fresh one, shown in the header)",
    )
    group.addoption(
        "--derive-strict",
        action="store_true",
        help="fail the steps derive does not understand or cannot decide (default: skip them)",
    )
    parser.addini("derive", "collect derivation documents", type="bool", default=False)
    parser.addini(
        "derive_strict",
        "fail the steps derive does not understand or cannot decide",
        type="bool",
        default=False,
    )
    parser.addini(
        "derive_paths", "folders of derivation documents", type="paths", default=["derivations"]
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; add the document folders to what is collected."""
    config.addinivalue_line(
        "markers", "derive(sizes=..., timeout=...): options of derive's checks in this test"
    )
    seed = config.getoption("derive_seed", None)
    if seed is not None:
        set_run_seed(seed)
    if not enabled(config):
        return
    for folder in config.getini("derive_paths"):
        path = Path(folder)
        if path.is_dir() and str(path) not in config.args and not explicit_args(config):
            config.args.append(str(path))


def pytest_report_header(config: pytest.Config) -> str | None:
    """The seed of derive's random points, to repeat a run with ``--derive-seed``."""
    if not enabled(config):
        return None
    return f"derive: random points from seed {run_seed()} (--derive-seed to repeat)"


def enabled(config: pytest.Config) -> bool:
    """True with ``--derive`` or the ini option ``derive``."""
    return bool(config.getoption("derive", False) or config.getini("derive"))


def strict(config: pytest.Config) -> bool:
    """True with ``--derive-strict`` or the ini option ``derive_strict``."""
    return bool(config.getoption("derive_strict", False) or config.getini("derive_strict"))


def explicit_args(config: pytest.Config) -> bool:
    """True when the command line named what to collect (then nothing is added).

    pytest says where its arguments came from; option values such as ``-n 2`` or
    ``-k name`` are not paths.
    """
    source = getattr(config, "args_source", None)  # pytest ≥ 7.2
    if source is not None:
        return bool(source == pytest.Config.ArgsSource.ARGS)
    return bool(config.args) and config.args != list(config.getini("testpaths"))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> DocumentFile | None:
    """A derivation document, when enabled: in ``derive_paths`` or with a ``name``."""
    if file_path.suffix != ".md" or not enabled(parent.config):
        return None
    folders = [Path(p).resolve() for p in parent.config.getini("derive_paths")]
    if any(file_path.resolve().is_relative_to(folder) for folder in folders) or has_name(file_path):
        return DocumentFile.from_parent(parent, path=file_path)
    return None


def has_name(path: Path) -> bool:
    """True for a Markdown file whose front matter has a ``name``."""
    from derive.errors import DeriveError
    from derive.reading.document import read_document

    try:
        return "name" in read_document(path).front
    except DeriveError:
        return False


class DocumentFile(pytest.File):
    """One derivation document: its claims and its steps."""

    def collect(self) -> Iterator[pytest.Item]:
        """One item per claim and per step; a document that cannot be read is one item."""
        from derive import api
        from derive.checking.steps import plan_steps
        from derive.errors import DeriveError
        from derive.reading.catalog import shown

        try:
            doc = api.load(str(shown(self.path)))  # named as from the working directory
            planned = plan_steps(doc)  # the steps as written: nothing is checked here
        except DeriveError as err:
            yield BrokenItem.from_parent(self, name="document", error=str(err))
            return
        for claim in doc.claims:
            yield ClaimItem.from_parent(self, name=claim.name, doc=doc, claim=claim)
        seen: dict[int, int] = {}
        for step in planned:
            line = step.step.right.line
            seen[line] = seen.get(line, 0) + 1
            suffix = "" if seen[line] == 1 else f".{seen[line]}"
            yield StepItem.from_parent(self, name=f"line-{line}{suffix}", doc=doc, planned=step)


class DeriveFailure(Exception):
    """A claim or step that did not come out as expected, with its report."""


UNSETTLED = ("unparsed", "undecided")


def checked(item: ClaimItem | StepItem, task: Task) -> Any:
    """Check ``task`` the way ``derive check`` does, with the item's marker's options."""
    from derive.checking.check import check_task

    sizes, timeout = options(item)
    return check_task(item.doc, task, sizes, timeout)


class ClaimItem(pytest.Item):
    """One claim of a document."""

    def __init__(self, *, doc: Document, claim: Claim, **kwargs: Any) -> None:
        """Remember the document and the claim."""
        super().__init__(**kwargs)
        self.doc, self.claim = doc, claim

    def runtest(self) -> None:
        """Check the claim; fail with its report unless the verdict is as expected."""
        from derive.checking.check import Task
        from derive.presenting import words

        result = checked(self, Task(claim=self.claim))
        if not result.as_expected:
            raise DeriveFailure(words.claim_failure(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The report, not a traceback (one line for an error of derive's)."""
        from derive.errors import DeriveError

        if isinstance(excinfo.value, DeriveFailure | DeriveError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the claim is written."""
        return self.path, self.claim.position.line - 1, f"claim {self.claim.name}"


class StepItem(pytest.Item):
    """One step of a document's body."""

    def __init__(self, *, doc: Document, planned: PlannedStep, **kwargs: Any) -> None:
        """Remember the document and the step, as planned (not yet checked)."""
        super().__init__(**kwargs)
        self.doc, self.planned = doc, planned

    def runtest(self) -> None:
        """Check the step; fail with its evidence when it is wrong and not a listed slip.

        A step not understood or undecided is skipped with its reason (failed when
        strict).
        """
        from derive.checking.check import Task
        from derive.presenting import words

        result = checked(self, Task(step=self.planned))
        if result.status in UNSETTLED:
            if strict(self.config):
                raise DeriveFailure(words.step_failure(result))
            pytest.skip(words.step_skipped(result))
        if not result.as_expected:
            raise DeriveFailure(words.step_failure(result))

    repr_failure = ClaimItem.repr_failure

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the step is written."""
        line = self.planned.step.right.line
        return self.path, line - 1, f"step at line {line}"


class BrokenItem(pytest.Item):
    """A document that cannot be read: one failing item with the one-line error."""

    def __init__(self, *, error: str, **kwargs: Any) -> None:
        """Remember the error."""
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        """Fail with the error."""
        raise DeriveFailure(self.error)

    repr_failure = ClaimItem.repr_failure

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """The document."""
        return self.path, 0, "document"


def options(item: pytest.Item) -> tuple[tuple[int, ...], float | None]:
    """The sizes and timeout a ``derive`` marker sets (the defaults otherwise)."""
    marker = item.get_closest_marker("derive")
    kwargs = marker.kwargs if marker is not None else {}
    sizes = kwargs.get("sizes", range(1, 9))
    return tuple(sizes), kwargs.get("timeout", DEFAULT_TIMEOUT)


@pytest.fixture
def derive_identity(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """:func:`derive.assert_identity` with the sizes and timeout of a ``derive`` marker."""
    from derive.api import assert_identity

    sizes, timeout = options(request.node)

    def check(lhs: Any, rhs: Any, **kwargs: Any) -> Any:
        return assert_identity(lhs, rhs, **{"sizes": sizes, "timeout": timeout, **kwargs})

    return check
