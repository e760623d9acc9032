"""Issue 16's named cases for the MLP, the data sets, MNIST's files and notebook 06's experiment.

A table of calls a careless student makes, each with the argument its error must
name; then the extreme-but-valid cases (a large gradient check, a diverging run) and
the downloader's failure modes, against servers on 127.0.0.1 and files in tmp_path:
a server that trickles one byte every 0.5 s (the deadline ends it), a download killed
with SIGKILL (its .part file is removed by the next run), a gzip bomb and a header
with absurd dimensions (refused before anything large is decompressed), a cache path
that is a file or cannot be written.  Nothing here reaches the internet.
"""

import gzip
import hashlib
import http.server
import math
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import initlab
from initlab import data, experiments, mnist
from initlab.checks import ArgumentError
from initlab.mlp import GRADIENT_CHECK_WORK, MLP, gradient_check, one_hot

X = np.random.default_rng(0).standard_normal((6, 4))
Y = np.array([0, 1, 1, 0, 1, 0])
SAMPLE = data.load_mnist()
TINY = data.MnistData(SAMPLE.x_train[:40], SAMPLE.y_train[:40], SAMPLE.x_validation[:20], SAMPLE.y_validation[:20],
                      None, None, "tiny")


def net(**kwargs):
    return MLP([4, 3, 2], rng=0, **kwargs)


def with_nan(x):
    x = np.array(x, dtype=float)
    x[1, 2] = np.nan
    return x


NAMED = [
    # the MLP: data a network cannot learn from, and arguments of the wrong kind
    ("fit on NaN inputs", lambda: net().fit(with_nan(X), Y), "x"),
    ("fit on complex inputs", lambda: net().fit(X + 1j, Y), "x"),
    ("fit on strings", lambda: net().fit(np.full((6, 4), "a"), Y), "x"),
    ("fit on no samples", lambda: net().fit(np.zeros((0, 4)), Y[:0]), "x"),
    ("fit with float labels", lambda: net().fit(X, Y * 1.0), "labels"),
    ("fit with a label per sample missing", lambda: net().fit(X, Y[:5]), "labels"),
    ("fit with labels out of range", lambda: net().fit(X, Y + 2), "labels"),
    ("fit for 0 epochs", lambda: net().fit(X, Y, epochs=0), "epochs"),
    ("fit with a negative learning rate", lambda: net().fit(X, Y, eta=-0.1), "eta"),
    ("fit with NaN validation inputs", lambda: net().fit(X, Y, validation=(with_nan(X), Y)), "validation[0]"),
    ("fit with a callback that is not a function", lambda: net().fit(X, Y, callback=3), "callback"),
    ("fit with monitor_training='no'", lambda: net().fit(X, Y, monitor_training="no"), "monitor_training"),
    ("predict on one sample as a 1-D array", lambda: net().predict(X[0]), "x"),
    ("gradients with targets of the wrong shape", lambda: net().gradients(X, np.zeros((6, 3))), "targets"),
    ("sgd_step with a NaN learning rate", lambda: net().sgd_step(X, one_hot(Y, 2), math.nan), "eta"),
    ("a network of 795 million parameters", lambda: MLP([784, 10**6, 10]), "sizes"),
    ("an unknown weight initializer", lambda: MLP([4, 2], weight_init="glorot"), "weight_init"),
    ("a custom initializer of the wrong shape", lambda: MLP([4, 2], weight_init=lambda i, o, rng: np.ones(3)),
     "weight_init"),
    ("one_hot of 600 billion entries", lambda: one_hot(np.zeros(60000, int), 10**7), "n_classes"),
    ("gradient_check of a string", lambda: gradient_check("net", X, Y), "network"),
    ("gradient_check with epsilon 1e300", lambda: gradient_check(net(), X, Y, epsilon=1e300), "epsilon"),
    # the data sets
    ("two_moons of 10 billion points", lambda: data.two_moons(10**10), "n_samples"),
    ("two_moons with noise 1e308", lambda: data.two_moons(noise=1e308), "noise"),
    ("half_on_input of 10 billion inputs", lambda: data.half_on_input(10**10), "n_inputs"),
    ("splitting one sample", lambda: data.train_validation_split(np.zeros((1, 2)), [0], 1), "x"),
    ("splitting NaN data", lambda: data.train_validation_split(np.full((4, 2), np.nan), [0, 1, 0, 1], 1), "x"),
    ("splitting with float labels", lambda: data.train_validation_split(np.zeros((4, 2)), [0.5, 1, 0, 1], 1),
     "labels"),
    ("load_mnist(kind=5)", lambda: data.load_mnist(5), "kind"),
    ("load_mnist(n_validation=5000) of the 5,000-image sample", lambda: data.load_mnist(n_validation=5000),
     "n_validation"),
    # notebook 06's experiment
    ("train a string", lambda: experiments.train("net", TINY), "network"),
    ("train on a dict", lambda: experiments.train(experiments.initial_network("lecun_normal"), {"x": 1}), "data"),
    ("train on NaN images", lambda: experiments.train(
        experiments.initial_network("lecun_normal"),
        data.MnistData(with_nan(TINY.x_train), TINY.y_train, TINY.x_validation, TINY.y_validation, None, None, "nan"),
        epochs=1), "data.x_train"),
    ("train a 10-input network on 784-pixel images",
     lambda: experiments.train(experiments.initial_network("lecun_normal", n_inputs=10), TINY, epochs=1), "network"),
    ("initial_network with a million hidden units", lambda: experiments.initial_network("lecun_normal", hidden=10**6),
     "hidden"),
    ("compare_starts(None)", lambda: experiments.compare_starts(None), "data"),
    # MNIST's files, before any network access
    ("mirrors of the wrong type", lambda: mnist.fetch_files("unused", mirrors=5), "mirrors"),
    ("a mirror that is not a URL", lambda: mnist.fetch_files("unused", mirrors=[5]), "mirrors"),
    ("files as a list", lambda: mnist.fetch_files("unused", files=["a.gz"]), "files"),
    ("a file name that leaves the cache", lambda: mnist.fetch_files("unused", files={"../x.gz": (1, "0" * 64)}),
     "files"),
    ("a timeout of 1e300 s", lambda: mnist.fetch_files("unused", timeout=1e300), "timeout"),
    ("a negative deadline", lambda: mnist.fetch_files("unused", deadline=-1), "deadline"),
    ("cache_dir=5", lambda: data.load_mnist("full", cache_dir=5), "cache_dir"),
    ("read_idx(5)", lambda: mnist.read_idx(5), "path"),
    ("read_idx(expected_magic='images')", lambda: mnist.read_idx(__file__, "images"), "expected_magic"),
]


