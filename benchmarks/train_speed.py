"""How fast does initlab's MLP train notebook 06's network? Three implementations, timed in turns.

    python benchmarks/train_speed.py [--epochs 3] [--threads 1]

Trains the course's setup ([784, 30, 10] sigmoid, cross-entropy, mini-batch 10,
eta 0.1, lambda 5.0) on the offline MNIST sample (4,000 training images) with

(a) initlab.mlp, vectorised over each mini-batch;
(b) a per-sample back-propagation loop, as in the course material's reference code
    (written out below, same arithmetic, one sample at a time);
(c) PyTorch on the CPU, if installed (``pip install torch==2.13.0``; not a course
    requirement): nn.Linear layers, BCEWithLogitsLoss, torch.optim.SGD with weight
    decay on the weights only, float64.  Without PyTorch it is skipped, with a message.

All three start from the same weights and biases and see the same mini-batches, and
the script checks that they reach the same validation accuracies.  Honest timing
(``interleave.py``): every contender gets the same number of BLAS threads
(``--threads``, default 1; PyTorch through ``torch.set_num_threads``), and the
epochs are timed in turns, a b c floor a b c floor ..., so that the load of a shared
machine hits all alike.  The floor, timed in the same turns, is the matrix products
of one epoch of this very network at mini-batch 10 (forward, the hidden layer's
delta and both weight gradients): the arithmetic limit at this batch size.  Each
line gives the median epoch, its range and the ratio to the floor.
"""

import interleave

ARGUMENTS = interleave.pin_threads(__doc__.splitlines()[0], epochs=True)

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from initlab import data, experiments  # noqa: E402
from initlab.activations import sigmoid  # noqa: E402
from initlab.mlp import one_hot  # noqa: E402
from interleave import line  # noqa: E402

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


# Each contender is a generator: one epoch per next(), yielding (seconds, validation accuracy).
# ---- (a) initlab ----------------------------------------------------------------------
def train_initlab(network, sample, epochs):
    """MLP.fit one epoch at a time; one Generator carries the shuffling on, as fit(epochs=...) would."""
    rng = np.random.default_rng(SEED)
    for _ in range(epochs):
        start = time.perf_counter()
        network.fit(sample.x_train, sample.y_train, epochs=1, batch_size=BATCH, eta=ETA, lmbda=LMBDA, rng=rng,
                    monitor_training=False)
        seconds = time.perf_counter() - start
        yield seconds, network.accuracy(sample.x_validation, sample.y_validation)


# ---- (b) per-sample loop ------------------------------------------------------------------
def train_per_sample(weights, biases, sample, epochs):
    """Back-propagation one sample at a time, gradients summed over the mini-batch."""
    weights = [w.copy() for w in weights]
    biases = [b.copy() for b in biases]
    targets = one_hot(sample.y_train, 10)
    n = len(sample.x_train)
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
        seconds = time.perf_counter() - start
        yield seconds, accuracy_numpy(weights, biases, sample.x_validation, sample.y_validation)


# ---- (c) PyTorch ----------------------------------------------------------------------
def train_torch(weights, biases, sample, epochs, threads):
    import torch

    torch.set_num_threads(threads)
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
    for mini_batches in epoch_batches(n, epochs):
        start = time.perf_counter()
        for index in mini_batches:
            index = torch.from_numpy(index)
            optimizer.zero_grad()
            loss = loss_function(model(x_train[index]), y_train[index]) / len(index)
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            predicted = model(x_val).argmax(dim=1).numpy()
        yield seconds, float(np.mean(predicted == sample.y_validation))


# ---- the floor --------------------------------------------------------------------------
def floor_products(sample, epochs):
    """The matrix products of one epoch at mini-batch 10, alone: the arithmetic limit at this batch size."""
    rng = np.random.default_rng(0)
    w1, w2 = rng.standard_normal((784, 30)), rng.standard_normal((30, 10))
    n = len(sample.x_train)
    for mini_batches in epoch_batches(n, epochs):
        start = time.perf_counter()
        for index in mini_batches:
            x = sample.x_train[index]
            h = x @ w1
            out = h @ w2
            delta1 = out @ w2.T
            x.T @ delta1, h.T @ out
        yield time.perf_counter() - start, None


def main():
    epochs, threads = ARGUMENTS.epochs, ARGUMENTS.threads
    sample = data.load_mnist()
    n = len(sample.x_train)
    start = experiments.initial_network(experiments.STARTS["new"], hidden=30, rng=0)
    weights = [w.copy() for w in start.weights]
    biases = [b.copy() for b in start.biases]

    contenders = {"initlab (mini-batch vectorised)": train_initlab(start, sample, epochs),
                  "per-sample loop": train_per_sample(weights, biases, sample, epochs)}
    try:
        import torch

        contenders[f"PyTorch {torch.__version__} (CPU, float64)"] = train_torch(weights, biases, sample, epochs,
                                                                                threads)
    except ImportError:
        print("PyTorch is not installed: skipped (pip install torch==2.13.0 to compare with it).\n")
    contenders["floor: this network's products, alone"] = floor_products(sample, epochs)

    results = {name: ([], []) for name in contenders}
    for _ in range(epochs):  # in turns: a b c floor a b c floor ...
        for name, epoch in contenders.items():
            seconds, accuracy = next(epoch)
            results[name][0].append(seconds)
            results[name][1].append(accuracy)
    floor = statistics.median(results.pop("floor: this network's products, alone")[0])

    print(f"{epochs} epochs of [784, 30, 10] on {n} images, mini-batch {BATCH}, {threads} BLAS thread(s) for "
          f"every contender; validation accuracy per epoch:")
    reference_accuracies = results["initlab (mini-batch vectorised)"][1]
    for name, (_, accuracies) in results.items():
        print(f"  {name:<40} {' '.join(f'{a:.1%}' for a in accuracies)}")
        assert accuracies == reference_accuracies, f"{name} disagrees with initlab: {accuracies}"
    print("  -> all implementations agree to the image.\n")
    print(f"seconds per epoch, timed in turns; the floor (this network's products at mini-batch 10, alone) "
          f"{1e3 * floor:.0f} ms:")
    for name, (seconds, _) in results.items():
        print(line(name, seconds, floor))


if __name__ == "__main__":
    main()
