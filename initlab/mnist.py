"""MNIST's files: read the shipped sample, fetch, verify and parse the official files.

This module only gets pixels and labels off the disk (or the network) as uint8
arrays; ``initlab.data.load_mnist`` turns them into the course's data sets.

- ``read_sample()`` reads the 5,000-image sample shipped inside initlab
  (``initlab/datasets/mnist_5k.npz``; see the README beside it) -- no network.
- ``read_full()`` reads the standard 60,000 + 10,000 images from a local cache
  folder; files that are missing are downloaded from a list of mirrors, each
  checked against its published size and SHA-256 before it enters the cache.
  A download has a deadline, and the ``.part`` file of one that was killed is
  removed by the next run.

The four official files are gzip-compressed IDX files, a simple big-endian format
that this module parses itself (nothing is ever unpickled)::

    images: magic 0x00000803, count, rows, cols, then count*rows*cols bytes
    labels: magic 0x00000801, count, then count bytes

The header is read and checked first; then exactly the bytes it announces are
decompressed, never more, so a damaged file or a "gzip bomb" fails at once.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import math
import os
import re
import struct
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from .checks import ArgumentError, ArgumentTypeError, check_bool, check_float

try:
    import fcntl  # a running download holds a lock on its .part file (Linux, macOS)
except ImportError:  # Windows: a file that another process has open cannot be removed, which is the lock
    fcntl = None

__all__ = ["read_sample", "read_full", "read_idx", "fetch_files", "default_cache_dir", "MnistUnavailable",
           "OFFICIAL_FILES", "DEFAULT_MIRRORS", "DEFAULT_DEADLINE", "MAX_IDX_BYTES", "SAMPLE_PATH", "SAMPLE_SHA256"]

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
#: Seconds the whole download may take (11.6 MB: about a minute at 200 kB/s).
DEFAULT_DEADLINE = 600.0
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
#: The largest payload an IDX file may announce: the 60,000 training images of 28 x 28 pixels
#: (Fashion-MNIST's are the same size).  A header asking for more is damaged, or a trap.
MAX_IDX_BYTES = 60_000 * 28 * 28
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

    Reads the header first and checks the magic number (0x803 images, 0x801
    labels; ``expected_magic`` if given) and the size it announces (at most
    ``MAX_IDX_BYTES``); then reads exactly that many bytes, and checks that the
    file ends there.

    Raises
    ------
    ValueError
        With the file name and what is wrong: not gzip, bad magic, absurd size, too short, too long.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(f"path must be a file name (str or pathlib.Path), got {path!r}")
    if expected_magic not in (None, IMAGES_MAGIC, LABELS_MAGIC):
        raise ArgumentError(f"expected_magic must be None, mnist.IMAGES_MAGIC (0x803) or mnist.LABELS_MAGIC (0x801), "
                            f"got {expected_magic!r}")
    path = Path(path)
    if not path.is_file():
        raise ArgumentError(f"path: {path} is a folder, not an IDX file" if path.is_dir() else
                            f"path: there is no file {path}")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            return _parse_idx(path.name, stream, expected_magic)
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise ArgumentError(f"{path.name} is not a readable gzip file ({error})") from None


def _parse_idx(name, stream, expected_magic) -> np.ndarray:
    start = stream.read(4)
    if len(start) < 4:
        raise ArgumentError(f"{name} is too short to be an IDX file ({len(start)} bytes)")
    magic = struct.unpack(">I", start)[0]
    if magic not in (IMAGES_MAGIC, LABELS_MAGIC) or (expected_magic is not None and magic != expected_magic):
        wanted = f"0x{expected_magic:08x}" if expected_magic is not None else "0x00000803 or 0x00000801"
        raise ArgumentError(f"{name} has magic number 0x{magic:08x}, expected {wanted}")
    n_dims = 3 if magic == IMAGES_MAGIC else 1
    header = 4 + 4 * n_dims
    raw_dims = stream.read(4 * n_dims)
    if len(raw_dims) < 4 * n_dims:
        raise ArgumentError(f"{name} ends inside its header")
    dims = struct.unpack(">" + "I" * n_dims, raw_dims)
    size = math.prod(dims)  # a Python int: no overflow, whatever the header says
    if size > MAX_IDX_BYTES:
        raise ArgumentError(f"{name}'s header announces shape {dims}, {size:,} bytes: more than the largest MNIST "
                            f"file ({MAX_IDX_BYTES:,} bytes, 60,000 images of 28 x 28), so it is not an MNIST file")
    payload = stream.read(size + 1)  # one byte more than announced shows a file that is too long
    if len(payload) != size:
        problem = (f"truncated: {header + len(payload)} bytes" if len(payload) < size
                   else f"longer than its header says: more than {header + size} bytes")
        raise ArgumentError(f"{name} is {problem}, header announces {header + size} for shape {dims}")
    return np.frombuffer(payload, dtype=np.uint8).reshape(dims)


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


def _download(url, target: Path, size: int, sha256: str, timeout: float, stop: float, progress) -> None:
    """Stream url to a locked temporary file beside target; move it into place only if it checks out.

    ``stop`` is the deadline (a ``time.monotonic()`` value): the download gives up
    once it has passed, however slowly the server keeps sending.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        digest = hashlib.sha256()
        received = 0
        with os.fdopen(handle, "wb") as out:
            if fcntl is not None:
                fcntl.flock(out, fcntl.LOCK_EX)  # tells a later run that this .part is not abandoned
            try:
                with urllib.request.urlopen(url, timeout=min(timeout, max(stop - time.monotonic(), 0.01))) as response:
                    announced = response.headers.get("Content-Length")
                    if announced is not None and announced.isdigit() and int(announced) != size:
                        raise _DownloadError(f"the server announces {int(announced):,} bytes, expected {size:,}")
                    while True:
                        if time.monotonic() > stop:
                            raise _DownloadError(f"stopped at the deadline with {received:,} of {size:,} bytes")
                        block = response.read1(CHUNK)  # whatever has arrived: a slow server cannot hold us
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
        try:
            os.replace(temporary, target)  # atomic: the cache holds a whole, checked file or nothing
        except OSError as error:
            raise _DownloadError(f"could not move it into the cache ({error})") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _remove_abandoned_parts(cache: Path) -> None:
    """Remove the .part files of downloads that were killed; a running download holds a lock on its own."""
    for part in cache.glob(".*.part"):
        try:
            if fcntl is None:
                part.unlink()  # fails while the download that writes it is running
                continue
            with open(part, "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its download is running
                part.unlink()
        except OSError:
            continue


def _show_progress(name, received, size):
    width = 30
    done = int(width * received / size)
    print(f"\r{name:<28} [{'#' * done}{'.' * (width - done)}] {received / 1e6:5.1f} / {size / 1e6:.1f} MB",
          end="", file=sys.stderr, flush=True)


def _check_files(files) -> dict:
    """``files`` ({name: (size, SHA-256)}, None for the official ones), checked: plain names, sizes, digests."""
    files = OFFICIAL_FILES if files is None else files
    if not isinstance(files, dict) or not files:
        raise ArgumentTypeError(f"files must be a non-empty dict {{file name: (bytes, SHA-256)}}, got {files!r}")
    for name, entry in files.items():
        if not isinstance(name, str) or not re.fullmatch(r"[\w][\w.-]*", name):
            raise ArgumentError(f"files: {name!r} is not a plain file name (letters, digits, '.', '-', '_')")
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], int) and entry[0] > 0
                and isinstance(entry[1], str) and re.fullmatch(r"[0-9a-fA-F]{64}", entry[1])):
            raise ArgumentError(f"files[{name!r}] must be (size in bytes > 0, SHA-256 in 64 hex digits), got {entry!r}")
    return {name: (size, sha256.lower()) for name, (size, sha256) in files.items()}