@pytest.mark.parametrize("call, argument", [case[1:] for case in NAMED], ids=[case[0] for case in NAMED])
def test_named_case_is_refused_by_name(call, argument):
    with pytest.raises((ValueError, TypeError)) as error:
        call()
    assert argument in str(error.value)


# ---- extreme but valid: finish and say what happened ----------------------------------------
def test_gradient_check_of_a_784_100_10_network_on_100_samples_is_fast():
    network = MLP([784, 100, 10], rng=0)
    x = np.random.default_rng(0).random((100, 784))
    start = time.monotonic()
    assert gradient_check(network, x, np.arange(100) % 10) < 1e-6  # it took over 30 s
    assert time.monotonic() - start < 5.0


def test_gradient_check_refuses_too_much_work_up_front_and_says_the_cost():
    x = np.random.default_rng(0).random((3000, 784))
    start = time.monotonic()
    with pytest.raises(ArgumentError) as error:
        gradient_check(MLP([784, 30, 10], rng=0), x, np.arange(3000) % 10)
    assert time.monotonic() - start < 1.0
    message = str(error.value)
    assert "40 forward passes of 3,000 samples through 23,820 weights, 2.9e+09 multiply-adds" in message
    assert f"the limit is {GRADIENT_CHECK_WORK:.0g}" in message and "fewer samples" in message


@pytest.mark.parametrize("activation", ["relu", "linear"])
def test_a_diverging_run_stops_says_so_and_keeps_finite_parameters(activation):
    x, labels = data.two_moons(200, rng=0)
    network = MLP([2, 8, 2], activation=activation, rng=0)
    with pytest.warns(UserWarning, match=r"training diverged in epoch (\d+).*try a smaller eta \(got 1e\+06\)"):
        history = network.fit(x, labels, epochs=4, eta=1e6, validation=(x, labels), rng=0)
    assert history.diverged_at is not None and len(history.train_cost) == history.diverged_at - 1
    assert all(math.isfinite(c) for c in history.train_cost + history.validation_cost)
    assert all(np.isfinite(p).all() for p in network.weights + network.biases)


def test_monitor_training_false_leaves_the_training_lists_empty_not_nan():
    history = net().fit(X, Y, epochs=2, monitor_training=False, validation=(X, Y))
    assert history.train_cost == [] and history.train_accuracy == [] and len(history.validation_cost) == 2


def test_an_overflowing_forward_pass_names_the_layer():
    network = MLP([4, 3, 2], activation="relu", weight_init=initlab.initializers.constant(1e200), rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ArgumentError, match=r"x: the network's values overflow at layer 2 \(\|x\| up to 2.33"):
            network.predict(X)
        assert network.cost_value(X, Y) == math.inf  # not NaN: first_steps reads it as "diverged"


