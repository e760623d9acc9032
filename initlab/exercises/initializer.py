"""The check of a hand-written initializer: drawn on shapes that tell every rule apart.

``check_initializer(init, expected)`` draws ``init`` on the layer (fan_in, fan_out), its
transpose and a square layer of about as many entries, and compares its variance,
distribution and mean with the rule ``expected`` on each; a rule is right only if it
matches on all three.  When the variance is another rule's, or a known slip's, it says which.
``init`` is called through ``student_code.Calls``: each call within a few seconds, and
what it returns is read as a matrix of finite real numbers before any statistic is taken.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np

from .feedback import judged
from .student_code import Calls, Rejected as _Rejected
from ..checks import ArgumentError, check_choice, check_int

__all__ = ["check_initializer", "EXPECTED"]


class _Rule(NamedTuple):
    """Var(W) = numerator / denominator, as the course writes the rule."""

    name: str
    numerator: int
    denominator: str  # "fan_in", "fan_out" or "fan_in + fan_out"

    def variance(self, fan_in, fan_out) -> float:
        return self.numerator / {"fan_in": fan_in, "fan_out": fan_out, "fan_in + fan_out": fan_in + fan_out}[self.denominator]

    def formula(self, times=1) -> str:
        """``times`` * Var(W) as a formula: "2/(fan_in + fan_out)", or "6/(fan_in + fan_out)" with times=3."""
        denominator = f"({self.denominator})" if "+" in self.denominator else self.denominator
        return f"{times * self.numerator}/{denominator}"


# The rules a student may be asked for; "{}" is the distribution, normal or uniform.
_RULES = {
    "lecun_{}": _Rule("LeCun's rule", 1, "fan_in"),
    "xavier_{}": _Rule("Glorot's rule", 2, "fan_in + fan_out"),
    "he_{}": _Rule("He's rule", 2, "fan_in"),
    "he_{}_fan_out": _Rule("He's rule with mode='fan_out'", 2, "fan_out"),
}
DISTRIBUTIONS = ("normal", "uniform")
#: Every ``expected`` that check_initializer knows: its variance rule and its distribution.
EXPECTED = {pattern.format(d): (rule, d) for pattern, rule in _RULES.items() for d in DISTRIBUTIONS}

#: A variance matches a formula on a shape when |ln(measured / formula)| <= VARIANCE_TOL:
#: half the distance between the two closest rules on any shape, Glorot's 2/814 and
#: He's 2/784 on a 784x30 layer (ratio 814/784 = 1.038).
VARIANCE_TOL = math.log(814 / 784) / 2  # 0.0188
#: Entries drawn per shape (several seeds): the variance of 200,000 normal entries has a
#: relative standard error of sqrt(2 / 200,000) = 0.32%, so VARIANCE_TOL is 5.9 of them.
MIN_ENTRIES = 200_000
#: A normal sample has kurtosis 3 (standard error sqrt(24 / 200,000) = 0.011); a uniform
#: one 1.8, a normal truncated at two std (Keras' HeNormal) 2.35.
KURTOSIS_TOL = 0.1
SEED = 0  # the seed of the first call; the other draws use seeds derived from it
#: The largest layer checked: 3 draws of it (the layer, its transpose, a square) take a second or two.
MAX_ENTRIES = 4_000_000


def _same(ratio) -> bool:
    """Is the ratio of two variances 1, within VARIANCE_TOL?"""
    return abs(math.log(ratio)) <= VARIANCE_TOL


def _name(shape) -> str:
    return "x".join(map(str, shape))


class _Layer(NamedTuple):
    """The pooled statistics of an initializer's draws on one shape."""

    shape: tuple
    variance: float
    peak: float  # the largest |w|
    kurtosis: float

    @property
    def name(self) -> str:
        return _name(self.shape)

    def fits(self, variance) -> bool:
        return _same(self.variance / variance)

    @property
    def distribution(self) -> str:
        if _same(self.peak**2 / 3 / self.variance):
            return "uniform"  # every |w| <= a = sqrt(3 * variance), the largest close to a
        return "normal" if abs(self.kurtosis - 3) <= KURTOSIS_TOL else "other"


def _shapes(fan_in, fan_out):
    """The layer, its transpose and a square of about as many entries."""
    side = round(math.sqrt(fan_in * fan_out))
    shapes = ((fan_in, fan_out), (fan_out, fan_in), (side, side))
    for (_, one), (_, other) in itertools.combinations(_RULES.items(), 2):
        gap = max(abs(math.log(one.variance(*shape) / other.variance(*shape))) for shape in shapes)
        if gap < 2 * VARIANCE_TOL:
            raise ArgumentError(
                f"with fan_in = {fan_in} and fan_out = {fan_out}, {one.name} and {other.name} differ by "
                f"{math.expm1(gap):.1%} at most on the layers {shapes}; choose fan_in and fan_out further "
                "apart (the default is 784 and 30)")
    return shapes


