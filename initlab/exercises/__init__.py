"""Check functions for the exercises at the end of each notebook.

Each ``check_*`` function takes the student's answer, prints a sentence saying
whether it is right -- and, when it is wrong in a common way, which mistake it
looks like ("did you divide by n instead of sqrt(n)?") -- and returns True or
False.  It never raises for a wrong answer, only for an answer of the wrong
kind (a string where a number belongs), with a message that says what to pass.

- ``answers.py``: the answers that are numbers (notebooks 01-06), judged by one
  helper against the value and the known mistakes;
- ``initializer.py``: ``check_initializer``, a hand-written initializer drawn on
  three layer shapes that tell every rule apart (notebook 04).
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
from .initializer import EXPECTED, check_initializer

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
    "EXPECTED",
]
