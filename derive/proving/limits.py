"""Time limits for a check: past the limit the answer is "undecided", never a hang."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import FrameType


class TimeLimit(BaseException):
    """The check ran past its time limit.

    A ``BaseException``, so that no ``except Exception`` inside SymPy swallows it.
    """


IN_FORCE: ContextVar[float | None] = ContextVar("derive_time_limit", default=None)


def limit_in_force() -> float | None:
    """The seconds of the :func:`time_limit` the caller runs under (``None``: no limit).

    Part of what a remembered verdict is remembered under (:func:`derive.proving.decide`).
    """
    return IN_FORCE.get()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimeLimit` inside the block once ``seconds`` have passed.

    Uses a real-time interval timer, which interrupts pure-Python work such as SymPy's.
    Outside the main thread, or where there is no such timer (Windows), the block runs
    unbounded here; the runner stops a worker that passes the limit from outside. Either
    way :func:`limit_in_force` gives ``seconds`` inside the block.
    """
    token = IN_FORCE.set(seconds or None)
    try:
        if not seconds or threading.current_thread() is not threading.main_thread():
            yield
            return
        if not hasattr(signal, "setitimer"):  # Windows: the runner's outside limit still holds
            yield
            return

        def expire(signum: int, frame: FrameType | None) -> None:
            raise TimeLimit(f"time limit of {seconds:g} s reached")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    finally:
        IN_FORCE.reset(token)
