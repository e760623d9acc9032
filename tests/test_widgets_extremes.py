"""Explorers never fail silently and never freeze: every control at its extremes renders or says why not.

Also the signal explorer's shortcuts, checked against a full float64 pass: the lean
per-layer statistics, and a scale change of a positively homogeneous network
(relu, leaky_relu, linear) computed by multiplying instead of a new pass.
"""

import dataclasses
import time

import numpy as np
import pytest

from initlab import activations, data, propagation, widgets
from initlab.checks import ArgumentError
from initlab.widgets import chains, moments, network

#: The longest one update may take in these walks.  A quiet machine needs under a second;
#: a 2-core machine loaded with other work is many times slower (OpenBLAS's threads then
#: wait for each other: a QR decomposition of 400 x 400 took 0.06 s instead of 0.017 s).
#: The freezes this guards against took a minute.
UPDATE_SECONDS = 10.0


def extremes(control):
    """A slider's minimum and maximum, or every option of a dropdown."""
    if hasattr(control, "options"):
        return list(control.options)
    return [control.min, control.max] if not hasattr(control, "base") else [control.base ** control.min,
                                                                                control.base ** control.max]


def walk(explorer, plan):
    """Set each control of ``plan`` [(name, values)] in turn, each left at its last value.

    Every change must end, within UPDATE_SECONDS, in a new figure without error, or
    in a refusal (``ArgumentError``) whose message the status line shows.  Returns
    the number of updates made.
    """
    updates = 0
    for name, values in plan:
        control = getattr(explorer, name)
        for value in values:
            if control.value == value:
                continue
            before, start = explorer.updates, time.perf_counter()
            control.value = value
            seconds = time.perf_counter() - start
            assert seconds < UPDATE_SECONDS, f"{name}={value!r} took {seconds:.1f} s"
            if explorer.last_error is None:
                assert explorer.updates == before + 1 and explorer.png.startswith(b"\x89PNG"), (name, value)
            else:
                assert isinstance(explorer.last_error, ArgumentError), f"{name}={value!r}: {explorer.last_error!r}"
                assert str(explorer.last_error)[:40] in explorer.status.value
            updates += 1
    return updates


def test_signal_explorer_at_every_extreme():
    explorer = widgets.signal_explorer(depth=3, width=50, n_samples=64)
    sliders = [(name, extremes(getattr(explorer, name))) for name in ("depth", "scale")]
    menus = [(name, extremes(getattr(explorer, name))) for name in ("activation", "init")]
    # the widest layers at depth 3, the deepest network at the narrowest width, then every
    # activation and initializer at the largest scale and again at the smallest
    plan = [("width", [10, 2000, 10])] + sliders + menus + [("scale", [1e-3])] + menus[:1]
    assert walk(explorer, plan) >= 24
    assert explorer.last_error is None


def test_weighted_sum_explorer_at_every_extreme():
    explorer = widgets.weighted_sum_explorer()
    plan = [(name, extremes(getattr(explorer, name))) for name in ("n_inputs", "fraction_on", "weight_std")]
    assert walk(explorer, plan + [("n_inputs", [1]), ("weight_std", [1e-3])]) == 8
    # 2000 inputs all on with weight std 10 (issue 16: StopIteration, no figure): std(z) = 447
    explorer.n_inputs.value, explorer.fraction_on.value, explorer.weight_std.value = 2000, 1.0, 10.0
    assert explorer.last_error is None and explorer.predicted_std == pytest.approx(447.3, abs=0.1)
    assert explorer.ax.get_xlim() == (-3000.0, 3000.0)


def test_chaos_explorer_at_every_extreme():
    explorer = widgets.chaos_explorer(depth=10, width=50)
    plan = [(name, extremes(getattr(explorer, name))) for name in ("sigma_w", "sigma_b")] + [("sigma_w", [0.1])]
    assert walk(explorer, plan) == 5
    for button in explorer.buttons:
        button.click()
        assert explorer.last_error is None, button.description


def test_isometry_explorer_at_every_extreme():
    explorer = widgets.isometry_explorer(depth=1, width=20)
    menus = [(name, extremes(getattr(explorer, name))) for name in ("activation", "init")]
    plan = ([("width", [10, 400, 10])] + [(name, extremes(getattr(explorer, name))) for name in ("sigma_w", "depth")]
            + menus + [("sigma_w", [0.25])] + menus)
    assert walk(explorer, plan) >= 16
    assert explorer.last_error is None


