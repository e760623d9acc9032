"""Check functions for the exercises at the end of each notebook.

Each ``check_*`` function takes the student's answer.  Right, it prints
"✓ Correct: ..." and returns True; still ``...`` (the student edition), it says
so and returns None; wrong, it raises ``NotYet`` with one short message that names
the likely mistake ("did you divide by n instead of sqrt(n)?") and no traceback
(``feedback.py``).  An answer of the wrong kind (a string where a number belongs,
NaN, a list) raises, on the check's first line, a TypeError (ValueError for NaN or
infinity) naming ``answer``, what it is and what to enter.  A check's own settings
(``fan_in=...``) are checked too: within ranges where its formula is a finite number
and it answers within a few seconds.

- ``answers.py``: the identical units of notebook 01, Glorot's uniform limit, the
  decay factor, and the helper that judges every numeric answer against the value
  and the known mistakes;
- ``predictions.py``: ``predict`` a result before a cell shows it, ``reveal`` it after;
- ``lesson09.py``: residual growth, initial loss, effective learning rate, LSUV, GPT-2 (notebook 09);
- ``initializer.py``: ``check_initializer``, a hand-written initializer drawn on
  three layer shapes that tell every rule apart (notebook 04);
- ``student_code.py``: how a check calls a student's function (time-bounded) and reads
  what it returns as a weight matrix (``check_initializer``, ``check_orthogonal``);
- ``lessonNN.py``: the checks written for one lesson's exercises (``lesson01.py``:
  which starts keep units interchangeable; ``lesson02.py``: chi_1, the critical
  width, the bias's fixed point; ``lesson03.py``: the weighted sum run backwards,
  inputs other than 0/1, non-centred pixels; ``lesson04.py``: Glorot's rule for a
  convolution; ``lesson05.py``: He for a convolution, SiLU, the explorer's verdict;
  ``lesson06.py``: decay epochs, MNIST pixels with a bias).
- ``lesson08.py``: the Jacobian's mean and spread, a hand-written orthogonal
  initializer (notebook 08).
- ``lesson07.py``: depth scales, trainable depths and edges of chaos (notebook 07).
"""

from .answers import check_decay_factor, check_glorot_uniform_limit, check_identical_units
from .lesson09 import (
    check_gpt2_std,
    check_initial_loss,
    check_learning_rate_factor,
    check_lsuv_factor,
    check_stream_growth,
)
from .feedback import NotYet
from .predictions import predict, reveal
from .initializer import EXPECTED, check_initializer
from .lesson01 import check_constant_start, check_first_moving_step, check_interchangeable_starts
from .lesson02 import check_bias_fixed_point, check_chi_1, check_critical_width
from .lesson03 import check_mixed_inputs_std, check_pixel_weight_std, check_weight_std_with_bias
from .lesson04 import check_conv_glorot_std
from .lesson05 import check_conv_he_std, check_relu_lecun_verdict, check_silu_variance
from .lesson06 import check_decay_epochs, check_pixel_std_with_bias
from .lesson08 import check_leaky_spread, check_orthogonal, check_tanh_mean_square
from .lesson07 import (check_leaky_critical_sigma_w2, check_relu_depth_scale, check_sigmoid_critical_sigma_w,
                       check_trainable_depth)

__all__ = [
    "check_identical_units",
    "check_glorot_uniform_limit",
    "check_initializer",
    "check_decay_factor",
    "check_weight_std_with_bias",
    "check_mixed_inputs_std",
    "check_pixel_weight_std",
    "check_conv_glorot_std",
    "check_silu_variance",
    "check_conv_he_std",
    "check_relu_lecun_verdict",
    "check_decay_epochs",
    "check_pixel_std_with_bias",
    "check_stream_growth",
    "check_initial_loss",
    "check_learning_rate_factor",
    "check_lsuv_factor",
    "check_gpt2_std",
    "check_tanh_mean_square",
    "check_leaky_spread",
    "check_orthogonal",
    "check_relu_depth_scale",
    "check_trainable_depth",
    "check_leaky_critical_sigma_w2",
    "check_sigmoid_critical_sigma_w",
    "EXPECTED",
    "check_constant_start",
    "check_interchangeable_starts",
    "check_first_moving_step",
    "check_critical_width",
    "check_chi_1",
    "check_bias_fixed_point",
    "NotYet",
    "predict",
    "reveal",
]
