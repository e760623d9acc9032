"""initlab: the helper package of the course on weight initialization.

    import initlab
    result = initlab.propagate("lecun_normal", "tanh", depth=10, width=500, rng=0)
    print(result.table())

Three layers; a module imports only from its own layer or the ones above it in
this list (ARCHITECTURE.md says more, and tests/test_architecture.py checks it):

core -- the ideas, numpy only
- ``initlab.checks``        argument checks with messages that say how to fix the call
- ``initlab.activations``   tanh, sigmoid, relu, leaky_relu, linear and their derivatives
- ``initlab.distributions`` how a matrix's entries are drawn, given their std
- ``initlab.initializers``  the rules for a weight matrix's std (zeros ... orthogonal)
- ``initlab.theory``        the closed forms: weighted sums, Glorot, the mean field
- ``initlab.meanfield``     order and chaos: q*, c*, chi_1, depth scales
- ``initlab.critical``      the critical line chi_1 = 1 and the lines of constant chi_1
- ``initlab.reference``     published figures the course compares with
- ``initlab.isometry``      the Jacobian spectrum's moments (free probability), Haar's marginal

experiments -- networks that run
- ``initlab.propagation``   the deep-network experiment (``initlab.propagate``)
- ``initlab.diagnosis``     the verdict on such a network: could it train? (``diagnose``)
- ``initlab.mlp``           a small numpy network that trains with SGD
- ``initlab.mnist``         MNIST's files: the shipped sample, download, checks, parsing
- ``initlab.data``          the course's data sets (``load_mnist``, ``two_moons``, ...)
- ``initlab.experiments``   notebook 06's experiment: old and new start on MNIST
- ``initlab.correlation``   notebook 07's experiment: two inputs through a deep network
- ``initlab.trainability``  notebook 07's grid: which depths learn, over sigma_w^2
- ``initlab.layers``        a normalization layer and a residual block, forward and backward
- ``initlab.resnet``        a residual MLP with a softmax head and lesson 09's starts
- ``initlab.lsuv``          LSUV: orthonormal start, then unit output variance layer by layer
- ``initlab.first_steps``   the step-0 checks (``initlab.diagnostics``): initial loss, dead ReLUs, update ratios
- ``initlab.jacobian``      a deep network's input-output Jacobian and its singular values
- ``initlab.deep_linear``   deep linear networks learning a map (Saxe et al.)

presentation -- what a student sees
- ``initlab.style``         colours, font sizes, presentation mode (``initlab.present()``)
- ``initlab.plots``         the course's figures
- ``initlab.phase_plots``   notebook 07's figures: phase diagram, correlations, trainability
- ``initlab.curves``        lesson 09's figures: values per block, loss per step
- ``initlab.isometry_plots`` notebook 08's figures
- ``initlab.widgets``       slider explorers, one module each
- ``initlab.exercises``     exercise checks that name the likely mistake; predict and reveal
- ``initlab.lesson``        facts that tell a student's experiment from a broken course; hints

The presentation modules import matplotlib and ipywidgets, so they are loaded on
first use (``initlab.plots``), keeping ``import initlab`` fast.
"""

from importlib import import_module

from . import (activations, checks, correlation, critical, data, deep_linear, diagnosis, distributions,
               experiments, first_steps, gaussian, initializers, isometry, jacobian, layers, lsuv, meanfield, mlp,
               mnist, propagation, reference, resnet, theory, trainability)
from .first_steps import diagnostics
from .propagation import propagate

__version__ = "0.2.0"

__all__ = [
    "checks",
    "activations",
    "distributions",
    "initializers",
    "gaussian",
    "theory",
    "reference",
    "propagation",
    "diagnosis",
    "mlp",
    "mnist",
    "data",
    "experiments",
    "meanfield",
    "critical",
    "correlation",
    "trainability",
    "layers",
    "resnet",
    "lsuv",
    "first_steps",
    "isometry",
    "jacobian",
    "deep_linear",
    "style",
    "plots",
    "curves",
    "isometry_plots",
    "phase_plots",
    "widgets",
    "exercises",
    "lesson",
    "propagate",
    "diagnostics",
    "present",
]

_LAZY_MODULES = ("style", "plots", "phase_plots", "widgets", "exercises", "lesson")
_LAZY_MODULES = ("style", "plots", "curves", "isometry_plots", "phase_plots", "widgets", "exercises", "lesson")


def __getattr__(name):
    # matplotlib and ipywidgets take about a second to import, so these modules are
    # loaded the first time someone writes initlab.plots (PEP 562).
    if name in _LAZY_MODULES:
        return import_module(f".{name}", __name__)
    if name == "present":  # initlab.present(): presentation mode for a projector
        return import_module(".style", __name__).present
    raise AttributeError(f"module 'initlab' has no attribute {name!r}")
