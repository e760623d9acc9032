"""The step-0 checks: the initial loss against ln C or C ln 2, dead ReLUs, update-to-weight ratios, on good and bad starts."""

import copy
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

import initlab
from initlab import curves, data, first_steps, initializers, mlp, resnet
from initlab.checks import ArgumentError, ArgumentTypeError


@pytest.fixture(scope="module")
def batch():
    sample = data.load_mnist()
    return sample.x_train[:400], sample.y_train[:400]


def relu_mlp(last_layer=1.0, bias="zeros"):
    net = mlp.MLP([784, 100, 10], activation="relu", weight_init="he_normal", bias_init=bias, rng=0)
    net.weights[-1] *= last_layer
    return net


def test_uninformed_loss_is_ln_c_for_softmax_and_c_ln_2_for_sigmoid_outputs():
    assert first_steps.uninformed_loss(resnet.ResidualMLP(blocks=1)) == (math.log(10), "ln 10")
    value, formula = first_steps.uninformed_loss(relu_mlp())
    assert formula == "10 ln 2" and value == pytest.approx(6.931, abs=5e-4)
    assert first_steps.uninformed_loss(mlp.MLP([5, 3], cost="quadratic"))[0] == 3 / 8
    # and it is what the networks give when every output is uninformed
    x, labels = np.random.default_rng(0).random((20, 784)), np.arange(20) % 10
    zero_out = relu_mlp(last_layer=0.0)
    assert zero_out.cost_value(x, labels) == pytest.approx(10 * math.log(2), rel=1e-12)
    assert resnet.ResidualMLP(blocks=2, head_scale=0.0).cost_value(x, labels) == pytest.approx(math.log(10), rel=1e-12)
    with pytest.raises(ArgumentTypeError, match="network must be an initlab.mlp.MLP or resnet.ResidualMLP"):
        first_steps.uninformed_loss("mlp")


def test_a_good_start_is_healthy(batch):
    net = relu_mlp(last_layer=0.1)
    before = [w.copy() for w in net.weights]
    report = initlab.diagnostics(net, *batch, eta=0.1)
    assert report.problems() == [] and str(report).endswith("verdict: a healthy start")
    assert report.initial_loss == pytest.approx(10 * math.log(2), rel=0.02)
    assert report.dead_fraction.tolist() == [0.0]
    assert 1e-3 < report.typical_ratio < 3e-2 and report.update_ratio.shape == (5, 2)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights))  # the network is not changed


def test_a_large_last_layer_is_flagged(batch):
    report = initlab.diagnostics(relu_mlp(last_layer=10.0), *batch, eta=0.1)
    assert report.initial_loss > 3 * 10 * math.log(2)
    assert "the outputs start too large (scale the last layer down" in report.problems()[0]


def test_dead_relus_are_counted_and_flagged(batch):
    report = initlab.diagnostics(relu_mlp(last_layer=0.1, bias=initializers.constant(-1.0)), *batch, eta=0.1)
    h = relu_mlp(last_layer=0.1, bias=initializers.constant(-1.0)).forward(batch[0]).a[1]
    assert report.dead_fraction[0] == np.mean(np.all(h == 0, axis=0)) > first_steps.DEAD_TOLERANCE
    assert any("ReLUs of hidden layer 1 are dead at step 0" in p for p in report.problems())


@pytest.mark.parametrize("eta, word", [(1e-4, "barely move"), (3.0, "change fast")])
def test_a_learning_rate_far_off_is_flagged(batch, eta, word):
    report = initlab.diagnostics(relu_mlp(last_layer=0.1), *batch, eta=eta)
    assert any(word in p for p in report.problems())


def test_update_ratio_is_the_relative_change_of_each_matrix(batch):
    net = relu_mlp(last_layer=0.1)
    report = initlab.diagnostics(net, *batch, eta=0.1, steps=1, batch_size=400)
    trial = copy.deepcopy(net)
    trial.sgd_step(batch[0], mlp.one_hot(batch[1], 10), 0.1)
    expected = [np.linalg.norm(a - b) / np.linalg.norm(b) for a, b in zip(trial.weights, net.weights)]
    np.testing.assert_allclose(report.update_ratio[0], expected, rtol=1e-12)


def test_residual_starts(batch):
    plain = initlab.diagnostics(resnet.ResidualMLP(width=32, blocks=20, start="plain", rng=0), *batch, eta=0.05)
    assert plain.initial_loss > 100 * math.log(10) and plain.diverged_at is not None
    assert any("training diverged" in p for p in plain.problems())
    fixup = initlab.diagnostics(resnet.ResidualMLP(width=32, blocks=20, start="fixup", head_scale=0.0, rng=0),
                                *batch, eta=0.05)
    assert fixup.initial_loss == pytest.approx(math.log(10), rel=1e-12) and fixup.problems() == []
    assert np.isinf(fixup.update_ratio[0, 2::2]).all()  # W2 of every block and the head start at 0
    assert len(fixup.dead_fraction) == 20


def test_loss_per_step_trains_in_place(batch):
    net = relu_mlp(last_layer=0.1)
    losses = first_steps.loss_per_step(net, *batch, eta=0.1, steps=30, batch_size=40)
    assert len(losses) == 30 and losses[0] == pytest.approx(10 * math.log(2), rel=0.02)
    assert np.mean(losses[-5:]) < 0.6 * losses[0]
    diverging = first_steps.loss_per_step(resnet.ResidualMLP(width=16, blocks=30, rng=0), *batch, eta=1.0, steps=50)
    assert len(diverging) < 50 and not np.isfinite(diverging[-1])


def test_bad_arguments(batch):
    net = relu_mlp()
    with pytest.raises(ArgumentError, match="eta must be > 0"):
        initlab.diagnostics(net, *batch, eta=0.0)
    with pytest.raises(ArgumentError, match="batch_size must be at most the 400 samples"):
        initlab.diagnostics(net, *batch, eta=0.1, batch_size=500)
    with pytest.raises(ArgumentError, match=r"labels must be 400 integer class labels"):
        initlab.diagnostics(net, batch[0], batch[1][:10], eta=0.1)


def test_figures_draw_what_they_are_given():
    fig = curves.per_block({"E[x^2]": {"a": [1, 2, 4], "b": [1, 1, 1]}}, predictions={"E[x^2]": {"a": [1, 2, 4]}},
                           title="t")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 3 and fig.get_suptitle() == "t"
    fig = curves.loss_per_step({"ok": [3.0, 2.0, 1.0, 0.5], "diverged": [3.0, np.inf]}, smooth=2)
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), [2.5, 1.5, 0.75])
    assert lines[1].get_ydata().tolist() == [3.0] and lines[2].get_marker() == "x"
    with pytest.raises(ArgumentTypeError, match="curves must be a non-empty dict"):
        curves.loss_per_step([1, 2])
    plt.close("all")
