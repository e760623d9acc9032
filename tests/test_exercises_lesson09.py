"""Lesson 09's exercise checks accept the right answer, name the common mistakes and never pass a wrong one."""

import math

import pytest

from initlab import exercises as ex
from initlab import theory

# (check, keyword arguments, right answer, [(a common mistake, what its hint says)], an answer 1-5% off)
CASES = [
    (ex.check_stream_growth, {"blocks": 20, "branch_scale": 0.5}, 1.25**20,
     [(1.5**20, "its *variance* by alpha^2"), (6.0, "the factors multiply"), (2.0**20, "That is the plain stream")],
     1.25**20 * 1.03),
    (ex.check_initial_loss, {"n_classes": 1000}, math.log(1000),
     [(3.0, "base-10 logarithm"), (1000 * math.log(2), "rule for sigmoid outputs"), (math.log(2), "shares 1 among"),
      (0.001, "the loss is -ln of it")], 7.1),
    (ex.check_initial_loss, {"n_classes": 20, "head": "sigmoid"}, 20 * math.log(2),
     [(math.log(20), "That is the softmax rule"), (math.log(2), "sums it over all C outputs")], 14.2),
    (ex.check_learning_rate_factor, {"weight_scale": 4.0}, 16.0,
     [(4.0, "so c^2"), (1 / 16, "multiply eta by the inverse"), (0.25, "c^2 in all"), (1.0, "scales like 1/||W||")],
     16.5),
    (ex.check_lsuv_factor, {"variance": 0.36}, 1 / 0.6,
     [(1 / 0.36, "divide by the std"), (0.6, "divide by it"), (0.36, "multiplies by the variance itself")], 1.7),
    (ex.check_gpt2_std, {"n_layer": 48}, 0.02 / math.sqrt(96),
     [(0.02 / math.sqrt(48), "N = 2 x 48 = 96"), (0.02 / 96, "not 1/N"), (0.02 / 48, "Take the square root"),
      (0.02, "divided by sqrt(N)")], 0.0021),
]
IDS = [f"{case[0].__name__}-{i}" for i, case in enumerate(CASES)]


def wrong(check, *args, **kwargs):
    with pytest.raises(ex.NotYet) as error:
        check(*args, **kwargs)
    return str(error.value)


@pytest.mark.parametrize("check, kwargs, right, mistakes, close", CASES, ids=IDS)
def test_right_mistakes_and_close(check, kwargs, right, mistakes, close, capsys):
    assert check(right, **kwargs) is True
    assert capsys.readouterr().out.startswith("✓ Correct")
    for mistake, hint in mistakes:
        said = wrong(check, mistake, **kwargs)
        assert said.startswith("✗ Not yet") and hint in said, (mistake, said)
    assert "close — keep more digits" in wrong(check, close, **kwargs)


@pytest.mark.parametrize("check", sorted({case[0] for case in CASES}, key=lambda c: c.__name__))
def test_not_answered_and_out_of_range(check, capsys):
    assert check(...) is None
    assert "Not answered yet" in capsys.readouterr().out
    assert "you have -1" in wrong(check, -1.0)


def test_far_off_answer_is_off_by_a_factor():
    assert "too large by a factor" in wrong(ex.check_stream_growth, 1e4, blocks=20, branch_scale=0.5)
    assert "too small by a factor" in wrong(ex.check_gpt2_std, 1e-5)


def test_stream_growth_uses_the_theory():
    assert ex.check_stream_growth(float(theory.residual_growth(50, 1 / math.sqrt(50))[-1]), blocks=50,
                                  branch_scale=1 / math.sqrt(50))
