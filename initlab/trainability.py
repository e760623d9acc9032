"""Which depths can learn: deep tanh networks trained on the MNIST sample over a grid of depth x sigma_w^2.

Notebook 07's picture after Schoenholz et al. (2017, their figure 5 on MNIST): each cell
trains ``initlab.mlp.MLP([784] + [width] * depth + [10])`` with tanh hidden layers,
weights W ~ N(0, sigma_w^2 / fan_in) (Keras ``VarianceScaling(sigma_w**2, "fan_in",
"untruncated_normal")``) and biases N(0, sigma_b^2), with plain mini-batch SGD for a
fixed budget, and records the validation accuracy after each epoch.  The full grid
takes minutes, so ``scripts/trainability_grid.py`` computes it once and ships it as
``initlab/datasets/trainability_tanh.npz``; ``load_grid()`` reads it and
``train_cell`` recomputes any one cell from scratch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import activations as _activations
from . import data as _data
from . import initializers as _initializers
from .checks import ArgumentError, ArgumentTypeError, check_float, check_int
from .mlp import MLP

__all__ = ["SETUP", "DEPTHS", "SIGMA_W2", "SEEDS", "GRID_FILE", "train_cell", "TrainabilityGrid", "compute_grid",
           "load_grid"]

#: The training budget of every cell: 4,000 training images, 4 epochs of mini-batches
#: of 32 (500 steps) at learning rate 0.01, no weight decay; sigma_b^2 = 0.05 as in
#: Schoenholz et al.'s grids.  Chosen so that the whole grid trains in minutes on one core.
SETUP = {"width": 100, "sigma_b2": 0.05, "epochs": 4, "batch_size": 32, "eta": 0.01, "activation": "tanh"}
DEPTHS = (2, 5, 10, 15, 20, 30, 40, 50)
SIGMA_W2 = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0)  # finer where 6 xi_c changes fast
SEEDS = (0, 1)
GRID_FILE = Path(__file__).parent / "datasets" / "trainability_tanh.npz"
#: The most multiply-adds one cell may need, 6 epochs n_train (weights of the network): the
#: grid's deepest cell (depth 50, width 100, 4000 images, 4 epochs) needs 5.5e10.
MAX_WORK = 1.2e11


def _checked_setup(setup) -> dict:
    """SETUP with the entries of ``setup`` (a dict of some of its keys) checked and put in."""
    if setup is None:
        return dict(SETUP)
    if not isinstance(setup, dict) or set(setup) - set(SETUP):
        raise ArgumentTypeError(f"setup must be a dict with some of the keys {list(SETUP)}, got {setup!r:.80}")
    merged = dict(SETUP, **setup)
    for key in ("width", "epochs", "batch_size"):
        merged[key] = check_int(f"setup['{key}']", merged[key], minimum=1)
    merged["sigma_b2"] = check_float("setup['sigma_b2']", merged["sigma_b2"], minimum=0.0)
    merged["eta"] = check_float("setup['eta']", merged["eta"], strictly_positive=True)
    merged["activation"] = _activations.get(merged["activation"]).name
    return merged


def train_cell(depth, sigma_w2, data=None, seed=0, setup=None) -> np.ndarray:
    """Train one network of the grid; return its validation accuracy after each epoch.

    ``seed`` draws the weights and biases; ``seed + 1`` (as a Generator seed) shuffles the
    mini-batches.  ``data`` defaults to ``initlab.data.load_mnist()``; ``setup`` to SETUP.
    """
    depth = check_int("depth", depth, minimum=1)
    sigma_w2 = check_float("sigma_w2", sigma_w2, strictly_positive=True)
    seed = check_int("seed", seed, minimum=0)
    setup = _checked_setup(setup)
    data = _data.load_mnist() if data is None else data
    if not all(hasattr(data, part) for part in ("x_train", "y_train", "x_validation", "y_validation")):
        raise ArgumentTypeError(f"data must be an initlab.data.MnistData (from load_mnist()), got {data!r:.60}")
    n_inputs, width = np.shape(data.x_train)[-1], setup["width"]
    work = 6 * setup["epochs"] * len(data.x_train) * (n_inputs * width + (depth - 1) * width**2 + width * 10)
    if work > MAX_WORK:
        raise ArgumentError(f"depth={depth} at width {width} on {len(data.x_train)} images for {setup['epochs']} "
                            f"epochs needs about {work:.2g} multiply-adds (minutes); train_cell allows at most "
                            f"{MAX_WORK:.1e} (the grid's deepest cell needs 5.5e10)")
    network = MLP([data.x_train.shape[1]] + [setup["width"]] * depth + [10], activation=setup["activation"],
                  weight_init=_initializers.variance_scaling(sigma_w2, "fan_in", "normal"),
                  bias_init=_initializers.normal(math.sqrt(setup["sigma_b2"])), rng=seed)
    history = network.fit(data.x_train, data.y_train, epochs=setup["epochs"], batch_size=setup["batch_size"],
                          eta=setup["eta"], validation=(data.x_validation, data.y_validation), rng=seed + 1,
                          monitor_training=False)
    return np.array(history.validation_accuracy)


@dataclass(frozen=True)
class TrainabilityGrid:
    """Validation accuracy per (seed, depth, sigma_w^2, epoch) and the setup that made it.

    ``accuracy`` is the final epoch's, averaged over the seeds: shape (depths, sigma_w2).
    """

    depths: np.ndarray
    sigma_w2: np.ndarray
    seeds: np.ndarray
    accuracy_by_epoch: np.ndarray
    setup: dict

    @property
    def accuracy(self) -> np.ndarray:
        return self.accuracy_at(self.accuracy_by_epoch.shape[-1])

    def accuracy_at(self, epoch) -> np.ndarray:
        """The accuracy after ``epoch`` (1-based), averaged over the seeds: shape (depths, sigma_w2)."""
        epoch = check_int("epoch", epoch, minimum=1, maximum=self.accuracy_by_epoch.shape[-1])
        return self.accuracy_by_epoch[..., epoch - 1].mean(axis=0)

    def cell(self, depth, sigma_w2) -> np.ndarray:
        """The stored accuracies (seeds, epochs) of one cell."""
        depth, sigma_w2 = check_int("depth", depth), check_float("sigma_w2", sigma_w2)
        rows = np.flatnonzero(self.depths == depth)
        columns = np.flatnonzero(np.isclose(self.sigma_w2, sigma_w2))
        if not rows.size or not columns.size:
            raise ArgumentError(f"the grid has depths {self.depths.tolist()} and sigma_w2 {self.sigma_w2.tolist()}, "
                                f"got depth={depth}, sigma_w2={sigma_w2}")
        return self.accuracy_by_epoch[:, rows[0], columns[0]]

    def trainable_depth(self, threshold=0.5, epoch=None) -> np.ndarray:
        """For each sigma_w^2, the deepest depth whose accuracy reaches ``threshold`` (0: none).

        The accuracy is the seeds' mean after ``epoch`` (default: the last).
        """
        threshold = check_float("threshold", threshold, minimum=0.0, maximum=1.0)
        reached = (self.accuracy if epoch is None else self.accuracy_at(epoch)) >= threshold
        return np.array([self.depths[column].max() if column.any() else 0 for column in reached.T])

    def save(self, path) -> None:
        setup = np.array(sorted((key, str(value)) for key, value in self.setup.items()))
        np.savez_compressed(path, depths=self.depths, sigma_w2=self.sigma_w2, seeds=self.seeds,
                            accuracy_by_epoch=self.accuracy_by_epoch, setup=setup)


def compute_grid(depths=DEPTHS, sigma_w2=SIGMA_W2, seeds=SEEDS, data=None, setup=None, progress=None):
    """Train every cell; ``progress(done, total, depth, sigma_w2, seed)`` is called after each one.

    Cells are visited seed by seed, deepest first, so the slow ones come first.
    """
    setup = _checked_setup(setup)
    data = _data.load_mnist() if data is None else data
    depths, sigma_w2, seeds = (np.array([check(f"{name} entry", v, minimum=minimum) for v in np.atleast_1d(values)])
                               for name, values, check, minimum in (("depths", depths, check_int, 1),
                                                                    ("sigma_w2", sigma_w2, check_float, 0.0),
                                                                    ("seeds", seeds, check_int, 0)))
    if progress is not None and not callable(progress):
        raise ArgumentTypeError(f"progress must be None or a function (done, total, depth, sigma_w2, seed), "
                                f"got {progress!r}")
    accuracy = np.zeros((len(seeds), len(depths), len(sigma_w2), setup["epochs"]))
    total, done = accuracy[..., 0].size, 0
    for s, seed in enumerate(seeds):
        for d in np.argsort(-depths, kind="stable"):
            for w, value in enumerate(sigma_w2):
                accuracy[s, d, w] = train_cell(int(depths[d]), float(value), data, int(seed), setup)
                done += 1
                if progress is not None:
                    progress(done, total, int(depths[d]), float(value), int(seed))
    return TrainabilityGrid(depths, sigma_w2, seeds, accuracy, setup)


def load_grid(path=GRID_FILE) -> TrainabilityGrid:
    """The shipped grid (or the one at ``path``), as made by ``scripts/trainability_grid.py``."""
    if not isinstance(path, (str, Path)) or not Path(path).is_file():
        raise ArgumentError(f"path must name a grid file (.npz) made by scripts/trainability_grid.py, got {path!r}")
    with np.load(path, allow_pickle=False) as stored:
        setup = {str(key): type(SETUP[key])(value) if key in SETUP else str(value) for key, value in stored["setup"]}
        return TrainabilityGrid(stored["depths"], stored["sigma_w2"], stored["seeds"], stored["accuracy_by_epoch"],
                                setup)
