"""The checks of lesson 09's exercises: residual growth, initial loss, effective learning rate, LSUV, GPT-2's scale.

Each is judged like the numeric answers of lessons 01-06 (``answers._verdict``):
right within 1%, a known mistake names itself, anything else is off by a factor.
"""

from __future__ import annotations

import math

from .answers import STD, _Kind, _verdict
from .feedback import judged, number
from .. import theory as _theory
from ..checks import ArgumentError, check_choice, check_float, check_int

__all__ = ["check_stream_growth", "check_initial_loss", "check_learning_rate_factor", "check_lsuv_factor",
           "check_gpt2_std"]

FACTOR = _Kind("a factor is > 0")
LOSS = _Kind("a cross-entropy loss is > 0")


@judged
def check_stream_growth(answer, blocks=20, branch_scale=0.5, branch_gain=1.0) -> bool:
    """E[x_L^2] / E[x_0^2] = (1 + alpha^2 v)^L for ``blocks`` blocks with branch scale alpha and branch gain v."""
    answer = number(answer)
    blocks = check_int("blocks", blocks, minimum=1, maximum=10**4)
    alpha = check_float("branch_scale", branch_scale, minimum=-100.0, maximum=100.0)
    v = check_float("branch_gain", branch_gain, minimum=0.0, maximum=100.0)
    decades = blocks * math.log10(1 + max(1.0, alpha**2) * v)  # of the largest growth among the mistakes
    if decades > 300:
        raise ArgumentError(f"blocks = {blocks}, branch_scale = {alpha:g} and branch_gain = {v:g} make the stream "
                            f"grow by up to 10^{decades:.0f}, past a float's 10^300: choose fewer blocks or a "
                            "smaller branch_gain")
    expected = float(_theory.residual_growth(blocks, alpha, v)[-1])
    mistakes = [
        ((1 + abs(alpha) * v) ** blocks, f"The branch scale multiplies the branch's output, so its *variance* by "
                                         f"alpha^2 = {alpha ** 2:g}: the factor per block is 1 + alpha^2 v."),
        (1 + blocks * alpha**2 * v, "That adds the branches' variance once each; but each branch adds a share of "
                                    "the stream as it is then, already grown: the factors multiply."),
        ((1 + v) ** blocks, "That is the plain stream: the branch scale alpha enters as alpha^2 in each factor."),
        ((alpha**2 * v) ** blocks, "The identity path keeps the stream: each block multiplies by 1 + alpha^2 v, "
                                   "not by alpha^2 v."),
    ]
    return _verdict(answer, expected, f"growth over {blocks} blocks", mistakes, FACTOR)


@judged
def check_initial_loss(answer, n_classes=1000, head="softmax") -> bool:
    """The loss of an uninformed start: ln C for a softmax head, C ln 2 for C sigmoid outputs (cross-entropy summed)."""
    answer = number(answer)
    n_classes = check_int("n_classes", n_classes, minimum=2, maximum=10**9)
    head = check_choice("head", head, ("softmax", "sigmoid"))
    softmax, sigmoid = math.log(n_classes), n_classes * math.log(2)
    expected = softmax if head == "softmax" else sigmoid
    mistakes = [
        (math.log10(n_classes), "That is the base-10 logarithm; cross-entropy uses the natural logarithm, ln."),
        (math.log(2), "ln 2 is the loss of one sigmoid output at 1/2; a softmax head shares 1 among the C classes: "
                      "-ln(1/C) = ln C." if head == "softmax" else
                      "ln 2 is one output's loss at 1/2; the cost sums it over all C outputs: C ln 2."),
        (sigmoid if head == "softmax" else softmax,
         "That is the rule for sigmoid outputs (C ln 2); a softmax head gives each class 1/C, so -ln(1/C) = ln C."
         if head == "softmax" else "That is the softmax rule (ln C); each of the C sigmoid outputs costs ln 2 at "
                                   "1/2, and the cost sums them: C ln 2."),
        (1 / n_classes, "1/C is the probability of the right class; the loss is -ln of it."),
    ]
    return _verdict(answer, expected, f"uninformed loss of a {n_classes}-class {head} head", mistakes, LOSS)


@judged
def check_learning_rate_factor(answer, weight_scale=4.0) -> bool:
    """A normalized layer's W multiplied by c keeps its training with eta multiplied by c^2."""
    answer = number(answer)
    c = check_float("weight_scale", weight_scale, minimum=1e-6, maximum=1e6)
    expected = c**2
    mistakes = [
        (c, f"The gradient shrinks by {c:g} *and* the step must be {c:g} times longer to turn W as far: "
            f"eta / ||W||^2, so c^2."),
        (1 / c**2, "That is how the effective learning rate changes; to undo it, multiply eta by the inverse."),
        (1 / c, "The gradient shrinks by 1/c, but a larger W also needs c times longer steps: c^2 in all."),
        (1.0, "The forward pass is unchanged, but the gradient is not: it scales like 1/||W||."),
    ]
    return _verdict(answer, expected, f"learning-rate factor for W x {c:g}", mistakes, FACTOR)


@judged
def check_lsuv_factor(answer, variance=0.36) -> bool:
    """LSUV multiplies W by 1 / sqrt(Var(z)) to bring the layer's output variance to 1."""
    answer = number(answer)
    variance = check_float("variance", variance, minimum=1e-12, maximum=1e12)
    expected = 1 / math.sqrt(variance)
    mistakes = [
        (1 / variance, "Dividing W by Var(z) divides the variance by Var(z)^2; divide by the std sqrt(Var(z))."),
        (math.sqrt(variance), "That multiplies by the std; to bring the std to 1, divide by it."),
        (variance, "That multiplies by the variance itself; LSUV divides W by the std sqrt(Var(z))."),
    ]
    return _verdict(answer, expected, f"LSUV's factor for Var(z) = {variance:g}", mistakes, FACTOR)


@judged
def check_gpt2_std(answer, n_layer=48, base_std=0.02) -> bool:
    """GPT-2's residual projections: base_std / sqrt(N), N = 2 * n_layer residual layers (attention and MLP)."""
    answer = number(answer)
    n_layer = check_int("n_layer", n_layer, minimum=1, maximum=10**6)
    base_std = check_float("base_std", base_std, minimum=1e-9, maximum=1e3)
    expected = base_std / math.sqrt(2 * n_layer)
    mistakes = [
        (base_std / math.sqrt(n_layer), f"Each of the {n_layer} blocks adds to the stream twice (attention and "
                                        f"MLP): N = 2 x {n_layer} = {2 * n_layer} residual layers."),
        (base_std / (2 * n_layer), "The variances add, so the std scales with 1/sqrt(N), not 1/N."),
        (base_std / n_layer, "Take the square root, and count two residual layers per block."),
        (base_std, "That is the std of the other weights; the residual projections get it divided by sqrt(N)."),
    ]
    return _verdict(answer, expected, f"std of GPT-2's residual projections ({n_layer} blocks)", mistakes, STD)
