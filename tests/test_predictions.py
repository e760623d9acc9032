"""predict / reveal: a guess recorded, shown beside the measurement, judged; no guess never stops a lesson."""

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
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
