"""How fast does initlab's MLP train notebook 06's network? Three implementations, one run.

    python benchmarks/train_speed.py [--epochs 3]

Trains the course's setup ([784, 30, 10] sigmoid, cross-entropy, mini-batch 10,
eta 0.1, lambda 5.0) on the offline MNIST sample (4,000 training images) with

(a) initlab.mlp, vectorised over each mini-batch;
(b) a per-sample back-propagation loop, as in the course material's reference code
    (written out below, same arithmetic, one sample at a time);
(c) PyTorch on the CPU, if installed (``pip install torch==2.13.0``; not a course
    requirement): nn.Linear layers, BCEWithLogitsLoss, torch.optim.SGD with weight
    decay on the weights only, float64.

All three start from the same weights and biases and see the same mini-batches, and
the script checks that they reach the same validation accuracies.  It prints
seconds per epoch, the ratios, the floating-point work per epoch and the rate
achieved, against two references measured in the same run: the BLAS peak of a large
matrix product, and the rate of the matrix products of this very network at
mini-batch 10 (the arithmetic limit for this batch size).
"""

import argparse
import statistics
import time

import numpy as np

from initlab import data, experiments
from initlab.activations import sigmoid
from initlab.mlp import one_hot

SIZES = (784, 30, 10)
BATCH, ETA, LMBDA = 10, 0.1, 5.0


SEED = 1


def epoch_batches(n, epochs):
    """The mini-batches of every epoch, in the order MLP.fit(rng=SEED) uses them."""
    rng = np.random.default_rng(SEED)
    orders = [rng.permutation(n) for _ in range(epochs)]
    return [[order[i:i + BATCH] for i in range(0, n, BATCH)] for order in orders]


def accuracy_numpy(weights, biases, x, labels):
    a = x
    for w, b in zip(weights, biases):
        a = sigmoid.function(a @ w + b)
    return float(np.mean(a.argmax(axis=1) == labels))


# ---- (a) initlab ----------------------------------------------------------------------
def train_initlab(network, sample, epochs):
    """MLP.fit itself; the callback's own time (the accuracy) is left out of the epoch times."""
    times, accuracies, clock = [], [], [time.perf_counter()]

    def after_epoch(epoch, history):
        times.append(time.perf_counter() - clock[0])
        accuracies.append(network.accuracy(sample.x_validation, sample.y_validation))
        clock[0] = time.perf_counter()

    network.fit(sample.x_train, sample.y_train, epochs=epochs, batch_size=BATCH, eta=ETA, lmbda=LMBDA,
                rng=SEED, callback=after_epoch, monitor_training=False)
    return times, accuracies


# ---- (b) per-sample loop ------------------------------------------------------------------
def train_per_sample(weights, biases, sample, epochs):
    """Back-propagation one sample at a time, gradients summed over the mini-batch."""
    weights = [w.copy() for w in weights]
    biases = [b.copy() for b in biases]
    targets = one_hot(sample.y_train, 10)
    n = len(sample.x_train)
    times, accuracies = [], []
    for mini_batches in epoch_batches(n, epochs):
        start = time.perf_counter()
        for index in mini_batches:
            grad_w = [np.zeros_like(w) for w in weights]
            grad_b = [np.zeros_like(b) for b in biases]
            for i in index:  # the loop over samples that initlab does not have
                x, y = sample.x_train[i], targets[i]
                h1 = sigmoid.function(x @ weights[0] + biases[0])
                h2 = sigmoid.function(h1 @ weights[1] + biases[1])
                delta2 = h2 - y
                delta1 = (weights[1] @ delta2) * h1 * (1 - h1)
                grad_w[1] += np.outer(h1, delta2)
                grad_b[1] += delta2
                grad_w[0] += np.outer(x, delta1)
                grad_b[0] += delta1
            m = len(index)
            for k in range(2):
                weights[k] = (1 - ETA * LMBDA / n) * weights[k] - (ETA / m) * grad_w[k]
                biases[k] = biases[k] - (ETA / m) * grad_b[k]
        times.append(time.perf_counter() - start)
        accuracies.append(accuracy_numpy(weights, biases, sample.x_validation, sample.y_validation))
    return times, accuracies


