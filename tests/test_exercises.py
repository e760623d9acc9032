"""The exercise checks accept the right answer, name the common mistakes and never pass a wrong one."""

import itertools
import math

import numpy as np
import pytest

from initlab import exercises as ex
from initlab import initializers


def wrong(check, *args, **kwargs):
    """A wrong answer raises NotYet, whose message Jupyter shows alone; print it for capsys."""
    with pytest.raises(ex.NotYet) as error:
        check(*args, **kwargs)
    print(error.value)



# ---- numeric answers: right, a named mistake, close, out of range ------------------
# (check, right answer, a common mistake, what its hint says, an answer 1-5% off)
NUMBER_CHECKS = [
    (ex.check_glorot_uniform_limit, math.sqrt(6 / 814), math.sqrt(2 / 814), "std of Glorot's normal form", 0.0847),
    (ex.check_decay_factor, 1 - 0.1 * 5.0 / 4000, 1 - 0.1 * 5.0 / 10, "not of the mini-batch", 0.99987),
]
NAMES = [check[0].__name__ for check in NUMBER_CHECKS]


@pytest.mark.parametrize("check, right, mistake, hint, close", NUMBER_CHECKS, ids=NAMES)
def test_number_check_right_mistake_close(check, right, mistake, hint, close, capsys):
    assert check(right) is True
    assert capsys.readouterr().out.startswith("✓ Correct")
    wrong(check, mistake)
    out = capsys.readouterr().out
    assert out.startswith("✗ Not yet") and hint in out
    wrong(check, close)
    assert "close — keep more digits" in capsys.readouterr().out


@pytest.mark.parametrize("check", [c[0] for c in NUMBER_CHECKS], ids=NAMES)
@pytest.mark.parametrize("answer", [0, -0.05])
def test_number_check_rejects_a_non_positive_answer(check, answer, capsys):
    wrong(check, answer)
    out = capsys.readouterr().out
    assert out.startswith("✗ Not yet: a ") and f"you have {answer:g}." in out


def test_close_answer_is_told_to_keep_digits(capsys):
    wrong(ex.check_glorot_uniform_limit, 0.1265, fan_in=256, fan_out=128)  # 1.2% above sqrt(6/384) = 0.125
    assert capsys.readouterr().out == ("✗ Not yet, but close — keep more digits: you have 0.1265, "
                                       "the value is 0.125.\n")
    wrong(ex.check_glorot_uniform_limit, 0.0)
    assert capsys.readouterr().out == "✗ Not yet: a uniform limit a is > 0, you have 0.\n"


def test_a_closer_mistake_beats_close(capsys):
    # 0.087 is 1.3% from sqrt(6/814) = 0.08585 but 0.6% from sqrt(6/784), the fan_in-only mistake
    wrong(ex.check_glorot_uniform_limit, 0.087)
    assert "That uses fan_in only" in capsys.readouterr().out
    # a rounded answer is close, however many % it is off: 0.1 is 0.2 / sqrt(6) = 0.08165 rounded
    wrong(ex.check_gpt2_std, 0.1, n_layer=3, base_std=0.2)
    assert "you have 0.1, the value is 0.08165" in capsys.readouterr().out


def test_far_answer_is_off_by_a_factor(capsys):
    wrong(ex.check_glorot_uniform_limit, 0.5)
    assert "0.5 is too large by a factor 5.82" in capsys.readouterr().out


@pytest.mark.parametrize("check, answer, factor", [
    (ex.check_glorot_uniform_limit, 1e308, "1e+308 is too large by a factor 1e+309."),   # / 0.08585
    (ex.check_critical_width, 5e-324, "4.941e-324 is too small by a factor 1e-327."),         # / 10000
])
def test_a_factor_beyond_a_float_is_shown_as_a_power_of_ten(check, answer, factor, capsys):
    wrong(check, answer)
    assert factor in capsys.readouterr().out


def test_decay_factor_is_judged_by_what_a_step_takes_away(capsys):
    assert ex.check_decay_factor(1 - 0.1 * 5.0 / 4000)
    assert "0.999875" in capsys.readouterr().out
    # within 1% of the factor, but it takes away 80 times too much
    wrong(ex.check_decay_factor, 0.99)
    assert "1 - 0.99 = 0.01 is too large by a factor 80" in capsys.readouterr().out
    wrong(ex.check_decay_factor, 0.9999)
    assert "you have 0.9999, the value is 0.999875" in capsys.readouterr().out
    wrong(ex.check_decay_factor, 1.0)
    assert "a decay factor is > 0 and < 1, you have 1." in capsys.readouterr().out


def test_identical_units(capsys):
    w = np.tile(np.array([[0.3], [-0.2]]), (1, 4))
    assert ex.check_identical_units(0.0, w)
    wrong(ex.check_identical_units, 0.5, w)
    assert "difference between rows" in capsys.readouterr().out
    wrong(ex.check_identical_units, -1, w)
    assert "a largest absolute difference is >= 0, you have -1." in capsys.readouterr().out
    with pytest.raises(TypeError, match="max_difference must be a number, e.g. 0.05, got '0' \\(str\\): write"):
        ex.check_identical_units("0", w)
    with pytest.raises(ValueError, match="max_difference must be a finite number"):
        ex.check_identical_units(float("nan"), w)
    with pytest.raises(ValueError, match="weights must be a 2-D array"):
        ex.check_identical_units(0.0, [0.3, 0.3])


# ---- check_initializer -------------------------------------------------------------
def own(name):
    """initlab's initializer for an ``expected`` name ("he_uniform_fan_out" is he_uniform(mode="fan_out"))."""
    rule = name.replace("_fan_out", "")
    return initializers.get(rule, **({"mode": "fan_out"} if rule != name else {}))


