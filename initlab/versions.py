"""The setup check's verdict: are numpy, matplotlib and ipywidgets the versions the course pins?

The stored outputs of the notebooks were made with the exact versions in
``requirements.txt``; ``python3 course.py lab`` installs those.  Another version
runs the course just as well, but a printed number may differ in its last digits
(and strict nbval, which compares outputs exactly, then fails).  ``report`` says
which case a student is in::

    from initlab import versions
    print(versions.report("../requirements.txt"))   # from the notebooks/ folder
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["LIBRARIES", "pinned", "installed", "report"]

#: The libraries initlab imports: the ones whose version can change what a notebook shows.
LIBRARIES = ("numpy", "matplotlib", "ipywidgets")


def pinned(requirements) -> dict:
    """{name: version} of the exact pins ``name==version`` in a requirements file."""
    text = Path(requirements).read_text(encoding="utf-8")
    return {name.lower(): pin for name, pin in re.findall(r"^\s*([A-Za-z0-9_.\-]+)==([^\s#;]+)", text, re.MULTILINE)}


def installed(names=LIBRARIES) -> dict:
    """{name: installed version, or None if it is not installed}."""
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def report(requirements="requirements.txt") -> str:
    """One line if ``LIBRARIES`` are installed at the versions ``requirements`` pins; else one line per difference.

    A requirements file that cannot be read is said so, with the installed versions.
    """
    have = installed()
    try:
        pins = pinned(requirements)
    except OSError as error:
        listing = ", ".join(f"{name} {have[name]}" for name in LIBRARIES)
        return f"Cannot read the course's pins ({error.strerror}: {requirements}); installed: {listing}."
    differences = []
    for name in LIBRARIES:
        if name not in pins:
            differences.append(f"{requirements} does not pin {name} (installed: {have[name]}).")
        elif have[name] is None:
            differences.append(f"{name} is not installed; the course pins {pins[name]}: run python3 course.py setup.")
        elif have[name] != pins[name]:
            differences.append(f"{name} {have[name]} is installed, the course pins {pins[name]}: the notebooks run, "
                               "but printed numbers may differ in the last digits from the stored outputs.")
    if not differences:
        return (f"{', '.join(LIBRARIES[:-1])} and {LIBRARIES[-1]} are the versions the course pins "
                "(requirements.txt): your outputs will match the stored ones.")
    return "\n".join(differences)