# ---- (c) PyTorch ----------------------------------------------------------------------
def train_torch(weights, biases, sample, epochs):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 30), torch.nn.Sigmoid(), torch.nn.Linear(30, 10)).double()
    with torch.no_grad():  # the same start; PyTorch stores weights as (out, in)
        for layer, w, b in zip((model[0], model[2]), weights, biases):
            layer.weight.copy_(torch.from_numpy(w.T))
            layer.bias.copy_(torch.from_numpy(b))
    n = len(sample.x_train)
    optimizer = torch.optim.SGD([
        {"params": [model[0].weight, model[2].weight], "weight_decay": LMBDA / n},  # factor 1 - eta*lambda/n
        {"params": [model[0].bias, model[2].bias], "weight_decay": 0.0},
    ], lr=ETA)
    loss_function = torch.nn.BCEWithLogitsLoss(reduction="sum")
    x_train = torch.from_numpy(sample.x_train)
    y_train = torch.from_numpy(one_hot(sample.y_train, 10))
    x_val = torch.from_numpy(sample.x_validation)
    times, accuracies = [], []
    for mini_batches in epoch_batches(n, epochs):
        start = time.perf_counter()
        for index in mini_batches:
            index = torch.from_numpy(index)
            optimizer.zero_grad()
            loss = loss_function(model(x_train[index]), y_train[index]) / len(index)
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
        with torch.no_grad():
            predicted = model(x_val).argmax(dim=1).numpy()
        accuracies.append(float(np.mean(predicted == sample.y_validation)))
    return times, accuracies


# ---- the references ---------------------------------------------------------------------
def flops_per_epoch(n_train):
    """Multiply-adds x 2 of the matrix products, plus the weight update, for one epoch."""
    per_sample = 2 * (784 * 30 + 30 * 10)  # forward
    per_sample += 2 * (784 * 30 + 30 * 10) + 2 * 30 * 10  # weight gradients + delta of the hidden layer
    per_step = 4 * (784 * 30 + 30 * 10)  # decay and update of every weight
    return n_train * per_sample + (n_train // BATCH) * per_step


def best_rate(function, flops, repeats=2000):
    function()
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    return flops * repeats / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    epochs = parser.parse_args().epochs
    sample = data.load_mnist()
    n = len(sample.x_train)
    start = experiments.initial_network(experiments.STARTS["new"], hidden=30, rng=0)
    weights = [w.copy() for w in start.weights]
    biases = [b.copy() for b in start.biases]

    results = {"initlab (mini-batch vectorised)": train_initlab(start, sample, epochs),
               "per-sample loop": train_per_sample(weights, biases, sample, epochs)}
    try:
        import torch

        torch.set_num_threads(2)
        results[f"PyTorch {torch.__version__} (CPU, float64)"] = train_torch(weights, biases, sample, epochs)
    except ImportError:
        print("PyTorch is not installed: pip install torch==2.13.0 to compare with it.\n")

    print(f"{epochs} epochs of [784, 30, 10] on {n} images, mini-batch {BATCH}; validation accuracy per epoch:")
    reference_accuracies = results["initlab (mini-batch vectorised)"][1]
    for name, (times, accuracies) in results.items():
        print(f"  {name:<40} {' '.join(f'{a:.1%}' for a in accuracies)}")
        assert accuracies == reference_accuracies, f"{name} disagrees with initlab: {accuracies}"
    print("  -> all implementations agree to the image.\n")

    ours = statistics.median(results["initlab (mini-batch vectorised)"][0])
    print("seconds per epoch (median):")
    for name, (times, _) in results.items():
        seconds = statistics.median(times)
        print(f"  {name:<40} {seconds:8.3f} s   {seconds / ours:6.1f} x initlab's time")

    flops = flops_per_epoch(n)
    rng = np.random.default_rng(0)
    big = rng.standard_normal((1000, 1000))
    peak = best_rate(lambda: big @ big, 2e9, repeats=20)
    x, w1, d1 = rng.standard_normal((BATCH, 784)), rng.standard_normal((784, 30)), rng.standard_normal((BATCH, 30))
    small = best_rate(lambda: (x @ w1, x.T @ d1), 2 * 2 * BATCH * 784 * 30)
    print(f"\nwork per epoch: {flops / 1e6:.0f} MFLOP;  initlab achieves {flops / ours / 1e9:.1f} GFLOP/s")
    print(f"  BLAS peak (1000 x 1000 product):            {peak / 1e9:5.1f} GFLOP/s -> limit "
          f"{flops / peak:.3f} s/epoch, initlab at {ours / (flops / peak):.1f} x that")
    print(f"  BLAS at this network's mini-batch-10 shapes: {small / 1e9:5.1f} GFLOP/s -> limit "
          f"{flops / small:.3f} s/epoch, initlab at {ours / (flops / small):.1f} x that")


if __name__ == "__main__":
    main()