def _draw(init: Calls, fan_in, fan_out, seed, first=False) -> np.ndarray:
    """init(fan_in, fan_out, seed) as an array, or _Rejected saying what is wrong with it."""
    call = f"init({fan_in}, {fan_out}, {seed})"
    weights = init.weights(fan_in, fan_out, seed)
    if weights.ndim != 2:
        raise _Rejected(f"{call} returned {'one number' if weights.ndim == 0 else f'an array of shape {weights.shape}'}"
                        f", not a matrix of shape (fan_in, fan_out) = ({fan_in}, {fan_out}).")
    if weights.shape != (fan_in, fan_out):
        if first and weights.shape == (fan_out, fan_in):
            raise _Rejected(f"Shape {weights.shape}: that is PyTorch's (out, in) layout. initlab's weights are "
                            f"(fan_in, fan_out) = ({fan_in}, {fan_out}), so that H = X @ W.")
        raise _Rejected(f"{call} has shape {weights.shape}; expected (fan_in, fan_out) = ({fan_in}, {fan_out})."
                        + ("" if first else " Use the arguments fan_in and fan_out, not fixed sizes."))
    return weights


def _measure(init, shape) -> _Layer:
    """Draw enough matrices of ``shape``, with seeds derived from SEED, for MIN_ENTRIES entries."""
    seeds = np.random.SeedSequence(SEED).generate_state(math.ceil(MIN_ENTRIES / (shape[0] * shape[1])))
    weights = np.concatenate([_draw(init, *shape, int(seed)).ravel() for seed in seeds])
    mean = float(weights.mean())
    centred = weights - mean
    variance = float(np.mean(centred**2))
    if variance == 0:
        raise _Rejected(f"Every entry on a {_name(shape)} layer is {mean:.4g}: draw them at random, "
                        "or the units stay identical (notebook 01).")
    if abs(mean) > 5 * math.sqrt(variance / weights.size):
        raise _Rejected(f"The mean is {mean:.3g} on a {_name(shape)} layer (std {math.sqrt(variance):.3g}); "
                        "it should be 0.")
    return _Layer(shape, variance, float(np.abs(weights).max()), float(np.mean(centred**4)) / variance**2)


def _per_layer(layers, texts) -> str:
    """'A on a 784x30 layer, B on 30x784, C on 153x153'."""
    return ", ".join(f"{text} on {'a ' if i == 0 else ''}{layer.name}{' layer' if i == 0 else ''}"
                     for i, (layer, text) in enumerate(zip(layers, texts)))


def _compare(ratio) -> str:
    """How a variance compares with another: 'the same', '4% larger', 'a factor 27 larger'."""
    if _same(ratio):
        return "the same"
    size = "larger" if ratio > 1 else "smaller"
    ratio = max(ratio, 1 / ratio)
    return f"{ratio - 1:.0%} {size}" if ratio < 1.5 else f"a factor {ratio:.3g} {size}"


def _difference(found: _Rule, rule: _Rule) -> str:
    """What a student who wrote ``found`` changed in ``rule``."""
    changes = []
    if found.denominator != rule.denominator:
        changes.append(f"you divide by {found.denominator} where {rule.name} divides by {rule.denominator}")
    if found.numerator != rule.numerator:
        changes.append(f"your numerator is {found.numerator} where it has {rule.numerator}")
    return ", and ".join(changes)


def _wrong_variance(layers, expected) -> str:
    """Why the variance of ``layers`` is not ``expected``'s: another rule, a known slip, or per shape."""
    rule, distribution = EXPECTED[expected]
    targets = [rule.variance(*layer.shape) for layer in layers]
    ratios = [layer.variance / target for layer, target in zip(layers, targets)]
    needs = f"{expected} needs {rule.formula()}"
    for pattern, found in _RULES.items():
        if all(layer.fits(found.variance(*layer.shape)) for layer in layers):
            drawn = {layer.distribution for layer in layers}
            name = f" ({pattern.format(*drawn)})" if drawn <= set(DISTRIBUTIONS) and len(drawn) == 1 else ""
            also = "" if drawn == {distribution} else f" And {expected} draws from a {distribution}, yours does not."
            yours = [found.variance(*layer.shape) / target for layer, target in zip(layers, targets)]
            return (f"Your variance is {found.formula()} on every shape: that is {found.name}{name}. {needs}: "
                    f"{_difference(found, rule)}. Yours is {_per_layer(layers, [_compare(r) for r in yours])}."
                    f"{also}")
    if all(layer.fits(layers[0].variance) for layer in layers):
        return (f"Your variance is {layers[0].variance:.3g} on every shape: a number, not a formula. {needs} "
                f"({', '.join(f'{t:.3g}' for t in targets)}): compute it from fan_in and fan_out, not from fixed sizes.")
    slips = {3: f"Did you use the uniform limit a = sqrt({rule.formula(3)}) as the std? The std is a / sqrt(3).",
             1 / 3: f"Did you draw U(-std, std)? U(-a, a) has variance a^2/3, so a = sqrt({rule.formula(3)})."}
    if all(layer.fits(ratios[0] * target) for layer, target in zip(layers, targets)):
        slip = next((hint for factor, hint in slips.items() if _same(ratios[0] / factor)), "")
        return (f"Your variance is {ratios[0]:.3g} times {rule.formula()} on every shape: you use fan_in and "
                f"fan_out as the rule does, but a constant factor is off. {slip}").rstrip()
    if all(layer.fits(target**2) for layer, target in zip(layers, targets)):
        return (f"Your variance is ({rule.formula()})^2 on every shape: you used the variance as the std. "
                f"The std is sqrt({rule.formula()}).")
    measured = _per_layer(layers, [f"{layer.variance:.3g} (formula {target:.3g})" for layer, target in zip(layers, targets)])
    right = [layer.name for layer, ratio in zip(layers, ratios) if _same(ratio)]
    if not right:
        return f"Your variance does not match {rule.formula()}: {measured}."
    square = layers[-1].name in right and len(right) == 1
    return (f"Your variance matches {rule.formula()} on {' and '.join(right)} only: {measured}. A formula right on "
            "some shapes and wrong on others uses fan_in and fan_out differently from the rule"
            + (" (on a square layer fan_in = fan_out, so it cannot tell them apart)" if square else "") + ".")


