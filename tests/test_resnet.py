"""Lesson 09's layers and residual MLP: backward passes against finite differences, the starts, the stream's growth."""

import copy
import math

import numpy as np
import pytest

from initlab import data, layers, resnet, theory
from initlab.checks import ArgumentError, ArgumentTypeError


def numeric_gradient(f, array, epsilon=1e-6):
    """Central differences of the scalar f() with respect to every entry of ``array`` (changed in place)."""
    flat, slope = array.reshape(-1), np.empty(array.size)
    for k in range(array.size):
        kept = flat[k]
        flat[k] = kept + epsilon
        up = f()
        flat[k] = kept - epsilon
        slope[k] = (up - f()) / (2 * epsilon)
        flat[k] = kept
    return slope.reshape(array.shape)


def relative_error(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


@pytest.mark.parametrize("kind", ["layer", "batch"])
def test_normalization_backward_matches_finite_differences(kind):
    rng = np.random.default_rng(0)
    norm = layers.Normalization(kind, 5)
    norm.gamma[:] = rng.normal(1.0, 0.3, 5)
    norm.beta[:] = rng.normal(0.0, 0.3, 5)
    z, upstream = rng.normal(0.5, 2.0, (7, 5)), rng.standard_normal((7, 5))

    def f():
        return float(np.sum(norm.forward(z)[0] * upstream))

    dz, (dgamma, dbeta) = norm.backward(upstream, norm.forward(z)[1])
    for analytic, array in ((dz, z), (dgamma, norm.gamma), (dbeta, norm.beta)):
        assert relative_error(analytic, numeric_gradient(f, array)) < 1e-6


@pytest.mark.parametrize("kind, axis", [("layer", 1), ("batch", 0)])
def test_normalization_gives_zero_mean_unit_variance_along_its_axis(kind, axis):
    z = np.random.default_rng(1).normal(3.0, 5.0, (64, 32))
    y = layers.Normalization(kind, 32, eps=0.0).forward(z)[0]
    np.testing.assert_allclose(y.mean(axis=axis), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=axis), 1.0, rtol=1e-12)


@pytest.mark.parametrize("norm", [None, "layer", "batch"])
@pytest.mark.parametrize("learnable", [False, True])
def test_residual_block_backward_matches_finite_differences(norm, learnable):
    rng = np.random.default_rng(2)
    block = layers.ResidualBlock(6, branch_scale=0.7, learnable_scale=learnable, norm=norm, rng=3)
    for p in block.parameters():
        p += 0.1 * rng.standard_normal(p.shape)
    x, upstream = rng.standard_normal((5, 6)), rng.standard_normal((5, 6))

    def f():
        return float(np.sum(block.forward(x)[0] * upstream))

    dx, grads = block.backward(upstream, block.forward(x)[1])
    assert relative_error(dx, numeric_gradient(f, x)) < 1e-6
    assert len(grads) == len(block.parameters()) == 4 + (norm is not None) + learnable
    for g, p in zip(grads, block.parameters()):
        assert relative_error(g, numeric_gradient(f, p)) < 1e-6


@pytest.mark.parametrize("start", resnet.START_NAMES)
@pytest.mark.parametrize("norm", [None, "layer", "batch"])
def test_residual_mlp_gradient_check(start, norm):
    rng = np.random.default_rng(4)
    net = resnet.ResidualMLP(n_inputs=5, width=8, blocks=3, n_classes=3, start=start, norm=norm, rng=5)
    for p in net.parameters():  # move off the zeros of Fixup and ReZero, so that every gradient is tested
        p += 0.1 * rng.standard_normal(p.shape)
    x, labels = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    assert resnet.gradient_check(net, x, labels) < 1e-6


def test_gradient_check_detects_a_wrong_gradient():
    net = resnet.ResidualMLP(n_inputs=4, width=5, blocks=2, n_classes=3, rng=0)
    x, labels = np.random.default_rng(1).standard_normal((5, 4)), np.array([0, 1, 2, 1, 0])
    real = net.loss_and_gradients

    def broken(x, labels):
        loss, grads = real(x, labels)
        grads[2] = grads[2] * 1.01  # 1% off in the first block's W1
        return loss, grads

    net.loss_and_gradients = broken
    assert resnet.gradient_check(net, x, labels) > 1e-4


