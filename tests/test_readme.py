"""The README's tour is code users copy: every ``python`` block must run, in order."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


SKIP_MARK = "<!-- skip-tour-test:"


def python_blocks() -> list[str]:
    """The README's python blocks, minus those marked (with the reason) as not for the tour."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"(<!-- skip-tour-test:[^\n]*\n)?```python\n(.*?)```", text, flags=re.S)
    return [code for mark, code in blocks if not mark]


def test_readme_has_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    assert 'pip install -e . && python -m skbalance compare' in text
    assert 'pip install -e ".[test]" && python -m pytest -n 2' in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]" && python -m pytest -n 2' in ci


def test_only_marked_blocks_are_left_out_of_the_tour():
    text = README.read_text(encoding="utf-8")
    assert len(python_blocks()) == text.count("```python") - text.count(SKIP_MARK)


def test_readme_python_blocks_run_in_order(tmp_path):
    blocks = python_blocks()
    assert len(blocks) >= 6
    script = tmp_path / "readme_tour.py"
    # The blocks build on each other (X, y, the classifier), as a reader runs them.
    script.write_text("\n\n".join(blocks) + "\nprint('README TOUR OK')\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if result.returncode != 0:
        pytest.fail(f"README tour failed:\n{result.stderr[-4000:]}")
    assert "README TOUR OK" in result.stdout
