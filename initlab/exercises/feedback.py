"""How a check answers a student: a tick, a note that nothing was answered yet, or one short message.

Every ``check_*`` function of ``initlab.exercises`` is wrapped by ``judged``:

- right: it prints "✓ Correct: ..." and returns True;
- not answered yet (the answer is still ``...``, as in the student edition): it
  prints what to do and returns None, so that Run All goes on;
- wrong: it raises ``NotYet``, whose message says what the mistake looks like.
  The cell counts as failed (so CI catches a wrong worked solution), but Jupyter
  shows only the message, not a traceback (IPython's ``_render_traceback_``).

An answer of the wrong kind is not a mistake in the exercise but in the cell: the
first line of a check reads it with ``number`` or ``whole_number``, which raise a
TypeError (ValueError for NaN or infinity) saying what the answer is and what to enter.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import numbers

import numpy as np

from ..checks import ArgumentError, ArgumentTypeError

__all__ = ["NotYet", "judged", "NOT_ANSWERED", "number", "whole_number"]

NOT_ANSWERED = "… Not answered yet: replace the ... with your answer and run the cell again (or read on)."


class NotYet(AssertionError):
    """A wrong answer to an exercise; its message says what the mistake looks like."""

    def _render_traceback_(self):  # IPython shows these lines instead of a traceback
        return [str(self)]


def judged(check):
    """Turn a check that prints its verdict and returns True/False into one that raises ``NotYet``."""

    @functools.wraps(check)
    def run(answer, *args, **kwargs):
        if answer is Ellipsis:
            print(NOT_ANSWERED)
            return None
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            right = check(answer, *args, **kwargs)
        if right:
            print(said.getvalue().rstrip())
            return True
        raise NotYet(said.getvalue().rstrip())

    return run


# ---- answers of the wrong kind ---------------------------------------------------------
def _shown(value) -> str:
    """``value`` as the error message shows it: a short repr on one line, and its type."""
    text = " ".join(repr(value).split())
    return f"{text[:57] + '...' if len(text) > 60 else text} ({type(value).__name__})"


def _hint(value) -> str:
    """What a student who entered ``value`` probably meant, or ''."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            if math.isfinite(float(value)):
                return f": write the number without quotes, {value.strip()}"
        return ""
    if value is None:
        return ": did the cell compute it? A function that prints its result returns None"
    if isinstance(value, (bool, np.bool_)):
        return ": True and False are not numbers here"
    if isinstance(value, numbers.Complex):
        return ": the answer is a real number"
    if isinstance(value, (list, tuple, set, dict, np.ndarray)):
        return ": enter one number, not a collection (float(x) turns an array of one entry into a number)"
    if callable(value):
        return ": call the function and enter what it returns"
    return ""


def number(answer, name="answer") -> float:
    """``answer`` as a finite float, or an error that says what it is and what to enter ("a number, e.g. 0.05").

    Python's and numpy's ints and floats are numbers; True, "0.1", [0.1], 1+2j, None
    and arrays are not (TypeError); NaN, infinity and ints beyond a float are not
    finite (ValueError).
    """
    if not isinstance(answer, numbers.Real) or isinstance(answer, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be a number, e.g. 0.05, got {_shown(answer)}{_hint(answer)}")
    try:
        value = float(answer)
    except OverflowError:  # an int with more than 308 digits
        value = math.inf
    if not math.isfinite(value):
        raise ArgumentError(f"{name} must be a finite number, e.g. 0.05, got {_shown(answer)}")
    return value


def whole_number(answer, name="answer") -> int:
    """``answer`` as an int, or an error that says what it is and what to enter ("a whole number, e.g. 3")."""
    if isinstance(answer, numbers.Integral) and not isinstance(answer, (bool, np.bool_)):
        return int(answer)
    hint = _hint(answer)
    if isinstance(answer, numbers.Real) and not isinstance(answer, (bool, np.bool_)) and float(answer).is_integer():
        hint = f": write {int(answer)}, without the decimal point"
    raise ArgumentTypeError(f"{name} must be a whole number, e.g. 3, got {_shown(answer)}{hint}")
