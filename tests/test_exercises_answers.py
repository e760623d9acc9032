"""Every exercise check refuses every answer of the wrong kind by name, and its own settings at their extremes.

The registry of checks and the malformed answers are in answer_cases.py; the
property tests (test_properties_exercises.py) draw more answers and settings.
"""

import re
import threading
import time

import numpy as np
import pytest

from answer_cases import CHECKS, FUNCTION_IDS, MALFORMED_ANSWERS, MALFORMED_FUNCTIONS, MALFORMED_IDS, NUMBER_CHECKS
from initlab import exercises as ex
from initlab import initializers
from initlab.exercises import lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, student_code


def test_the_registry_lists_every_check():
    assert set(CHECKS) == {name for name in ex.__all__ if name.startswith("check_")}


# ---- answers of the wrong kind ----------------------------------------------------------
@pytest.mark.parametrize("name", NUMBER_CHECKS)
def test_a_number_check_says_what_the_answer_is_and_what_to_enter(name):
    check, args, parameter, _ = CHECKS[name]
    for (answer, error, message), label in zip(MALFORMED_ANSWERS, MALFORMED_IDS):
        with pytest.raises(error, match=message.replace("answer must", f"{parameter} must")):
            check(answer, *args)
            pytest.fail(f"{name} accepted the answer {label}")


# A whole number of steps, a set of letters, a word and a function refuse every malformed number too
# (10**400 is a whole number: wrong, not malformed, for the step check).
@pytest.mark.parametrize("name", [name for name, (_, _, _, kind) in CHECKS.items() if kind != "number"])
def test_every_other_check_refuses_every_malformed_answer_by_name(name):
    check, args, parameter, kind = CHECKS[name]
    for (answer, _, _), label in zip(MALFORMED_ANSWERS, MALFORMED_IDS):
        if kind == "whole number" and type(answer) is int:
            continue
        with pytest.raises((TypeError, ValueError), match=parameter):
            check(answer, *args)
            pytest.fail(f"{name} accepted the answer {label}")


@pytest.mark.parametrize("name", ["check_initializer", "check_orthogonal"])
@pytest.mark.parametrize("function, error, message", MALFORMED_FUNCTIONS, ids=FUNCTION_IDS)
def test_a_function_check_refuses_what_is_not_a_function_of_three_arguments(name, function, error, message):
    check, args, parameter, _ = CHECKS[name]
    with pytest.raises(error, match=f"{parameter} {message}"):
        check(function, *args)


def test_whole_numbers_and_letters_say_what_to_enter():
    with pytest.raises(TypeError, match=r"answer must be a whole number, e.g. 3, got 2.0 \(float\): write 2, without"):
        ex.check_first_moving_step(2.0)
    with pytest.raises(TypeError, match=r"answer must be a set of letters such as \{'A', 'C'\}, got 'BCE'"):
        ex.check_interchangeable_starts("BCE")


# ---- what a student's function returns ----------------------------------------------------
def returns(value):
    return lambda fan_in, fan_out, rng: value


@pytest.mark.parametrize("init, verdict", [
    (returns(None), r"✗ init\(784, 30, 0\) returned None, not a matrix of real numbers"),
    (returns("weights"), r"returned text, not a matrix of real numbers"),
    (lambda fan_in, fan_out, rng: np.ones((fan_in, fan_out)) * 1j, r"returned complex numbers"),
    (returns([[1.0, 2.0], [3.0]]), r"returned rows of different lengths, not a matrix"),
    (returns(np.array([[None]] * 784 * 30).reshape(784, 30)), r"returned entries that are not numbers"),
    (lambda fan_in, fan_out, rng: np.full((fan_in, fan_out), np.inf), r"returned 23520 NaN or infinite entries"),
    (lambda fan_in, fan_out, rng: np.full((fan_in, fan_out), 1e300), r"returned entries as large as 1e\+300"),
    (returns(0.05), r"returned one number, not a matrix of shape \(fan_in, fan_out\) = \(784, 30\)"),
    (returns(np.zeros(5)), r"returned an array of shape \(5,\), not a matrix"),
    (lambda fan_in, fan_out, rng: 1 / 0, r"init\(784, 30, 0\) raised ZeroDivisionError: division by zero"),
], ids=["None", "text", "complex", "ragged", "objects", "inf", "huge", "number", "vector", "raises"])
def test_check_initializer_says_what_came_back(init, verdict):
    with pytest.raises(ex.NotYet, match=verdict):
        ex.check_initializer(init)


