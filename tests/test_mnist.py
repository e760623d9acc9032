"""MNIST: the shipped sample, the IDX parser, and the downloader against a local server.

The downloader is tested against an HTTP server on 127.0.0.1 that serves small IDX
files made here: a good download, a wrong checksum, a truncated file, a wrong magic
number, a connection cut mid-file, an unreachable mirror followed by a good one, and
no reachable mirror at all.  Each ends in the right data or a clear error, and the
cache never holds a partial file.
"""

import gzip
import hashlib
import http.server
import socket
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from initlab import data, mnist


# ---- the shipped sample ----------------------------------------------------------------
def test_sample_file_checksum_shape_and_balance():
    assert hashlib.sha256(mnist.SAMPLE_PATH.read_bytes()).hexdigest() == mnist.SAMPLE_SHA256
    with np.load(mnist.SAMPLE_PATH, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["images", "labels"]
        images, labels = archive["images"], archive["labels"]
    assert images.shape == (5000, 784) and images.dtype == np.uint8 and images.max() == 255
    assert labels.shape == (5000,) and np.bincount(labels).tolist() == [500] * 10


def test_load_mnist_sample_is_offline_scaled_split_and_seeded():
    sample = data.load_mnist()
    assert sample.x_train.shape == (4000, 784) and sample.x_validation.shape == (1000, 784)
    assert sample.x_train.dtype == np.float64 and 0.0 == sample.x_train.min() and sample.x_train.max() == 1.0
    assert np.bincount(sample.y_validation).tolist() == [100] * 10
    assert np.bincount(sample.y_train).tolist() == [400] * 10
    assert sample.x_test is None
    again = data.load_mnist()
    np.testing.assert_array_equal(again.y_train, sample.y_train)
    assert not np.array_equal(data.load_mnist(rng=1).y_train, sample.y_train)
    assert "4000 training, 1000 validation images, no test set" in repr(sample)


def test_load_mnist_rejects_unknown_kind():
    with pytest.raises(ValueError, match=r"kind must be one of \['sample', 'full'\], got 'fashion'"):
        data.load_mnist("fashion")


# ---- IDX files made here -----------------------------------------------------------------
def idx_bytes(array, magic=None):
    array = np.asarray(array, dtype=np.uint8)
    magic = magic if magic is not None else (0x803 if array.ndim == 3 else 0x801)
    return gzip.compress(struct.pack(">I", magic) + struct.pack(">" + "I" * array.ndim, *array.shape)
                         + array.tobytes(), mtime=0)


def make_files(folder: Path, n_train=60, n_test=20):
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(n_train) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": (np.arange(n_test) * 3) % 10,
    }
    table = {}
    for name, array in arrays.items():
        payload = idx_bytes(array)
        (folder / name).write_bytes(payload)
        table[name] = (len(payload), hashlib.sha256(payload).hexdigest())
    return arrays, table


