"""How long a control change takes in each explorer, against the arithmetic it cannot skip.

    python benchmarks/widget_speed.py [--threads 1] [--rounds 15] [--only=1,2,3] [--skip-orthogonal]

Runs the explorers without a browser: each measurement sets a control's value and
waits until the explorer has recomputed and rendered its PNG (in a kernel the same
work runs in the control's callback).  Every contender uses the same number of BLAS
threads (``--threads``, default 1), and the contenders of a setting are timed in
turns (A B C A B C ...), so that a burst of load on a shared machine hits them alike
(``interleave.py``).  Each is reported as its median, its range and its ratio to the
floor measured in the same turns:

- the floor of the signal explorer: the matrix products of one pass at that setting,
  alone (depth products forward, depth - 1 back, float32, the same shapes), measured
  two ways: each product one BLAS call on ``--threads`` threads, and as the explorer
  computes whatever ``--threads`` says, in ``network.PARTS`` threads with one BLAS
  thread each (the rows split between them, or for few rows each product's columns,
  ``chains.layout``); ratios are to the faster;
- the naive update: ``initlab.propagate`` with fresh weights in float64 and the
  course's three standard figures drawn from scratch.

The settings and goals (issue 15):

1. signal explorer at depth 10, width 500, 1000 samples: median <= 1.5 x floor and
   under 100 ms.  Each turn drags the weight scale 4 steps: steps 2-4 follow an update,
   as in a slider drag; the first follows the other contenders' work, which has pushed
   the explorer's arrays out of the processor's caches (both are reported);
2. depth 50, width 2000: every update but a width change under 0.5 s, a width change
   under 2 s; orthogonal weights there end in a message within a few seconds;
3. every explorer at its notebook's setting: median under 150 ms; the training
   explorer: 10 epochs on the MNIST sample under 1.5 s, the curve drawn every epoch.
"""

import interleave

ARGUMENTS = interleave.pin_threads(__doc__.splitlines()[0])
#: --skip-orthogonal: for main's explorer before issue 16, where it takes minutes
SKIP_ORTHOGONAL = "--skip-orthogonal" in interleave.os.sys.argv
#: --only 1,3: run only these sections
SECTIONS = next((a.split("=")[1] for a in interleave.os.sys.argv if a.startswith("--only=")), "1,2,3").split(",")

import statistics  # noqa: E402
import time  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import initlab  # noqa: E402
from initlab import data, experiments, plots, widgets  # noqa: E402
from initlab.widgets import chains, network  # noqa: E402
from interleave import dragger, interleaved, line, move, mover, split_steps  # noqa: E402


def floor(depth, width, n_samples, parts=1):
    """A contender: the matrix products of one forward and backward pass, float32, alone.

    ``parts=1``: each product one BLAS call on ``--threads`` BLAS threads.  ``parts=PARTS``:
    the work split as the signal explorer splits it (``chains.layout``: the rows, each
    part in its own thread, or for few rows each product's columns), one BLAS thread each.
    A ratio is taken to the faster of the two.
    """
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((width, width), dtype=np.float32) / np.float32(np.sqrt(width))
               for _ in range(depth)]
    x = rng.standard_normal((n_samples, width), dtype=np.float32)

    def products(h, product=np.matmul):
        for w in weights:
            h = product(h, w)
        for w in weights[:0:-1]:
            h = product(h, w.T)

    if parts == 1:
        def alone():
            seconds = interleave.timed(lambda: products(x))
            if ARGUMENTS.threads > 1:  # OpenBLAS's threads spin ~0.1 s after their work before they sleep,
                time.sleep(0.3)        # which would take a core from the contender timed next
            return [seconds]

        return alone

    def split():
        with network._blas().limit(limits=1, user_api="blas"):
            count, product = chains.layout(n_samples)
            if count == 1:  # one part, its products split by columns, as the explorer runs it
                products(x, product)
            else:
                list(chains.pool().map(products, np.array_split(x, count)))

    return split


def floors(depth, width, n_samples):
    """The two floors of a setting (``floor``), as contenders."""
    split = "rows" if chains.layout(n_samples)[0] > 1 else "columns"
    return {f"floor, {ARGUMENTS.threads} BLAS thread(s)": floor(depth, width, n_samples),
            f"floor, {network.PARTS} threads x 1 BLAS thread ({split})": floor(depth, width, n_samples, network.PARTS)}


