"""The Jupyter settings course.py keeps in .venv: written without clobbering a student's, and valid for the pins.

They keep JupyterLab's start quiet without hiding errors: no news pop-up, kernels whose messages
are encrypted instead of a plain-text warning per kernel, no deprecated-token warning from an
unused extension, no ping-timeout warning per connection.
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course():
    spec = importlib.util.spec_from_file_location("course_under_test", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def settings_in(tmp_path, course, monkeypatch):
    """course.JUPYTER_SETTINGS, with each file moved into tmp_path."""
    moved = {tmp_path / path.name: ours for path, ours in course.JUPYTER_SETTINGS.items()}
    monkeypatch.setattr(course, "JUPYTER_SETTINGS", moved)
    return moved


def test_settings_are_written_and_merged_into_a_students_own(course, settings_in, tmp_path, capsys):
    server_config = tmp_path / "jupyter_server_config.json"
    server_config.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"my_extension": True}},
                                         "FileContentsManager": {"delete_to_trash": False}}))
    broken = tmp_path / "voila.json"
    broken.write_text("{not json")
    course.configure_jupyter()
    written = json.loads(server_config.read_text())
    assert written["ServerApp"]["jpserver_extensions"] == {"my_extension": True, "notebook_shim": False}
    assert written["FileContentsManager"] == {"delete_to_trash": False}
    assert written["KernelManager"] == {"transport_encryption": "auto"}
    assert json.loads((tmp_path / "overrides.json").read_text()) == {
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}
    assert broken.read_text() == "{not json"  # left alone, and said so
    assert "voila.json is not valid JSON" in capsys.readouterr().out
    before = {path: path.stat().st_mtime_ns for path in settings_in if path.exists()}
    course.configure_jupyter()  # nothing to change: no file is rewritten
    assert before == {path: path.stat().st_mtime_ns for path in settings_in if path.exists()}


def test_settings_mean_something_to_the_pinned_jupyter(course):
    """Each setting names a real option of the installed versions (a renamed one would silently do nothing)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from jupyter_server.serverapp import ServerApp

    schema = Path(sys.prefix, "share", "jupyter", "lab", "schemas", "@jupyterlab", "apputils-extension",
                  "notification.json")
    choices = [choice["const"] for choice in json.loads(schema.read_text())["properties"]["fetchNews"]["oneOf"]]
    assert "false" in choices
    assert "auto" in KernelManager.class_traits()["transport_encryption"].values
    python3 = KernelSpecManager().get_kernel_spec("python3")
    assert "curve" in python3.metadata["supported_encryption"]  # so "auto" does encrypt
    import zmq
    assert zmq.has("curve")
    assert {"jpserver_extensions", "tornado_settings"} <= set(ServerApp.class_traits(config=True))
    assert importlib.util.find_spec("notebook_shim") is not None  # the extension it turns off exists
