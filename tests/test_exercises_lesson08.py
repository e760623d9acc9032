"""Notebook 08's checks: the right answer passes, each named mistake is named, nothing wrong passes."""

import math

import numpy as np
import pytest

from initlab import activations, exercises as ex, isometry, theory


def wrong(check, answer, capsys, *hints):
    with pytest.raises(ex.NotYet) as error:
        check(answer)
    for hint in hints:
        assert hint in str(error.value)
    assert capsys.readouterr().out == ""
    return str(error.value)


# ---- the mean squared singular value of a tanh network --------------------------------
CHI = theory.chi_1(1.2, theory.fixed_point(1.2))


def test_tanh_mean_square_right_answer(capsys):
    assert ex.check_tanh_mean_square(CHI**50) is True
    assert capsys.readouterr().out.startswith("✓ Correct: mean(s^2) at depth 50 (chi_1 = 1.0335)")
    assert 5.0 < CHI**50 < 5.4


@pytest.mark.parametrize("answer, hint", [
    (1.2**100, "as if tanh were linear"),
    (CHI, "one layer's factor chi_1"),
    (CHI**25, "a singular value's typical size"),
    (CHI**100, "not chi_1^(2L)"),
])
def test_tanh_mean_square_named_mistakes(answer, hint, capsys):
    wrong(ex.check_tanh_mean_square, answer, capsys, hint)


def test_tanh_mean_square_close_and_far(capsys):
    assert "keep more digits" in wrong(ex.check_tanh_mean_square, round(CHI**50 * 1.03, 3), capsys)
    assert "too small by a factor" in wrong(ex.check_tanh_mean_square, 0.2, capsys)


# ---- the spread for leaky ReLU (transfer) -----------------------------------------------
SPREAD = 30 * (0.96 / 1.04) ** 2


def test_leaky_spread_right_answer(capsys):
    assert ex.check_leaky_spread(SPREAD) is True
    assert "25.56" in capsys.readouterr().out
    # the same number by simulating the slopes: phi'^2 is 1 or 0.04 with probability 1/2
    slopes = activations.leaky_relu(0.2).derivative(np.random.default_rng(0).standard_normal(2_000_000)) ** 2
    assert 30 * (np.mean(slopes**2) / np.mean(slopes) ** 2 - 1) == pytest.approx(SPREAD, rel=0.01)


@pytest.mark.parametrize("answer, hint", [
    (SPREAD + 30, "That is for Gaussian weights"),
    (30 * (0.8 / 1.2) ** 2, "The slopes enter squared"),
    (30.0, "That is plain ReLU"),
    (SPREAD / 30, "one layer's contribution"),
])
def test_leaky_spread_named_mistakes(answer, hint, capsys):
    wrong(ex.check_leaky_spread, answer, capsys, hint)


@pytest.mark.parametrize("check", [ex.check_tanh_mean_square, ex.check_leaky_spread, ex.check_orthogonal])
def test_not_answered_yet_goes_on(check, capsys):
    assert check(...) is None
    assert "Not answered yet" in capsys.readouterr().out


# ---- a hand-written orthogonal initializer ----------------------------------------------
def haar(fan_in, fan_out, rng):
    q, r = np.linalg.qr(rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out))))
    q = q * np.sign(np.diag(r))
    return q if fan_in >= fan_out else q.T


def no_sign_fix(fan_in, fan_out, rng):
    q, _ = np.linalg.qr(rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out))))
    return q if fan_in >= fan_out else q.T


def never_transposed(fan_in, fan_out, rng):
    q, r = np.linalg.qr(rng.standard_normal((fan_in, fan_out)))
    return q * np.sign(np.diag(r))


def returns_r(fan_in, fan_out, rng):
    _, r = np.linalg.qr(rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out))))
    return np.resize(r, (fan_in, fan_out))


def scaled(fan_in, fan_out, rng):
    return 2.0 * haar(fan_in, fan_out, rng)


def same_every_time(fan_in, fan_out, rng):
    return haar(fan_in, fan_out, np.random.default_rng(0))


def biased(fan_in, fan_out, rng):
    """Orthonormal, but column 0 is flipped so that entry (0, 0) is positive 70% of the time: not Haar."""
    w = haar(fan_in, fan_out, rng)
    w[:, 0] *= np.sign(w[0, 0]) * (1 if rng.random() < 0.7 else -1)
    return w


def test_orthogonal_right_answer(capsys):
    assert ex.check_orthogonal(haar) is True
    assert capsys.readouterr().out.startswith("✓ Correct: orthonormal 30x10 and 10x30 and 12x12 draws")


@pytest.mark.parametrize("answer, hint", [
    (no_sign_fix, "Multiply column j of Q by the sign of R[j, j]"),
    (never_transposed, "For fan_in < fan_out, factor the (fan_out, fan_in) Gaussian and transpose Q"),
    (returns_r, "are not orthonormal. Return Q"),
    (scaled, "have length 2, not 1"),
    (same_every_time, "gave only 1 different matrices: draw a fresh Gaussian matrix from rng each call"),
    (biased, "should be uniform on [-1, 1] (Haar)"),
    (lambda fan_in, fan_out, rng: 1 / 0, "raised ZeroDivisionError"),
])
def test_orthogonal_named_mistakes(answer, hint, capsys):
    wrong(ex.check_orthogonal, answer, capsys, hint)


def test_orthogonal_rejects_a_non_function():
    with pytest.raises(TypeError, match=r"answer must be a function my_orthogonal\(fan_in, fan_out, rng\) .*got 3"):
        ex.check_orthogonal(3)


def test_the_haar_threshold_is_kolmogorov_smirnovs():
    from initlab.exercises import lesson08

    assert lesson08.MAX_GAP == pytest.approx(0.0436, abs=1e-4)
    # a correct function stays well inside: its gap on the check's 2000 draws
    entries = [haar(3, 3, np.random.default_rng(seed))[0, 0] for seed in range(lesson08.DRAWS)]
    assert isometry.haar_gap(entries, 3) < lesson08.MAX_GAP
    assert math.isclose(lesson08.MAX_GAP * math.sqrt(lesson08.DRAWS), 1.95)
