"""The verdict on a deep random network: could it train, and if not, what goes wrong where?

``diagnose(result)`` reads a ``PropagationResult`` (``initlab.propagate``) and
names, with numbers, the most serious problems: an exploding or vanishing
gradient, an output that no longer depends on the input, saturated or dead units.
The signal explorer shows this verdict under its sliders.
"""

from __future__ import annotations

import math

import numpy as np

from .propagation import PropagationResult
from .checks import ArgumentTypeError

__all__ = ["diagnose", "VANISHING_GRADIENT", "EXPLODING_GRADIENT", "COLLAPSED_INPUT_DEPENDENCE", "EXPLODED_STD",
           "SATURATED_FRACTION", "DEAD_FRACTION", "VERDICT_WORDS"]


# Thresholds of ``diagnose``.  What decides whether a deep network can train is
# whether the gradient reaches the first layers at a usable size and whether the
# output still depends on the input; saturation and dead units are how that goes
# wrong, a large forward std is how it shows up for unbounded activations.

#: The gradient is *vanishing* when the first layer gets less than 1/100 of the
#: last layer's gradient std (grad_std[0] / grad_std[-1] < 1e-2), and *exploding*
#: when it gets more than 100 times (> 1e2).  A factor of 100 between the first
#: and last layer's updates is what one learning rate can no longer serve: a rate
#: small enough for the big end leaves the other end about 100 times slower.
#: Healthy settings stay far inside (tanh + lecun_normal: 0.28 at depth 10;
#: relu + he_normal: about 1), the course's broken ones far outside (below 1e-4,
#: above 1e4).
VANISHING_GRADIENT = 1e-2
EXPLODING_GRADIENT = 1e2
#: The signal is *collapsing* when the last layer's ``std_over_inputs`` falls
#: below 1/100 of layer 1's: the output then barely tells the inputs apart.
#: Layer 1 is the reference, not the N(0, 1) input, because layer 1's spread is
#: set by the weight scale and by the activation (sigmoid + lecun_normal: 0.2),
#: while what the depth does is how much of that spread survives.  The same 1/100
#: as for the gradient; tanh + lecun_normal keeps 0.36 at depth 10, relu +
#: he_normal 0.18 at depth 30.
COLLAPSED_INPUT_DEPENDENCE = 1e-2
#: The signal is *exploding* when the std of the activations passes 10: ten
#: times the input's std.  Only unbounded activations (relu, leaky_relu, linear)
#: can get there; tanh and sigmoid outputs stay below 1.
EXPLODED_STD = 10.0
#: *saturating*: over half of the units sit in tanh's or sigmoid's flat tails
#: (``activations.SATURATION_LEVEL``), where they pass back under 4% of the gradient.
SATURATED_FRACTION = 0.5
#: *dead*: over half of a layer's units are 0 for every input (``dead_units``).
#: The fraction of zero activations (``dead``) cannot be used: a healthy ReLU
#: layer zeroes each unit for about half of the inputs, so ``dead`` is 0.5 there.
#: relu + he_normal at depth 50 and width 500-2000 has up to 41% of such units
#: (the inputs grow alike with depth); at width 10-50 it passes 50%, and such
#: narrow deep ReLU networks do lose most of their units.
DEAD_FRACTION = 0.5
#: The verdict's leading words, most serious first.
VERDICT_WORDS = ("exploding", "vanishing", "collapsing", "saturating", "dead", "healthy")
#: Findings named in one verdict, most serious first.
MAX_FINDINGS = 2


def _number(x, digits=2) -> str:
    """x rounded to ``digits`` significant digits, with a short exponent: 7.2e4, 1.4e-6."""
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def _power(log10, digits=2) -> str:
    """10 ** log10 as ``_number`` writes it, also beyond float64's range (1e-350): ratios are kept as logs."""
    if abs(log10) < 300:
        return _number(10.0 ** log10, digits)
    exponent = math.floor(log10)
    mantissa = float(f"{10.0 ** (log10 - exponent):.{digits}g}")
    return f"{mantissa / 10:g}e{exponent + 1}" if mantissa >= 10 else f"{mantissa:g}e{exponent}"