@judged
def check_initializer(init, expected="xavier_normal", fan_in=784, fan_out=30) -> bool:
    """Exercise 04: a hand-written initializer ``init(fan_in, fan_out, rng)`` against the rule ``expected``.

    ``expected`` is one of EXPECTED ("lecun_normal", ..., "he_uniform_fan_out").  The
    initializer must return a (fan_in, fan_out) matrix, the same one for the same seed,
    and, on the layers (fan_in, fan_out), (fan_out, fan_in) and a square one, have mean 0,
    the rule's variance and its distribution (for a uniform one: every |w| <= a, the
    largest close to a).  When it is another rule, or a known slip, the message says which.
    """
    init = Calls(init, "init", "init(fan_in, fan_out, rng) returning a (fan_in, fan_out) matrix")
    expected = check_choice("expected", expected, EXPECTED)
    rule, distribution = EXPECTED[expected]
    fan_in = check_int("fan_in", fan_in, minimum=2)
    fan_out = check_int("fan_out", fan_out, minimum=2)
    if fan_in * fan_out > MAX_ENTRIES:
        raise ArgumentError(f"fan_in * fan_out must be at most {MAX_ENTRIES:,} (the check draws three such layers), "
                            f"got {fan_in} * {fan_out} = {fan_in * fan_out:,}")
    shapes = _shapes(fan_in, fan_out)
    try:
        if not np.array_equal(_draw(init, fan_in, fan_out, SEED, first=True), _draw(init, fan_in, fan_out, SEED)):
            raise _Rejected("Two calls with the same seed gave different matrices: draw from "
                            "np.random.default_rng(rng) (or initlab.checks.as_generator(rng)).")
        layers = [_measure(init, shape) for shape in shapes]
        if not all(layer.fits(rule.variance(*layer.shape)) for layer in layers):
            raise _Rejected(_wrong_variance(layers, expected))
        _check_distribution(layers, expected)
    except _Rejected as rejection:
        print(f"✗ {rejection}")
        return False
    worst = max(abs(layer.variance / rule.variance(*layer.shape) - 1) for layer in layers)
    drawn = "normal" if distribution == "normal" else f"uniform with |w| <= a = sqrt({rule.formula(3)})"
    print(f"✓ Correct: {expected}: variance {rule.formula()} (within {worst:.1%} on "
          f"{', '.join(layer.name for layer in layers)} layers), {drawn}, mean 0, reproducible from its seed.")
    return True


def _check_distribution(layers, expected) -> None:
    """_Rejected unless the draws have ``expected``'s distribution (their variance is right)."""
    rule, distribution = EXPECTED[expected]
    if distribution == "uniform":
        for layer in layers:
            limit = math.sqrt(3 * rule.variance(*layer.shape))
            if not _same((layer.peak / limit) ** 2):  # limit^2 / 3 is the variance
                what = "a normal distribution" if layer.distribution == "normal" else "not a uniform distribution"
                raise _Rejected(
                    f"✗ Your variance is right, but that is {what}; {expected} is uniform on (-a, a) with limit "
                    f"a = sqrt({rule.formula(3)}) = {limit:.4g} on a {layer.name} layer, where your largest "
                    f"|w| is {layer.peak:.4g} = {layer.peak / limit:.2f} a.")
        return
    for layer in layers:
        if layer.distribution != "normal":
            what = ("a uniform distribution (every |w| <= sqrt(3) std)" if layer.distribution == "uniform"
                    else f"not a normal distribution (kurtosis {layer.kurtosis:.2f}, a normal's is 3)")
            raise _Rejected(f"Your variance is right, but on a {layer.name} layer that is {what}; {expected} "
                            f"draws from the normal N(0, {rule.formula()}): use rng.normal or rng.standard_normal.")
