"""initializers.orthogonal: PyTorch's semantics for wide and tall matrices, and Haar-distributed draws."""

import math

import numpy as np
import pytest

from initlab import initializers, isometry


def torch_orthogonal(gaussian, gain=1.0):
    """torch.nn.init.orthogonal_ on a weight of shape (out_features, in_features), in numpy.

    A transcription of PyTorch's algorithm (torch/nn/init.py), fed with the
    Gaussian matrix ``gaussian`` of the weight's shape that torch would draw:
    transpose it when it has fewer rows than columns, QR, multiply Q's columns by
    the signs of R's diagonal, transpose back, times ``gain``.
    """
    rows, cols = gaussian.shape
    flattened = gaussian.T if rows < cols else gaussian
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diag(r))
    return gain * (q.T if rows < cols else q)


def ks_p_value(samples, n):
    """Kolmogorov-Smirnov p-value of ``samples`` against Haar's marginal in R^n (asymptotic, Stephens' correction)."""
    m = len(samples)
    t = (math.sqrt(m) + 0.12 + 0.11 / math.sqrt(m)) * isometry.haar_gap(samples, n)
    return float(min(1.0, max(0.0, 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * t * t) for k in range(1, 101)))))


SHAPES = [(30, 10), (10, 30), (12, 12)]   # tall, wide, square (fan_in, fan_out)


@pytest.mark.parametrize("fan_in, fan_out", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_orthonormal_columns_when_tall_rows_when_wide_times_gain(fan_in, fan_out, gain):
    w = initializers.orthogonal(gain)(fan_in, fan_out, rng=0)
    assert w.shape == (fan_in, fan_out)
    if fan_in >= fan_out:   # torch: fewer rows (out) than columns (in) -> orthonormal rows of weight = columns of W
        np.testing.assert_allclose(w.T @ w, gain**2 * np.eye(fan_out), atol=1e-12)
    if fan_in <= fan_out:   # x -> x W keeps every length: an isometric embedding
        np.testing.assert_allclose(w @ w.T, gain**2 * np.eye(fan_in), atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(w, compute_uv=False), gain, rtol=1e-12)


@pytest.mark.parametrize("fan_in, fan_out", SHAPES)
def test_same_matrix_as_pytorchs_algorithm_from_the_same_gaussian(fan_in, fan_out):
    # initlab draws the (max, min) Gaussian that torch's algorithm factorises (after its transpose)
    gaussian = np.random.default_rng(4).standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)))
    ours = initializers.orthogonal(2.0)(fan_in, fan_out, rng=4)
    # torch's weight is (out, in) = W.T; the Gaussian torch would draw in that layout:
    torch_gaussian = gaussian if fan_out >= fan_in else gaussian.T
    np.testing.assert_allclose(ours, torch_orthogonal(torch_gaussian, gain=2.0).T, rtol=1e-12, atol=1e-14)


def _entries(shape, draws, sign_fix=True):
    """Entry (0, 0) of many draws: initlab's orthogonal, or a QR without the sign correction."""
    if sign_fix:
        return np.array([initializers.orthogonal()(*shape, rng=seed)[0, 0] for seed in range(draws)])
    rng = np.random.default_rng(0)
    return np.array([np.linalg.qr(rng.standard_normal((max(shape), min(shape))))[0][0, 0] for _ in range(draws)])


@pytest.mark.parametrize("shape", [(3, 3), (10, 10), (40, 10), (10, 40)])
def test_a_fixed_entry_follows_the_haar_marginal(shape):
    # any entry of a Haar matrix is one coordinate of a uniform unit vector in R^n, n the longer side
    entries = _entries(shape, 3000)
    n = max(shape)
    assert ks_p_value(entries, n) > 0.001
    assert abs(np.mean(entries)) < 4 * math.sqrt(1 / n / 3000)


def test_the_test_catches_a_qr_without_the_sign_correction():
    # Householder QR makes R's diagonal negative, so Q[0, 0] = -|x_00| / ||x_0|| always
    raw = _entries((3, 3), 3000, sign_fix=False)
    assert np.all(raw <= 0)
    assert ks_p_value(raw, 3) < 1e-10


@pytest.mark.parametrize("n", [2, 5, 12])
def test_trace_moments_of_square_draws_are_haars(n):
    # for Haar O(n), n >= 2: E[tr Q] = 0 and E[(tr Q)^2] = 1 exactly (Diaconis & Shahshahani 1994)
    traces = np.array([np.trace(initializers.orthogonal()(n, n, rng=seed)) for seed in range(4000)])
    assert abs(traces.mean()) < 4 * traces.std() / math.sqrt(traces.size)
    assert np.mean(traces**2) == pytest.approx(1.0, abs=4 * np.std(traces**2) / math.sqrt(traces.size))


def test_left_and_right_rotations_do_not_change_the_distribution():
    # Haar means invariant: the entry (0, 0) of U W V has the same law as that of W
    u = initializers.orthogonal()(8, 8, rng=100)
    v = initializers.orthogonal()(5, 5, rng=101)
    rotated = np.array([(u @ initializers.orthogonal()(8, 5, rng=seed) @ v)[0, 0] for seed in range(3000)])
    assert ks_p_value(rotated, 8) > 0.001