def _log10(values) -> np.ndarray:
    """log10 of values >= 0 (-inf for 0): a ratio of extreme values, taken as a difference, cannot overflow."""
    values = np.asarray(values, dtype=np.float64)
    return np.log10(values, out=np.full(values.shape, -np.inf), where=values > 0)


def _first(condition) -> int | None:
    """Index of the first True in ``condition``, or None."""
    hits = np.flatnonzero(condition)
    return int(hits[0]) if hits.size else None


def _gradient_ratio(result):
    """log10 of (each layer's gradient std over the last layer's, the geometric per-layer factor of layer 1's).

    None when there is no ratio: one layer, no backward pass (NaN), or no gradient at the last layer.
    """
    grad, depth = result.grad_std, result.depth
    if depth < 2 or not np.all(np.isfinite(grad)) or grad[-1] == 0:
        return None
    ratio = _log10(grad) - _log10(grad[-1])
    return ratio, ratio[0] / (depth - 1)


def _gradient_findings(result) -> list:
    """Overflow, or the first layer's gradient compared with the last layer's."""
    depth = result.depth
    if result.grad_exploded_at is not None:
        return [("exploding", f"the gradient overflowed at layer {result.grad_exploded_at} going back")]
    silent = _first(result.grad_std[::-1] == 0)
    if depth > 1 and silent is not None:
        return [("vanishing", f"the gradient is exactly 0 from layer {depth - silent} down")]
    measured = _gradient_ratio(result)
    if measured is None:
        return []
    ratio, per_layer = measured  # log10s
    if ratio[0] > math.log10(EXPLODING_GRADIENT):
        k = depth - 1 - _first(ratio[::-1] > math.log10(EXPLODING_GRADIENT))
        return [("exploding", f"the gradient grows {_power(per_layer, 3)}x per layer going back, "
                              f"{_power(ratio[0])}x from layer {depth} to layer 1 (past {EXPLODING_GRADIENT:g}x "
                              f"at layer {k + 1})")]
    if ratio[0] < math.log10(VANISHING_GRADIENT):
        k = depth - 1 - _first(ratio[::-1] < math.log10(VANISHING_GRADIENT))
        return [("vanishing", f"the gradient shrinks {_power(-per_layer, 3)}x per layer going back, "
                              f"layer 1 gets {_power(ratio[0])} of layer {depth}'s (below {VANISHING_GRADIENT:g} "
                              f"from layer {k + 1})")]
    return []


def _signal_findings(result) -> list:
    """Overflow, a forward std past EXPLODED_STD, a collapsed input dependence."""
    std, over_inputs, depth = result.std, result.std_over_inputs, result.depth
    if result.exploded_at is not None:
        return [("exploding", f"the signal overflowed at layer {result.exploded_at}")]
    findings = []
    k = _first(std > EXPLODED_STD)
    if k is not None:
        findings.append(("exploding", f"std passes {EXPLODED_STD:g} at layer {k + 1}, "
                                      f"{_number(std[-1], 3)} at layer {depth}"))
    if result.n_samples < 2:
        return findings  # with one input nothing can vary with the input
    if over_inputs[0] == 0:
        findings.append(("collapsing", "the output does not depend on the input: no unit of layer 1 varies with it"))
        return findings
    relative = _log10(over_inputs) - _log10(over_inputs[0])  # log10 of each layer's over layer 1's
    k = _first(relative < math.log10(COLLAPSED_INPUT_DEPENDENCE))
    if k is not None and relative[-1] < math.log10(COLLAPSED_INPUT_DEPENDENCE):
        if relative[-1] == -np.inf:
            how_much = f"does not depend on the input from layer {_first(relative == -np.inf) + 1} on"
        else:
            how_much = (f"depends on the input {_power(relative[-1])} as much as layer 1 does, "
                        f"{_power(-relative[-1] / (depth - 1), 3)}x less per layer")
        findings.append(("collapsing", f"the output {how_much} (below {COLLAPSED_INPUT_DEPENDENCE:g} "
                                       f"from layer {k + 1})"))
    return findings


