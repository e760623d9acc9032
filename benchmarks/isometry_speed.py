"""How long a control change takes in the isometry explorer, against the least that work can cost.

    python benchmarks/isometry_speed.py

Runs the explorer without a browser at its default setting (depth 30, width 200,
tanh, orthogonal weights, sigma_w = 1.05): each measurement sets a control and
waits until the explorer has recomputed J's spectrum and rendered its PNG (in a
kernel the same work runs in the control's callback).  Goal: median under 300 ms.

Two references are timed in the same run, on the same machine and load:

- the floor: the arithmetic no update can skip, in bare numpy on weights already
  drawn -- one forward pass, the L products J <- (J @ W_l) * phi'(z_l) and the SVD;
- the naive update: ``jacobian.jacobian_spectra`` from scratch (new draws) plus
  ``isometry_plots.sorted_spectra`` drawn in full.

It prints each median as a ratio to the floor: what the explorer adds (theory,
drawing, PNG) over the arithmetic itself.
"""

import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from initlab import isometry_plots, jacobian, widgets  # noqa: E402
from widget_speed import move, timed  # noqa: E402  (benchmarks/ is on sys.path when this script runs)

DEPTH, WIDTH, SIGMA_W = 30, 200, 1.05
GOAL = 0.300


def floor_update() -> float:
    """The bare arithmetic of one update at the default setting (weights drawn beforehand)."""
    x, weights, _ = jacobian.unit_network("orthogonal", WIDTH, DEPTH, rng=0)
    weights = [SIGMA_W * w for w in weights]
    x = 0.05 * x

    def work():
        h, product = x, np.eye(WIDTH)
        for w in weights:
            z = h @ w
            h = np.tanh(z)
            product = (product @ w) * (1.0 - h * h)
        np.linalg.svd(product, compute_uv=False)

    work()
    return statistics.median(timed(work) for _ in range(15))


def naive_update() -> float:
    """Draw a fresh network, compute its spectrum and draw the lesson's figure from scratch."""

    def work():
        spectra = jacobian.jacobian_spectra("orthogonal", "tanh", depths=DEPTH, width=WIDTH, sigma_w=SIGMA_W, rng=1)
        figure = isometry_plots.sorted_spectra({"J": spectra})
        figure.canvas.draw()
        plt.close(figure)

    return statistics.median(timed(work) for _ in range(3))


def report(name, seconds, floor, naive):
    ms = [1e3 * s for s in seconds]
    median = statistics.median(seconds)
    print(f"  {name:<34} n={len(ms):>2}  median {1e3 * median:6.1f} ms  max {max(ms):6.1f} ms  "
          f"= {median / floor:4.1f} x floor, naive / this = {naive / median:4.1f}")


def main():
    print(f"numpy {np.__version__}, matplotlib {matplotlib.__version__}")
    print(f"\nisometry explorer at its default: depth {DEPTH}, width {WIDTH}, tanh, orthogonal, sigma_w {SIGMA_W}")
    start = time.perf_counter()
    explorer = widgets.isometry_explorer()
    print(f"  first display (draws {DEPTH} matrices)     {1e3 * (time.perf_counter() - start):6.1f} ms")
    floor, naive = floor_update(), naive_update()
    print(f"  floor (bare products and SVD)       {1e3 * floor:6.1f} ms;  naive update {1e3 * naive:6.1f} ms")
    move(explorer, "sigma_w", 1.04)  # warm-up: matplotlib's caches
    times = {
        "sigma_w drag 0.9 .. 1.3 (25 positions)": [move(explorer, "sigma_w", round(float(s), 3))
                                                   for s in np.linspace(0.9, 1.3, 25)],
        "depth 28 .. 32": [move(explorer, "depth", d) for d in (31, 32, 29, 28, 30)],
        "weights gaussian <-> orthogonal": [move(explorer, "init", v) for v in ("gaussian", "orthogonal")] * 1,
        "activation switch": [move(explorer, "activation", a) for a in ("relu", "linear", "sigmoid", "tanh")],
    }
    for name, seconds in times.items():
        report(name, seconds, floor, naive)
    everything = [s for seconds in times.values() for s in seconds]
    median = statistics.median(everything)
    print(f"  => all {len(everything)} updates: median {1e3 * median:.0f} ms (goal < {1e3 * GOAL:.0f} ms), "
          f"{median / floor:.1f} x the floor, max {1e3 * max(everything):.0f} ms")
    print(f"  width 200 -> 400 (new draws, on release): {1e3 * move(explorer, 'width', 400):.0f} ms")


if __name__ == "__main__":
    main()