def test_a_call_that_loops_is_stopped(monkeypatch):
    monkeypatch.setattr(student_code, "CALL_SECONDS", 0.2)
    start = time.monotonic()
    with pytest.raises(ex.NotYet, match=r"init\(784, 30, 0\) did not return within 0.2 s: does a loop never end"):
        ex.check_initializer(lambda fan_in, fan_out, rng: time.sleep(30))
    assert time.monotonic() - start < 2
    with pytest.raises(ex.NotYet, match=r"my_orthogonal\(30, 10, rng\) did not return within 0.2 s"):
        ex.check_orthogonal(lambda fan_in, fan_out, rng: time.sleep(30))


def test_a_loop_that_catches_every_exception_is_stopped_too(monkeypatch):
    monkeypatch.setattr(student_code, "CALL_SECONDS", 0.2)

    def stubborn(fan_in, fan_out, rng):
        while True:
            try:
                time.sleep(30)
            except Exception:
                pass

    with pytest.raises(ex.NotYet, match="did not return within 0.2 s"):
        ex.check_initializer(stubborn)


def test_all_the_calls_of_a_check_are_bounded(monkeypatch):
    monkeypatch.setattr(student_code, "TOTAL_SECONDS", 0.05)
    slow = lambda fan_in, fan_out, rng: (time.sleep(0.02), initializers.xavier_normal()(fan_in, fan_out, rng))[1]
    with pytest.raises(ex.NotYet, match=r"init took 0.0\d+ s over \d calls, more than the 0.05 s this check allows"):
        ex.check_initializer(slow)


def test_without_a_signal_a_slow_call_is_refused_when_it_returns(monkeypatch):
    monkeypatch.setattr(student_code, "CALL_SECONDS", 0.05)
    calls = student_code.Calls(lambda fan_in, fan_out, rng: time.sleep(0.2), "init", "init(fan_in, fan_out, rng)")
    outcome = []

    def in_a_thread():  # no signal can interrupt a call outside the main thread (nor on Windows)
        try:
            calls.weights(3, 3, 0)
        except student_code.Rejected as rejected:
            outcome.append(str(rejected))

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert outcome and outcome[0].startswith("init took 0.2")
    assert "s over 1 call, more than the 30 s this check allows" in outcome[0]


