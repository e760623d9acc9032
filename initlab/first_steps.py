"""The checks a practitioner runs at step 0: the initial loss against an uninformed guess, dead ReLUs, update-to-weight ratios.

``diagnostics(network, x, labels, eta)`` works on the course's two trainable
networks, ``mlp.MLP`` and ``resnet.ResidualMLP``, and on a copy of them (the
network you pass is not changed).  It reports:

- the **initial loss** next to the loss of an uninformed network, one whose
  outputs say nothing about the input.  With a softmax head over C classes every
  class gets 1/C, loss ln C (2.303 for C = 10).  With the course MLP's sigmoid
  outputs and cross-entropy summed over its C outputs, z = 0 gives every output
  1/2 and the loss C ln 2 (6.93 for C = 10).  A start far above it spends its first
  steps only shrinking the outputs: the "hockey stick" of the loss curve;
- the **dead units** at step 0: per hidden layer, the fraction of ReLUs that are 0
  for every input of the batch (they get no gradient and may never come back);
- the **update-to-weight ratio** ||W_{t+1} - W_t|| / ||W_t|| of each weight matrix
  over the first SGD steps; around 1e-3 is the usual rule of thumb (Karpathy,
  CS231n notes, "Ratio of weights:updates"), far below it the rate is too small,
  far above it too large.  A matrix that starts at 0 has no ratio at its first step.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from .checks import ArgumentError, ArgumentTypeError, as_generator, check_array, check_float, check_int
from .mlp import MLP, one_hot
from .resnet import ResidualMLP

__all__ = ["diagnostics", "FirstSteps", "uninformed_loss", "loss_per_step", "MAX_STEPS", "MAX_WORK", "LOSS_TOLERANCE",
           "DEAD_TOLERANCE",
           "RATIO_LOW", "RATIO_HIGH"]

#: The initial loss is *too large* when it exceeds the uninformed loss by more than this fraction.
LOSS_TOLERANCE = 0.25
#: A layer has *dead units* at step 0 when more than this fraction of its ReLUs are 0 for the whole batch.
DEAD_TOLERANCE = 0.1
#: The update-to-weight ratio is flagged when even the fastest layer's stays below RATIO_LOW (the weights
#: barely move) or when a step's typical ratio passes RATIO_HIGH (they change by a tenth in one step).  The rule of thumb of about 1e-3 per
#: step is for long runs; the course's small networks train well at 1e-3 to 3e-2 in their first steps.
RATIO_LOW, RATIO_HIGH = 1e-4, 1e-1


def uninformed_loss(network) -> tuple:
    """(value, formula): the loss of ``network``'s output layer when its outputs carry no information.

    Softmax head (``ResidualMLP``): every class 1/C, ln C.  Sigmoid outputs
    (``MLP``, z = 0, every output 1/2): C ln 2 for cross-entropy summed over the C
    outputs, C / 8 for the quadratic cost (1/2 * C * (1/2)^2).
    """
    if isinstance(network, ResidualMLP):
        return math.log(network.n_classes), f"ln {network.n_classes}"
    if isinstance(network, MLP):
        c = network.sizes[-1]
        if network.cost == "cross_entropy":
            return c * math.log(2), f"{c} ln 2"
        return c / 8, f"{c} / 8"
    raise ArgumentTypeError(f"network must be an initlab.mlp.MLP or resnet.ResidualMLP, got {type(network).__name__}")


def _hidden(network, x) -> list:
    """The hidden layers' activations (MLP) or the blocks' branch ReLU layers (ResidualMLP)."""
    if isinstance(network, MLP):
        return network.forward(x).a[1:-1]
    return network.hidden_activations(x)


def _step(network, x, labels, eta) -> float:
    """One SGD step on the batch; returns the batch's loss before it."""
    if isinstance(network, ResidualMLP):
        return network.sgd_step(x, labels, eta)
    loss = network.cost_value(x, labels)
    network.sgd_step(x, one_hot(labels, network.sizes[-1]), eta)
    return loss


