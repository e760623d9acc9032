"""Every exercise check, with what it needs besides the answer, and the answers of the wrong kind it must refuse.

Shared by tests/test_exercises_answers.py (every check against every malformed
answer, by name) and tests/test_properties_exercises.py (generated answers).
"""

import math

import numpy as np

from initlab import data
from initlab import exercises as ex

#: (answer, error, message): every check whose answer is a number raises the error with this message.
MALFORMED_ANSWERS = [
    ("0.1", TypeError, r"answer must be a number, e.g. 0.05, got '0.1' \(str\): write the number without quotes, 0.1"),
    ("abc", TypeError, r"answer must be a number, e.g. 0.05, got 'abc' \(str\)$"),
    ("", TypeError, r"answer must be a number, e.g. 0.05, got '' \(str\)$"),
    ([0.1], TypeError, r"got \[0.1\] \(list\): enter one number, not a collection"),
    ((0.1,), TypeError, r"got \(0.1,\) \(tuple\): enter one number, not a collection"),
    ({"answer": 0.1}, TypeError, r"got \{'answer': 0.1\} \(dict\): enter one number"),
    (np.array([0.1, 0.2]), TypeError, r"got array\(\[0.1, 0.2\]\) \(ndarray\): enter one number"),
    (np.array(0.1), TypeError, r"got array\(0.1\) \(ndarray\): .*float\(x\) turns an array of one entry"),
    (0.1 + 0.2j, TypeError, r"got \(0.1\+0.2j\) \(complex\): the answer is a real number"),
    (None, TypeError, r"got None \(NoneType\): did the cell compute it\?"),
    (True, TypeError, r"got True \(bool\): True and False are not numbers here"),
    (np.bool_(False), TypeError, r"got np.False_ \(bool\): True and False are not numbers here"),
    (math.sqrt, TypeError, r"got <built-in function sqrt> .*: call the function and enter what it returns"),
    (float("nan"), ValueError, r"answer must be a finite number, e.g. 0.05, got nan \(float\)"),
    (np.float64("nan"), ValueError, r"answer must be a finite number, e.g. 0.05, got np.float64\(nan\)"),
    (math.inf, ValueError, r"answer must be a finite number, e.g. 0.05, got inf \(float\)"),
    (-math.inf, ValueError, r"answer must be a finite number, e.g. 0.05, got -inf \(float\)"),
    (10**400, ValueError, r"answer must be a finite number, e.g. 0.05, got 1000000000000.*\.\.\. \(int\)"),
]
MALFORMED_IDS = ["str", "text", "empty", "list", "tuple", "dict", "array", "0-d array", "complex", "None", "True",
                 "np.bool", "function", "nan", "np.nan", "inf", "-inf", "10**400"]

#: (answer, error, message) for a check whose answer is a function of (fan_in, fan_out, rng).
MALFORMED_FUNCTIONS = [
    ("xavier_normal", TypeError, r"must be a function .*, got 'xavier_normal' \(str\)"),
    (None, TypeError, r"must be a function .*, got None \(NoneType\)"),
    (np.eye(3), TypeError, r"must be a function .*\(ndarray\)"),
    (lambda fan_in, fan_out: np.eye(fan_in, fan_out), TypeError,
     r"must be a function .*, taking three arguments; yours takes \(fan_in, fan_out\)"),
    (lambda: None, TypeError, r"must be a function .*, taking three arguments; yours takes \(\)"),
]
FUNCTION_IDS = ["str", "None", "array", "two arguments", "no argument"]

# What a check needs besides its answer.
PIXELS = np.where(np.random.default_rng(5).random((40, 784)) < 0.15, 0.8, 0.0)
MOONS = data.two_moons(60, noise=0.15, rng=0)
TRAINED = np.tile(np.array([[0.3], [-0.2]]), (1, 4))

#: name: (check, the arguments after the answer, the answer's parameter, what kind of answer it takes)
CHECKS = {
    "check_identical_units": (ex.check_identical_units, (TRAINED,), "max_difference", "number"),
    "check_constant_start": (ex.check_constant_start, (*MOONS, 4), "answer", "number"),
    "check_interchangeable_starts": (ex.check_interchangeable_starts, (), "answer", "letters"),
    "check_first_moving_step": (ex.check_first_moving_step, (), "answer", "whole number"),
    "check_critical_width": (ex.check_critical_width, (), "answer", "number"),
    "check_chi_1": (ex.check_chi_1, (), "answer", "number"),
    "check_bias_fixed_point": (ex.check_bias_fixed_point, (), "answer", "number"),
    "check_weight_std_with_bias": (ex.check_weight_std_with_bias, (), "answer", "number"),
    "check_mixed_inputs_std": (ex.check_mixed_inputs_std, (), "answer", "number"),
    "check_pixel_weight_std": (ex.check_pixel_weight_std, (PIXELS,), "answer", "number"),
    "check_glorot_uniform_limit": (ex.check_glorot_uniform_limit, (), "answer", "number"),
    "check_initializer": (ex.check_initializer, (), "init", "function"),
    "check_conv_glorot_std": (ex.check_conv_glorot_std, (), "answer", "number"),
    "check_relu_lecun_verdict": (ex.check_relu_lecun_verdict, (), "answer", "word"),
    "check_conv_he_std": (ex.check_conv_he_std, (), "answer", "number"),
    "check_silu_variance": (ex.check_silu_variance, (), "answer", "number"),
    "check_decay_factor": (ex.check_decay_factor, (), "answer", "number"),
    "check_decay_epochs": (ex.check_decay_epochs, (), "answer", "number"),
    "check_pixel_std_with_bias": (ex.check_pixel_std_with_bias, (), "answer", "number"),
    "check_relu_depth_scale": (ex.check_relu_depth_scale, (), "answer", "number"),
    "check_trainable_depth": (ex.check_trainable_depth, (), "answer", "number"),
    "check_leaky_critical_sigma_w2": (ex.check_leaky_critical_sigma_w2, (), "answer", "number"),
    "check_sigmoid_critical_sigma_w": (ex.check_sigmoid_critical_sigma_w, (), "answer", "number"),
    "check_tanh_mean_square": (ex.check_tanh_mean_square, (), "answer", "number"),
    "check_leaky_spread": (ex.check_leaky_spread, (), "answer", "number"),
    "check_orthogonal": (ex.check_orthogonal, (), "answer", "function"),
    "check_stream_growth": (ex.check_stream_growth, (), "answer", "number"),
    "check_initial_loss": (ex.check_initial_loss, (), "answer", "number"),
    "check_learning_rate_factor": (ex.check_learning_rate_factor, (), "answer", "number"),
    "check_lsuv_factor": (ex.check_lsuv_factor, (), "answer", "number"),
    "check_gpt2_std": (ex.check_gpt2_std, (), "answer", "number"),
}
NUMBER_CHECKS = [name for name, (_, _, _, kind) in CHECKS.items() if kind == "number"]
