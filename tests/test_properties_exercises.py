"""Property tests of the exercise checks: a malformed answer is refused by name; any finite number gets a verdict.

For every check of ``initlab.exercises`` (the registry in answer_cases.py):

- an answer of the wrong kind (text, None, a bool, a complex number, a list, an
  array, a dict, a function, NaN, infinity, an int beyond a float) raises a
  ValueError/TypeError naming the answer's parameter;
- any finite number is either right (True) or judged ``NotYet``, with a message free
  of NaN and infinity: never a bare exception or a RuntimeWarning;
- each setting (``fan_in=...``), drawn from any int, any float and non-numbers, gives
  a verdict or an error naming it;

and every call returns within its time bound.  The settings that make a check run a
simulation are kept small here (SMALL), and each test draws 6-10 examples (about 900
in all, plus five extremes of a float for each number check), so that the file runs
in a few seconds.
"""

import contextlib
import inspect
import io
import math
import re

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from answer_cases import CHECKS, NUMBER_CHECKS
from initlab import exercises as ex
from initlab import initializers
from initlab.diagnosis import VERDICT_WORDS
from initlab.exercises import predict, reveal
from properties import BAD_NUMBER, NON_FINITE, NOT_A_NUMBER, refuses, within

#: Settings that keep a check's simulations small (the lesson's own sizes are tested elsewhere).
SMALL = {
    "check_conv_glorot_std": {"kernel_size": 2, "in_channels": 4, "out_channels": 8},
    "check_silu_variance": {"fan_in": 16},
    "check_relu_lecun_verdict": {"depth": 3, "width": 20},
}

MALFORMED = st.one_of(
    NOT_A_NUMBER,
    NON_FINITE,
    st.integers(min_value=10**309, max_value=10**400),  # beyond a float
    st.lists(st.floats(-1, 1), max_size=3).map(np.array),
    st.dictionaries(st.text(max_size=2), st.floats(0, 1), max_size=2),
    st.tuples(st.floats(0, 1)),
    st.just(math.sqrt),
)


def well_formed(kind, answer) -> bool:
    """Is ``answer`` of the right kind for a check taking a ``kind`` (so it gets a verdict, not an error)?"""
    if kind == "whole number":
        return isinstance(answer, int) and not isinstance(answer, bool)
    if kind == "letters":
        return isinstance(answer, (list, tuple, set)) and len(answer) == 0  # no letter at all: a wrong answer
    if kind == "word":
        return isinstance(answer, str) and answer.strip().lower() in VERDICT_WORDS
    return False


def verdict(call, seconds=5.0) -> str:
    """What ``call()`` says: it must return True or raise NotYet, within ``seconds``, with no NaN or inf."""
    printed = io.StringIO()
    with within(seconds), contextlib.redirect_stdout(printed):
        try:
            assert call() is True
        except ex.NotYet as wrong:
            printed.write(str(wrong))
    said = printed.getvalue()
    assert said.startswith(("✓", "✗")) and not re.search(r"\b(nan|inf)\b", said, re.I), said
    return said


@pytest.mark.parametrize("name", list(CHECKS))
@settings(max_examples=10)
@given(answer=MALFORMED)
def test_a_malformed_answer_is_refused_by_name(name, answer):
    check, args, parameter, kind = CHECKS[name]
    if not well_formed(kind, answer):
        refuses(lambda: check(answer, *args, **SMALL.get(name, {})), parameter)


FINITE = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**300, 10**300))


@pytest.mark.parametrize("name", NUMBER_CHECKS)
@settings(max_examples=10)
@given(answer=FINITE)
@example(answer=5e-324)  # the extremes of a float, each run: the smallest subnormal, ...
@example(answer=1e-320)
@example(answer=1.7976931348623157e308)  # ... the largest float,
@example(answer=-0.0)
@example(answer=10**300)  # an int as large as a float holds
def test_any_finite_number_is_right_or_judged(name, answer):
    check, args, _, _ = CHECKS[name]
    verdict(lambda: check(answer, *args, **SMALL.get(name, {})))


# ---- each check's own settings --------------------------------------------------------
#: Settings left to the table in test_exercises_answers.py: each valid value runs a slow simulation.
SLOW = {("check_relu_lecun_verdict", "depth"), ("check_relu_lecun_verdict", "width"),
        ("check_initializer", "fan_in"), ("check_initializer", "fan_out")}
SETTINGS = [(name, setting) for name, (check, args, _, _) in CHECKS.items()
            for setting, parameter in list(inspect.signature(check.__wrapped__).parameters.items())[1 + len(args):]
            if parameter.kind is parameter.POSITIONAL_OR_KEYWORD and (name, setting) not in SLOW]
ANY_VALUE = st.one_of(st.integers(-10**15, 10**15), st.floats(), NOT_A_NUMBER,
                      st.lists(st.integers(-5, 500), max_size=3).map(tuple))
@pytest.mark.parametrize("name, setting", SETTINGS, ids=[f"{n}-{s}" for n, s in SETTINGS])
@settings(max_examples=6)
@given(value=ANY_VALUE)
def test_a_setting_gives_a_verdict_or_is_refused_by_name(name, setting, value):
    check, args, _, kind = CHECKS[name]
    answer = {"number": 0.05, "word": "vanishing", "function": initializers.xavier_normal()}[kind]
    try:
        verdict(lambda: check(answer, *args, **{**SMALL.get(name, {}), setting: value}))
    except (ValueError, TypeError) as error:
        assert setting in str(error), f"{type(error).__name__}: {error}"


# ---- predict and reveal ------------------------------------------------------------------
ANY_FLOAT = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=40)
@given(guess=ANY_FLOAT, measured=ANY_FLOAT, kind=st.sampled_from(["factor", "difference"]))
@example(guess=1.7976931348623157e308, measured=-1.7976931348623157e308, kind="difference")
@example(guess=5e-324, measured=1e300, kind="factor")
def test_reveal_judges_any_finite_guess_in_words(guess, measured, kind):
    printed = io.StringIO()
    with within(5.0), contextlib.redirect_stdout(printed):
        predict("a property", guess)
        reveal("a property", measured, kind=kind, tolerance=0.1 if kind == "difference" else None)
    verdict = printed.getvalue().splitlines()[-1]
    assert verdict.startswith(("✓", "✗", "≈", "The measurement is 0")) and not re.search(r"\b(nan|inf)\b", verdict)


@settings(max_examples=20)
@given(guess=BAD_NUMBER.filter(lambda g: g is not Ellipsis))
def test_predict_refuses_a_malformed_guess_by_name(guess):
    refuses(lambda: predict("a property", guess), "guess")