def test_training_explorer_at_every_extreme():
    sample = data.load_mnist()
    small = dataclasses.replace(sample, x_train=sample.x_train[:200], y_train=sample.y_train[:200],
                                x_validation=sample.x_validation[:200], y_validation=sample.y_validation[:200])
    explorer = widgets.training_explorer(small, epochs=1)
    assert walk(explorer, [("hidden", extremes(explorer.hidden))]) == 1
    for k, init in enumerate(extremes(explorer.init)):  # every initializer, at the largest or the smallest scale
        explorer.init.value, explorer.scale.value = init, (10.0, 0.01)[k % 2]
        start = time.perf_counter()
        explorer.train()
        assert time.perf_counter() - start < UPDATE_SECONDS
        assert explorer.last_error is None, (init, explorer.last_error)
    assert len(explorer.runs) == widgets.training.MAX_RUNS and explorer.png.startswith(b"\x89PNG")


# ---- refusals and messages -------------------------------------------------------------
def test_orthogonal_at_width_2000_is_refused_at_once_with_the_cost():
    explorer = widgets.signal_explorer(depth=50, width=10, init="orthogonal", n_samples=64)
    start = time.perf_counter()
    explorer.width.value = 2000
    assert time.perf_counter() - start < UPDATE_SECONDS
    assert isinstance(explorer.last_error, ArgumentError)
    assert str(explorer.last_error) == (
        "orthogonal weights at width 2000 need one QR decomposition of a 2000 x 2000 matrix per layer (2.2e+10 "
        "multiply-adds, around a second each): 50 new layers are too many for one update, which draws at most 2 at "
        "this width. Raise the depth a few layers at a time (drawn layers are kept), or lower the width to 680 or "
        "less for all 50 layers at once")
    assert "which draws at most 2 at this width" in explorer.status.value
    explorer.width.value = 10  # a setting that fits draws again
    assert explorer.last_error is None and explorer.result.init == "orthogonal"


def test_orthogonal_layers_are_drawn_a_few_at_a_time(monkeypatch):
    monkeypatch.setattr(network, "MAX_QR_WORK", 2 * 40.0 ** 3)  # two layers of width 40 per update
    explorer = widgets.signal_explorer(depth=2, width=40, init="orthogonal", n_samples=64)
    explorer.depth.value = 5
    assert isinstance(explorer.last_error, ArgumentError) and "draws at most 2 at this width" in str(explorer.last_error)
    explorer.depth.value = 4
    assert explorer.last_error is None and explorer.result.depth == 4
    w = explorer.network.weights("orthogonal", 40, 4)[0][3]
    np.testing.assert_allclose(w.T @ w, np.eye(40), atol=1e-5)


def test_an_error_without_a_message_is_named(monkeypatch):
    explorer = widgets.weighted_sum_explorer(n_inputs=10)
    monkeypatch.setattr(explorer, "simulate", lambda: next(iter([])))
    explorer.weight_std.value = 0.5
    assert isinstance(explorer.last_error, StopIteration)
    assert "Could not update: StopIteration</b>" in explorer.status.value


