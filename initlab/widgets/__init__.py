"""Slider explorers for live teaching (ipywidgets + matplotlib), one module each.

- ``signal_explorer`` (``signal.py``): depth, width, weight scale, activation and
  initializer of a deep random network; its signal and gradient per layer
  (notebooks 02, 04, 05);
- ``weighted_sum_explorer`` (``weighted_sum.py``): one neuron's weighted sum z
  (notebook 03);
- ``training_explorer`` (``training.py``): train the MNIST network from a chosen
  start and watch the accuracy grow (notebook 06);
- ``chaos_explorer`` (``chaos.py``): sigma_w and sigma_b of a deep tanh network between
  order and chaos: chi_1, depth scales, correlation and gradient per layer, the phase
  diagram (notebook 07).
- ``isometry_explorer`` (``isometry.py``): the singular values of a deep network's
  input-output Jacobian, Gaussian or orthogonal weights (notebook 08).

``base.py`` holds what they share (layout and figure size, refresh, busy state, error
report, status line), ``render.py`` the fast drawing, ``network.py`` the signal explorer's
network (its draws and passes kept between updates).  Each explorer is one call and shows itself when
it is the last expression of a cell::

    initlab.widgets.signal_explorer(depth=10, width=500, activation="tanh")

Callbacks never raise into the notebook: a failure is shown as a message in the
explorer (and kept in ``explorer.last_error``).
"""

from .chaos import ChaosExplorer, chaos_explorer
from .isometry import IsometryExplorer, isometry_explorer
from .signal import SignalExplorer, signal_explorer
from .training import TrainingExplorer, training_explorer
from .weighted_sum import WeightedSumExplorer, weighted_sum_explorer

__all__ = ["signal_explorer", "weighted_sum_explorer", "training_explorer", "chaos_explorer", "isometry_explorer",
           "SignalExplorer", "WeightedSumExplorer", "TrainingExplorer", "ChaosExplorer", "IsometryExplorer"]
