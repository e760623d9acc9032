"""Every initializer: shape, dtype, sample statistics against its formula, seeds."""

import math

import numpy as np
import pytest

from initlab import initializers as I

FAN_IN, FAN_OUT = 400, 600  # 240,000 entries: sample variance within ~0.3% (1 sigma)


def variance_of(init, **kwargs):
    return init(FAN_IN, FAN_OUT, rng=1, **kwargs).var()


# (initializer, expected variance, distribution)
CASES = {
    "lecun_normal": (I.lecun_normal(), 1 / FAN_IN, "normal"),
    "lecun_uniform": (I.lecun_uniform(), 1 / FAN_IN, "uniform"),
    "xavier_normal": (I.xavier_normal(), 2 / (FAN_IN + FAN_OUT), "normal"),
    "xavier_uniform": (I.xavier_uniform(), 2 / (FAN_IN + FAN_OUT), "uniform"),
    "glorot_normal": (I.glorot_normal(), 2 / (FAN_IN + FAN_OUT), "normal"),
    "glorot_uniform": (I.glorot_uniform(), 2 / (FAN_IN + FAN_OUT), "uniform"),
    "he_normal": (I.he_normal(), 2 / FAN_IN, "normal"),
    "he_uniform": (I.he_uniform(), 2 / FAN_IN, "uniform"),
    "kaiming_normal": (I.kaiming_normal(), 2 / FAN_IN, "normal"),
    "kaiming_uniform": (I.kaiming_uniform(), 2 / FAN_IN, "uniform"),
    "normal(0.05)": (I.normal(0.05), 0.05**2, "normal"),
    "uniform(0.3)": (I.uniform(0.3), 0.3**2 / 3, "uniform"),
}


@pytest.mark.parametrize("name", CASES)
def test_shape_dtype_mean_variance(name):
    init, variance, distribution = CASES[name]
    w = init(FAN_IN, FAN_OUT, rng=0)
    assert w.shape == (FAN_IN, FAN_OUT)
    assert w.dtype == np.float64
    assert w.var() == pytest.approx(variance, rel=0.02)
    assert abs(w.mean()) < 4 * math.sqrt(variance / w.size)
    if distribution == "uniform":
        limit = math.sqrt(3 * variance)
        assert np.abs(w).max() <= limit
        assert np.abs(w).max() > 0.999 * limit
    else:
        # an untruncated normal of 240,000 draws reaches beyond 4 std
        assert np.abs(w).max() > 4 * math.sqrt(variance)


@pytest.mark.parametrize("name", CASES)
def test_same_seed_same_matrix_other_seed_other_matrix(name):
    init = CASES[name][0]
    np.testing.assert_array_equal(init(30, 20, rng=7), init(30, 20, rng=7))
    assert not np.array_equal(init(30, 20, rng=7), init(30, 20, rng=8))
    # a Generator is advanced: two draws from one generator differ
    rng = np.random.default_rng(3)
    assert not np.array_equal(init(30, 20, rng), init(30, 20, rng))


def test_he_fan_out_mode_uses_fan_out():
    assert I.he_normal(mode="fan_out")(FAN_IN, FAN_OUT, rng=0).var() == pytest.approx(2 / FAN_OUT, rel=0.02)
    w = I.he_uniform(mode="fan_out")(FAN_IN, FAN_OUT, rng=0)
    assert np.abs(w).max() <= math.sqrt(6 / FAN_OUT)
    assert w.var() == pytest.approx(2 / FAN_OUT, rel=0.02)


def test_xavier_gain_multiplies_std():
    tanh_gain = I.gain("tanh")
    expected = tanh_gain**2 * 2 / (FAN_IN + FAN_OUT)
    assert I.xavier_normal(gain=tanh_gain)(FAN_IN, FAN_OUT, rng=0).var() == pytest.approx(expected, rel=0.02)
    assert I.xavier_uniform(gain=tanh_gain)(FAN_IN, FAN_OUT, rng=0).var() == pytest.approx(expected, rel=0.02)


