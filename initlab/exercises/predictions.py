"""Predict, then run: record a guess before a result appears, and compare it after.

    predict("std at layer 10, small start", ...)    # replace ... with your guess
    # ... the cells that measure it ...
    reveal("std at layer 10, small start", measured=small.std[-1], theory=predicted,
           advice="A guess near 0.01 takes the shrinking as ...")

A guess that is still ``...`` is "no guess recorded": the lesson goes on, so Run
All works in the instructor and the student edition alike.  Numbers are compared
by their ratio (``kind="factor"``, for positive quantities spanning decades) or
their difference (``kind="difference"``, e.g. a share of units); a guess may also
be one of a few ``choices`` ("larger", "smaller").
"""

from __future__ import annotations

import math

from ..checks import ArgumentError, ArgumentTypeError, check_float

__all__ = ["predict", "reveal", "KINDS"]

KINDS = ("factor", "difference", "choice")
#: A guess within this factor of the measurement counts as a good call (factor kind).
GOOD_FACTOR = 1.25
#: Within this factor it is "the right size".
SIZE_FACTOR = 3.0

_guesses = {}


def predict(question, guess=..., choices=None) -> None:
    """Record ``guess`` for ``question`` (``...`` records none)."""
    if not isinstance(question, str) or not question.strip():
        raise ArgumentTypeError(f"question must be a short text naming what you predict, got {question!r}")
    if guess is Ellipsis:
        _guesses.pop(question, None)
        print(f"No guess recorded yet for '{question}': replace ... with your guess and run this cell (or read on).")
        return
    if choices is not None:
        if guess not in choices:
            raise ArgumentError(f"guess must be one of {list(choices)}, got {guess!r}")
    else:
        guess = check_float("guess", guess)
    _guesses[question] = guess
    print(f"Guess recorded for '{question}': {guess if isinstance(guess, str) else f'{guess:.3g}'}")


def _number(x) -> str:
    return f"{x:.3g}" if isinstance(x, (int, float)) else str(x)


def reveal(question, measured, theory=None, kind="factor", tolerance=None, advice=None) -> None:
    """Show the recorded guess beside the measurement (and the theory) and say how close it was.

    Parameters
    ----------
    question : str, as given to ``predict``
    measured : number, or the right choice (a str) for a choice question
    theory : number, optional, what the theory predicts
    kind : {"factor", "difference", "choice"}
    tolerance : float, for kind "difference": how far off still counts as a good call
    advice : str, optional: what a wrong guess usually means, shown when the guess was off
    """
    if kind not in KINDS:
        raise ArgumentError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    if kind == "difference" and tolerance is None:
        raise ArgumentError("kind='difference' needs tolerance=..., the distance that still counts as a good call")
    if kind == "choice":
        if not isinstance(measured, str):
            raise ArgumentTypeError(f"measured must be the right choice (a str) for kind='choice', got {measured!r}")
    else:
        measured = check_float("measured", measured)
    parts = [f"measured: {_number(measured)}"] + ([f"theory: {_number(theory)}"] if theory is not None else [])
    guess = _guesses.get(question)
    if guess is None:
        print(f"No guess recorded for '{question}' · " + " · ".join(parts))
        return
    print(f"Your guess: {_number(guess)} · " + " · ".join(parts))
    if kind == "choice":
        good = guess == measured
        verdict = "✓ Right." if good else f"✗ Not this time: it is {measured}."
    elif kind == "difference":
        good = abs(guess - measured) <= tolerance
        verdict = "✓ A good call." if good else f"✗ Off by {guess - measured:+.3g}."
    else:
        ratio = guess / measured if measured != 0 else math.inf
        good = 1 / GOOD_FACTOR <= ratio <= GOOD_FACTOR
        if good:
            verdict = "✓ A good call."
        elif 1 / SIZE_FACTOR <= ratio <= SIZE_FACTOR:
            verdict = f"≈ The right size, {ratio:.2g} times the measurement."
        elif ratio <= 0 or not math.isfinite(ratio):
            verdict = "✗ Not even the right sign."
        else:
            verdict = f"✗ Off by a factor {max(ratio, 1 / ratio):.2g} ({'too large' if ratio > 1 else 'too small'})."
    print(verdict + (f" {advice}" if advice and not good else ""))
