"""predict / reveal: a guess recorded, shown beside the measurement, judged; no guess never stops a lesson."""

import math

import numpy as np
import pytest

from initlab.exercises import predict, reveal


def test_no_guess_is_recorded_and_the_reveal_goes_on(capsys):
    predict("std at layer 10", ...)
    reveal("std at layer 10", measured=3.0e-7, theory=2.98e-7, advice="never shown")
    out = capsys.readouterr().out.splitlines()
    assert out == ["No guess recorded yet for 'std at layer 10': replace ... with your guess and run this cell "
                   "(or read on).", "No guess recorded for 'std at layer 10' · measured: 3e-07 · theory: 2.98e-07"]


@pytest.mark.parametrize("guess, verdict", [
    (2.5e-7, "✓ A good call."),
    (1e-7, "≈ The right size, 0.33 times the measurement. It shrinks by a factor per layer."),
    (0.01, "✗ Off by a factor 3.3e+04 (too large). It shrinks by a factor per layer."),
    (-1.0, "✗ Not even the right sign. It shrinks by a factor per layer."),
])
def test_a_number_is_judged_by_its_ratio(guess, verdict, capsys):
    predict("std at layer 10", guess)
    reveal("std at layer 10", measured=3.0e-7, advice="It shrinks by a factor per layer.")
    assert capsys.readouterr().out.splitlines()[-1] == verdict


def test_a_share_is_judged_by_its_difference(capsys):
    predict("saturated share", 0.5)
    reveal("saturated share", measured=0.904, kind="difference", tolerance=0.1, advice="Most units saturate.")
    assert capsys.readouterr().out.splitlines()[-1] == "✗ Off by -0.404. Most units saturate."
    predict("saturated share", 0.85)
    reveal("saturated share", measured=0.904, kind="difference", tolerance=0.1)
    assert capsys.readouterr().out.splitlines()[-1] == "✓ A good call."


def test_a_choice(capsys):
    predict("layer 1 vs layer 10", "smaller", choices=("smaller", "larger"))
    reveal("layer 1 vs layer 10", measured="larger", kind="choice", advice="The gradient explodes.")
    assert capsys.readouterr().out.splitlines()[-1] == "✗ Not this time: it is larger. The gradient explodes."


@pytest.mark.parametrize("call, error, message", [
    (lambda: predict("", 1.0), ValueError, "question must be a short text"),
    (lambda: predict("q", "big"), TypeError, r"guess must be a number, e.g. 0.05, got 'big' \(str\)"),
    (lambda: predict("q", "maybe", choices=("yes", "no")), ValueError, r"guess must be one of \['yes', 'no'\]"),
    (lambda: reveal("q", measured=1.0, kind="ratio"), ValueError, r"kind must be one of \['factor'"),
    (lambda: reveal("q", measured=1.0, kind="difference"), ValueError, "needs tolerance"),
    (lambda: reveal("q", measured=float("nan")), ValueError, "measured must be a finite number"),
    (lambda: predict(None, 1.0), TypeError, "question must be a short text"),
    (lambda: predict("   ", 1.0), ValueError, "question must be a short text"),
    (lambda: reveal(["q"], 1.0), TypeError, "question must be a short text"),
    (lambda: reveal("", 1.0), ValueError, "question must be a short text"),
    (lambda: predict("q", [0.1]), TypeError, r"guess must be a number, e.g. 0.05, got \[0.1\] \(list\)"),
    (lambda: predict("q", math.inf), ValueError, "guess must be a finite number"),
    (lambda: predict("q", 10**400), ValueError, "guess must be a finite number"),
    (lambda: predict("q", 1 + 2j), TypeError, "guess must be a number"),
    (lambda: predict("q", 3, choices=("yes", "no")), TypeError, r"guess must be one of \['yes', 'no'\] \(a text"),
    (lambda: predict("q", "yes", choices="yes"), TypeError, "choices must be a tuple of texts"),
    (lambda: predict("q", "yes", choices={"yes": 1, "no": 2}), TypeError, "choices must be a tuple of texts"),
    (lambda: predict("q", "yes", choices=("yes",)), ValueError, "choices must offer at least two"),
    (lambda: reveal("q", measured="0.1"), TypeError, r"measured must be a number, e.g. 0.05, got '0.1'"),
    (lambda: reveal("q", measured=np.array([0.1])), TypeError, "measured must be a number"),
    (lambda: reveal("q", measured=3, kind="choice"), TypeError, r"measured must be the right choice \(a str\)"),
    (lambda: reveal("q", measured=1.0, kind=None), TypeError, "kind must be one of"),
    (lambda: reveal("q", measured=1.0, tolerance=0.1), ValueError, "tolerance is for kind='difference' only"),
    (lambda: reveal("q", measured=1.0, kind="difference", tolerance="0.1"), TypeError, "tolerance must be a number"),
    (lambda: reveal("q", measured=1.0, kind="difference", tolerance=-1.0), ValueError, "tolerance must be >= 0"),
    (lambda: reveal("q", measured=1.0, kind="difference", tolerance=10**400), ValueError, "tolerance must be a finite"),
    (lambda: reveal("q", measured=1.0, theory="1"), TypeError, "theory must be a number"),
    (lambda: reveal("q", measured=1.0, theory=math.nan), ValueError, "theory must be a finite number"),
    (lambda: reveal("q", measured=1.0, advice=3), TypeError, "advice must be a text"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_guess_is_revealed_with_its_own_kind(capsys):
    predict("which way", "up", choices=("up", "down"))
    with pytest.raises(ValueError, match=r"kind must be 'choice' for a guess among choices.*'which way' has the guess 'up'"):
        reveal("which way", measured=1.0)
    predict("how much", 2.0)
    with pytest.raises(ValueError, match=r"kind must be .*'how much' has the guess 2.0 and kind='choice'"):
        reveal("how much", measured="up", kind="choice")


@pytest.mark.parametrize("guess, verdict", [
    (0.0, "✗ 0 is no size: a factor compares sizes, and the measurement has one."),
    (1e-320, "✗ Off by a factor 1e+313 (too small)."),
    (1e300, "✗ Off by a factor 3.3e+306 (too large)."),
])
def test_a_guess_of_no_size_or_beyond_a_float_is_said_in_words(guess, verdict, capsys):
    predict("tiny", guess)
    reveal("tiny", measured=3.0e-7)
    assert capsys.readouterr().out.splitlines()[-1] == verdict


def test_a_measurement_of_0_cannot_judge_a_factor(capsys):
    predict("vanished", 1e-3)
    reveal("vanished", measured=0.0, advice="not shown")
    assert capsys.readouterr().out.splitlines()[-1] == ("The measurement is 0: no guess is a factor of it, so this "
                                                        "one cannot be judged.")


def test_an_unknown_question_is_said_so_with_the_closest_asked(capsys):
    predict("std at layer 10, small start", ...)
    reveal("std at layer 10 small start", measured=1.0)
    assert "(no predict cell with this question has run; did you mean 'std at layer 10, small start'?)" in \
        capsys.readouterr().out
    reveal("something else entirely", measured=1.0)
    assert "(no predict cell with this question has run: run it first, with the same words)" in capsys.readouterr().out