def test_zeros_and_constant():
    np.testing.assert_array_equal(I.zeros()(3, 4), np.zeros((3, 4)))
    np.testing.assert_array_equal(I.constant(0.5)(3, 4, rng=1), np.full((3, 4), 0.5))


def test_orthogonal_has_orthonormal_columns_or_rows():
    w = I.orthogonal()(50, 20, rng=0)
    np.testing.assert_allclose(w.T @ w, np.eye(20), atol=1e-12)
    w = I.orthogonal(gain=2.0)(20, 50, rng=0)
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(20), atol=1e-12)
    # entries: second moment gain^2 * min / (fan_in * fan_out)
    assert np.mean(w**2) == pytest.approx(4 * 20 / (20 * 50), rel=1e-12)


def test_orthogonal_is_not_biased_by_qr_signs():
    # Without the sign correction, Q's diagonal would be mostly negative or positive.
    diagonals = np.array([np.diag(I.orthogonal()(8, 8, rng=s)) for s in range(400)])
    assert abs(np.mean(np.sign(diagonals))) < 0.05


# ---- variance_scaling against hand-computed Keras values --------------------------
def test_truncated_normal_constant_is_keras_constant():
    # keras/src/initializers/random_initializers.py: stddev = sqrt(scale) / .87962566103423978
    assert I.TRUNCATED_STD == pytest.approx(0.87962566103423978, abs=1e-15)


@pytest.mark.parametrize(
    "scale, mode, fan_in, fan_out, expected_limit",
    [
        (1.0, "fan_in", 100, 10, math.sqrt(3 / 100)),  # lecun_uniform: 0.17320508
        (1.0, "fan_avg", 300, 100, math.sqrt(3 / 200)),  # glorot_uniform: 0.12247449
        (2.0, "fan_in", 50, 700, math.sqrt(6 / 50)),  # he_uniform: 0.34641016
        (3.0, "fan_out", 80, 120, math.sqrt(9 / 120)),  # 0.27386128
    ],
)
def test_variance_scaling_uniform_bound(scale, mode, fan_in, fan_out, expected_limit):
    w = I.variance_scaling(scale, mode, "uniform")(fan_in, fan_out, rng=0)
    assert np.abs(w).max() <= expected_limit
    assert np.abs(w).max() > 0.99 * expected_limit


def test_variance_scaling_truncated_normal_is_exact_and_truncated():
    # Keras: scale=2, fan_in=300 -> stddev of the untruncated draw = sqrt(2/300)/0.8796 = 0.0928232
    init = I.variance_scaling(2.0, "fan_in", "truncated_normal")
    w = init(300, 800, rng=0)
    raw_std = math.sqrt(2 / 300) / 0.87962566103423978
    assert raw_std == pytest.approx(0.0928232, abs=1e-7)
    assert np.abs(w).max() <= 2 * raw_std
    assert np.abs(w).max() > 1.99 * raw_std
    assert w.std() == pytest.approx(math.sqrt(2 / 300), rel=0.01)


def test_untruncated_normal_is_keras_3_name_for_normal():
    np.testing.assert_array_equal(I.variance_scaling(2.0, "fan_in", "untruncated_normal")(30, 40, rng=1),
                                  I.variance_scaling(2.0, "fan_in", "normal")(30, 40, rng=1))


def test_variance_scaling_normal_fan_avg():
    w = I.variance_scaling(0.5, "fan_avg", "normal")(FAN_IN, FAN_OUT, rng=0)
    assert w.var() == pytest.approx(0.5 / ((FAN_IN + FAN_OUT) / 2), rel=0.02)


