"""Published reference figures that the course compares its own measurements with.

These numbers are *not* results of initlab: they are the figures of the course's
source material, kept here so that notebooks can print them side by side with
what initlab measures, and assert that the two agree.
"""

from .checks import ArgumentError, check_array, check_float

__all__ = ["TANH_STD_TABLE", "TANH_TABLE_ROUNDING", "MNIST_PUBLISHED", "MNIST_SAMPLE_REPLICATION", "within"]

#: Per-layer std of the activations in the 10-layer tanh experiment (1000 N(0, 1)
#: inputs, width 500, no bias), one seeded run of the source material.  Tiny values
#: are printed with six decimals; layer 10 of the small start is "~0".
TANH_STD_TABLE = {
    "0.01 * N(0,1)": (0.2133, 0.0476, 0.0106, 0.00239, 0.000535, 0.000119, 0.000027, 0.000006, 0.000001, 0.0),
    "1.0 * N(0,1)": (0.982, 0.982, 0.982, 0.982, 0.981, 0.982, 0.982, 0.982, 0.982, 0.982),
    "N(0,1) / sqrt(fan_in)": (0.627, 0.486, 0.409, 0.357, 0.320, 0.293, 0.271, 0.256, 0.243, 0.231),
}
#: Half a unit of the last printed decimal of the table above.
TANH_TABLE_ROUNDING = 0.5e-6

#: Published validation accuracies on full MNIST (correct out of 10,000) of the
#: [784, hidden, 10] sigmoid network, cross-entropy, mini-batch 10, eta 0.1,
#: lambda 5.0, 50,000 training images; "new" = N(0, 1/n_in) weights, "old" = N(0, 1).
MNIST_PUBLISHED = {
    "epochs": (1, 2, 5, 30),
    (30, "new"): (9270, 9414, 9537, 9650),
    (30, "old"): (8643, 9044, 9299, 9637),
    (100, "new"): (9295, 9481, 9664, 9781),
    (100, "old"): (8994, 9181, 9427, 9742),
}

#: The course's own earlier replication on the 5,000-image sample (4000 / 1000 split with
#: another shuffle), validation accuracy in % after epochs 1 and 10 -- not the source
#: material's figures: a re-run with a different split should land within a few points.
MNIST_SAMPLE_REPLICATION = {"epochs": (1, 10), "old": (58.6, 86.9), "new": (82.1, 90.2)}


def within(measured, published, rtol=0.03, atol=TANH_TABLE_ROUNDING):
    """Per entry: does ``measured`` agree with ``published`` within ``rtol`` (relative)?

    ``atol`` covers the rounding of the published table (0.000001 stands for
    anything from 0.5e-6 to 1.5e-6).  Returns a boolean array.
    """
    import numpy as np

    measured, published = check_array("measured", measured), check_array("published", published)
    rtol = check_float("rtol", rtol, minimum=0.0)
    atol = check_float("atol", atol, minimum=0.0)
    if measured.shape != published.shape:
        raise ArgumentError(f"measured has shape {measured.shape}, published {published.shape}; they must match")
    return np.abs(measured - published) <= np.maximum(rtol * np.abs(published), atol)