#: The most training steps one call runs, and their most multiply-adds (6 per weight and sample
#: of a step): a few seconds.  Lesson 09's longest run (160 steps) needs a few 1e9.
MAX_STEPS, MAX_WORK = 100_000, 2e10


def _checked(network, x, labels, eta, batch_size, rng, steps):
    uninformed_loss(network)  # checks the network's type
    x = network._check_inputs(check_array("x", x, ndim=2))
    labels = network._check_labels(labels, len(x))
    eta = check_float("eta", eta, strictly_positive=True)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if batch_size > len(x):
        raise ArgumentError(f"batch_size must be at most the {len(x)} samples of x, got {batch_size}")
    steps = check_int("steps", steps, minimum=1)
    work = 6 * steps * batch_size * sum(w.size for w in network.weights)
    if steps > MAX_STEPS or work > MAX_WORK:
        raise ArgumentError(f"steps={steps} of {batch_size} samples through {network!r} need about "
                            f"{work:.2g} multiply-adds; at most {MAX_STEPS:,} steps and {MAX_WORK:.0e} multiply-adds "
                            f"(a few seconds) are run at once")
    return x, labels, eta, batch_size, as_generator(rng), steps


def loss_per_step(network, x, labels, eta, steps=100, batch_size=50, rng=0) -> np.ndarray:
    """Train ``network`` in place for ``steps`` SGD steps; return each mini-batch's loss before its step.

    The mini-batches run through shuffled epochs of (x, labels).  A loss that is
    not finite ends the run: it is recorded as inf, and the array is shorter.
    """
    x, labels, eta, batch_size, rng, steps = _checked(network, x, labels, eta, batch_size, rng, steps)
    order = np.concatenate([rng.permutation(len(x)) for _ in range(math.ceil(steps * batch_size / len(x)))])
    losses = []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step in range(steps):
            batch = order[step * batch_size:(step + 1) * batch_size]
            losses.append(_step(network, x[batch], labels[batch], eta))
            if not math.isfinite(losses[-1]):
                losses[-1] = math.inf  # NaN too: the loss diverged
                break
    return np.array(losses)


