"""Check functions for the exercises at the end of each notebook.

Each ``check_*`` function takes the student's answer.  Right, it prints
"✓ Correct: ..." and returns True; still ``...`` (the student edition), it says
so and returns None; wrong, it raises ``NotYet`` with one short message that names
the likely mistake ("did you divide by n instead of sqrt(n)?") and no traceback
(``feedback.py``).  An answer of the wrong kind (a string where a number belongs)
raises a TypeError that says what to pass.

- ``answers.py``: the answers that are numbers (notebooks 01-06), judged by one
  helper against the value and the known mistakes;
- ``predictions.py``: ``predict`` a result before a cell shows it, ``reveal`` it after;
- ``initializer.py``: ``check_initializer``, a hand-written initializer drawn on
  three layer shapes that tell every rule apart (notebook 04);
- ``lesson07.py``: depth scales, trainable depths and edges of chaos (notebook 07).
"""

from .answers import (
    check_decay_factor,
    check_glorot_uniform_limit,
    check_he_std,
    check_identical_units,
    check_layer_std,
    check_leaky_he_std,
    check_unit_variance_std,
    check_weighted_sum_std,
)
from .feedback import NotYet
from .predictions import predict, reveal
from .initializer import EXPECTED, check_initializer
from .lesson07 import (check_leaky_critical_sigma_w2, check_relu_depth_scale, check_sigmoid_critical_sigma_w,
                       check_trainable_depth)

__all__ = [
    "check_identical_units",
    "check_layer_std",
    "check_unit_variance_std",
    "check_weighted_sum_std",
    "check_glorot_uniform_limit",
    "check_initializer",
    "check_he_std",
    "check_leaky_he_std",
    "check_decay_factor",
    "check_relu_depth_scale",
    "check_trainable_depth",
    "check_leaky_critical_sigma_w2",
    "check_sigmoid_critical_sigma_w",
    "EXPECTED",
    "NotYet",
    "predict",
    "reveal",
]