def _check_mirrors(mirrors) -> list:
    if isinstance(mirrors, str) or not isinstance(mirrors, (list, tuple)) or not mirrors:
        raise ArgumentTypeError(f"mirrors must be a non-empty list of base URLs, got {mirrors!r}")
    for mirror in mirrors:
        if not isinstance(mirror, str) or not mirror.startswith(("http://", "https://", "file://")):
            raise ArgumentError(f"mirrors must hold base URLs that start with http://, https:// or file://, "
                                f"got {mirror!r}")
    return list(mirrors)


def _cache_folder(cache_dir) -> Path:
    """``cache_dir`` (None: ``default_cache_dir()``) as an existing folder, created if missing."""
    if cache_dir is not None and not isinstance(cache_dir, (str, os.PathLike)):
        raise ArgumentTypeError(f"cache_dir must be a folder name (str or pathlib.Path) or None, got {cache_dir!r}")
    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    if cache.exists() and not cache.is_dir():
        raise ArgumentError(f"cache_dir {cache} is a file, not a folder: pass a folder (it is created if missing)")
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArgumentError(_unwritable(cache, error)) from None
    return cache


def _unwritable(cache, error) -> str:
    return (f"cache_dir {cache} cannot be written ({error.strerror or error}): pass cache_dir=... a folder you "
            "can write to, or set INITLAB_DATA_DIR")