@dataclass
class FirstSteps:
    """What ``diagnostics`` measured; ``str()`` gives the report, ``problems()`` the flagged findings."""

    initial_loss: float
    uninformed: float
    uninformed_formula: str
    dead_fraction: np.ndarray
    update_ratio: np.ndarray  # (steps, weight matrices); inf where a matrix was 0, NaN after a divergence
    eta: float
    diverged_at: int | None = None

    def _hidden_ratios(self) -> np.ndarray:
        """The ratios of the weight matrices that count: not the output layer (when there are others: a last
        layer started small has a large relative update by design) and not those that started at 0."""
        ratios = self.update_ratio[:, :-1] if self.update_ratio.shape[1] > 1 else self.update_ratio
        return ratios[:, ~np.isinf(ratios[0])]

    @property
    def typical_ratio(self) -> float:
        """The median update-to-weight ratio over the first steps and the matrices that count."""
        ratios = self._hidden_ratios()
        ratios = ratios[np.isfinite(ratios)]
        return float(np.median(ratios)) if ratios.size else math.nan

    def step_ratios(self) -> np.ndarray:
        """Each step's median ratio over the matrices that count (NaN for a step without any)."""
        return np.array([np.median(row[np.isfinite(row)]) if np.isfinite(row).any() else math.nan
                         for row in self._hidden_ratios()])

    @property
    def peak_ratio(self) -> float:
        """The largest, over the first steps, of the step's median ratio over the matrices that count."""
        medians = self.step_ratios()
        return float(np.nanmax(medians)) if np.isfinite(medians).any() else math.nan

    @property
    def fastest_ratio(self) -> float:
        """The largest, over the matrices that count, of a matrix's median ratio over the first steps."""
        ratios = self._hidden_ratios()
        kept = np.isfinite(ratios).all(axis=0)
        return float(np.median(ratios[:, kept], axis=0).max()) if kept.any() else math.nan

    def problems(self) -> list:
        """The findings outside the healthy ranges (module constants), each a short sentence."""
        found = []
        if self.initial_loss > (1 + LOSS_TOLERANCE) * self.uninformed:
            found.append(f"the initial loss {self.initial_loss:.3g} is {self.initial_loss / self.uninformed:.3g}x the "
                         f"uninformed {self.uninformed_formula} = {self.uninformed:.3g}: the outputs start too large "
                         f"(scale the last layer down, or find the layer that makes them grow)")
        worst = int(np.argmax(self.dead_fraction)) if self.dead_fraction.size else 0
        if self.dead_fraction.size and self.dead_fraction[worst] > DEAD_TOLERANCE:
            found.append(f"{self.dead_fraction[worst]:.0%} of the ReLUs of hidden layer {worst + 1} are dead at "
                         f"step 0 (0 for every input)")
        if self.diverged_at is not None:
            found.append(f"the loss is not finite at step {self.diverged_at}: training diverged")
        if self.peak_ratio > RATIO_HIGH:
            found.append(f"the weights change fast: update-to-weight ratio up to {self.peak_ratio:.2g} in one step "
                         f"(above {RATIO_HIGH:g}): eta = {self.eta:g} is probably too large")
        elif self.fastest_ratio < RATIO_LOW:
            found.append(f"the weights barely move: even the fastest layer's update-to-weight ratio is "
                         f"{self.fastest_ratio:.2g} per step (below {RATIO_LOW:g}): eta = {self.eta:g} is too small")
        return found

    def __str__(self) -> str:
        dead = ", ".join(f"{d:.0%}" for d in self.dead_fraction) or "no hidden layer"
        per_step = ", ".join(f"{r:.2g}" if np.isfinite(r) else "-" for r in self.step_ratios())
        lines = [f"initial loss {self.initial_loss:.3f} (uninformed: {self.uninformed_formula} = {self.uninformed:.3f})",
                 f"dead ReLUs at step 0, per hidden layer: {dead}",
                 f"update/weight ratio, median over the layers below the output (not started at 0), steps "
                 f"1-{len(self.update_ratio)}: {per_step}"]
        problems = self.problems()
        lines.append("verdict: " + ("; ".join(problems) if problems else "a healthy start"))
        return "\n".join(lines)


def diagnostics(network, x, labels, eta, steps=5, batch_size=50, rng=0) -> FirstSteps:
    """Run the step-0 checks on ``network`` (an ``mlp.MLP`` or ``resnet.ResidualMLP``), unchanged.

    Parameters
    ----------
    x, labels : a batch of real inputs and their integer labels; the initial loss
        and the dead units are measured on all of it
    eta : float, the learning rate you mean to train with
    steps, batch_size : the first ``steps`` SGD steps on mini-batches of (x, labels),
        run on a copy of the network, give the update-to-weight ratios
    rng : seed or Generator of the mini-batches

    Returns a ``FirstSteps``; ``print`` it for the report.
    """
    x, labels, eta, batch_size, rng, steps = _checked(network, x, labels, eta, batch_size, rng, steps)
    uninformed, formula = uninformed_loss(network)
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        initial = network.cost_value(x, labels)
        dead = np.array([float(np.all(h == 0, axis=0).mean()) for h in _hidden(network, x)])
        trial = copy.deepcopy(network)
        ratios = np.full((steps, len(trial.weights)), np.nan)
        for step in range(steps):
            batch = rng.choice(len(x), batch_size, replace=False)
            before = [w.copy() for w in trial.weights]
            if not math.isfinite(_step(trial, x[batch], labels[batch], eta)):
                diverged_at = step + 1
                break
            for k, (w, old) in enumerate(zip(trial.weights, before)):
                size = np.linalg.norm(old)
                ratios[step, k] = np.linalg.norm(w - old) / size if size > 0 else np.inf
    return FirstSteps(float(initial), uninformed, formula, dead, ratios, eta, diverged_at)
