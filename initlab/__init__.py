"""initlab: the helper package of the course on weight initialization.

    import initlab
    result = initlab.propagate("lecun_normal", "tanh", depth=10, width=500, rng=0)
    print(result.table())

Modules, one job each:

- ``initlab.initializers``  how to draw a weight matrix (zeros ... he_normal)
- ``initlab.activations``   tanh, sigmoid, relu, leaky_relu, linear and derivatives
- ``initlab.propagation``   the deep-network experiment (``initlab.propagate``)
- ``initlab.theory``        the closed forms: weighted sums, Glorot, mean field
- ``initlab.mlp``           a small numpy network that trains with SGD
- ``initlab.data``          small data sets and MNIST (``load_mnist``; see ``initlab.mnist``)
- ``initlab.experiments``   notebook 06's experiment: old and new start on MNIST
- ``initlab.reference``     published figures the course compares with
- ``initlab.plots``         the course's figures (imports matplotlib)
- ``initlab.widgets``       slider explorers (imports ipywidgets)
- ``initlab.exercises``     check functions for the notebook exercises

``plots``, ``widgets`` and ``exercises`` are imported on first use, so that
``import initlab`` stays fast.
"""

from importlib import import_module

from . import activations, data, experiments, initializers, mlp, mnist, propagation, reference, theory
from .propagation import propagate

__version__ = "0.1.0"

__all__ = [
    "activations",
    "data",
    "experiments",
    "initializers",
    "mlp",
    "mnist",
    "propagation",
    "reference",
    "theory",
    "propagate",
    "plots",
    "widgets",
    "exercises",
    "present",
]

_LAZY_MODULES = ("plots", "widgets", "exercises")


def __getattr__(name):
    # Importing matplotlib and ipywidgets takes about a second, so these modules are
    # loaded the first time someone writes initlab.plots (PEP 562).
    if name in _LAZY_MODULES:
        return import_module(f".{name}", __name__)
    if name == "present":  # initlab.present(): presentation mode for a projector
        return import_module(".plots", __name__).present
    raise AttributeError(f"module 'initlab' has no attribute {name!r}")
