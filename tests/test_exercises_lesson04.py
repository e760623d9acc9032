"""Notebook 04's convolution check: the right std passes, each fan mistake is named, a simulation confirms the fans."""

import math

import pytest

from initlab import exercises as ex
from initlab.exercises import lesson04

RIGHT = math.sqrt(2 / (9 * 64 + 9 * 128))  # fan_in = 3*3*64 = 576, fan_out = 3*3*128 = 1152


def wrong(check, *args, **kwargs):
    """A wrong answer raises NotYet, whose message starts "✗ Not yet"; return the message."""
    with pytest.raises(ex.NotYet) as error:
        check(*args, **kwargs)
    assert str(error.value).startswith("✗ Not yet")
    return str(error.value)


def test_right_std_passes_and_shows_the_simulated_gains(capsys):
    assert ex.check_conv_glorot_std(RIGHT) is True
    out = capsys.readouterr().out
    assert out.startswith("✓ Correct: fan_in = 576, fan_out = 1152, Glorot std = 0.03402.")
    assert "multiplies the signal's variance by 0.68 (fan_in * std^2 = 0.67)" in out
    assert "and the gradient's by 1.33 (fan_out * std^2 = 1.33)" in out


@pytest.mark.parametrize("answer, hint", [
    (math.sqrt(2 / (64 + 128)), "That counts channels only"),
    (math.sqrt(2 / (3 * (64 + 128))), "3*3 = 9 weights per channel pair, not 3"),
    (math.sqrt(6 / (576 + 1152)), "the uniform limit"),  # the same number as k instead of k*k, for k = 3
    (math.sqrt(2 / (576 + 128)), "fan_in is right (576)"),
    (math.sqrt(1 / 576), "That is LeCun's 1/fan_in"),
    (2 / (576 + 1152), "That is the variance"),
    (0.0345, "close — keep more digits"),
    (0.5, "too large by a factor"),
])
def test_each_mistake_is_named(answer, hint):
    assert hint in wrong(ex.check_conv_glorot_std, answer)


def test_uniform_limit_is_named_on_its_own_when_k_is_not_3():
    assert "That is the uniform limit" in wrong(ex.check_conv_glorot_std, math.sqrt(6 / (25 * 96)), kernel_size=5,
                                                in_channels=32, out_channels=64)
    assert ex.check_conv_glorot_std(math.sqrt(2 / (25 * 96)), kernel_size=5, in_channels=32, out_channels=64)


def test_conv_fans():
    assert lesson04.conv_fans(3, 64, 128) == (576, 1152)
    assert lesson04.conv_fans(1, 5, 7) == (5, 7)  # a 1x1 convolution is a dense layer on each pixel


@pytest.mark.parametrize("kernel_size, in_channels, out_channels", [(3, 64, 128), (5, 16, 8), (1, 200, 100)])
def test_simulated_gains_are_fan_in_and_fan_out_times_the_variance(kernel_size, in_channels, out_channels):
    fan_in, fan_out = lesson04.conv_fans(kernel_size, in_channels, out_channels)
    forward, backward = lesson04.conv_gains(0.05, kernel_size, in_channels, out_channels)
    assert forward == pytest.approx(fan_in * 0.05**2, rel=0.1)
    assert backward == pytest.approx(fan_out * 0.05**2, rel=0.1)


def test_not_answered_goes_on(capsys):
    assert ex.check_conv_glorot_std(...) is None
    assert capsys.readouterr().out.startswith("… Not answered yet")


def test_a_std_of_zero_is_refused_and_bad_sizes_are_named():
    assert "a standard deviation is > 0, you have 0." in wrong(ex.check_conv_glorot_std, 0.0)
    with pytest.raises(ValueError, match="kernel_size must be an integer >= 1"):
        ex.check_conv_glorot_std(RIGHT, kernel_size=0)
    with pytest.raises(TypeError, match="in_channels must be an integer"):
        ex.check_conv_glorot_std(RIGHT, in_channels=6.5)
