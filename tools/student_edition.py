"""Write the student edition of the course: the notebooks without their worked solutions.

    python3 course.py student            (writes student/, which git ignores)

A worked solution is a code cell tagged ``solution`` (View > Cell Toolbar > Tags in
Jupyter, or the property inspector in JupyterLab).  In the student edition each
such cell becomes a stub that names what to produce and leaves it as ``...``::

    my_answer = ...  # your answer

Checks given ``...`` say "not answered yet" and return, so the student edition
runs top to bottom.  Outputs, execution counts and saved widget state are cleared;
everything else (predictions, facts, checks) is kept as it is.
"""

from __future__ import annotations

import ast
import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAG = "solution"


def is_solution(cell) -> bool:
    return cell.get("cell_type") == "code" and TAG in cell.get("metadata", {}).get("tags", [])


def stub(source: str) -> str:
    """What the student sees instead of a worked solution: each name the solution makes, set to ``...``."""
    tree = ast.parse(source)
    lines = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            lines.append(f"{node.name} = ...  # your {'function' if isinstance(node, ast.FunctionDef) else 'class'}"
                         f" {node.name}({', '.join(a.arg for a in getattr(node, 'args', ast.arguments()).args)})")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and f"{name.id} = ...  # your answer" not in lines:
                        lines.append(f"{name.id} = ...  # your answer")
    return "\n".join(lines) or "# your answer"


def student_notebook(notebook: dict) -> dict:
    """A copy of ``notebook`` with solutions stubbed and outputs cleared."""
    edition = copy.deepcopy(notebook)
    edition.get("metadata", {}).pop("widgets", None)
    for cell in edition["cells"]:
        if cell.get("cell_type") != "code":
            continue
        if is_solution(cell):
            cell["source"] = stub("".join(cell["source"]))
        cell["outputs"] = []
        cell["execution_count"] = None
    return edition


def build(source_dir=ROOT / "notebooks", target_dir=ROOT / "student") -> list:
    """Write the student edition of every notebook of ``source_dir`` into ``target_dir``; return the paths."""
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(Path(source_dir).glob("[0-9][0-9]_*.ipynb")):
        edition = student_notebook(json.loads(path.read_text(encoding="utf-8")))
        out = target_dir / path.name
        out.write_text(json.dumps(edition, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(out)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "student"
    for path in build(target_dir=target):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
