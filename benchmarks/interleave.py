"""What the benchmarks share: one BLAS thread count for every contender, and interleaved timing.

A benchmark on a shared machine measures the load as much as the code.  Two rules
keep its comparisons honest:

- every contender runs with the same number of BLAS threads (``pin_threads``, called
  before numpy is imported: OpenBLAS, MKL and OpenMP read it when they load; PyTorch
  gets the same number);
- contenders are timed in turns, A B C A B C ..., so that a burst of load hits them
  alike, and each is reported as its median with the range (min-max), and as a
  ratio to a floor measured in the same turns (``interleaved``, ``report``).
"""

import argparse
import itertools
import os
import statistics
import time

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def pin_threads(description, epochs=False) -> argparse.Namespace:
    """Parse ``--threads N`` (default 1), ``--rounds R`` (or ``--epochs E``); set the BLAS thread variables.

    Call it before numpy is imported.
    """
    parser = argparse.ArgumentParser(description=description)
    if epochs:
        parser.add_argument("--epochs", type=int, default=3, help="epochs of each contender")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads of every contender (default 1: on a busy 2-core machine more threads "
                             "wait for each other and measure the load, not the code)")
    parser.add_argument("--rounds", type=int, default=15, help="turns of the interleaved timing")
    arguments, _ = parser.parse_known_args()
    if "numpy" in os.sys.modules:
        raise RuntimeError("pin_threads must run before numpy is imported")
    for name in THREAD_VARIABLES:
        os.environ[name] = str(arguments.threads)
    return arguments


def timed(action) -> float:
    """Seconds that ``action()`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def move(explorer, control, value) -> float:
    """Set one control of an explorer; the seconds until it has redrawn (it must not fail)."""
    before = explorer.updates

    def change():
        getattr(explorer, control).value = value

    seconds = timed(change)
    assert explorer.updates == before + 1 and explorer.last_error is None, explorer.last_error
    return seconds


def mover(explorer, control, values):
    """A contender that moves ``control`` to the next of ``values`` (cycling) at each turn."""
    cycle = itertools.cycle(values)
    return lambda: [move(explorer, control, next(cycle))]


def dragger(explorer, control, values, steps=4):
    """A contender that drags ``control`` ``steps`` steps along ``values`` (cycling) at each turn: their seconds.

    In a slider drag each update follows the one before, whose arrays are still in the
    processor's caches; the first step of a turn follows the other contenders' work.
    ``split_steps`` reports the two apart.
    """
    cycle = itertools.cycle(values)
    return lambda: [move(explorer, control, next(cycle)) for _ in range(steps)]


def split_steps(times, name, steps=4) -> dict:
    """``times`` with the entry ``name`` (a ``dragger``'s) split into its turns' first steps and the others."""
    seconds = times.pop(name)
    times[f"{name}, 1st step of a turn"] = seconds[::steps]
    times[f"{name}, steps 2-{steps} (a drag)"] = [s for k, s in enumerate(seconds) if k % steps]
    return times


def interleaved(contenders, rounds) -> dict:
    """Time each of ``contenders`` ({name: callable}) once per round, in turns; {name: [seconds]}.

    A callable may return a list of seconds (several measurements of one turn)
    instead of None; then those are recorded instead of its own duration.
    """
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, action in contenders.items():
            start = time.perf_counter()
            inner = action()
            elapsed = time.perf_counter() - start
            times[name] += inner if isinstance(inner, list) else [elapsed]
    return times


def line(name, seconds, floor=None, goal=None) -> str:
    """One result: median, min-max, the ratio of the median to the floor's, and the goal."""
    ms = [1e3 * s for s in seconds]
    text = (f"  {name:<44} n={len(ms):>3}  median {statistics.median(ms):8.1f} ms  "
            f"({min(ms):7.1f} - {max(ms):7.1f})")
    if floor:
        text += f"  = {statistics.median(seconds) / floor:5.2f} x floor"
    if goal:
        text += f"  goal < {1e3 * goal:.0f} ms: {'met' if statistics.median(seconds) < goal else 'MISSED'}"
    return text