def test_softmax_cross_entropy_is_ln_c_for_equal_logits_and_stable_for_large_ones():
    loss, grad = resnet.softmax_cross_entropy(np.zeros((4, 10)), np.array([0, 3, 9, 2]))
    assert loss == pytest.approx(math.log(10), rel=1e-15)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)
    loss, _ = resnet.softmax_cross_entropy(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1]))
    assert loss == pytest.approx(500.0)


def test_starts_at_step_zero():
    blocks = 16
    nets = {s: resnet.ResidualMLP(n_inputs=10, width=32, blocks=blocks, start=s, rng=0) for s in resnet.START_NAMES}
    assert all(np.all(b.w2 == 0) for b in nets["fixup"].blocks)
    assert all(b.alpha[0] == 0 and b.learnable_scale for b in nets["rezero"].blocks)
    assert nets["scaled"].blocks[0].alpha[0] == pytest.approx(1 / math.sqrt(blocks))
    # GPT-2's scaled weights and the scaled branch are the same function at step 0 ...
    x = np.random.default_rng(1).standard_normal((20, 10))
    np.testing.assert_allclose(nets["gpt2"].logits(x), nets["scaled"].logits(x), rtol=1e-12)
    np.testing.assert_allclose(nets["gpt2"].blocks[3].w2 * math.sqrt(blocks), nets["plain"].blocks[3].w2)
    # ... whose W2 gradients differ by exactly alpha = 1/sqrt(L)
    labels = np.arange(20) % 10
    g_gpt2 = nets["gpt2"].loss_and_gradients(x, labels)[1]
    g_scaled = nets["scaled"].loss_and_gradients(x, labels)[1]
    w2 = 4  # W_in, b_in, then W1, b1, W2 of the first block
    np.testing.assert_allclose(g_scaled[w2], g_gpt2[w2] / math.sqrt(blocks), rtol=1e-10)
    np.testing.assert_allclose(g_scaled[2], g_gpt2[2], rtol=1e-10)


def test_stream_grows_as_theory_says():
    blocks, width = 30, 256
    rng = np.random.default_rng(0)
    x0, grad = rng.standard_normal((256, width)), rng.standard_normal((256, width))
    growth = {}
    for start in resnet.START_NAMES:
        net = resnet.ResidualMLP(n_inputs=2, width=width, blocks=blocks, start=start, rng=1)
        stats = net.stream_statistics(x0, grad)
        growth[start] = (stats.second_moment / stats.second_moment[0], (stats.grad_rms[0] / stats.grad_rms[-1]) ** 2)
    # each block's gain is itself random (a few % at this width): the median gain is 2, the total within 10x of 2^30
    plain, moments = theory.residual_growth(blocks, 1.0), growth["plain"][0]
    assert abs(np.median(moments[1:] / moments[:-1]) / 2 - 1) < 0.05
    assert 0.1 < moments[-1] / plain[-1] < 10 and 0.1 < growth["plain"][1] / plain[-1] < 10
    scaled = theory.residual_growth(blocks, 1 / math.sqrt(blocks))[-1]
    assert scaled == pytest.approx((1 + 1 / blocks) ** blocks) and 2.6 < scaled < math.e
    for start in ("scaled", "gpt2"):
        assert abs(growth[start][0][-1] / scaled - 1) < 0.15 and abs(growth[start][1] / scaled - 1) < 0.15
    for start in ("fixup", "rezero"):
        np.testing.assert_allclose(growth[start][0], 1.0, rtol=1e-12)
        assert growth[start][1] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("norm", ["layer", "batch"])
def test_normalized_layer_forward_is_scale_free_and_its_gradient_scales_like_one_over_the_scale(norm):
    sample = data.load_mnist()
    x, labels = sample.x_train[:100], sample.y_train[:100]
    net = resnet.ResidualMLP(width=32, blocks=4, start="scaled", norm=norm, rng=0)
    big = copy.deepcopy(net)
    for block in big.blocks:
        block.w1 *= 10.0
        block.norm.eps = 0.0
    for block in net.blocks:
        block.norm.eps = 0.0
    np.testing.assert_allclose(big.logits(x), net.logits(x), rtol=1e-9, atol=1e-12)
    g, g_big = net.loss_and_gradients(x, labels)[1], big.loss_and_gradients(x, labels)[1]
    np.testing.assert_allclose(g_big[2], g[2] / 10.0, rtol=1e-8, atol=1e-15)
    # the gradient of a scale-free weight is orthogonal to it
    assert abs(np.sum(g[2] * net.blocks[0].w1)) < 1e-10 * np.linalg.norm(g[2]) * np.linalg.norm(net.blocks[0].w1)


