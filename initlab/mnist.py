"""MNIST's files: read the shipped sample, fetch, verify and parse the official files.

This module only gets pixels and labels off the disk (or the network) as uint8
arrays; ``initlab.data.load_mnist`` turns them into the course's data sets.

- ``read_sample()`` reads the 5,000-image sample shipped inside initlab
  (``initlab/datasets/mnist_5k.npz``; see the README beside it) -- no network.
- ``read_full()`` reads the standard 60,000 + 10,000 images from a local cache
  folder; files that are missing are downloaded from a list of mirrors, each
  checked against its published size and SHA-256 before it enters the cache.

The four official files are gzip-compressed IDX files, a simple big-endian format
that this module parses itself (nothing is ever unpickled)::

    images: magic 0x00000803, count, rows, cols, then count*rows*cols bytes
    labels: magic 0x00000801, count, then count bytes
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import struct
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from .checks import ArgumentError, ArgumentTypeError, check_float

__all__ = ["read_sample", "read_full", "read_idx", "fetch_files", "default_cache_dir", "MnistUnavailable",
           "OFFICIAL_FILES", "DEFAULT_MIRRORS", "SAMPLE_PATH", "SAMPLE_SHA256"]

SAMPLE_PATH = Path(__file__).with_name("datasets") / "mnist_5k.npz"
SAMPLE_SHA256 = "970702d994c498f4ed47376383483ffa572089f72cd489dad1f40f362dbc14bf"

#: name: (size in bytes, SHA-256), as published for the official files.
OFFICIAL_FILES = {
    "train-images-idx3-ubyte.gz": (9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "train-labels-idx1-ubyte.gz": (28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "t10k-images-idx3-ubyte.gz": (1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "t10k-labels-idx1-ubyte.gz": (4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}
#: Tried in this order; each serves the four files under their official names.
DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
CHUNK = 1 << 16


class MnistUnavailable(RuntimeError):
    """Full MNIST is neither in the cache nor downloadable; the message says what to do."""


def default_cache_dir() -> Path:
    """$INITLAB_DATA_DIR/mnist if set, else $XDG_CACHE_HOME/initlab/mnist (~/.cache/initlab/mnist)."""
    if os.environ.get("INITLAB_DATA_DIR"):
        return Path(os.environ["INITLAB_DATA_DIR"]).expanduser() / "mnist"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "initlab" / "mnist"


# ----------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------
def read_idx(path, expected_magic=None) -> np.ndarray:
    """Read a (gzip-compressed) IDX file of unsigned bytes into a uint8 array.

    Checks the magic number (0x803 images, 0x801 labels; ``expected_magic`` if
    given), and that the file holds exactly the bytes its header announces.

    Raises
    ------
    ValueError
        With the file name and what is wrong: not gzip, bad magic, too short, too long.
    """
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise ArgumentError(f"{path.name} is not a readable gzip file ({error})") from None
    if len(raw) < 8:
        raise ArgumentError(f"{path.name} is too short to be an IDX file ({len(raw)} bytes)")
    magic = struct.unpack(">I", raw[:4])[0]
    if magic not in (IMAGES_MAGIC, LABELS_MAGIC) or (expected_magic is not None and magic != expected_magic):
        wanted = f"0x{expected_magic:08x}" if expected_magic is not None else "0x00000803 or 0x00000801"
        raise ArgumentError(f"{path.name} has magic number 0x{magic:08x}, expected {wanted}")
    n_dims = 3 if magic == IMAGES_MAGIC else 1
    header = 4 + 4 * n_dims
    if len(raw) < header:
        raise ArgumentError(f"{path.name} ends inside its header")
    dims = struct.unpack(">" + "I" * n_dims, raw[4:header])
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "longer than its header says"
        raise ArgumentError(f"{path.name} is {problem}: {len(raw)} bytes, header announces {expected} for shape {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _file_ok(path: Path, size: int, sha256: str) -> bool:
    if not path.is_file() or path.stat().st_size != size:
        return False
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest() == sha256


# ----------------------------------------------------------------------------
# downloading
# ----------------------------------------------------------------------------
class _DownloadError(Exception):
    pass


def _download(url, target: Path, size: int, sha256: str, timeout: float, progress) -> None:
    """Stream url to a temporary file beside target; move it into place only if it checks out."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        digest = hashlib.sha256()
        received = 0
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    announced = response.headers.get("Content-Length")
                    if announced is not None and announced.isdigit() and int(announced) != size:
                        raise _DownloadError(f"the server announces {int(announced):,} bytes, expected {size:,}")
                    while True:
                        block = response.read(CHUNK)
                        if not block:
                            break
                        received += len(block)
                        if received > size:
                            raise _DownloadError(f"more than the expected {size:,} bytes")
                        digest.update(block)
                        out.write(block)
                        if progress:
                            _show_progress(target.name, received, size)
            except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
                raise _DownloadError(str(getattr(error, "reason", error))) from None
        if progress:
            print(file=sys.stderr)
        if received != size:
            raise _DownloadError(f"truncated: received {received:,} of {size:,} bytes")
        if digest.hexdigest() != sha256:
            raise _DownloadError(f"SHA-256 {digest.hexdigest()} does not match the published {sha256}")
        os.replace(temporary, target)  # atomic: the cache holds a whole, checked file or nothing
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _show_progress(name, received, size):
    width = 30
    done = int(width * received / size)
    print(f"\r{name:<28} [{'#' * done}{'.' * (width - done)}] {received / 1e6:5.1f} / {size / 1e6:.1f} MB",
          end="", file=sys.stderr, flush=True)


