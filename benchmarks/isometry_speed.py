"""How long a control change takes in the isometry explorer, against the least that work can cost.

    python benchmarks/isometry_speed.py [--threads 1] [--rounds 15]

Runs the explorer without a browser at its default setting (depth 30, width 200,
tanh, orthogonal weights, sigma_w = 1.05): each measurement sets a control and
waits until the explorer has recomputed J's spectrum and rendered its PNG (in a
kernel the same work runs in the control's callback).  Goal: median under 150 ms.

Timed in turns with the explorer's moves (``interleave.py``: the same BLAS threads
for all, A B C A B C ...):

- the floor: the arithmetic no update can skip, in bare numpy on weights already
  drawn -- one forward pass, the L products J <- (J @ W_l) * phi'(z_l) and the SVD;
- the naive update: ``jacobian.jacobian_spectra`` from scratch (new draws) plus
  ``isometry_plots.sorted_spectra`` drawn in full.

Each median is printed with its range and as a ratio to the floor: what the
explorer adds (theory, drawing, PNG) over the arithmetic itself.
"""

import interleave

ARGUMENTS = interleave.pin_threads(__doc__.splitlines()[0])

import statistics  # noqa: E402
import time  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from initlab import isometry_plots, jacobian, widgets  # noqa: E402
from interleave import interleaved, line, mover  # noqa: E402

DEPTH, WIDTH, SIGMA_W = 30, 200, 1.05
GOAL = 0.150


def floor_update():
    """A contender: the bare arithmetic of one update at the default setting (weights drawn beforehand)."""
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

    return work


def naive_update():
    """A contender: draw a fresh network, compute its spectrum and draw the lesson's figure from scratch."""

    def work():
        spectra = jacobian.jacobian_spectra("orthogonal", "tanh", depths=DEPTH, width=WIDTH, sigma_w=SIGMA_W, rng=1)
        figure = isometry_plots.sorted_spectra({"J": spectra})
        figure.canvas.draw()
        plt.close(figure)

    return work


def main():
    print(f"numpy {np.__version__}, matplotlib {matplotlib.__version__}; {ARGUMENTS.threads} BLAS thread(s) for "
          f"every contender; {ARGUMENTS.rounds} interleaved rounds; times in ms: median (min - max)")
    print(f"\nisometry explorer at its default: depth {DEPTH}, width {WIDTH}, tanh, orthogonal, sigma_w {SIGMA_W}")
    start = time.perf_counter()
    explorer = widgets.isometry_explorer()
    print(f"  first display (draws {DEPTH} matrices): {1e3 * (time.perf_counter() - start):.0f} ms")
    mover(explorer, "sigma_w", [1.04])()  # warm-up: matplotlib's caches
    moves = {
        "sigma_w drag 0.9 .. 1.3": mover(explorer, "sigma_w", [round(float(s), 3) for s in np.linspace(0.9, 1.3, 9)]),
        "depth 28 .. 32": mover(explorer, "depth", (31, 32, 29, 28, 30)),
        "weights gaussian <-> orthogonal": mover(explorer, "init", ("gaussian", "orthogonal")),
        "activation switch": mover(explorer, "activation", ("relu", "linear", "sigmoid", "tanh")),
    }
    times = interleaved({"floor": floor_update(), **moves, "naive update": naive_update()}, ARGUMENTS.rounds)
    floor = statistics.median(times["floor"])
    for name, seconds in times.items():
        print(line(name, seconds, None if name == "floor" else floor, GOAL if name in moves else None))
    everything = [s for name in moves for s in times[name]]
    print(f"  => all {len(everything)} updates: median {1e3 * statistics.median(everything):.0f} ms "
          f"(goal < {1e3 * GOAL:.0f} ms), {statistics.median(everything) / floor:.1f} x the floor")
    print(f"  width 200 -> 400 (new draws, on release): {1e3 * mover(explorer, 'width', [400])()[0]:.0f} ms")


if __name__ == "__main__":
    main()