def test_fit_records_every_step_and_the_plain_start_diverges():
    sample = data.load_mnist()
    x, labels = sample.x_train[:600], sample.y_train[:600]
    val = (sample.x_validation[:200], sample.y_validation[:200])
    good = resnet.ResidualMLP(width=32, blocks=10, start="fixup", head_scale=0.0, rng=0).fit(x, labels, epochs=2, batch_size=50,
                                                                            eta=0.1, validation=val, rng=1)
    assert len(good.step_loss) == 24 and good.diverged_at is None and len(good.validation_accuracy) == 2
    assert good.step_loss[0] == pytest.approx(math.log(10), rel=1e-12) and good.validation_accuracy[-1] > 0.35
    bad = resnet.ResidualMLP(width=32, blocks=30, start="plain", rng=0).fit(x, labels, epochs=2, eta=0.1, rng=1)
    assert bad.diverged_at is not None and len(bad.step_loss) == bad.diverged_at


def test_bad_arguments_are_named():
    with pytest.raises(ArgumentError, match=r"start must be one of \['plain', 'scaled'"):
        resnet.ResidualMLP(start="resnet")
    with pytest.raises(ArgumentError, match=r"norm must be one of \['layer', 'batch'\], got 'group'"):
        resnet.ResidualMLP(norm="group")
    with pytest.raises(ArgumentTypeError, match="width must be an integer"):
        resnet.ResidualMLP(width=64.0)
    with pytest.raises(ArgumentError, match="last_layer_scale must be >= 0.0"):
        resnet.ResidualMLP(block_options={"last_layer_scale": -1.0})
    net = resnet.ResidualMLP(n_inputs=4, width=8, blocks=2, rng=0)
    with pytest.raises(ArgumentError, match=r"x must have shape \(n_samples, 4\), got \(3, 5\)"):
        net.logits(np.zeros((3, 5)))
    with pytest.raises(ArgumentError, match=r"x0 must have shape \(n_samples, 8\)"):
        net.stream_statistics(np.zeros((3, 4)), np.zeros((3, 8)))
    with pytest.raises(ArgumentError, match=r"labels must lie in 0..9, got 0..10"):
        net.fit(np.zeros((2, 4)), np.array([0, 10]))


def test_training_step_and_stream_statistics_give_the_plain_formulas_exactly():
    # sgd_step scales the gradients in place, training skips the rms of dL/dx_l and LayerNorm reuses z - mean(z)
    # for its variance: none of it may move a number
    net = resnet.ResidualMLP(n_inputs=6, width=5, blocks=3, start="rezero", norm="layer", rng=2)
    rng = np.random.default_rng(3)
    x, labels = rng.standard_normal((7, 6)), rng.integers(0, 10, 7)
    expected = [p - 0.1 * g for p, g in zip(net.parameters(), net.loss_and_gradients(x, labels)[1])]
    net.sgd_step(x, labels, 0.1)
    assert all(np.array_equal(p, e) for p, e in zip(net.parameters(), expected))
    z = rng.standard_normal((7, 5)) * 3 + 1
    z_hat = (z - z.mean(axis=1, keepdims=True)) * (1.0 / np.sqrt(z.var(axis=1, keepdims=True) + layers.EPS))
    assert np.array_equal(layers.Normalization("layer", 5).forward(z)[0], z_hat)
    x0, grad = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    statistics = net.stream_statistics(x0, grad)
    caches, stream = [], x0
    for block in net.blocks:
        stream, cache = block.forward(stream)
        caches.append(cache)
    rms = [math.sqrt(np.mean(grad**2))]  # dL/dx_L first
    for block, cache in zip(reversed(net.blocks), reversed(caches)):
        grad = block.backward(grad, cache)[0]
        rms.append(math.sqrt(np.mean(grad**2)))
    assert np.array_equal(statistics.grad_rms, rms[::-1])