# ---- each check's own settings -------------------------------------------------------------
F = 0.05  # an answer: these settings are refused before it is judged
SETTINGS = [  # (call, the argument(s) the message names)
    (lambda: ex.check_critical_width(F, weight_std=1e-300), "weight_std"),
    (lambda: ex.check_critical_width(F, weight_std=1e300), "weight_std"),
    (lambda: ex.check_chi_1(F, weight_std=0), "weight_std"),
    (lambda: ex.check_chi_1(F, width=10**6), "width"),
    (lambda: ex.check_bias_fixed_point(F, width=0), "width"),
    (lambda: ex.check_bias_fixed_point(F, weight_std=10**6), "weight_std"),
    (lambda: ex.check_bias_fixed_point(F, depth=10**6), "depth"),
    (lambda: ex.check_bias_fixed_point(F, bias_std=1e300), "bias_std"),
    (lambda: ex.check_weight_std_with_bias(F, target_std=1e300), "target_std"),
    (lambda: ex.check_mixed_inputs_std(F, counts=300), "counts"),
    (lambda: ex.check_mixed_inputs_std(F, values=None), "values"),
    (lambda: ex.check_mixed_inputs_std(F, values=(1.0, float("nan"))), "values"),
    (lambda: ex.check_pixel_weight_std(F, np.full((3, 784), 1e200)), "pixels"),
    (lambda: ex.check_pixel_weight_std(F, np.broadcast_to(0.5, (20_000, 784))), "pixels"),
    (lambda: ex.check_glorot_uniform_limit(F, fan_in=10**400), "fan_in"),
    (lambda: ex.check_conv_glorot_std(F, kernel_size=10**7), "kernel_size"),
    (lambda: ex.check_conv_he_std(F, channels_in=10**7), "channels_in"),
    (lambda: ex.check_silu_variance(F, fan_in=10**10), "fan_in"),
    (lambda: ex.check_relu_lecun_verdict("vanishing", depth=10**12), "depth"),
    (lambda: ex.check_relu_lecun_verdict("vanishing", width=10**4), "width"),
    (lambda: ex.check_decay_factor(F, eta=1e6), "eta"),
    (lambda: ex.check_decay_factor(F, lmbda=1e-300), "lmbda"),
    (lambda: ex.check_decay_factor(F, batch_size=10**6), "batch_size"),
    (lambda: ex.check_decay_epochs(F, eta=1e-300), "eta"),
    (lambda: ex.check_decay_epochs(F, batch_size=10**6), "batch_size"),
    (lambda: ex.check_decay_epochs(F, eta=999.0, lmbda=4.0), "batch_size"),  # an epoch takes all the weights
    (lambda: ex.check_pixel_std_with_bias(F, target_std=1e300), "target_std"),
    (lambda: ex.check_relu_depth_scale(F, sigma_w2=1e-320), "sigma_w2"),
    (lambda: ex.check_trainable_depth(F, sigma_w2=1e300), "sigma_w2"),
    (lambda: ex.check_trainable_depth(F, sigma_w2=1.0, sigma_b2=0.0), "sigma_b2"),  # on the edge of chaos
    (lambda: ex.check_leaky_critical_sigma_w2(F, slope=2.0), "slope"),
    (lambda: ex.check_tanh_mean_square(F, sigma_w=1e300), "sigma_w"),
    (lambda: ex.check_tanh_mean_square(F, depth=10**6), "depth"),
    (lambda: ex.check_tanh_mean_square(F, sigma_w=50.0, depth=200), "depth"),  # chi_1^(2 depth) beyond a float
    (lambda: ex.check_leaky_spread(F, slope=1.0), "slope"),
    (lambda: ex.check_leaky_spread(F, depth=10**6), "depth"),
    (lambda: ex.check_stream_growth(F, blocks=10**12), "blocks"),
    (lambda: ex.check_stream_growth(F, branch_scale=1e300), "branch_scale"),
    (lambda: ex.check_stream_growth(F, blocks=1000, branch_gain=100.0), "branch_gain"),  # growth beyond a float
    (lambda: ex.check_initial_loss(F, n_classes=10**400), "n_classes"),
    (lambda: ex.check_learning_rate_factor(F, weight_scale=1e-300), "weight_scale"),
    (lambda: ex.check_lsuv_factor(F, variance=1e300), "variance"),
    (lambda: ex.check_gpt2_std(F, base_std=1e300), "base_std"),
    (lambda: ex.check_initializer(initializers.xavier_normal(), fan_in=10**6), "fan_in"),
    (lambda: ex.check_constant_start(F, *CHECKS["check_constant_start"][1][:2], n_hidden=10**6), "n_hidden"),
    (lambda: ex.check_constant_start(F, *CHECKS["check_constant_start"][1][:2], epochs=10**9), "epochs"),
    (lambda: ex.check_constant_start(F, np.ones((60, 3)), CHECKS["check_constant_start"][1][1]), "x"),
    (lambda: ex.check_identical_units(F, np.full((2, 2), 1e308)), "weights"),
    (lambda: lesson01.start(3), "label"),
    (lambda: lesson01.interchangeable(None), "net"),
    (lambda: lesson01.first_moving_step(batch_size=100, max_steps=10), "max_steps"),
    (lambda: lesson02.fixed_point("1"), "sigma_w"),
    (lambda: lesson02.fixed_point(1.0, activation="relu"), "activation"),
    (lambda: lesson02.chi_1(1e300, 1.0), "sigma_w"),
    (lambda: lesson02.chi_1(1.0, -1.0), "q"),
    (lambda: lesson03.simulated_variance(np.broadcast_to(0.5, (20_000, 784)), 0.1), "pixels"),
    (lambda: lesson04.conv_gains(0.05, 3, 1024, 1024), "in_channels"),
    (lambda: lesson05.silu_layer_gain(0.01, 10**5), "fan_in"),
    (lambda: lesson06.try_on_images(float("nan"), 0.5), "weight_std"),
]


@pytest.mark.parametrize("call, argument", SETTINGS, ids=[f"{i}-{a}" for i, (_, a) in enumerate(SETTINGS)])
def test_a_setting_at_its_extreme_is_refused_by_name(call, argument):
    with pytest.raises((ValueError, TypeError), match=re.escape(argument)):
        call()


def test_a_simulation_too_large_to_run_is_skipped_with_a_note():
    right = (2 / (9 * 512 + 9 * 512)) ** 0.5
    with pytest.raises(ex.NotYet, match=r"\(A simulated convolution of this size would cost 9.2e\+08 multiply-adds"):
        ex.check_conv_glorot_std(right * 3, in_channels=512, out_channels=512)


def test_an_extreme_answer_is_not_simulated(capsys):
    with pytest.raises(ex.NotYet) as error:
        ex.check_conv_glorot_std(1e200)
    assert "simulated" not in str(error.value) and "too large by a factor" in str(error.value)