def fetch_files(cache_dir=None, mirrors=DEFAULT_MIRRORS, files=None, timeout=20.0, progress=True,
                deadline=DEFAULT_DEADLINE) -> Path:
    """Make sure every file of ``files`` is in ``cache_dir``, checked; download what is missing.

    A cached file with the wrong size or SHA-256 is removed and downloaded again.
    Each missing file is tried on each mirror in turn; ``timeout`` bounds each wait
    for a server, ``deadline`` the whole call (seconds).  If every mirror fails for
    a file, or the deadline passes, nothing more is tried and ``MnistUnavailable``
    says what to download by hand and where to put it.  The ``.part`` files of
    downloads that were killed are removed first.

    Returns the cache folder.
    """
    files, mirrors = _check_files(files), _check_mirrors(mirrors)
    timeout = check_float("timeout", timeout, strictly_positive=True, maximum=600.0)
    deadline = check_float("deadline", deadline, strictly_positive=True, maximum=24 * 3600.0)
    progress = check_bool("progress", progress)
    cache = _cache_folder(cache_dir)
    stop = time.monotonic() + deadline
    _remove_abandoned_parts(cache)
    for name, (size, sha256) in files.items():
        target = cache / name
        if _file_ok(target, size, sha256):
            continue
        try:
            if target.exists():
                target.unlink()  # a damaged copy: never keep it
            tempfile.TemporaryFile(dir=cache).close()  # can a download be written here?
        except OSError as error:
            raise ArgumentError(_unwritable(cache, error)) from None
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                _download(url, target, size, sha256, timeout, stop, progress)
                break
            except _DownloadError as error:
                failures.append(f"  {url}: {error}")
                if time.monotonic() > stop:
                    break
        if not target.exists():
            why = (f"the deadline of {deadline:g} s passed" if time.monotonic() > stop else "every mirror failed")
            listing = "\n".join(f"  {n}  ({s:,} bytes, SHA-256 {h})" for n, (s, h) in files.items())
            raise MnistUnavailable(
                f"could not download {name}; {why}:\n" + "\n".join(failures) +
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


def read_full(cache_dir=None, mirrors=DEFAULT_MIRRORS, files=None, timeout=20.0, progress=True,
              deadline=DEFAULT_DEADLINE) -> tuple:
    """(train_images, train_labels, test_images, test_labels) of the official files, as uint8 arrays.

    The files come from ``cache_dir`` (default ``default_cache_dir()``); missing
    ones are downloaded first (``fetch_files``).  Images have shape (n, 28, 28).
    """
    cache = fetch_files(cache_dir, mirrors, files, timeout, progress, deadline)
    names = list(OFFICIAL_FILES if files is None else files)
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
