"""Calling a student's function from a check: within a time limit, and its result read as a weight matrix.

A hand-written initializer may loop forever, run for minutes, raise, or return the
wrong thing (a list, None, NaN, complex numbers, text, the transposed matrix).  A
check calls it through ``Calls``, which

- refuses up front a function that cannot take the arguments (an ArgumentTypeError,
  like any answer of the wrong kind);
- stops one call after CALL_SECONDS and all the calls of one check after
  TOTAL_SECONDS (on Linux and macOS a signal interrupts a call that runs too long;
  elsewhere the time is measured when the call returns);
- reads each result as an array of finite real numbers (float64), or raises
  ``Rejected`` with one sentence on what came back, which the check prints as its
  verdict (each check says in its own words what a wrong shape means).
"""

from __future__ import annotations

import contextlib
import inspect
import signal
import threading
import time

import numpy as np

from .feedback import _shown
from ..checks import ArgumentTypeError

__all__ = ["Calls", "Rejected", "CALL_SECONDS", "TOTAL_SECONDS", "LARGEST_WEIGHT"]

#: The longest one call of a student's function may take (a few seconds, for a few million entries).
CALL_SECONDS = 5.0
#: The longest all the calls of one check may take together.
TOTAL_SECONDS = 30.0
#: A larger weight is refused: no initialization rule comes near it, and its powers overflow.
LARGEST_WEIGHT = 1e6


class Rejected(Exception):
    """The student's function is not right; the message says why, in one sentence."""


class _TookTooLong(BaseException):
    """Raised inside a call that ran past its time (a BaseException, so that ``except Exception`` lets it pass)."""


@contextlib.contextmanager
def _deadline(seconds):
    """Interrupt the block after ``seconds`` with _TookTooLong, where a signal can (the main thread, not Windows)."""
    outer = signal.getitimer(signal.ITIMER_REAL)[0] if hasattr(signal, "setitimer") else 0.0
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread() or (
            0 < outer <= seconds):  # an earlier deadline is already set: leave it in charge
        yield
        return

    def alarm(signum, frame):
        raise _TookTooLong

    previous = signal.signal(signal.SIGALRM, alarm)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # put back the caller's own deadline, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 1e-3))


class Calls:
    """A student's function ``name(fan_in, fan_out, rng)``, called by a check as often as it needs."""

    def __init__(self, function, argument, usage, name=None):
        """Refuse ``function`` unless it takes three arguments.

        ``argument`` is the check's parameter (named in the error), ``usage`` what the
        function should be, ``name`` how a call is shown in a verdict (``argument`` by default).
        """
        if not callable(function):
            raise ArgumentTypeError(f"{argument} must be a function {usage}, got {_shown(function)}")
        try:
            signature = inspect.signature(function)
        except (TypeError, ValueError):  # some builtins have none: just call them
            signature = None
        try:
            if signature is not None:
                signature.bind(1, 1, 1)
        except TypeError:
            raise ArgumentTypeError(f"{argument} must be a function {usage}, taking three arguments; yours "
                                    f"takes {signature}") from None
        self.function, self.name = function, name or argument
        self.made, self.spent = 0, 0.0

    def weights(self, fan_in, fan_out, rng) -> np.ndarray:
        """function(fan_in, fan_out, rng) as a float64 matrix, or Rejected saying what came back.

        The shape is not checked here (each check says in its own words what a wrong one means).
        """
        call = f"{self.name}({fan_in}, {fan_out}, {rng if isinstance(rng, int) else 'rng'})"
        start = time.monotonic()
        try:
            with _deadline(CALL_SECONDS):
                result = self.function(fan_in, fan_out, rng)
        except _TookTooLong:
            raise Rejected(f"{call} did not return within {CALL_SECONDS:g} s: does a loop never end? "
                           f"{_AT_ONCE}") from None
        except Exception as error:  # the student's code failed: say so in one line
            raise Rejected(f"{call} raised {type(error).__name__}: {error}") from None
        took = time.monotonic() - start
        self.made, self.spent = self.made + 1, self.spent + took
        if took > CALL_SECONDS or self.spent > TOTAL_SECONDS:  # where no signal could stop it in time
            raise Rejected(f"{self.name} took {self.spent:.3g} s over {self.made} call{'s' * (self.made > 1)}, more "
                           f"than the {TOTAL_SECONDS:g} s this check allows: {_AT_ONCE}")
        return _as_weights(result, call)


_AT_ONCE = "Draw the whole matrix at once, e.g. rng.normal(0.0, std, size=(fan_in, fan_out)), not entry by entry."


def _as_weights(result, call) -> np.ndarray:
    """``result`` as a float64 array of finite weights no larger than LARGEST_WEIGHT, or Rejected."""
    try:
        array = np.asarray(result)
    except ValueError:  # a ragged list
        raise Rejected(f"{call} returned rows of different lengths, not a matrix.") from None
    if array.dtype.kind not in "biuf":
        what = "None" if result is None else {"c": "complex numbers", "U": "text", "S": "bytes"}.get(
            array.dtype.kind, "entries that are not numbers (None, text or lists among them?)")
        raise Rejected(f"{call} returned {what}, not a matrix of real numbers: return the array, e.g. "
                       "rng.normal(...), not a print or a string.")
    array = array.astype(np.float64)
    bad = int(array.size - np.count_nonzero(np.isfinite(array)))
    if bad:
        raise Rejected(f"{call} returned {bad} NaN or infinite entries out of {array.size}: is there a "
                       "division by 0 or a sqrt of a negative number?")
    if array.size and np.abs(array).max() > LARGEST_WEIGHT:
        raise Rejected(f"{call} returned entries as large as {np.abs(array).max():.3g}, far beyond any "
                       "initialization rule (whose weights are of order 1 / sqrt(fan_in)).")
    return array
