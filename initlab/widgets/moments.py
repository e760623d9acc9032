"""Lean statistics of the signal explorer's layers: computed part by part, combined exactly.

A pass of the signal explorer (``network.py``) runs its samples in parts, one thread
each.  Each part of a layer gives its column moments (``part_moments``) or, for a gradient,
its sums (``part_sums``); ``statistics_from`` and ``gradient_std_from`` combine them into the
numbers ``propagation.layer_statistics`` gives for the whole layer, to float32's
precision and 5-10 times faster: a few passes over the part (column sums through
BLAS, sums of squares without a temporary), no more.  Parts kept at different powers of
two are brought to one first (``..._times_power_of_two``).
"""

from __future__ import annotations

import math
from typing import NamedTuple, Optional

import numpy as np

__all__ = ["Moments", "column_moments", "part_moments", "statistics_from", "part_sums", "gradient_std_from",
           "moments_times_power_of_two", "sums_times_power_of_two", "rms"]


class Moments(NamedTuple):
    """What one part of a layer's samples contributes to its statistics."""

    count: int                # samples (rows)
    mean: np.ndarray          # mean of each column (unit), float64
    m2: np.ndarray            # sum of squared deviations from it, per column, float64
    saturated: int            # entries beyond the activation's saturation level
    zeros: int                # entries exactly 0
    alive: Optional[np.ndarray]  # per column: any entry not 0 (None when no entry is 0)


def column_moments(x) -> tuple:
    """(mean, m2) of each column of x (samples, units), in float64: m2_j = sum_i (x_ij - mean_j)^2.

    m2_j is sum_i x_ij^2 - n mean_j^2: one pass over x, no temporary.  The difference
    loses float32 digits to cancellation when mean_j^2 is most of the mean square: where
    n mean_j^2 is over half of sum_i x_ij^2 in some column (an ordered network, whose
    units hardly depend on the input), m2 is summed from the deviations instead, as the
    textbook's two passes do.
    """
    count = x.shape[0]
    ones = np.ones(count, dtype=x.dtype)
    column_mean = (ones @ x) / count
    squares = np.einsum("ij,ij->j", x, x)  # no temporary
    mean_part = count * column_mean * column_mean
    if np.all(mean_part <= 0.5 * squares):
        m2 = squares - mean_part
    else:
        deviation = x - column_mean
        m2 = np.einsum("ij,ij->j", deviation, deviation)
    return column_mean.astype(np.float64), m2.astype(np.float64)


def part_moments(h, act, deviation=None) -> Moments:
    """The column moments of h (samples, units), and its counts.

    ``deviation``: (d, r) with h = r + d, r one row (``chains.sigmoid_layer``): the
    column moments then come from d, which keeps the inputs' differences that h, near r
    in every row, rounds away.
    """
    if deviation is None:
        mean, m2 = column_moments(h)
    else:
        mean, m2 = column_moments(deviation[0])
        mean += deviation[1]
    saturated = np.count_nonzero(act.is_saturated(h)) if act.is_saturated is not None else 0
    zeros = np.count_nonzero(h == 0)  # faster than h.size - np.count_nonzero(h)
    alive = h.any(axis=0) if zeros else None
    return Moments(h.shape[0], mean, m2, saturated, zeros, alive)


def statistics_from(parts) -> tuple:
    """(mean, std, std_over_inputs, saturated, dead, dead_units) of a layer from its parts' moments.

    The parts' column moments combine exactly (Chan, Golub and LeVeque): the column
    mean is the count-weighted mean, and each part adds its m2 plus count times the
    squared gap between its mean and the column mean.  The std of everything is then
    the law of total variance over the columns: Var = mean_j Var_j + Var_j(mean_j).
    """
    count = sum(part.count for part in parts)
    mean = sum(part.count * part.mean for part in parts) / count
    variance = sum(part.m2 + part.count * (part.mean - mean) ** 2 for part in parts) / count
    std = math.sqrt(variance.mean() + mean.var())
    over_inputs = float(np.sqrt(variance).mean()) if count > 1 else 0.0
    size = count * mean.size
    zeros = sum(part.zeros for part in parts)
    alive = [part.alive for part in parts if part.alive is not None]
    dead_units = float(np.mean(~np.logical_or.reduce(alive))) if len(alive) == len(parts) else 0.0
    return (float(mean.mean()), std, over_inputs, sum(part.saturated for part in parts) / size, zeros / size,
            dead_units)


def part_sums(dz) -> tuple:
    """(count, sum, sum of squares) of dz, in float64: what ``gradient_std_from`` combines."""
    ones = np.ones(dz.shape[0], dtype=dz.dtype)
    column_sums = (ones @ dz).astype(np.float64)
    column_squares = np.einsum("ij,ij->j", dz, dz).astype(np.float64)  # no temporary
    return dz.size, float(column_sums.sum()), float(column_squares.sum())


def gradient_std_from(parts) -> float:
    """The std of all of a gradient from its parts' ``part_sums``: sqrt(E[dz^2] - E[dz]^2).

    A gradient's mean is near 0 (the arriving gradient is N(0, 1)), so the
    difference loses nothing to cancellation.
    """
    count = sum(part[0] for part in parts)
    mean = sum(part[1] for part in parts) / count
    square = sum(part[2] for part in parts) / count
    return math.sqrt(max(square - mean * mean, 0.0))


def moments_times_power_of_two(moments, k) -> Moments:
    """The moments of 2^k h from those of h (what combining parts at different powers of two needs)."""
    if k == 0:
        return moments
    return moments._replace(mean=moments.mean * 2.0 ** k, m2=moments.m2 * 4.0 ** k)


def sums_times_power_of_two(sums, k) -> tuple:
    """The ``part_sums`` of 2^k dz from those of dz."""
    count, total, squares = sums
    return count, total * 2.0 ** k, squares * 4.0 ** k


def rms(moments) -> float:
    """sqrt(E[h^2]) of a part from its moments: E[h^2] = mean_j (Var_j + mean_j^2)."""
    return math.sqrt(float(np.mean(moments.m2 / moments.count + moments.mean ** 2)))