@pytest.mark.parametrize(
    "rule, scale, mode, distribution",
    [
        (I.lecun_normal(), 1.0, "fan_in", "normal"),
        (I.lecun_uniform(), 1.0, "fan_in", "uniform"),
        (I.xavier_normal(), 1.0, "fan_avg", "normal"),
        (I.xavier_uniform(), 1.0, "fan_avg", "uniform"),
        (I.he_normal(), 2.0, "fan_in", "normal"),
        (I.he_uniform(), 2.0, "fan_in", "uniform"),
        (I.he_normal(mode="fan_out"), 2.0, "fan_out", "normal"),
        (I.xavier_normal(gain=3.0), 9.0, "fan_avg", "normal"),
    ],
)
def test_named_rules_equal_variance_scaling_draws(rule, scale, mode, distribution):
    # each named rule is VarianceScaling(scale, mode, distribution): same seed, same numbers
    general = I.variance_scaling(scale, mode, distribution)
    for fan_in, fan_out in ((20, 30), (784, 30), (7, 1)):
        np.testing.assert_allclose(rule(fan_in, fan_out, rng=5), general(fan_in, fan_out, rng=5), rtol=1e-15)


# ---- gains, names ----------------------------------------------------------------
@pytest.mark.parametrize(
    "name, param, expected",
    [
        ("linear", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ],
)
def test_gain_matches_torch_calculate_gain(name, param, expected):
    assert I.gain(name, param) == pytest.approx(expected, rel=1e-15)


def test_get_resolves_names_aliases_hyper_parameters_and_initializers():
    assert I.get("he_normal").name == "he_normal"
    assert I.get("Kaiming_Normal").name == "he_normal"
    assert I.get("glorot_uniform").name == "xavier_uniform"
    assert I.get("he_normal", mode="fan_out").name == "he_normal(mode='fan_out')"
    assert I.get("normal", std=1.0)(200, 300, rng=0).var() == pytest.approx(1.0, rel=0.02)
    custom = I.normal(0.1)
    assert I.get(custom) is custom
    assert "orthogonal" in I.names() and "zeros" in I.names()
    assert repr(I.normal(0.01)) == "normal(std=0.01)"


def test_get_says_which_hyper_parameters_a_rule_needs():
    with pytest.raises(TypeError, match=r"initializer 'normal' takes std=\.\.\., got none; e.g. get\('normal', std=\.\.\.\)"):
        I.get("normal")
    with pytest.raises(TypeError, match=r"'he_normal' takes mode=\.\.\., got \{'gain': 2\}"):
        I.get("he_normal", gain=2)
    with pytest.raises(TypeError, match=r"go with a rule name, not with an initializer"):
        I.get(I.he_normal(), mode="fan_out")


def test_std_is_the_formula_of_each_rule():
    assert I.lecun_normal().std(500, 10) == pytest.approx(1 / math.sqrt(500), rel=1e-15)
    assert I.xavier_uniform().std(784, 30) == pytest.approx(math.sqrt(2 / 814), rel=1e-15)
    assert I.he_normal(mode="fan_out").std(784, 30) == pytest.approx(math.sqrt(2 / 30), rel=1e-15)
    assert I.orthogonal(gain=2.0).std(20, 50) == pytest.approx(2 * math.sqrt(20 / 1000), rel=1e-15)


@pytest.mark.parametrize("name", CASES)
def test_float32_draws_have_the_same_statistics(name):
    init, variance, _ = CASES[name]
    w = init(FAN_IN, FAN_OUT, rng=0, dtype=np.float32)
    assert w.dtype == np.float32
    assert float(w.var(dtype=np.float64)) == pytest.approx(variance, rel=0.02)


def test_every_named_initializer_accepts_dtype():
    needs = {"constant": {"value": 1.0}, "normal": {"std": 1.0}, "uniform": {"limit": 1.0},
             "variance_scaling": {"scale": 1.0}}
    for name in I.names():
        assert I.get(name, **needs.get(name, {}))(20, 30, rng=0, dtype=np.float32).dtype == np.float32
    assert I.constant(2.0)(2, 2, dtype="float32").dtype == np.float32
