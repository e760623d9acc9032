"""Property tests of initlab.checks, the helpers every public entry uses (and of the
shared tools in tests/properties.py that the other property tests rely on)."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from initlab.checks import check_array, check_bool, check_float, check_int
from properties import BAD_NUMBER, NOT_AN_INT, TookTooLong, answers, bad_arrays, refuses, within


@given(NOT_AN_INT)
def test_check_int_refuses_every_non_integer_by_name(value):
    refuses(lambda: check_int("width", value), "width")


@given(st.integers(-10**6, 0))
def test_check_int_refuses_below_minimum_and_says_the_bound(value):
    error = refuses(lambda: check_int("depth", value, minimum=1), "depth")
    assert ">= 1" in str(error) and str(value) in str(error)


@given(BAD_NUMBER)
def test_check_float_refuses_non_finite_and_non_numbers(value):
    refuses(lambda: check_float("sigma_w", value), "sigma_w")


@given(bad_arrays((4, 3)))
def test_check_array_refuses_spoiled_arrays(value):
    refuses(lambda: check_array("x", value, ndim=2), "x")


@given(st.one_of(st.integers(), st.text(max_size=3), st.none(), st.floats()))
def test_check_bool_refuses_anything_but_true_or_false(value):
    refuses(lambda: check_bool("log_std", value), "log_std")


def test_check_array_keeps_a_float64_array_without_copying():
    x = np.arange(6.0).reshape(2, 3)
    assert check_array("x", x, ndim=2) is x


def test_the_helpers_themselves_can_fail():
    with pytest.raises(AssertionError, match="accepted"):
        refuses(lambda: None, "width")
    with pytest.raises(AssertionError, match="does not name 'width'"):
        refuses(lambda: int("x"), "width")
    with pytest.raises(AssertionError, match="non-finite"):
        answers(lambda: {"std": np.array([1.0, np.nan])})
    with pytest.raises(TookTooLong):
        with within(0.05):
            while True:
                pass


def test_check_float_refuses_an_integer_beyond_a_float():
    error = refuses(lambda: check_float("sigma_w", 10**400), "sigma_w")
    assert "401 digits" in str(error)
