"""The exercise checks accept the right answer and name the common mistakes."""

import math

import numpy as np
import pytest

from initlab import exercises as ex
from initlab import initializers


def test_unit_variance_std(capsys):
    assert ex.check_unit_variance_std(1 / math.sqrt(784)) is True
    assert "✓ Correct" in capsys.readouterr().out
    assert ex.check_unit_variance_std(1 / 784) is False
    assert "0.001276. Did you divide by n instead of sqrt(n)?" in capsys.readouterr().out
    assert ex.check_unit_variance_std(0.5) is False
    assert "too large by a factor 14" in capsys.readouterr().out


def test_weighted_sum_std(capsys):
    assert ex.check_weighted_sum_std(math.sqrt(1.5))
    assert not ex.check_weighted_sum_std(1.5)
    assert "That is the variance" in capsys.readouterr().out
    assert not ex.check_weighted_sum_std(math.sqrt(300 / 600) + 1)
    assert "Standard deviations do not add" in capsys.readouterr().out


def test_layer_std(capsys):
    assert ex.check_layer_std(0.2133 * (0.01 * math.sqrt(500)) ** 4)
    assert not ex.check_layer_std(0.2133 * 0.01**4)
    assert "multiplies by the weight std 0.01" in capsys.readouterr().out


def test_glorot_limit_and_he(capsys):
    assert ex.check_glorot_uniform_limit(math.sqrt(6 / 814))
    assert not ex.check_glorot_uniform_limit(math.sqrt(2 / 814))
    assert "std of Glorot's normal form" in capsys.readouterr().out
    assert ex.check_he_std(math.sqrt(2 / 256))
    assert not ex.check_he_std(1 / 16)
    assert "LeCun" in capsys.readouterr().out
    assert ex.check_leaky_he_std(math.sqrt(2 / 1.04) / 16)
    assert not ex.check_leaky_he_std(math.sqrt(2 / 1.2) / 16)
    assert "Square the slope" in capsys.readouterr().out


def test_check_initializer(capsys):
    assert ex.check_initializer(initializers.xavier_normal())
    assert not ex.check_initializer(lambda n_in, n_out, rng: initializers.xavier_normal()(n_out, n_in, rng))
    assert "PyTorch's (out, in) layout" in capsys.readouterr().out
    assert not ex.check_initializer(initializers.lecun_normal())
    assert "which is 1/fan_in (LeCun)" in capsys.readouterr().out
    assert not ex.check_initializer(lambda n_in, n_out, rng: np.random.default_rng().normal(0, 0.05, (n_in, n_out)))
    assert "same seed gave different matrices" in capsys.readouterr().out
    assert not ex.check_initializer(lambda n_in, n_out: None)
    assert "failed: TypeError" in capsys.readouterr().out
    with pytest.raises(TypeError, match="init must be a function"):
        ex.check_initializer("xavier_normal")


def test_identical_units(capsys):
    w = np.tile(np.array([[0.3], [-0.2]]), (1, 4))
    assert ex.check_identical_units(0.0, w)
    assert not ex.check_identical_units(0.5, w)
    assert "difference between rows" in capsys.readouterr().out
    with pytest.raises(TypeError, match="max_difference must be a real number"):
        ex.check_identical_units("0", w)


def test_decay_factor(capsys):
    assert ex.check_decay_factor(1 - 0.1 * 5.0 / 4000)
    assert "0.999875" in capsys.readouterr().out
    assert not ex.check_decay_factor(1 - 0.1 * 5.0 / 10)
    assert "not of the mini-batch" in capsys.readouterr().out
