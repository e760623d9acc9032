"""What a lesson does around its cells: facts that tell a student's experiment from a broken course, and hints.

``fact(holds, claim, width=(width, 500), ...)`` states one of the lesson's facts.
Each keyword names a setting the fact depends on, as (the value in the notebook
now, the course's reference value).  When the fact holds, nothing is printed.
When it does not:

- if every setting still has its reference value, the course itself is wrong or
  broken: it raises ``FactError`` (strict nbval in CI fails on it);
- if the student changed a setting to experiment, it prints a one-line note
  ("your width is 400; the course's reference run used 500, so this differs")
  and the notebook goes on.

``start()`` is the first call of every lesson: in IPython it adds a hint to a
NameError ("'runs' is made in cell 5: run the cells above first"), found by
reading the notebook the kernel runs, when Jupyter says which one it is.
"""

from __future__ import annotations

import json
import os
import re

import numpy as np

from .checks import ArgumentError, ArgumentTypeError

__all__ = ["fact", "FactError", "start", "where_defined"]


class FactError(AssertionError):
    """A fact of the lesson no longer holds at the course's own settings."""

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"FactError: {self}"]


def _differs(yours, reference) -> bool:
    try:
        return bool(yours != reference)
    except ValueError:  # arrays: compare element by element
        return not (getattr(yours, "shape", None) == getattr(reference, "shape", None) and bool((yours == reference).all()))


def _truth(holds) -> bool:
    """``holds`` as a bool: True or False, numpy's bools, or an array holding one of them."""
    if isinstance(holds, np.ndarray) and holds.dtype == bool and holds.size == 1:
        return bool(holds.item())
    if not isinstance(holds, (bool, np.bool_)):
        hint = " (use .all() or .any() for an array of comparisons)" if isinstance(holds, np.ndarray) else ""
        raise ArgumentTypeError(f"holds must be True or False, a comparison such as abs(ratio - 0.224) < 0.01, "
                                f"got {holds!r:.60} ({type(holds).__name__}){hint}")
    return bool(holds)


def fact(holds, claim, **settings) -> bool:
    """Check one fact of the lesson: raise at the course's settings, note it after a student's change.

    Parameters
    ----------
    holds : bool (numpy's too)
        Whether the fact holds in this run (e.g. ``abs(ratio - 0.224) < 0.01``).
    claim : str
        The fact in words, shown when it does not hold.
    **settings : (yours, reference) pairs
        The settings this fact depends on: ``width=(width, 500)``.

    Returns True when the fact holds, False when it does not but a setting was changed.
    """
    holds = _truth(holds)
    if not isinstance(claim, str):
        raise ArgumentTypeError(f"claim must be the fact in words (a str), got {claim!r}")
    if not claim.strip():
        raise ArgumentError("claim must be the fact in words, got an empty text")
    for name, pair in settings.items():
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ArgumentTypeError(f"{name} must be a pair (your value, the course's value), got {pair!r}")
    if holds:
        return True
    changed = {name: pair for name, pair in settings.items() if _differs(*pair)}
    if not changed:
        raise FactError(f"{claim} -- this no longer holds at the course's own settings. "
                        f"Run the notebook from the top in a fresh kernel; if it persists, the course has a bug.")
    said = "; ".join(f"your {name} is {yours!r}, the course's reference run used {reference!r}"
                     for name, (yours, reference) in changed.items())
    print(f"Note: {said}, so this differs from the lesson: {claim}")
    return False


# ----------------------------------------------------------------------------
# hints for a cell run out of order
# ----------------------------------------------------------------------------
def where_defined(name, notebook) -> str | None:
    """'cell N, which starts "..."': the first code cell of ``notebook`` (a path) that makes ``name``.

    None when no cell makes it, or the notebook cannot be read.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ArgumentTypeError(f"name must be a Python name such as 'runs', got {name!r}")
    if not isinstance(notebook, (str, os.PathLike)):
        raise ArgumentTypeError(f"notebook must be the path of a .ipynb file, got {notebook!r}")
    try:
        with open(notebook, encoding="utf-8") as handle:
            cells = [cell for cell in json.load(handle)["cells"] if isinstance(cell, dict)]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    n = re.escape(name)
    makes = re.compile("|".join([
        rf"^[\w \t,]*\b{n}\b[\w \t,]*=(?!=)",        # name = ..., a, name = ...
        rf"^(?:def|class)[ \t]+{n}\b",                   # def name(...)
        rf"^for[ \t].*\b{n}\b.*[ \t]in[ \t]",          # for name in ...
        rf"^(?:from[ \t]+\S+[ \t]+)?import[ \t].*\b{n}\b",  # import name, from x import name
    ]), re.M)
    number = 0
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        number += 1
        source = "".join(cell.get("source", ""))
        if makes.search(source):
            first = source.strip().splitlines()[0][:60]
            return f'code cell {number} of this lesson, which starts "{first}"'
    return None


def _name_error_hint(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: the usual NameError, then which cell makes the name."""
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    match = re.search(r"name '(\w+)' is not defined", str(value))
    notebook = os.environ.get("JPY_SESSION_NAME", "")
    place = where_defined(match.group(1), notebook) if match and notebook.endswith(".ipynb") else None
    if match:
        where = f"it is made in {place}" if place else "it is made in an earlier cell of this lesson"
        print(f"Hint: '{match.group(1)}' is not defined yet: {where}. Run the cells above this one first "
              f"(Run > Run All Above), then this one again.")


def start() -> None:
    """Call once at the top of a lesson: in IPython, NameErrors then say which cell to run first."""
    try:
        shell = get_ipython()  # noqa: F821 -- defined inside IPython only
    except NameError:
        return
    shell.set_custom_exc((NameError,), _name_error_hint)