class Handler(http.server.SimpleHTTPRequestHandler):
    cut_after = None  # serve only this many bytes of each file, then drop the connection

    def log_message(self, *args):
        pass

    def copyfile(self, source, destination):
        if self.cut_after is None:
            return super().copyfile(source, destination)
        destination.write(source.read(self.cut_after))
        destination.flush()
        self.close_connection = True


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    arrays, table = make_files(root)

    def handler(*args, **kwargs):
        return Handler(*args, directory=str(root), **kwargs)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{httpd.server_address[1]}/", "root": root, "arrays": arrays, "table": table}
    httpd.shutdown()
    Handler.cut_after = None


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def cache_listing(cache: Path):
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_good_download_gives_the_right_data(server, tmp_path):
    cache = tmp_path / "cache"
    full = data.load_mnist("full", cache_dir=cache, mirrors=[server["url"]], files=server["table"],
                           n_validation=10, progress=False)
    arrays = server["arrays"]
    assert full.x_train.shape == (50, 784) and full.x_validation.shape == (10, 784) and full.x_test.shape == (20, 784)
    np.testing.assert_array_equal(full.x_train[3], arrays["train-images-idx3-ubyte.gz"][3].ravel() / 255.0)
    np.testing.assert_array_equal(full.y_validation, arrays["train-labels-idx1-ubyte.gz"][50:])
    np.testing.assert_array_equal(full.y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert cache_listing(cache) == sorted(server["table"])
    # a second call reads the cache and does not need the server
    again = data.load_mnist("full", cache_dir=cache, mirrors=[closed_port_url()], files=server["table"],
                            n_validation=10, progress=False)
    np.testing.assert_array_equal(again.x_test, full.x_test)


def test_progress_bar_is_shown(server, tmp_path, capsys):
    mnist.fetch_files(tmp_path / "cache", [server["url"]], server["table"], progress=True)
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte.gz" in err and "#" in err and "MB" in err


def test_wrong_checksum_is_refused_and_nothing_cached(server, tmp_path):
    table = dict(server["table"])
    size, _ = table["train-labels-idx1-ubyte.gz"]
    table["train-labels-idx1-ubyte.gz"] = (size, "0" * 64)
    cache = tmp_path / "cache"
    with pytest.raises(mnist.MnistUnavailable, match=r"does not match the published 0000"):
        mnist.fetch_files(cache, [server["url"]], table, progress=False)
    assert "train-labels-idx1-ubyte.gz" not in cache_listing(cache)
    assert not [n for n in cache_listing(cache) if n.endswith(".part")]


def test_truncated_file_is_refused(server, tmp_path):
    table = dict(server["table"])
    size, sha = table["t10k-images-idx3-ubyte.gz"]
    (server["root"] / "t10k-images-idx3-ubyte.gz").write_bytes(
        (server["root"] / "t10k-images-idx3-ubyte.gz").read_bytes()[: size // 2])
    cache = tmp_path / "cache"
    with pytest.raises(mnist.MnistUnavailable, match=r"announces .* bytes, expected"):
        mnist.fetch_files(cache, [server["url"]], table, progress=False)
    assert "t10k-images-idx3-ubyte.gz" not in cache_listing(cache)
    assert not [n for n in cache_listing(cache) if n.endswith(".part")]


def test_connection_cut_mid_file_leaves_no_partial_file(server, tmp_path):
    Handler.cut_after = 100
    cache = tmp_path / "cache"
    with pytest.raises(mnist.MnistUnavailable, match=r"could not download train-images-idx3-ubyte.gz"):
        mnist.fetch_files(cache, [server["url"]], server["table"], progress=False)
    assert cache_listing(cache) == []


def test_wrong_magic_number_is_reported(server, tmp_path):
    payload = idx_bytes(np.zeros((60, 28, 28)), magic=0x0803 + 0x100)
    (server["root"] / "train-images-idx3-ubyte.gz").write_bytes(payload)
    table = dict(server["table"])
    table["train-images-idx3-ubyte.gz"] = (len(payload), hashlib.sha256(payload).hexdigest())
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz has magic number 0x00000903, expected 0x00000803"):
        data.load_mnist("full", cache_dir=tmp_path / "cache", mirrors=[server["url"]], files=table,
                        n_validation=10, progress=False)


def test_unreachable_mirror_then_a_good_one(server, tmp_path):
    cache = tmp_path / "cache"
    full = data.load_mnist("full", cache_dir=cache, mirrors=[closed_port_url(), server["url"]],
                           files=server["table"], n_validation=10, progress=False)
    assert len(full.x_train) == 50 and cache_listing(cache) == sorted(server["table"])


def test_no_network_fails_fast_and_says_what_to_do(tmp_path):
    cache = tmp_path / "cache"
    start = time.monotonic()
    with pytest.raises(mnist.MnistUnavailable) as error:
        data.load_mnist("full", cache_dir=cache, mirrors=[closed_port_url(), closed_port_url()], progress=False)
    assert time.monotonic() - start < 5
    message = str(error.value)
    assert "every mirror failed" in message and "Connection refused" in message
    assert "train-images-idx3-ubyte.gz  (9,912,422 bytes, SHA-256 440fcabf" in message
    assert f"put them in {cache}" in message and "INITLAB_DATA_DIR" in message
    assert cache_listing(cache) == []


def test_damaged_cached_file_is_replaced(server, tmp_path):
    cache = tmp_path / "cache"
    mnist.fetch_files(cache, [server["url"]], server["table"], progress=False)
    (cache / "t10k-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    mnist.fetch_files(cache, [server["url"]], server["table"], progress=False)
    size, sha = server["table"]["t10k-labels-idx1-ubyte.gz"]
    assert hashlib.sha256((cache / "t10k-labels-idx1-ubyte.gz").read_bytes()).hexdigest() == sha


def test_cache_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INITLAB_DATA_DIR", str(tmp_path / "data"))
    assert mnist.default_cache_dir() == tmp_path / "data" / "mnist"
    monkeypatch.delenv("INITLAB_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist.default_cache_dir() == tmp_path / "xdg" / "initlab" / "mnist"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not gzip at all", r"is not a readable gzip file"),
        (gzip.compress(b"\x00\x00", mtime=0), r"too short to be an IDX file"),
        (gzip.compress(struct.pack(">IIII", 0x803, 2, 28, 28) + bytes(100), mtime=0), r"truncated: 116 bytes, header announces 1584"),
        (gzip.compress(struct.pack(">II", 0x801, 3) + bytes(5), mtime=0), r"longer than its header says"),
    ],
)
def test_read_idx_rejects_damaged_files(tmp_path, content, message):
    path = tmp_path / "file-idx.gz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        mnist.read_idx(path)


def test_read_idx_reads_labels_and_images(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(idx_bytes(np.array([3, 1, 4])))
    assert mnist.read_idx(path, mnist.LABELS_MAGIC).tolist() == [3, 1, 4]
    with pytest.raises(ValueError, match="expected 0x00000803"):
        mnist.read_idx(path, mnist.IMAGES_MAGIC)


def test_downloader_argument_errors(tmp_path):
    with pytest.raises(TypeError, match=r"mirrors must be a non-empty list of base URLs, got 'http://x/'"):
        mnist.fetch_files(tmp_path, "http://x/")
    with pytest.raises(ValueError, match=r"timeout must be > 0, got -1.0"):
        mnist.fetch_files(tmp_path, ["http://127.0.0.1:9/"], timeout=-1)
    with pytest.raises(TypeError, match=r"n_validation must be an integer"):
        data.load_mnist("full", n_validation=1.5, cache_dir=tmp_path, mirrors=[closed_port_url()])