def fetch_files(cache_dir=None, mirrors=DEFAULT_MIRRORS, files=None, timeout=20.0, progress=True) -> Path:
    """Make sure every file of ``files`` is in ``cache_dir``, checked; download what is missing.

    A cached file with the wrong size or SHA-256 is removed and downloaded again.
    Each missing file is tried on each mirror in turn.  If every mirror fails for a
    file, nothing more is tried and ``MnistUnavailable`` says what to download by
    hand and where to put it.

    Returns the cache folder.
    """
    files = OFFICIAL_FILES if files is None else files
    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    timeout = check_float("timeout", timeout, strictly_positive=True)
    if isinstance(mirrors, str) or not mirrors:
        raise ArgumentTypeError(f"mirrors must be a non-empty list of base URLs, got {mirrors!r}")
    cache.mkdir(parents=True, exist_ok=True)
    for name, (size, sha256) in files.items():
        target = cache / name
        if _file_ok(target, size, sha256):
            continue
        if target.exists():
            target.unlink()  # a damaged copy: never keep it
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                _download(url, target, size, sha256, timeout, progress)
                break
            except _DownloadError as error:
                failures.append(f"  {url}: {error}")
        else:
            listing = "\n".join(f"  {n}  ({s:,} bytes, SHA-256 {h})" for n, (s, h) in files.items())
            raise MnistUnavailable(
                f"could not download {name}; every mirror failed:\n" + "\n".join(failures) +
                f"\n\nTo use full MNIST without the network, download these files on a connected machine\n"
                f"{listing}\nand put them in {cache} (or pass cache_dir=..., or set INITLAB_DATA_DIR).\n"
                f"The course itself only needs initlab.data.load_mnist(), the offline sample."
            )
    return cache


# ----------------------------------------------------------------------------
# the two sources
# ----------------------------------------------------------------------------
def read_sample() -> tuple:
    """(images, labels) of the shipped sample: uint8 arrays of shape (5000, 784) and (5000,)."""
    with np.load(SAMPLE_PATH, allow_pickle=False) as archive:
        return archive["images"], archive["labels"]


def read_full(cache_dir=None, mirrors=DEFAULT_MIRRORS, files=None, timeout=20.0, progress=True) -> tuple:
    """(train_images, train_labels, test_images, test_labels) of the official files, as uint8 arrays.

    The files come from ``cache_dir`` (default ``default_cache_dir()``); missing
    ones are downloaded first (``fetch_files``).  Images have shape (n, 28, 28).
    """
    files = OFFICIAL_FILES if files is None else files
    cache = fetch_files(cache_dir, mirrors, files, timeout, progress)
    names = list(files)
    arrays = (read_idx(cache / _pick(names, "train-images"), IMAGES_MAGIC),
              read_idx(cache / _pick(names, "train-labels"), LABELS_MAGIC),
              read_idx(cache / _pick(names, "t10k-images"), IMAGES_MAGIC),
              read_idx(cache / _pick(names, "t10k-labels"), LABELS_MAGIC))
    for images, labels, which in ((arrays[0], arrays[1], "training"), (arrays[2], arrays[3], "test")):
        if len(images) != len(labels):
            raise ArgumentError(f"the {which} files disagree: {len(images)} images but {len(labels)} labels")
        if labels.max(initial=0) > 9:
            raise ArgumentError(f"the {which} labels go up to {labels.max()}, expected digits 0..9")
    return arrays


def _pick(names, prefix):
    matches = [n for n in names if n.startswith(prefix)]
    if len(matches) != 1:
        raise ArgumentError(f"files must contain exactly one file starting with {prefix!r}, got {names}")
    return matches[0]
