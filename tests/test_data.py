import numpy as np

from initlab import data


def test_half_on_input_has_exactly_the_ones_asked_for():
    x = data.half_on_input(1000, 0.5, rng=0)
    assert x.shape == (1000,) and x.sum() == 500 and set(np.unique(x)) == {0.0, 1.0}
    assert data.half_on_input(250, 1.0, rng=0).sum() == 250
    np.testing.assert_array_equal(data.half_on_input(10, 0.3, rng=4), data.half_on_input(10, 0.3, rng=4))


def test_two_moons_shape_balance_and_seed():
    x, labels = data.two_moons(301, rng=0)
    assert x.shape == (301, 2) and labels.shape == (301,)
    assert np.bincount(labels).tolist() == [150, 151]
    np.testing.assert_array_equal(data.two_moons(50, rng=1)[0], data.two_moons(50, rng=1)[0])


def test_stratified_split_keeps_the_balance():
    labels = np.repeat(np.arange(10), 500)
    x = np.arange(5000)[:, None]
    (x_train, y_train), (x_val, y_val) = data.train_validation_split(x, labels, 1000, rng=0)
    assert len(y_val) == 1000 and len(y_train) == 4000
    assert np.bincount(y_val).tolist() == [100] * 10
    assert set(x_train.ravel()).isdisjoint(set(x_val.ravel()))
    again = data.train_validation_split(x, labels, 1000, rng=0)
    np.testing.assert_array_equal(again[1][0], x_val)
