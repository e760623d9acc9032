"""How long a slider move takes in the signal explorer, from value change to new figure.

    python benchmarks/widget_speed.py

Runs the explorer without a browser: each measurement sets a control's value and
waits until the explorer has recomputed the network and rendered its PNG (in a
kernel, the same work happens in the slider's callback).  Two settings of the
issue:

- depth 10, width 500, 1000 samples (goal: median under 150 ms);
- depth 50, width 2000 (goal: no update over 2 s).

As a reference measured in the same run, the straightforward way to do one update
-- ``initlab.propagate`` with fresh weights in float64 plus the course's standard
figures rendered from scratch -- is timed at the same settings, and the ratio
printed.
"""

import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import initlab  # noqa: E402
from initlab import plots, widgets  # noqa: E402


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def move(explorer, control, value):
    """Set one control and return the seconds until the explorer has redrawn."""
    before = explorer.updates

    def change():
        getattr(explorer, control).value = value

    seconds = timed(change)
    assert explorer.updates == before + 1 and explorer.last_error is None, explorer.last_error
    return seconds


def reference_update(depth, width, n_samples, scale, activation):
    """Recompute from scratch and draw the course's figures: the naive way."""

    def work():
        init = initlab.initializers.variance_scaling(scale**2, "fan_in", "normal")
        result = initlab.propagate(init, activation, depth=depth, width=width, n_samples=n_samples, rng=1,
                                   keep_layers=sorted({1, depth // 3 or 1, 2 * depth // 3 or 1, depth}))
        for figure in (plots.layer_stats(result), plots.histogram_strip(result, "activations"),
                       plots.histogram_strip(result, "gradients")):
            figure.canvas.draw()
            plt.close(figure)

    return timed(work)


def report(name, seconds, reference):
    ms = [1e3 * s for s in seconds]
    print(f"  {name:<38} n={len(ms):>2}  median {statistics.median(ms):7.1f} ms   max {max(ms):7.1f} ms"
          f"   reference {1e3 * reference:7.0f} ms   speed-up x{reference / statistics.median(seconds):.1f}")


def main():
    print(f"numpy {np.__version__}, matplotlib {matplotlib.__version__}")

    print("\nsetting 1: depth 10, width 500, 1000 samples, tanh")
    start = time.perf_counter()
    explorer = widgets.signal_explorer(depth=10, width=500, activation="tanh", n_samples=1000)
    print(f"  first display (draws the weights)      {1e3 * (time.perf_counter() - start):7.1f} ms")
    move(explorer, "scale", 0.5)  # warm-up: matplotlib's caches
    drag = np.geomspace(0.05, 5.0, 25)
    scale_times = [move(explorer, "scale", float(s)) for s in drag]
    reference = statistics.median(reference_update(10, 500, 1000, 1.0, "tanh") for _ in range(3))
    report("weight-scale drag (25 positions)", scale_times, reference)
    depth_times = [move(explorer, "depth", d) for d in (9, 10, 11, 10, 9, 10)]
    report("depth 9 <-> 11", depth_times, reference)
    act_times = [move(explorer, "activation", a) for a in ("sigmoid", "relu", "leaky_relu", "linear", "tanh")]
    report("activation switch", act_times, reference)
    all_small = scale_times + depth_times + act_times
    print(f"  => all {len(all_small)} updates: median {1e3 * statistics.median(all_small):.1f} ms "
          f"(goal < 150 ms), max {1e3 * max(all_small):.1f} ms")

    print("\nsetting 2: depth 50, width 2000, relu, he_normal")
    start = time.perf_counter()
    big = widgets.signal_explorer(depth=50, width=2000, activation="relu", init="he_normal", n_samples=1000)
    print(f"  first display (draws 50 matrices)      {1e3 * (time.perf_counter() - start):7.1f} ms"
          f"   ({big.n_samples} samples per update)")
    reference = reference_update(50, 2000, big.n_samples, 1.0, "relu")
    times = {
        "weight-scale drag 1e-3 .. 1e2": [move(big, "scale", float(s)) for s in np.geomspace(1e-3, 1e2, 11)],
        "activation switch": [move(big, "activation", a) for a in ("tanh", "sigmoid", "relu")],
        "depth 49 <-> 50": [move(big, "depth", d) for d in (49, 50)],
        "width 1990 <-> 2000 (new draws)": [move(big, "width", v) for v in (1990, 2000)],
    }
    for name, seconds in times.items():
        report(name, seconds, reference)
    worst = max(max(s) for s in times.values())
    print(f"  => slowest update {1e3 * worst:.0f} ms (goal < 2000 ms)")
    print(f"  at scale 100: {big.verdict if big.scale.value == 100 else ''}")


if __name__ == "__main__":
    main()