def draw(std=lambda n_in, n_out: math.sqrt(2 / (n_in + n_out)), shift=0.0, seeded=True):
    """A hand-written normal initializer: std(fan_in, fan_out) and mean ``shift``."""
    return lambda n_in, n_out, rng: np.random.default_rng(rng if seeded else None).normal(
        shift, std(n_in, n_out), (n_in, n_out))


@pytest.mark.parametrize("expected", list(ex.EXPECTED))
def test_initializer_accepts_the_rule(expected, capsys):
    assert ex.check_initializer(own(expected), expected=expected)
    assert capsys.readouterr().out.startswith(f"✓ Correct: {expected}:")


@pytest.mark.parametrize("expected, other", list(itertools.permutations(ex.EXPECTED, 2)))
def test_initializer_rejects_and_names_every_other_rule(expected, other, capsys):
    wrong(ex.check_initializer, own(other), expected=expected)
    out = capsys.readouterr().out
    if ex.EXPECTED[expected][0] == ex.EXPECTED[other][0]:  # same variance, other distribution
        assert f"that is a {ex.EXPECTED[other][1]} distribution" in out
    else:
        assert f"that is {ex.EXPECTED[other][0].name} ({other})." in out


def test_he_for_glorot_says_which_fan(capsys):
    wrong(ex.check_initializer, initializers.he_normal(), expected="xavier_normal")
    assert capsys.readouterr().out == (
        "✗ Your variance is 2/fan_in on every shape: that is He's rule (he_normal). xavier_normal needs "
        "2/(fan_in + fan_out): you divide by fan_in where Glorot's rule divides by fan_in + fan_out. "
        "Yours is 4% larger on a 784x30 layer, a factor 27.1 larger on 30x784, a factor 2 larger on 153x153.\n")


def test_initializer_wrong_distribution(capsys):
    wrong(ex.check_initializer, initializers.xavier_normal(), expected="xavier_uniform")
    assert ("that is a normal distribution; xavier_uniform is uniform on (-a, a) with limit "
            "a = sqrt(6/(fan_in + fan_out)) = 0.08585 on a 784x30 layer") in capsys.readouterr().out
    wrong(ex.check_initializer, initializers.he_uniform(), expected="he_normal")
    assert "that is a uniform distribution" in capsys.readouterr().out
    keras_glorot_normal = initializers.variance_scaling(1.0, "fan_avg", "truncated_normal")
    wrong(ex.check_initializer, keras_glorot_normal, expected="xavier_normal")
    assert "not a normal distribution (kurtosis 2.3" in capsys.readouterr().out


@pytest.mark.parametrize("init, message", [
    (lambda n_in, n_out, rng: initializers.xavier_normal()(n_out, n_in, rng), "PyTorch's (out, in) layout"),
    (lambda n_in, n_out, rng: initializers.xavier_normal()(784, 30, rng), "(784, 30); expected (fan_in, fan_out) = (30, 784). Use the arguments"),
    (lambda n_in, n_out, rng: np.full((n_in, n_out), np.nan), "returned 23520 NaN or infinite entries out of 23520"),
    (draw(seeded=False), "same seed gave different matrices"),
    (draw(shift=0.01), "✗ The mean is 0.0101 on a 784x30 layer"),
    (initializers.zeros(), "Every entry on a 784x30 layer is 0"),
    (draw(lambda n_in, n_out: math.sqrt(2 / 814)), "on every shape: a number, not a formula"),
    (draw(lambda n_in, n_out: math.sqrt(6 / (n_in + n_out))), "3 times 2/(fan_in + fan_out) on every shape"),
    (draw(lambda n_in, n_out: 2 / (n_in + n_out)), "you used the variance as the std"),
    (draw(lambda n_in, n_out: 1 / math.sqrt(max(n_in, n_out))), "matches 2/(fan_in + fan_out) on 153x153 only"),
    (draw(lambda n_in, n_out: 1.0), "on every shape: a number, not a formula"),
], ids=["transposed", "fixed shape", "nan", "unseeded", "mean", "constant", "fixed std",
        "limit as std", "variance as std", "max fan", "unscaled"])
def test_initializer_mistakes(init, message, capsys):
    wrong(ex.check_initializer, init)
    assert message in capsys.readouterr().out


def test_initializer_bad_arguments():
    with pytest.raises(TypeError, match="init must be a function"):
        ex.check_initializer("xavier_normal")
    with pytest.raises(TypeError, match=r"init must be a function .* three arguments; yours takes \(n_in, n_out\)"):
        ex.check_initializer(lambda n_in, n_out: None)
    with pytest.raises(ValueError, match="fan_in \\* fan_out must be at most 4,000,000"):
        ex.check_initializer(initializers.xavier_normal(), fan_in=10**6)
    with pytest.raises(ValueError, match="expected must be one of .*'he_uniform_fan_out'.*got 'xavier'"):
        ex.check_initializer(initializers.xavier_normal(), expected="xavier")
    with pytest.raises(ValueError, match="choose fan_in and fan_out further apart"):
        ex.check_initializer(initializers.xavier_normal(), fan_in=100, fan_out=100)


def test_an_unanswered_exercise_says_so_and_does_not_stop_the_notebook(capsys):
    assert ex.check_glorot_uniform_limit(...) is None
    assert ex.check_initializer(...) is None
    assert capsys.readouterr().out.startswith("… Not answered yet: replace the ... with your answer")


def test_a_wrong_answer_renders_as_its_message_alone():
    with pytest.raises(ex.NotYet) as error:
        ex.check_glorot_uniform_limit(math.sqrt(2 / 814))
    assert error.value._render_traceback_() == [str(error.value)]
    assert str(error.value).startswith("✗ Not yet: you have 0.04957. That is the std of Glorot's normal form")
