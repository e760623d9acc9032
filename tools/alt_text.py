"""Alternative text of the course's figures: written here, stored in the notebooks where renderers read it.

    python tools/alt_text.py           write each figure cell's alt text into its notebook
    python tools/alt_text.py --check   only say which figure cells lack one (exit status 1 if any)

A figure is a PNG output of a code cell (the explorers' starting figures included).  Its alt
text goes into the cell's metadata as ``{"mystnb": {"image": {"alt": ...}}}``, which MyST-NB,
and so the course website (python3 course.py site), puts on the figure's <img>.  Cell metadata
survives re-running a notebook (tools/run_notebook.py) and strict nbval ignores it.  nbconvert's
HTML and JupyterLab read no alt text from a notebook (they show "No description has been provided
for this image" or nothing): only a change of their templates or renderers would.

Each text says what the figure shows and what to see in it, without the numbers a re-run may
change.  A new figure needs a line here (keyed by the cell's "id"); tests/test_site.py checks
that every figure has one and that the notebooks carry it.
"""

import json
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

ALT_TEXT = {
    "00_setup_check.ipynb": {
        "cell-04": "Two line plots over layers 1 to 10 of a tanh network with lecun_normal weights: the mean of "
                   "the activations stays at zero, and their std falls from about 0.63 to about 0.23, on top of "
                   "the dashed mean-field prediction.",
    },
    "01_zero_init_symmetry.ipynb": {
        "cell-12": "Two scatter plots of the two-moons validation points coloured by class, over the regions each "
                   "trained network predicts: the network started from zeros separates them with a straight line, "
                   "the one started at random with a curve that follows the two moons.",
    },
    "02_gaussian_collapse_and_saturation.ipynb": {
        "cell-03": "Mean and std (log scale) of the activations per layer of a 10-layer tanh network for three "
                   "starts: the std of 0.01 * N(0,1) falls by a constant factor per layer to below 1e-6, that of "
                   "1.0 * N(0,1) stays near 1, that of N(0,1)/sqrt(fan_in) decreases slowly; dashed mean-field "
                   "predictions lie on every curve; all means stay at zero.",
        "cell-08": "Ten histograms, one per layer, of the activations with the 0.01 * N(0,1) start: each is the "
                   "same bell shape, but its x range shrinks by a factor of about 4.5 per layer.",
        "cell-10": "Ten histograms, one per layer, of the activations with the 1.0 * N(0,1) start: in every layer "
                   "almost all values sit at -1 and +1, the flat tails of tanh.",
        "0dd6bf44": "Std (log scale) of the back-propagated gradient per layer for the three starts: it shrinks "
                    "towards the first layer with 0.01 * N(0,1), grows towards the first layer with 1.0 * N(0,1), "
                    "and changes little with N(0,1)/sqrt(fan_in); the mean-field predictions match.",
        "cell-13": "Ten histograms, one per layer, of the back-propagated gradient with the 0.01 * N(0,1) start: "
                   "the same bell shape everywhere, its range shrinking by a factor of about 4.5 per layer towards layer 1.",
        "cell-15": "Mean and spread over the inputs (log scale) of the units of a 10-layer sigmoid network: the "
                   "means stay near 0.5 for both starts, while the spread falls steadily with the small start and "
                   "stays large with the large one.",
        "cell-19": "The signal explorer at its start (normal weights times 0.01, tanh, depth 10, width 500): the std "
                   "of the activations falls and that of the gradients rises along the layers, each on its "
                   "mean-field band, above histograms of both at layers 1, 3, 7 and 10.",
    },
    "03_variance_of_a_weighted_sum.ipynb": {
        "cell-05": "Histogram of z = w · x + b simulated with N(0, 1) weights and bias, matching the predicted "
                   "normal curve of std sqrt(501), about 22.4; most of it lies in the grey regions where a sigmoid "
                   "is saturated.",
        "cell-09": "Histogram of z with weights from N(0, 1/1000): it matches the predicted normal curve of std "
                   "about 1.22 and stays well inside the range where a sigmoid is not saturated.",
        "cell-13": "The weighted-sum explorer at its start (500 of 1000 inputs on, weight std 1, bias std 1): the "
                   "histogram of z, its predicted normal curve and the sigmoid drawn over it, with the saturated "
                   "regions in grey covering most of the histogram.",
    },
    "04_xavier_glorot.ipynb": {
        "cell-07": "Histograms of the weights of a 784 to 30 layer drawn with xavier_normal (a bell) and "
                   "xavier_uniform (a flat box with sharp edges): different shapes with the same std.",
        "cell-11": "Mean and std (log scale) of the activations per layer of a 10-layer tanh network with the "
                   "default start of Keras, PyTorch's nn.Linear and Flax: with PyTorch's default the std falls "
                   "steadily; with Keras's and Flax's it declines only slowly, their two lines on top of each "
                   "other.",
        "cell-13": "The signal explorer at its start with xavier_normal weights (tanh, depth 10, width 500): the "
                   "stds of the activations and of the gradients change little through the layers, above "
                   "histograms of both.",
    },
    "05_relu_and_he.ipynb": {
        "cell-05": "Mean and std (log scale) of the activations per layer of a 40-layer ReLU network for weight "
                   "variance 1/n, 2/n and 4/n: the std vanishes with 1/n, stays level with He's 2/n and explodes "
                   "with 4/n, each on its mean-field prediction.",
        "cell-13": "The signal explorer at its start with he_normal weights (ReLU, depth 30, width 500): the stds "
                   "of activations and gradients stay level through all 30 layers, above histograms with a spike "
                   "at zero from the inactive units.",
    },
    "06_does_it_matter_for_learning.ipynb": {
        "cell-03": "The first 20 training images of the MNIST sample, handwritten digits with their labels above.",
        "cell-07": "Validation accuracy per epoch of the [784, 30, 10] network on the MNIST sample: the new start "
                   "is ahead from the first epoch and the old start catches up slowly, as in the published "
                   "full-MNIST curves drawn dotted above them.",
        "cell-09": "The same comparison with 100 hidden units: again the new start learns faster in the first "
                   "epochs, and the dotted published curves show the same ordering.",
        "cell-15": "The training explorer before its first run: only the published full-MNIST validation curves "
                   "of the old and the new start, dotted, on empty axes waiting for a run.",
    },
    "07_order_and_chaos.ipynb": {
        "c07-run": "Correlation of two inputs and mean square of the gradient per layer for tanh networks in the "
                   "ordered phase, at the edge of chaos and in the chaotic phase: the correlation rises to 1, "
                   "rises slowly, or falls; the gradient shrinks, stays level, or grows going back; the "
                   "mean-field lines follow the measured points.",
        "c07-phase": "The phase diagram of tanh networks over sigma_w^2 (log scale) and sigma_b^2: the line chi_1 = "
                     "1 separates the ordered region (left, blue) from the chaotic one (right, orange), with dotted "
                     "lines of equal chi_1 and the starts of the earlier lessons marked as points.",
        "c07-relu": "One minus the correlation of two inputs (log scale) and the gradient's mean square per layer "
                    "for a ReLU network with He's start and an ordered tanh network: ReLU keeps the gradient "
                    "level but its inputs still drift together slowly; the mean-field lines match.",
        "c07-grid": "Heat map of validation accuracy after 4 epochs over sigma_w^2 and depth for tanh networks on "
                    "the MNIST sample: deep networks learn only in a band around the edge of chaos, which the "
                    "curves xi_c and 6 xi_c outline.",
        "c07-explorer": "The chaos explorer at its start (sigma_w^2 = 1, sigma_b^2 = 0.0025, depth 50): the phase "
                        "diagram with the current point in the ordered region, the correlation of two inputs "
                        "rising towards 1, and the gradient's mean square shrinking towards the first layer.",
    },
    "08_orthogonal_and_isometry.ipynb": {
        "l08-haar": "Histograms of the entry (0, 0) of 3 x 3 orthogonal matrices: initlab's orthogonal matches the "
                    "flat Haar density from -1 to 1, while QR without the sign fix puts every draw below zero.",
        "l08-plot-linear": "Sorted singular values (log scale) of the Jacobian of deep linear networks of width 300 "
                           "at depths 1 to 100: with Gaussian weights they spread over many orders of magnitude as "
                           "depth grows; with orthogonal weights all of them stay exactly 1.",
        "l08-nonlinear": "Four panels of sorted singular values of the Jacobian at depths 4 and 32: only tanh with "
                         "orthogonal weights keeps them near 1 at both depths; tanh with Gaussian weights and ReLU "
                         "with either start spread them over many orders of magnitude.",
        "l08-train": "Epochs to fit a linear map (log scale) against depth for deep linear networks of width 20: "
                     "the Gaussian start needs more and more epochs and fails within the budget from depth 20 on, "
                     "the orthogonal start needs about the same small number at every depth.",
        "l08-explorer": "The isometry explorer at its start (orthogonal weights times 1.05, tanh, depth 30, width "
                        "200): the singular values of the Jacobian spread little around 1, and their mean square "
                        "per layer follows the predicted product of chi_1.",
    },
    "09_residual_and_normalization.ipynb": {
        "c09-fixes-stream": "Two figures of 50 residual blocks at step 0. The first, on a log scale: the signal's "
                            "mean square grows by many orders of magnitude through a plain residual stack, and its "
                            "gradient likewise towards the first block, while the four fixes stay near 1. The "
                            "second shows the four fixes alone on a linear scale: the scaled branches grow slowly "
                            "as predicted, Fixup, ReZero and GPT-2 stay flat.",
        "c09-train": "Mini-batch loss (log scale) per training step of 20 residual blocks on the MNIST sample: the "
                     "plain stack blows up within the first steps and stops, while the four fixed starts train "
                     "alike.",
        "c09-norm-train": "Mini-batch loss per step with LayerNorm after W1 and W1 scaled by 0.1, 1 or 10: the three "
                          "compute the same function at step 0, yet with W1 x 0.1 the loss jumps up in the first "
                          "steps and stays higher for a while, while x 1 and x 10 train alike.",
        "c09-lsuv-train": "Validation accuracy per epoch of 10 ReLU layers of 64 units on the MNIST sample, mean of 3 "
                          "seeds: the He and LSUV starts learn fast and alike, the Xavier start lags far behind.",
        "c09-hockey": "Mini-batch loss (log scale) per step of the course's MLP with its last layer scaled by 10 or "
                      "by 0.1: with the large last layer the loss starts high, spikes in the first steps and stays "
                      "above; with the small one it starts lower and falls steadily.",
    },
}


