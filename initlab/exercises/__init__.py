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
- ``lesson08.py``: the Jacobian's mean and spread, a hand-written orthogonal
  initializer (notebook 08).
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
from .lesson08 import check_leaky_spread, check_orthogonal, check_tanh_mean_square

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
    "check_tanh_mean_square",
    "check_leaky_spread",
    "check_orthogonal",
    "EXPECTED",
    "NotYet",
    "predict",
    "reveal",
]
