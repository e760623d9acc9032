"""Shared tools of the property tests: values a careless student might pass, and what
a clean answer to them looks like.

Every ``tests/test_properties_*.py`` file draws arguments from the strategies here
(with the `hypothesis` package) and judges each call with one of two helpers:

* ``refuses(call, "width")``: the call must raise ``ValueError`` or ``TypeError``
  whose message names the argument *as the caller wrote it*, quickly;
* ``answers(call)``: the call must return, quickly, without a RuntimeWarning (pytest
  turns those into errors), and every number in what it returns must be finite.

The hypothesis profile "course" (registered in conftest.py) is derandomized, so the
same examples are generated on every run and CI stays deterministic.
"""

from __future__ import annotations

import contextlib
import math
import signal
import numbers

import numpy as np
from hypothesis import strategies as st

# --- values that are not what an argument asks for ------------------------------

NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])

#: Anything that is not an integer (whole floats included: ``width=3.0`` is a bug).
NOT_AN_INT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.none(),
    st.booleans(),
    st.complex_numbers(max_magnitude=10),
    st.lists(st.integers(0, 9), max_size=2),
)

#: Anything that is not a real number.
NOT_A_NUMBER = st.one_of(
    st.text(max_size=4),
    st.none(),
    st.booleans(),
    st.complex_numbers(min_magnitude=0.1, max_magnitude=10),
    st.lists(st.floats(0, 1), max_size=2),
)

#: Not a finite real number at all (a NaN, an infinity, or not a number).
BAD_NUMBER = st.one_of(NON_FINITE, NOT_A_NUMBER)


def bad_arrays(shape=(5, 3)):
    """Arrays a function taking a float array of ``shape`` must refuse."""
    n = int(np.prod(shape))
    spoiled = st.tuples(st.integers(0, n - 1), NON_FINITE).map(
        lambda spoil: _spoil(shape, *spoil)
    )
    return st.one_of(
        spoiled,
        st.just(np.zeros(shape, dtype=complex) + 1j),
        st.just(np.full(shape, "a")),
        st.just(np.zeros((0,) + tuple(shape[1:]))),
        st.text(max_size=4),
        st.none(),
    )


def _spoil(shape, index, value):
    array = np.ones(shape)
    array.flat[index] = value
    return array


# --- judging one call -------------------------------------------------------------

class TookTooLong(AssertionError):
    """A call ran past its time bound (a freeze, as far as a student can tell)."""


@contextlib.contextmanager
def within(seconds: float):
    """Fail with ``TookTooLong`` if the block runs longer than ``seconds`` (wall time)."""

    def alarm(signum, frame):
        raise TookTooLong(f"the call did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refuses(call, argument: str, *, seconds: float = 5.0) -> BaseException:
    """Assert ``call()`` raises ValueError/TypeError naming ``argument``; return the error."""
    try:
        with within(seconds):
            call()
    except (ValueError, TypeError) as error:
        message = str(error)
        assert argument in message, (
            f"the error does not name {argument!r}: {type(error).__name__}: {message}"
        )
        return error
    raise AssertionError(f"the call was accepted, but {argument!r} is not valid")


def finite_numbers(value, path="result"):
    """Yield (path, number) for every number inside ``value`` that is not finite."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and not np.all(np.isfinite(value)):
            yield path, value
        return
    if isinstance(value, numbers.Number):
        if not np.isfinite(value):
            yield path, value
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from finite_numbers(item, f"{path}[{key!r}]")
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from finite_numbers(item, f"{path}[{i}]")
        return
    fields = getattr(value, "__dataclass_fields__", None)
    if fields:
        for name in fields:
            yield from finite_numbers(getattr(value, name), f"{path}.{name}")


def answers(call, *, seconds: float = 5.0, finite: bool = True):
    """Assert ``call()`` returns within ``seconds`` and (if ``finite``) only finite numbers."""
    with within(seconds):
        result = call()
    if finite:
        bad = list(finite_numbers(result))
        assert not bad, f"non-finite numbers in the result: {bad[:3]}"
    return result