def _unit_findings(result) -> list:
    """Layers with over half of the units saturated, or dead for every input."""
    findings = []
    for word, fraction, threshold, what in (
            ("saturating", result.saturated, SATURATED_FRACTION, "in the flat tails"),
            ("dead", result.dead_units, DEAD_FRACTION, "output 0 for every input")):
        if word == "dead" and result.n_samples < 2:
            continue  # "0 for every input" means nothing with one input
        k = _first(fraction > threshold)
        if k is not None:
            last = "" if k + 1 == result.depth else f", {fraction[-1]:.0%} at layer {result.depth}"
            findings.append((word, f"{fraction[k]:.0%} of the units {what} at layer {k + 1}{last}"))
    return findings


def diagnose(result: PropagationResult) -> str:
    """A one-line verdict on whether a network with these weights could train.

    The verdict starts with the most serious of these words, then a colon and
    numbers that name where it goes wrong (thresholds are the module constants):

    - exploding: the signal or the gradient overflowed; or the first layer gets
      over 100 times the last layer's gradient std (EXPLODING_GRADIENT); or the
      std of the activations passes 10 (EXPLODED_STD, unbounded activations);
    - vanishing: the first layer gets under 1/100 of the last layer's gradient
      std (VANISHING_GRADIENT), or no gradient at all;
    - collapsing: the last layer's std over the inputs is under 1/100 of layer
      1's (COLLAPSED_INPUT_DEPENDENCE): the output barely depends on the input;
    - saturating: over half of a layer's units sit in tanh's or sigmoid's flat
      tails (SATURATED_FRACTION);
    - dead: over half of a layer's units are 0 for every input (DEAD_FRACTION;
      ReLU's usual half of zero activations is not dead);
    - healthy: none of these; the verdict then gives the gradient ratio and the
      input dependence kept.

    Per-layer factors are the geometric mean over the layers, e.g. the gradient
    ratio to the power 1 / (depth - 1).  Up to two findings are joined by "; ",
    the word repeated only when it changes, e.g. "exploding: the gradient grows
    3.46x per layer going back, ...; saturating: 91% of the units in the flat
    tails at layer 1, 90% at layer 10".  A one-layer network has no gradient
    ratio, and a single input no input dependence: those checks are skipped.
    """
    if not isinstance(result, PropagationResult):
        raise ArgumentTypeError(f"result must be a PropagationResult (from propagate or run_network), "
                                f"got {type(result).__name__}")
    findings = _gradient_findings(result) + _signal_findings(result) + _unit_findings(result)
    findings.sort(key=lambda finding: VERDICT_WORDS.index(finding[0]))  # stable: keeps the order above
    if findings:
        parts, previous = [], None
        for word, details in findings[:MAX_FINDINGS]:
            parts.append(details if word == previous else f"{word}: {details}")
            previous = word
        return "; ".join(parts)
    if result.depth == 1:
        return f"healthy: one layer, std {_number(result.std[0], 3)}"
    measured = _gradient_ratio(result)
    gradient = "" if measured is None else (f"layer 1 gets {_power(measured[0][0])}x layer {result.depth}'s "
                                            f"gradient ({_power(measured[1], 3)}x per layer), ")
    if result.n_samples < 2:
        return f"healthy: {gradient}one input, so no input dependence"
    kept = _log10(result.std_over_inputs[-1]) - _log10(result.std_over_inputs[0])
    return f"healthy: {gradient}the output keeps {_power(kept)} of layer 1's input dependence"