def figure_cells(notebook):
    """The code cells of a notebook that show at least one PNG."""
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"
            and any("image/png" in output.get("data", {}) for output in cell["outputs"])]


def problems(path, notebook):
    """What is missing or stale between ALT_TEXT and the notebook at path, as sentences."""
    table = ALT_TEXT.get(path.name, {})
    ids = [cell["id"] for cell in figure_cells(notebook)]
    found = [f"{path.name}: figure cell {cell_id} has no alt text in tools/alt_text.py"
             for cell_id in ids if cell_id not in table]
    found += [f"{path.name}: tools/alt_text.py has text for {cell_id}, which is not a figure cell"
              for cell_id in table if cell_id not in ids]
    found += [f"{path.name}: cell {cell['id']} does not carry its alt text (run tools/alt_text.py)"
              for cell in figure_cells(notebook) if cell["id"] in table
              and cell["metadata"].get("mystnb", {}).get("image", {}).get("alt") != table[cell["id"]]]
    return found


def write(path, notebook) -> bool:
    """Store each figure cell's alt text in its metadata; True if the notebook changed."""
    changed = False
    for cell in figure_cells(notebook):
        text = ALT_TEXT.get(path.name, {}).get(cell["id"])
        image = cell["metadata"].setdefault("mystnb", {}).setdefault("image", {})
        if text and image.get("alt") != text:
            image["alt"] = text
            changed = True
        if not image:  # no text for this cell: leave its metadata as it was
            del cell["metadata"]["mystnb"]["image"]
            if not cell["metadata"]["mystnb"]:
                del cell["metadata"]["mystnb"]
    return changed


def main(argv) -> int:
    found = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if "--check" not in argv and write(path, notebook):
            path.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"wrote the alt texts of {path.name}")
        found += problems(path, notebook)
    print("\n".join(found) or "every figure has its alt text")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