def naive(depth, width, n_samples, activation):
    """A contender: propagate from scratch in float64, then the course's figures drawn in full."""

    def work():
        result = initlab.propagate("lecun_normal", activation, depth=depth, width=width, n_samples=n_samples, rng=1,
                                   keep_layers=sorted({1, depth // 3 or 1, 2 * depth // 3 or 1, depth}))
        for figure in (plots.layer_stats(result), plots.histogram_strip(result, "activations"),
                       plots.histogram_strip(result, "gradients")):
            figure.canvas.draw()
            plt.close(figure)

    return work


def show(times, floor_name="floor", goals=None):
    """Print each contender's line, with its ratio to the floor of the same turns (the faster floor if two)."""
    base = lowest_floor(times, floor_name)
    for name, seconds in times.items():
        print(line(name, seconds, None if name.startswith(floor_name) else base, (goals or {}).get(name)))


def lowest_floor(times, floor_name="floor"):
    """The median of the faster floor in ``times`` (None if it has none)."""
    return min((statistics.median(seconds) for name, seconds in times.items() if name.startswith(floor_name)),
               default=None)


def setting_1(rounds):
    print("\n1. signal explorer: depth 10, width 500, 1000 samples, tanh, lecun_normal (goal: <= 1.5 x floor, "
          "< 100 ms)")
    start = time.perf_counter()
    explorer = widgets.signal_explorer(depth=10, width=500, activation="tanh", n_samples=1000)
    print(f"  first display (draws the weights): {1e3 * (time.perf_counter() - start):.0f} ms")
    relu = widgets.signal_explorer(depth=10, width=500, activation="relu", init="he_normal", n_samples=1000)
    move(explorer, "scale", 0.9), move(relu, "scale", 0.9)  # warm-up: matplotlib's caches
    times = split_steps(interleaved({
        **floors(10, 500, 1000),
        "weight-scale drag, tanh": dragger(explorer, "scale", np.geomspace(0.5, 2.0, 7)),
        "depth 9 <-> 11, tanh": mover(explorer, "depth", (9, 10, 11, 10)),
        "weight-scale drag, relu": mover(relu, "scale", np.geomspace(0.5, 2.0, 7)),
        "naive update (propagate + figures)": naive(10, 500, 1000, "tanh"),
    }, rounds), "weight-scale drag, tanh")
    tanh = [name for name in times if name.startswith("weight-scale drag, tanh")]
    show(times, goals={name: 0.1 for name in tanh})
    switches = interleaved({**floors(10, 500, 1000),
                            "activation switch": mover(explorer, "activation", ("sigmoid", "relu", "linear", "tanh"))},
                           max(4, rounds // 2))
    print(line("activation switch", switches["activation switch"], lowest_floor(switches)))
    drag, first = (statistics.median(times[name]) / lowest_floor(times) for name in tanh[::-1])
    print(f"  => tanh scale drag at {drag:.2f} x the floor, its first step after other work at {first:.2f} x "
          f"(goal <= 1.5)")


def setting_2(rounds):
    print("\n2. signal explorer: depth 50, width 2000 (goal: < 500 ms; width change < 2000 ms)")
    start = time.perf_counter()
    big = widgets.signal_explorer(depth=50, width=2000, activation="relu", init="he_normal", n_samples=1000)
    print(f"  first display (draws 50 matrices): {1e3 * (time.perf_counter() - start):.0f} ms; "
          f"{big.n_samples} samples a layer")
    tanh = widgets.signal_explorer(depth=50, width=2000, activation="tanh", init="lecun_normal", n_samples=1000)
    goal = 0.5
    times = interleaved({
        **floors(50, 2000, big.n_samples),
        "weight-scale drag 1e-3 .. 1e2, relu": mover(big, "scale", np.geomspace(1e-3, 1e2, 11)),
        "depth 49 <-> 50, relu": mover(big, "depth", (49, 50)),
        "weight-scale drag 0.5 .. 2, tanh": mover(tanh, "scale", np.geomspace(0.5, 2.0, 5)),
    }, max(3, rounds // 3))
    show(times, goals={name: goal for name in times if not name.startswith("floor")})
    others = interleaved({
        **floors(50, 2000, big.n_samples),
        "activation switch (tanh, sigmoid, relu)": mover(tanh, "activation", ("sigmoid", "relu", "tanh")),
        "width 1990 <-> 2000 (new draws), relu": mover(big, "width", (1990, 2000)),
    }, 2)
    base = lowest_floor(others)
    print(line("activation switch (tanh, sigmoid, relu)", others["activation switch (tanh, sigmoid, relu)"], base,
               goal))
    print(line("width 1990 <-> 2000 (new draws), relu", others["width 1990 <-> 2000 (new draws), relu"], base, 2.0))
    if SKIP_ORTHOGONAL:
        return
    start = time.perf_counter()
    big.init.value = "orthogonal"
    print(f"  orthogonal at width 2000, depth 50: {time.perf_counter() - start:.2f} s, then: "
          f"{(str(big.last_error) if big.last_error else big.verdict)[:150]}")


def notebooks(rounds):
    print("\n3. each explorer at its notebook's setting (goal: median < 150 ms; training: 10 epochs < 1500 ms)")
    sample = data.load_mnist()
    explorers = {
        "02 signal, normal x 0.01, tanh": (widgets.signal_explorer(depth=10, width=500, activation="tanh",
                                                                    init="normal", scale=0.01), "scale",
                                           np.geomspace(0.008, 0.0125, 5)),
        # the lesson's drag from collapse to saturation: nearly every step moves the std plot's range
        "02 signal, scale 0.01 .. 100 and back": (widgets.signal_explorer(depth=10, width=500, activation="tanh",
                                                                           init="normal", scale=0.01), "scale",
                                                  np.geomspace(0.01, 100, 9)[[*range(9), *range(7, 0, -1)]]),
        "03 weighted sum": (widgets.weighted_sum_explorer(n_inputs=1000, fraction_on=0.5, weight_std=1.0,
                                                          bias_std=1.0), "weight_std", np.geomspace(0.7, 1.4, 5)),
        "04 signal, xavier_normal, tanh": (widgets.signal_explorer(depth=10, width=500, activation="tanh",
                                                                    init="xavier_normal"), "scale",
                                           np.geomspace(0.8, 1.25, 5)),
        "05 signal, he_normal, relu, depth 30": (widgets.signal_explorer(depth=30, width=500, activation="relu",
                                                                          init="he_normal"), "scale",
                                                 np.geomspace(0.8, 1.25, 5)),
        "05 signal, depth 29 <-> 31": None,
        "07 chaos": (widgets.chaos_explorer(sigma_w=1.0, sigma_b=0.05), "sigma_w", np.geomspace(0.9, 1.1, 5)),
        "08 isometry": (widgets.isometry_explorer(depth=30, width=200, activation="tanh", init="orthogonal",
                                                  sigma_w=1.05), "sigma_w", (1.0, 1.025, 1.05, 1.075, 1.1)),
    }
    relu = explorers["05 signal, he_normal, relu, depth 30"][0]
    explorers["05 signal, depth 29 <-> 31"] = (relu, "depth", (29, 30, 31, 30))
    contenders = floors(10, 500, 1000)
    for name, (explorer, control, values) in explorers.items():
        if getattr(explorer, control).value != values[-1]:
            move(explorer, control, values[-1])  # warm-up: matplotlib's caches
        contenders[name] = mover(explorer, control, values)
    show(interleaved(contenders, rounds), goals={name: 0.15 for name in explorers})

    trainer = widgets.training_explorer(sample, hidden=30, epochs=10)

    def train():
        trainer.train()
        assert trainer.last_error is None, trainer.last_error

    def training_alone():
        experiments.train_network(sample, widgets.signal.INITIALIZERS["lecun_normal"], hidden=30, epochs=10, rng=0)

    times = interleaved({"training alone (floor)": training_alone, "06 training explorer, 10 epochs": train},
                        max(3, rounds // 5))
    show(times, "training alone (floor)", goals={"06 training explorer, 10 epochs": 1.5})


def main():
    threads = ARGUMENTS.threads
    print(f"numpy {np.__version__}, matplotlib {matplotlib.__version__}; {threads} BLAS thread(s) for every "
          f"contender; {ARGUMENTS.rounds} interleaved rounds; times in ms: median (min - max)")
    for section, run in (("1", setting_1), ("2", setting_2), ("3", notebooks)):
        if section in SECTIONS:
            run(ARGUMENTS.rounds)


if __name__ == "__main__":
    main()
