"""Deep linear networks learning a map: the gradient, the depth-independent first step, and Saxe's learning times."""

import numpy as np
import pytest

from initlab import deep_linear


def test_whitened_inputs_and_target():
    x = deep_linear.whitened_inputs(100, 20, rng=1)
    np.testing.assert_allclose(x.T @ x / 100, np.eye(20), atol=1e-12)
    target = deep_linear.target_map(20, low=0.5, high=2.0, rng=3)
    np.testing.assert_allclose(np.linalg.svd(target, compute_uv=False), np.geomspace(2.0, 0.5, 20), rtol=1e-12)


def _loss(layers, x, y):
    return 0.5 * np.mean(np.sum((x @ np.linalg.multi_dot(layers) - y) ** 2, axis=1))


def _finite_difference_gradients(layers, x, y, h=1e-6):
    gradients = []
    for layer in range(len(layers)):
        gradient = np.zeros_like(layers[layer])
        for index in np.ndindex(*gradient.shape):
            up, down = [w.copy() for w in layers], [w.copy() for w in layers]
            up[layer][index] += h
            down[layer][index] -= h
            gradient[index] = (_loss(up, x, y) - _loss(down, x, y)) / (2 * h)
        gradients.append(gradient)
    return gradients


def test_one_epoch_is_one_gradient_step_on_the_loss():
    depth, width, rate = 3, 4, 0.3
    target = deep_linear.target_map(width, rng=5)
    x = deep_linear.whitened_inputs(10, width)
    start = [deep_linear.START["gaussian"](width, width, s) for s in np.random.default_rng(7).spawn(depth)]
    run = deep_linear.train_deep_linear("gaussian", depth, width, target, n_samples=10, learning_rate=rate,
                                        goal=1e-9, max_epochs=1, seeds=[7])
    gradients = _finite_difference_gradients(start, x, x @ target)
    for after, before, gradient in zip(run.layers, start, gradients):
        np.testing.assert_allclose(after[0], before - rate / depth * gradient, atol=1e-8)
    assert run.errors[0, 0] == pytest.approx(2 * _loss(start, x, x @ target) / np.sum(target**2), rel=1e-12)


@pytest.mark.parametrize("depth", [2, 10, 30])
def test_orthogonal_start_moves_the_map_by_the_same_step_at_any_depth(depth):
    # first order: M_1 - M_0 = -(rate / L) * sum_l P_l P_l^T (M - A) S_l^T S_l = -rate * (M - A) for isometric layers
    rate, width = 1e-4, 8
    target = deep_linear.target_map(width, rng=2)
    before = deep_linear.train_deep_linear("orthogonal", depth, width, target, learning_rate=rate, max_epochs=0, seeds=[1])
    after = deep_linear.train_deep_linear("orthogonal", depth, width, target, learning_rate=rate, max_epochs=1, seeds=[1])
    m0 = np.linalg.multi_dot([w[0] for w in before.layers]) if depth > 1 else before.layers[0][0]
    m1 = np.linalg.multi_dot([w[0] for w in after.layers]) if depth > 1 else after.layers[0][0]
    np.testing.assert_allclose(m1 - m0, -rate * (m0 - target), rtol=0, atol=5 * rate**2 * depth * np.abs(m0 - target).max())


def test_seeds_run_together_as_they_would_alone():
    together = deep_linear.train_deep_linear("gaussian", 5, 10, max_epochs=300, seeds=[0, 1, 2])
    alone = deep_linear.train_deep_linear("gaussian", 5, 10, max_epochs=300, seeds=[1])
    assert together.epochs[1] == alone.epochs[0]
    np.testing.assert_allclose(together.errors[1, :alone.errors.shape[1]], alone.errors[0], rtol=1e-12)


def test_orthogonal_learns_in_the_same_time_at_any_depth_gaussian_slows_down():
    times = deep_linear.epochs_to_goal([10, 15], max_epochs=1500)
    orthogonal = [run.median_epochs for run in times["orthogonal"]]
    gaussian = [run.median_epochs for run in times["gaussian"]]
    assert max(orthogonal) / min(orthogonal) < 1.3 and max(orthogonal) < 100
    assert gaussian[0] > 4 * orthogonal[0] and gaussian[1] > 2 * gaussian[0]
    assert not any(run.diverged.any() for runs in times.values() for run in runs)
    run = times["orthogonal"][1]
    at = run.epochs.astype(int)
    rows = np.arange(len(at))
    assert np.all(run.errors[rows, at] <= 0.25) and np.all(run.errors[rows, at - 1] > 0.25)


def test_a_run_that_does_not_reach_the_goal_says_inf():
    run = deep_linear.train_deep_linear("gaussian", 20, 20, max_epochs=50, seeds=[0, 1])
    assert np.all(np.isinf(run.epochs)) and run.median_epochs == np.inf and run.errors.shape == (2, 51)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"start must be one of \['gaussian', 'orthogonal'\]"):
        deep_linear.train_deep_linear("he_normal")
    with pytest.raises(ValueError, match=r"target must have shape \(20, 20\)"):
        deep_linear.train_deep_linear(target=np.eye(3))
    with pytest.raises(ValueError, match="n_samples must be an integer >= 20"):
        deep_linear.train_deep_linear(n_samples=10)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        deep_linear.train_deep_linear(learning_rate=0)
