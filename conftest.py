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


# pytest-xdist (pyproject: -n auto --dist loadgroup) spreads the tests over one worker per
# core.  Each file's tests stay together on one worker, in order (a notebook's cells run in
# one kernel; a test file's module fixtures, such as an explorer or a JupyterLab server,
# are built once), except the student edition's runs: each lesson is a group of its own,
# so that the ten runs spread over the cores.
import pytest  # noqa: E402


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    if not config.pluginmanager.hasplugin("xdist"):  # run with -p no:xdist
        return
    for item in items:
        group = item.path.stem
        if group == "test_student_edition" and "runs_to_the_end" in item.name:
            group = item.name
        item.add_marker(pytest.mark.xdist_group(group))
