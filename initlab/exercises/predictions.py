"""Predict, then run: record a guess before a result appears, and compare it after.

    predict("std at layer 10, small start", ...)    # replace ... with your guess
    # ... the cells that measure it ...
    reveal("std at layer 10, small start", measured=small.std[-1], theory=predicted,
           advice="A guess near 0.01 takes the shrinking as ...")

A guess that is still ``...`` is "no guess recorded": the lesson goes on, so Run
All works in the instructor and the student edition alike.  Numbers are compared
by their ratio (``kind="factor"``, for positive quantities spanning decades) or
their difference (``kind="difference"``, e.g. a share of units); a guess may also
be one of a few ``choices`` ("larger", "smaller").  A guess of the wrong kind (a
string where a number belongs) raises an error naming ``guess``, as an exercise's
answer does; a question no ``predict`` asked is said so when it is revealed.
"""

from __future__ import annotations

import difflib
import math

from .feedback import number
from ..checks import ArgumentError, ArgumentTypeError, check_choice

__all__ = ["predict", "reveal", "KINDS"]

KINDS = ("factor", "difference", "choice")
#: A guess within this factor of the measurement counts as a good call (factor kind).
GOOD_FACTOR = 1.25
#: Within this factor it is "the right size".
SIZE_FACTOR = 3.0

_guesses = {}  # question -> the guess recorded for it
_asked = set()  # every question predict was called with, a guess recorded or not


def _question(question) -> str:
    if not isinstance(question, str):
        raise ArgumentTypeError(f"question must be a short text naming what you predict, got {question!r}")
    if not question.strip():
        raise ArgumentError("question must be a short text naming what you predict, got an empty one")
    return question


def _choices(choices) -> tuple:
    """``choices`` as a tuple of at least two different texts, or an error naming ``choices``."""
    if not isinstance(choices, (tuple, list)) or not all(isinstance(c, str) and c.strip() for c in choices):
        raise ArgumentTypeError(f"choices must be a tuple of texts such as ('larger', 'smaller'), got {choices!r}")
    if len(set(choices)) < 2:
        raise ArgumentError(f"choices must offer at least two different answers, got {choices!r}")
    return tuple(choices)


def predict(question, guess=..., choices=None) -> None:
    """Record ``guess`` for ``question`` (``...`` records none)."""
    question = _question(question)
    if choices is not None:
        choices = _choices(choices)
    _asked.add(question)
    if guess is Ellipsis:
        _guesses.pop(question, None)
        print(f"No guess recorded yet for '{question}': replace ... with your guess and run this cell (or read on).")
        return
    if choices is not None:
        if not isinstance(guess, str):
            raise ArgumentTypeError(f"guess must be one of {list(choices)} (a text in quotes), got {guess!r}")
        if guess not in choices:
            raise ArgumentError(f"guess must be one of {list(choices)}, got {guess!r}")
    else:
        guess = number(guess, "guess")
    _guesses[question] = guess
    print(f"Guess recorded for '{question}': {guess if isinstance(guess, str) else f'{guess:.3g}'}")


def _number(x) -> str:
    return f"{x:.3g}" if isinstance(x, (int, float)) else str(x)


def _factor(ratio, guess, measured) -> str:
    """max(ratio, 1 / ratio) with 2 digits, as a power of ten when it is beyond a float (1e+320)."""
    factor = max(ratio, 1 / ratio) if ratio > 0 else math.inf
    if factor < math.inf:
        return f"{factor:.2g}"
    return f"1e{abs(math.log10(abs(guess)) - math.log10(abs(measured))):+.0f}"


def reveal(question, measured, theory=None, kind="factor", tolerance=None, advice=None) -> None:
    """Show the recorded guess beside the measurement (and the theory) and say how close it was.

    Parameters
    ----------
    question : str, as given to ``predict``
    measured : number, or the right choice (a str) for a choice question
    theory : number, optional, what the theory predicts
    kind : {"factor", "difference", "choice"}
    tolerance : float >= 0, for kind "difference" only: how far off still counts as a good call
    advice : str, optional: what a wrong guess usually means, shown when the guess was off
    """
    question = _question(question)
    kind = check_choice("kind", kind, KINDS)
    if (kind == "difference") != (tolerance is not None):
        raise ArgumentError("kind='difference' needs tolerance=..., the distance that still counts as a good call"
                            if kind == "difference" else f"tolerance is for kind='difference' only, not kind={kind!r}")
    if kind == "difference":
        tolerance = number(tolerance, "tolerance")
        if tolerance < 0:
            raise ArgumentError(f"tolerance must be >= 0, the distance that still counts as a good call, "
                                f"got {tolerance:g}")
    if kind == "choice":
        if not isinstance(measured, str):
            raise ArgumentTypeError(f"measured must be the right choice (a str) for kind='choice', got {measured!r}")
    else:
        measured = number(measured, "measured")
    if theory is not None:
        theory = number(theory, "theory")
    if advice is not None and not isinstance(advice, str):
        raise ArgumentTypeError(f"advice must be a text shown after a wrong guess, got {advice!r}")
    parts = [f"measured: {_number(measured)}"] + ([f"theory: {_number(theory)}"] if theory is not None else [])
    guess = _guesses.get(question)
    if guess is None:
        print(f"No guess recorded for '{question}'{_never_asked(question)} · " + " · ".join(parts))
        return
    if isinstance(guess, str) != (kind == "choice"):
        raise ArgumentError(f"kind must be 'choice' for a guess among choices, and 'factor' or 'difference' for a "
                            f"number; '{question}' has the guess {guess!r} and kind={kind!r}")
    print(f"Your guess: {_number(guess)} · " + " · ".join(parts))
    if kind == "choice":
        good = guess == measured
        verdict = "✓ Right." if good else f"✗ Not this time: it is {measured}."
    elif kind == "difference":
        good = abs(guess - measured) <= tolerance
        off = guess - measured  # beyond a float (1e308 - -1e308) it is said in words
        verdict = "✓ A good call." if good else f"✗ Off by {off:+.3g}." if math.isfinite(off) else (
            f"✗ Off by more than 1e+308 ({'too large' if off > 0 else 'too small'}).")
    elif measured == 0:  # a student's experiment can make it 0: say so, and let the lesson go on
        good, verdict = True, "The measurement is 0: no guess is a factor of it, so this one cannot be judged."
    else:
        ratio = guess / measured
        good = 1 / GOOD_FACTOR <= ratio <= GOOD_FACTOR
        if good:
            verdict = "✓ A good call."
        elif 1 / SIZE_FACTOR <= ratio <= SIZE_FACTOR:
            verdict = f"≈ The right size, {ratio:.2g} times the measurement."
        elif guess == 0:
            verdict = "✗ 0 is no size: a factor compares sizes, and the measurement has one."
        elif ratio < 0:
            verdict = "✗ Not even the right sign."
        else:
            verdict = (f"✗ Off by a factor {_factor(ratio, guess, measured)} "
                       f"({'too large' if abs(guess) > abs(measured) else 'too small'}).")
    print(verdict + (f" {advice}" if advice and not good else ""))


def _never_asked(question) -> str:
    """'' if ``predict`` was called with ``question``; else a note, with the closest question asked."""
    if question in _asked:
        return ""
    close = difflib.get_close_matches(question, _asked, n=1)
    return (" (no predict cell with this question has run" + (f"; did you mean '{close[0]}'?" if close else
                                                                ": run it first, with the same words") + ")")
