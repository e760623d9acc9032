"""Course facts section 6 on the offline sample, and the training explorer."""

import numpy as np
import pytest

from initlab import data, experiments, widgets


@pytest.fixture(scope="module")
def sample():
    return data.load_mnist()


@pytest.fixture(scope="module")
def starts(sample):
    return experiments.compare_starts(sample, hidden=30, epochs=10, rng=0)


def test_new_start_learns_much_faster_and_ends_about_as_good(starts):
    old, new = starts["old"].validation_accuracy, starts["new"].validation_accuracy
    assert new[0] - old[0] >= 0.10  # far ahead after one epoch
    assert new[-1] - old[-1] < new[0] - old[0]  # the gap shrinks
    assert old[-1] > 0.8 and new[-1] > 0.85


def test_runs_are_seeded(sample, starts):
    again = experiments.train_network(sample, experiments.STARTS["new"], hidden=30, epochs=2, rng=0)[1]
    assert again.validation_accuracy == starts["new"].validation_accuracy[:2]


def test_same_seed_same_biases_different_weights():
    old = experiments.initial_network(experiments.STARTS["old"], rng=3)
    new = experiments.initial_network(experiments.STARTS["new"], rng=3)
    np.testing.assert_array_equal(old.biases[0], new.biases[0])
    assert old.weights[0].std() == pytest.approx(1.0, rel=0.02)
    assert new.weights[0].std() == pytest.approx(1 / np.sqrt(784), rel=0.02)


def test_training_explorer_trains_and_draws(sample):
    explorer = widgets.training_explorer(sample, epochs=3)
    before = explorer.png
    seen = []
    explorer.progress.observe(lambda change: seen.append(change["new"]), names="value")
    explorer.button.click()
    assert explorer.last_error is None
    assert seen[-3:] == [1, 2, 3] and explorer.progress.value == 3
    assert explorer.png != before
    (label, accuracies), = explorer.runs
    assert label == "lecun_normal × 1, 30 hidden" and len(accuracies) == 3 and accuracies[0] > 0.75
    assert "lecun_normal × 1, 30 hidden: " in explorer._repr_mimebundle_()["text/plain"]
    explorer.clear_button.click()
    assert explorer.runs == []


def test_training_explorer_bad_arguments(sample):
    with pytest.raises(ValueError, match=r"epochs must be an integer <= 30, got 31"):
        widgets.training_explorer(sample, epochs=31)
    with pytest.raises(ValueError, match=r"scale must be <= 10.0, got 100.0"):
        widgets.training_explorer(sample, scale=100.0)
    with pytest.raises(TypeError, match=r"data must be the result of initlab.data.load_mnist\(\)"):
        widgets.training_explorer(data=[1, 2, 3])


def test_experiment_argument_errors(sample):
    with pytest.raises(ValueError, match=r"hidden must be an integer >= 1, got 0"):
        experiments.initial_network("lecun_normal", hidden=0)
    with pytest.raises(ValueError, match=r"epochs must be an integer >= 1, got 0"):
        experiments.train(experiments.initial_network("lecun_normal"), sample, epochs=0)
    with pytest.raises(ValueError, match=r"init must be one of"):
        experiments.initial_network("glorot")


def test_lmbda_zero_turns_weight_decay_off(sample):
    decayed, _ = experiments.train_network(sample, experiments.STARTS["old"], epochs=1, rng=0)
    kept, _ = experiments.train_network(sample, experiments.STARTS["old"], epochs=1, rng=0, lmbda=0.0)
    # one epoch of 400 steps at eta 0.1, lambda 5, n 4000 multiplies W by 0.951; without decay W stays ~1
    assert decayed.weights[0].std() / kept.weights[0].std() == pytest.approx(0.951, abs=0.01)
    with pytest.raises(ValueError, match="lmbda must be >= 0.0, got -1.0"):
        experiments.train_network(sample, "lecun_normal", epochs=1, lmbda=-1.0)
