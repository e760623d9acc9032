import os

import matplotlib

# The package tests draw off-screen.
matplotlib.use("Agg")

# The notebook kernels that nbval starts inherit this process's environment; they
# must use Jupyter's inline backend (as for a student), so that figures appear as
# outputs.  An MPLBACKEND set by the shell would turn them off.
os.environ.pop("MPLBACKEND", None)

# The property tests (tests/test_properties_*.py) generate their examples with
# hypothesis.  "course" keeps them deterministic (derandomize: the same examples on
# every run, so CI cannot fail by chance), bounded (a few dozen examples a test) and
# free of files (no example database in the checkout).
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "course",
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=False,
)
settings.load_profile("course")
