import os

import matplotlib

# The package tests draw off-screen.
matplotlib.use("Agg")

# The notebook kernels that nbval starts inherit this process's environment; they
# must use Jupyter's inline backend (as for a student), so that figures appear as
# outputs.  An MPLBACKEND set by the shell would turn them off.
os.environ.pop("MPLBACKEND", None)