# ---- the downloader --------------------------------------------------------------------------
def idx_bytes(array):
    array = np.asarray(array, dtype=np.uint8)
    magic = 0x803 if array.ndim == 3 else 0x801
    return gzip.compress(struct.pack(">I", magic) + struct.pack(">" + "I" * array.ndim, *array.shape)
                         + array.tobytes(), mtime=0)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """A server of four small IDX files, and one that sends a byte every 0.5 s (at most 40 bytes)."""
    root = tmp_path_factory.mktemp("served")
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (20, 28, 28)),
              "train-labels-idx1-ubyte.gz": np.arange(20) % 10,
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (10, 28, 28)),
              "t10k-labels-idx1-ubyte.gz": np.arange(10) % 10}
    table = {}
    for name, array in arrays.items():
        (root / name).write_bytes(idx_bytes(array))
        table[name] = (len(idx_bytes(array)), hashlib.sha256(idx_bytes(array)).hexdigest())

    class Files(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    class Trickle(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(table["train-images-idx3-ubyte.gz"][0]))
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:  # the client gave up
                pass

    started = []
    for handler in (Files, Trickle):
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started.append(httpd)
    yield {"good": f"http://127.0.0.1:{started[0].server_address[1]}/",
           "slow": f"http://127.0.0.1:{started[1].server_address[1]}/", "table": table}
    for httpd in started:
        httpd.shutdown()


def parts(cache: Path):
    return sorted(p.name for p in cache.glob(".*.part"))


def test_a_trickling_server_is_cut_off_at_the_deadline(servers, tmp_path):
    start = time.monotonic()
    with pytest.raises(mnist.MnistUnavailable) as error:
        mnist.fetch_files(tmp_path, [servers["slow"], servers["good"]], servers["table"], progress=False,
                          deadline=1.0)
    assert time.monotonic() - start < 2.5  # it kept the downloader alive 45 s, and would have forever
    assert "the deadline of 1 s passed" in str(error.value) and "stopped at the deadline" in str(error.value)
    assert servers["good"] not in str(error.value)  # no mirror is tried after the deadline
    assert parts(tmp_path) == []


def test_the_part_file_of_a_killed_download_is_removed_by_the_next_run(servers, tmp_path):
    code = ("import sys; from initlab import mnist; "
            "mnist.fetch_files(sys.argv[1], [sys.argv[2]], eval(sys.argv[3]), progress=False, deadline=60)")
    env = dict(os.environ, PYTHONPATH=str(Path(initlab.__file__).parents[1]))
    child = subprocess.Popen([sys.executable, "-c", code, str(tmp_path), servers["slow"], repr(servers["table"])],
                             env=env)
    try:
        deadline = time.monotonic() + 20
        while not parts(tmp_path) and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        left = parts(tmp_path)
        assert len(left) == 1, "the download did not start"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert parts(tmp_path) == left  # SIGKILL leaves it behind
    # a running download's .part (locked by its writer) must survive the cleaning
    live = tmp_path / ".t10k-labels-idx1-ubyte.gz.running.part"
    with open(live, "wb") as handle:
        if mnist.fcntl is not None:
            mnist.fcntl.flock(handle, mnist.fcntl.LOCK_EX)
        mnist.fetch_files(tmp_path, [servers["good"]], servers["table"], progress=False)
        assert parts(tmp_path) == [live.name]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == sorted(servers["table"])


def test_a_gzip_bomb_fails_fast_without_decompressing_it(tmp_path):
    bomb = tmp_path / "bomb-idx.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as out:
        out.write(struct.pack(">II", 0x801, 10))  # a header announcing 10 labels ...
        zeros = bytes(1 << 20)
        for _ in range(16):  # ... followed by 16 MB
            out.write(zeros)
    assert bomb.stat().st_size < 100_000
    start = time.monotonic()
    with pytest.raises(ArgumentError, match=r"bomb-idx.gz is longer than its header says: more than 18 bytes"):
        mnist.read_idx(bomb)
    assert time.monotonic() - start < 0.5


def test_absurd_dimensions_are_refused_with_the_real_size(tmp_path):
    path = tmp_path / "absurd-idx.gz"
    path.write_bytes(gzip.compress(struct.pack(">IIII", 0x803, 2**32 - 1, 2**32 - 1, 2**32 - 1) + bytes(100)))
    with pytest.raises(ArgumentError) as error:
        mnist.read_idx(path)
    message = str(error.value)
    assert "shape (4294967295, 4294967295, 4294967295), 79,228,162,458,924,105,385,300,197,375 bytes" in message
    assert "more than the largest MNIST file (47,040,000 bytes" in message and "-" not in message.split(",")[1]


def test_a_cache_dir_that_is_a_file_or_below_one_is_named(tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    with pytest.raises(ArgumentError, match=r"cache_dir .*a_file is a file, not a folder"):
        data.load_mnist("full", cache_dir=a_file, mirrors=["http://127.0.0.1:9/"], progress=False)
    with pytest.raises(ArgumentError, match=r"cache_dir .*a_file/sub cannot be written \(Not a directory\)"):
        mnist.fetch_files(a_file / "sub", ["http://127.0.0.1:9/"], progress=False)


def test_an_unwritable_cache_dir_is_named(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", denied)
    with pytest.raises(ArgumentError, match=r"cache_dir .*new cannot be written \(Permission denied\): pass cache_dir"):
        mnist.fetch_files(tmp_path / "new", ["http://127.0.0.1:9/"], progress=False)
    monkeypatch.undo()
    monkeypatch.setattr(mnist.tempfile, "TemporaryFile", denied)  # the folder exists, but is read-only
    with pytest.raises(ArgumentError, match=r"cache_dir .* cannot be written \(Permission denied\)"):
        mnist.fetch_files(tmp_path, ["http://127.0.0.1:9/"], progress=False)
