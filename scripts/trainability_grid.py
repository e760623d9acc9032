"""Train notebook 07's grid of deep tanh networks on the MNIST sample and save it (seeded, a few minutes).

    python scripts/trainability_grid.py                 # writes initlab/datasets/trainability_tanh.npz
    python scripts/trainability_grid.py OUT.npz         # somewhere else

Every cell of depth x sigma_w^2 (``initlab.trainability.DEPTHS`` x ``SIGMA_W2``) is trained
for each seed of ``SEEDS`` with the budget of ``SETUP`` by ``initlab.trainability.train_cell``,
which ``tests/test_trainability.py`` calls again to check a few stored cells.  The cost grows
with the depth: 2 x 8 x 11 = 176 networks, 2 x 11 x 172 = 3,784 layers of 100 units, each
trained for 500 steps of 32 images.  It took 208 s of CPU time on this course's 2-core
machine (13 minutes of wall-clock time while six other jobs shared the cores).  BLAS runs on
one thread (set before numpy loads): that leaves the other core free, and it makes the chaotic
cells reproducible, where a difference in the last digit of a sum (more threads add in another
order) grows layer by layer.  A progress bar goes to stderr.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from initlab import trainability  # noqa: E402

BAR = 30


def progress(done, total, depth, sigma_w2, seed, started=time.monotonic()):
    elapsed = time.monotonic() - started
    filled = round(BAR * done / total)
    remaining = elapsed / done * (total - done)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} cells  depth {depth:>2}, "
                     f"sigma_w^2 {sigma_w2:.2f}, seed {seed}  {elapsed:5.0f} s, ~{remaining:4.0f} s left ")
    sys.stderr.flush()


def main():
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else trainability.GRID_FILE
    started = time.monotonic()
    grid = trainability.compute_grid(progress=progress)
    grid.save(target)
    sys.stderr.write(f"\nwrote {target} ({target.stat().st_size:,} bytes) in {time.monotonic() - started:.0f} s\n")


if __name__ == "__main__":
    main()
