"""Notebook 06's checks: the right answer passes, each named mistake names itself, nothing else passes."""

import math

import pytest

from initlab import data
from initlab import exercises as ex
from initlab.exercises import lesson06
from test_exercises_lesson05 import (  # noqa: F401 -- the generic number-check tests, run on number_check below
    test_non_positive_number_is_told_so, test_unanswered_returns_none)

PER_EPOCH = (1 - 0.1 * 5.0 / 4000) ** 400
EPOCHS = math.log(28) / -math.log(PER_EPOCH)
X = data.load_mnist().x_train
POWER = float((X**2).sum(axis=1).mean())
PIXEL_STD = math.sqrt((1 - 0.25) / POWER)


def test_decay_epochs_right_answer(capsys):
    assert EPOCHS == pytest.approx(math.log(28) / 0.05, rel=1e-3)
    assert ex.check_decay_epochs(EPOCHS) is True
    assert capsys.readouterr().out.startswith("✓ Correct: 66.6 epochs: each multiplies the weights by 0.9512")
    assert ex.check_decay_epochs(67) is True  # the weights pass 1/28 during epoch 67
    full = math.log(28) / -math.log((1 - 0.5 * 5.0 / 50_000) ** 5000)
    assert ex.check_decay_epochs(full, eta=0.5, n_train=50_000) is True


@pytest.mark.parametrize("mistake, hint", [
    (math.log(784) / 0.05, "down to 1/784, the variance"),
    (EPOCHS * 400, "That counts steps"),
    (math.log10(28) / 0.05, "Mixed bases"),
    (math.log(28) / 0.5, "not exp\\(-eta lambda\\)"),
    ((1 - 1 / 28) / (1 - PER_EPOCH), "it is geometric"),
])
def test_decay_epochs_mistakes_name_themselves(mistake, hint):
    with pytest.raises(ex.NotYet, match=hint):
        ex.check_decay_epochs(mistake)


def test_pixel_power_is_the_lessons_88():
    assert lesson06.pixel_power() == pytest.approx(POWER) and round(POWER) == 88


def test_pixel_right_answer_is_tried_on_the_images(capsys):
    assert ex.check_pixel_std_with_bias(PIXEL_STD) is True
    out = capsys.readouterr().out
    assert out.startswith("✓ Correct: std(w) = sqrt((1^2 - 0.5^2) / 88.0) = 0.09233.")
    assert float(out.split("std(z) = ")[1].rstrip(".\n")) == pytest.approx(1.0, abs=0.02)
    assert ex.check_pixel_std_with_bias(math.sqrt(3 / POWER), bias_std=1.0, target_std=2.0) is True


@pytest.mark.parametrize("mistake, hint", [
    (math.sqrt(1 / POWER), "You left out the bias"),
    (math.sqrt(0.75 / 784), "as inputs with E\\[x\\^2\\] = 1"),
    (1 / 28, "N\\(0, 1/n_in\\), the lesson's new start"),
    (math.sqrt(0.75 / (784 * float(X.mean()))), "That uses the mean pixel"),
    (0.5 / math.sqrt(POWER), "Standard deviations do not subtract"),
    (0.75 / POWER, "That is the variance Var\\(w\\)"),
])
def test_pixel_mistakes_name_themselves(mistake, hint):
    with pytest.raises(ex.NotYet, match=hint):
        ex.check_pixel_std_with_bias(mistake)


def test_pixel_bias_as_large_as_the_target_is_refused():
    with pytest.raises(ValueError, match="bias_std must be below target_std"):
        ex.check_pixel_std_with_bias(0.1, bias_std=1.0)


@pytest.fixture(params=[ex.check_decay_epochs, ex.check_pixel_std_with_bias], ids=lambda c: c.__name__)
def number_check(request):
    """The checks that test_exercises_lesson05's generic number-check tests, imported above, run on here."""
    return request.param


def test_far_and_close_answers():
    with pytest.raises(ex.NotYet, match="too large by a factor"):
        ex.check_decay_epochs(1000.0)
    with pytest.raises(ex.NotYet, match="close — keep more digits"):
        ex.check_pixel_std_with_bias(0.09)