# ---- the shortcuts against a full pass ---------------------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_lean_statistics_are_propagations(activation):
    act = activations.get(activation)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((300, 80)).astype(np.float32) * np.float32(3.0)
    z[:, :5] = -1.0  # five dead relu units
    for h in (act.function(z), act.function(z[:1]), np.zeros((4, 6), np.float32)):
        lean = moments.statistics_from([moments.part_moments(h, act)])
        np.testing.assert_allclose(lean, propagation.layer_statistics(h, act), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_statistics_of_parts_combine_into_those_of_the_whole(activation):
    # a pass runs in network.PARTS threads, each with some of the samples: the column moments of the
    # parts must combine exactly, also when only one part has a dead unit (dead_units needs every row)
    act = activations.get(activation)
    rng = np.random.default_rng(1)
    z = (rng.standard_normal((301, 40)) * 2.0 + 0.5).astype(np.float32)
    z[:150, 3] = -1.0  # unit 3 is 0 after relu in the first part only: not dead
    z[:, 7] = -2.0     # unit 7 is dead in every part
    h = act.function(z)
    parts = [moments.part_moments(part, act) for part in np.array_split(h, 3)]
    whole = moments.statistics_from(parts)
    np.testing.assert_allclose(whole, propagation.layer_statistics(h, act), rtol=2e-6, atol=1e-7)
    if activation == "relu":
        assert whole[5] == pytest.approx(1 / 40)


@pytest.mark.parametrize("offset", [0.0, 0.7])
def test_column_spread_keeps_its_digits_when_the_mean_is_most_of_a_unit(offset):
    # m2 = sum h^2 - n mean^2 in one pass, unless that cancels: units at 0.7 +- 1e-4 (an ordered network)
    # would lose every digit of their spread, and are summed from the deviations instead
    rng = np.random.default_rng(2)
    h = (offset + 1e-4 * rng.standard_normal((500, 60))).astype(np.float32)
    exact = np.sum((h.astype(np.float64) - h.astype(np.float64).mean(axis=0)) ** 2, axis=0)
    np.testing.assert_allclose(moments.part_moments(h, activations.get("tanh")).m2, exact, rtol=1e-4)


@pytest.mark.parametrize("n_samples, count, product", [(200, network.PARTS, np.matmul), (64, 1, chains.split_product)])
def test_a_pass_uses_one_blas_thread_per_part_and_gives_the_threads_back(n_samples, count, product):
    # 200 samples: two parts of 100 rows; 64: one part, its products split by columns between the threads
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads():
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    seen = []
    original = network.forward_chain

    def spy(*arguments, **keywords):
        seen.append((blas_threads(), keywords["product"]))
        return original(*arguments, **keywords)

    network.forward_chain = spy
    try:
        with threadpool_limits(limits=2, user_api="blas"):  # as a kernel on two cores has it
            widgets.signal_explorer(depth=3, width=40, n_samples=n_samples)
            after = blas_threads()
    finally:
        network.forward_chain = original
    assert seen == [({1}, product)] * count  # one chain a part, each with one BLAS thread
    assert after == {2}


def test_a_split_product_is_the_product_bit_for_bit():
    rng = np.random.default_rng(3)
    a, w = (rng.standard_normal(shape, dtype=np.float32) for shape in ((32, 301), (301, 301)))
    for b in (w, w.T):
        assert np.array_equal(chains.split_product(a, b), a @ b)
        out = np.empty((32, 301), np.float32)
        assert chains.split_product(a, b, out=out) is out and np.array_equal(out, a @ b)


def test_few_samples_run_as_one_part_with_the_statistics_of_two(monkeypatch):
    assert chains.layout(100)[0] == 1 and chains.layout(128)[0] == network.PARTS
    one = widgets.signal_explorer(depth=8, width=60, n_samples=100).result   # 100 < 2 x 64 rows: one part
    monkeypatch.setattr(network, "layout", lambda n_samples: (network.PARTS, np.matmul))
    two = widgets.signal_explorer(depth=8, width=60, n_samples=100)
    assert len(two.network._forward["parts"]) == network.PARTS
    for name in ("std", "mean", "std_over_inputs", "grad_std"):
        np.testing.assert_allclose(getattr(two.result, name), getattr(one, name), rtol=1e-5, err_msg=name)


@pytest.mark.parametrize("init, scale, depth", [("lecun_normal", 1.0, 16), ("normal", 0.05, 11),
                                                ("xavier_uniform", 2.0, 30)])
def test_a_deep_sigmoid_keeps_the_input_dependence_float32_cannot_hold(init, scale, depth):
    # every input ends near the same values; at the last layer they differ by under 1e-8 of them, below
    # float32's 7 digits (the explorer showed float32's noise, ~2e-7), and float64 still holds 4 digits or more
    width = 100
    explorer = widgets.signal_explorer(depth=depth, width=width, activation="sigmoid", init=init, scale=scale,
                                       n_samples=200)
    weights, _ = explorer.network.weights(init, width, depth)
    x, g = (a.astype(np.float64) for a in explorer.network.inputs(width, explorer.n_samples))
    full = propagation.run_network(x, [w.astype(np.float64) * scale for w in weights], "sigmoid", grad_output=g,
                                   keep_layers=[])
    assert 1e-12 * full.mean[-1] < full.std_over_inputs[-1] < 1e-8 * full.mean[-1]
    for name, rtol in (("std_over_inputs", 1e-3), ("std", 1e-5), ("mean", 1e-5), ("grad_std", 1e-4)):
        np.testing.assert_allclose(getattr(explorer.result, name), getattr(full, name), rtol=rtol, err_msg=name)
    stepwise = widgets.signal_explorer(depth=depth - 5, width=width, activation="sigmoid", init=init, scale=scale,
                                       n_samples=200)
    for layers in range(depth - 4, depth + 1):  # deeper one layer at a time: each goes on from the last's deviations
        stepwise.depth.value = layers
    np.testing.assert_array_equal(stepwise.result.std_over_inputs, explorer.result.std_over_inputs)


def test_two_explorers_of_few_samples_update_at_once_on_two_threads():
    # ipykernel may handle two widget messages on two threads: a lone part's split products use the pass
    # threads, so the part itself must not hold one of them while it waits
    import threading

    explorers = [widgets.signal_explorer(depth=20, width=300, n_samples=64, rng=seed) for seed in (0, 1)]

    def drag(explorer):
        for scale in np.geomspace(0.5, 2.0, 15):
            explorer.scale.value = scale

    threads = [threading.Thread(target=drag, args=(explorer,), daemon=True) for explorer in explorers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "two updates at once wait for each other forever"
    assert all(explorer.last_error is None and explorer.updates == 16 for explorer in explorers)


def test_a_scale_change_of_a_homogeneous_network_is_a_full_pass():
    explorer = widgets.signal_explorer(depth=6, width=100, activation="relu", init="he_normal", n_samples=64)
    weights, _ = explorer.network.weights("he_normal", 100, 6)
    x, g = (a.astype(np.float64) for a in explorer.network.inputs(100, 64))
    for activation in network.HOMOGENEOUS:
        explorer.activation.value = activation
        products = explorer.network.products
        for scale in (1e-3, 0.37, 100.0):
            explorer.scale.value = scale
            assert explorer.network.products == products  # no pass: the statistics are multiplied by powers of s
            full = propagation.run_network(x, [w.astype(np.float64) * scale for w in weights], activation,
                                           grad_output=g, keep_layers=[6])
            result = explorer.result
            for name in ("std", "std_over_inputs", "grad_std", "dead", "dead_units"):
                np.testing.assert_allclose(getattr(result, name), getattr(full, name), rtol=1e-6, err_msg=name)
            np.testing.assert_allclose(result.mean, full.mean, rtol=1e-6, atol=1e-6 * full.std.max())
            np.testing.assert_allclose(result.activations[6], full.activations[6], rtol=1e-5,
                                       atol=1e-5 * full.std[-1])


def test_passes_are_kept_between_updates():
    explorer = widgets.signal_explorer(depth=10, width=50, activation="tanh", n_samples=64)
    count = explorer.network.products
    explorer.scale.value = 1.5  # tanh: a new pass, 10 products forward and 9 back
    assert explorer.network.products == count + 19
    explorer.depth.value = 12  # two new layers forward, then the whole way back
    assert explorer.network.products == count + 19 + 2 + 11
    explorer.depth.value = 10  # the forward pass is kept: only the way back
    assert explorer.network.products == count + 19 + 13 + 9


@pytest.mark.parametrize("init, scale", [("normal", 0.001), ("lecun_normal", 0.001), ("normal", 0.02)])
def test_a_collapsing_tanh_signal_stays_in_float32_and_exact(init, scale):
    # normal x 0.001 at width 100 ends near 1e-83 at layer 50, lecun_normal x 0.001 near 1e-150, far below
    # float32's 1e-45; normal x 0.02 passes tanh's linear range (2^-12) near layer 10
    explorer = widgets.signal_explorer(depth=50, width=100, activation="tanh", init=init, scale=scale, n_samples=64)
    assert all(h.dtype == np.float32 for part in explorer.network._forward["parts"] for h, _, _ in part)
    weights, _ = explorer.network.weights(init, 100, 50)
    x, g = (a.astype(np.float64) for a in explorer.network.inputs(100, 64))
    full = propagation.run_network(x, [w.astype(np.float64) * scale for w in weights], "tanh", grad_output=g,
                                   keep_layers=[50])
    result = explorer.result
    assert full.std[-1] < 1e-40 or scale == 0.02
    for name in ("std", "std_over_inputs", "grad_std"):
        np.testing.assert_allclose(getattr(result, name), getattr(full, name), rtol=1e-5, err_msg=name)
    assert np.all(np.abs(result.mean - full.mean) <= 1e-5 * full.std)  # each layer's mean, to its std
    np.testing.assert_allclose(result.activations[50], full.activations[50], rtol=1e-4, atol=1e-4 * full.std[-1])
    assert np.all(result.saturated == 0)
    # made 30 layers deep, then made deeper one layer at a time: the same numbers
    stepwise = widgets.signal_explorer(depth=30, width=100, activation="tanh", init=init, scale=scale, n_samples=64)
    for depth in range(31, 51):
        stepwise.depth.value = depth
    for name in ("std", "grad_std", "dead"):
        np.testing.assert_array_equal(getattr(stepwise.result, name), getattr(result, name), err_msg=name)


@pytest.mark.parametrize("activation, scale", [("linear", 2.2), ("relu", 3.16)])
def test_kept_gradients_far_beyond_float32_are_handed_over_in_float64(activation, scale):
    # at layer 1 these gradients are near 1e39 (linear) and 1e31 (relu), beyond float32's 3e38 or near it;
    # the two powers of two that give their true size (the part's, then s^(L-l)) once overflowed to inf
    explorer = widgets.signal_explorer(depth=50, width=10, activation=activation, init="normal", scale=scale,
                                       n_samples=64)
    weights, _ = explorer.network.weights("normal", 10, 50)
    x, g = (a.astype(np.float64) for a in explorer.network.inputs(10, 64))
    full = propagation.run_network(x, [w.astype(np.float64) * scale for w in weights], activation, grad_output=g,
                                   keep_layers=explorer.shown_layers)
    assert explorer.result.grad_exploded_at is None and explorer.result.gradients[1].dtype == np.float64
    for layer in explorer.shown_layers:
        np.testing.assert_allclose(explorer.result.gradients[layer], full.gradients[layer], rtol=1e-4,
                                   atol=1e-4 * np.abs(full.gradients[layer]).max())
