"""Deep linear networks learning a linear map: how long each start takes (Saxe et al. 2014, notebook 08).

The network is y = x W_1 W_2 ... W_L (no activation, square layers), trained by
full-batch gradient descent on whitened inputs (X^T X / n_samples = I) to fit
targets y = x A.  Its end-to-end map M = W_1 ... W_L is also its input-output
Jacobian, so its start is the spectrum of ``initlab.jacobian``.  With whitened
inputs the loss is

    loss = 0.5 * mean over samples of ||x M - y||^2 = 0.5 * ||M - A||_F^2,

and the gradient for layer l is (W_1 ... W_{l-1})^T (M - A) (W_{l+1} ... W_L)^T.
Each layer's learning rate is ``learning_rate / depth``: from an orthogonal start
the L layer updates then move M by -learning_rate * (M - A) in the first step,
whatever the depth, so depths are compared at the same end-to-end step.

Progress is the relative error ||M - A||_F^2 / ||A||_F^2 (1 for M = 0); a run
reaches the goal when it drops to ``goal`` (0.25: the map is right to within half
of the target's norm).  Several seeds run at once, stacked along a first axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import initializers as _initializers
from .checks import ArgumentError, ArgumentTypeError, as_generator, check_array, check_choice, check_float, check_int

__all__ = ["START", "MAX_WORK", "target_map", "whitened_inputs", "LearningRun", "train_deep_linear",
           "epochs_to_goal"]

#: The two starts compared: N(0, 1/n) entries and Haar orthogonal matrices.
START = {"gaussian": _initializers.lecun_normal(), "orthogonal": _initializers.orthogonal()}
#: The most multiply-adds one ``train_deep_linear`` call may need (max_epochs + 1 epochs, each
#: seed 3 depth width^3 + 2 n_samples width^2): the lesson's deepest run (depth 30, width 20,
#: 2000 epochs, 5 seeds) needs 8e9 and takes a few seconds.
MAX_WORK = 2e10


def target_map(width, low=0.5, high=2.0, rng=0) -> np.ndarray:
    """A = U diag(s) V^T: random orthogonal U, V and singular values s spaced evenly in log from ``low`` to ``high``.

    Strong and weak directions both have to be learnt; with s from 0.5 to 2 the
    target is neither tiny nor huge compared with an isometric start.
    """
    width = check_int("width", width, minimum=1, maximum=2000)
    low = check_float("low", low, strictly_positive=True)
    high = check_float("high", high, minimum=low)
    rng = as_generator(rng)
    u = _initializers.orthogonal()(width, width, rng)
    v = _initializers.orthogonal()(width, width, rng)
    return (u * np.geomspace(low, high, width)) @ v.T


def whitened_inputs(n_samples, width, rng=0) -> np.ndarray:
    """X of shape (n_samples, width) with X^T X / n_samples = I exactly (sqrt(n_samples) times orthonormal columns)."""
    n_samples = check_int("n_samples", n_samples, minimum=1)
    width = check_int("width", width, minimum=1, maximum=n_samples)
    if n_samples * width**2 > _initializers.MAX_QR_WORK:
        raise ArgumentError(f"n_samples={n_samples} x width={width}^2 = {n_samples * width ** 2:.2g} is more QR work than "
                            f"the {_initializers.MAX_QR_WORK:.0e} initlab allows (fewer samples, or a narrower width)")
    return np.sqrt(n_samples) * _initializers.orthogonal()(n_samples, width, rng)


@dataclass
class LearningRun:
    """The training curves of one start at one depth, one row per seed.

    Attributes
    ----------
    start : str
    depth, width : int
    errors : ndarray (n_seeds, epochs + 1)
        Relative error ||M - A||^2 / ||A||^2 before each epoch (NaN after a run stopped).
    epochs : ndarray (n_seeds,)
        First epoch at which the error is <= goal; ``inf`` if not within ``max_epochs``
        (or if the run diverged: then ``diverged`` is True).
    diverged : ndarray of bool (n_seeds,)
    layers : list of ndarray (n_seeds, width, width)
        The weights when training stopped, layer 1 first.
    """

    start: str
    depth: int
    width: int
    goal: float
    errors: np.ndarray
    epochs: np.ndarray
    diverged: np.ndarray
    layers: list

    @property
    def median_epochs(self) -> float:
        """The median over seeds of the epochs to the goal (inf when most seeds did not reach it)."""
        return float(np.median(self.epochs))


def train_deep_linear(start="orthogonal", depth=10, width=20, target=None, n_samples=100, learning_rate=0.05,
                      goal=0.25, max_epochs=2000, seeds=(0, 1, 2, 3, 4)) -> LearningRun:
    """Train a depth-L linear network from ``start`` until it fits the target map to ``goal``.

    Parameters
    ----------
    start : {"gaussian", "orthogonal"}
        W_l ~ N(0, 1/width) (``lecun_normal``) or Haar orthogonal (``orthogonal``).
    depth, width : int
    target : ndarray (width, width), optional
        The map A to learn (default ``target_map(width)``).
    n_samples : int
        Whitened inputs (``whitened_inputs``); targets are X A.
    learning_rate : float
        The end-to-end step; each layer uses learning_rate / depth.
    goal : float
        Relative error ||M - A||^2 / ||A||^2 to reach.
    max_epochs : int
    seeds : sequence of int
        One run per seed, all computed together.
    """
    start = check_choice("start", start, START)
    depth = check_int("depth", depth, minimum=1)
    width = check_int("width", width, minimum=1, maximum=500)
    n_samples = check_int("n_samples", n_samples, minimum=width)
    learning_rate = check_float("learning_rate", learning_rate, strictly_positive=True)
    goal = check_float("goal", goal, strictly_positive=True)
    max_epochs = check_int("max_epochs", max_epochs, minimum=0)
    if isinstance(seeds, (str, bytes)) or np.size(seeds) == 0:
        raise ArgumentTypeError(f"seeds must be a seed or a list of seeds (integers >= 0), got {seeds!r}")
    seeds = [check_int("seeds entry", s, minimum=0) for s in np.atleast_1d(seeds).tolist()]
    target = target_map(width) if target is None else check_array("target", target, shape=(width, width))
    work = (max_epochs + 1) * len(seeds) * (3 * depth * width**3 + 2 * n_samples * width**2)
    if work > MAX_WORK:
        raise ArgumentError(f"depth={depth}, width={width}, n_samples={n_samples}, max_epochs={max_epochs} and "
                            f"{len(seeds)} seeds need up to {work:.2g} multiply-adds; train_deep_linear allows at most "
                            f"{MAX_WORK:.0e} (a few seconds): reduce max_epochs, depth, width or the seeds")

    x = whitened_inputs(n_samples, width)
    y = x @ target
    # layers[l] has shape (n_seeds, width, width): seed s's layer l+1
    layers = [np.stack(stack) for stack in zip(*(
        [START[start](width, width, stream) for stream in np.random.default_rng(seed).spawn(depth)] for seed in seeds))]
    identity = np.broadcast_to(np.eye(width), layers[0].shape)
    scale = float(np.sum(target**2))
    errors = np.full((len(seeds), max_epochs + 1), np.nan)
    epochs = np.full(len(seeds), np.inf)
    diverged = np.zeros(len(seeds), dtype=bool)
    running = np.ones(len(seeds), dtype=bool)
    rate = learning_rate / depth
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(max_epochs + 1):
            prefix = [identity]                                             # prefix[l] = W_1 ... W_l
            for w in layers:
                prefix.append(prefix[-1] @ w)
            residual = x @ prefix[-1] - y                                   # (n_seeds, n_samples, width)
            error = np.sum(residual**2, axis=(1, 2)) / n_samples / scale   # = ||M - A||^2 / ||A||^2
            errors[running, epoch] = error[running]
            reached = running & (error <= goal)
            epochs[reached] = epoch
            diverged |= running & ~(error < 1e6)
            running &= ~reached & (error < 1e6)
            if not running.any() or epoch == max_epochs:
                break
            back = x.T @ residual / n_samples                               # d loss / d M = M - A
            back[~running] = 0.0
            for layer in reversed(range(depth)):                            # back = d loss / d (W_1 ... W_l)
                step = prefix[layer].mT @ back                              # .mT: each seed's matrix transposed
                if layer > 0:
                    back = back @ layers[layer].mT
                step *= rate
                layers[layer] -= step
    return LearningRun(start, depth, width, goal, errors[:, :epoch + 1], epochs, diverged, layers)


def epochs_to_goal(depths, starts=("gaussian", "orthogonal"), **settings) -> dict:
    """{start: [LearningRun per depth]}: ``train_deep_linear`` at each depth from each start."""
    if isinstance(depths, (str, bytes)) or np.size(depths) == 0:
        raise ArgumentTypeError(f"depths must be a depth or a list of depths (integers >= 1), got {depths!r}")
    depths = [check_int("depths entry", d, minimum=1) for d in np.atleast_1d(depths).tolist()]
    if isinstance(starts, str) or not isinstance(starts, (list, tuple)):
        raise ArgumentTypeError(f"starts must be a list of starts from {list(START)}, got {starts!r}")
    return {start: [train_deep_linear(start, depth, **settings) for depth in depths] for start in starts}
