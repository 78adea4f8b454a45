"""The README's tour is code users copy: every ``python`` block must run on its own."""

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
    assert "pip install -e . && python -m skbalance compare" in text
    assert 'pip install -e ".[test]" && python -m pytest -n 2' in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]" && python -m pytest -n 2' in ci


def test_only_marked_blocks_are_left_out_of_the_tour():
    text = README.read_text(encoding="utf-8")
    assert len(python_blocks()) == text.count("```python") - text.count(SKIP_MARK)


def test_readme_python_blocks_each_run_on_their_own(tmp_path):
    """Every block runs alone, in a namespace of its own (a reader may copy any one of them):
    a block that leans on an earlier block's names fails with the NameError a user would see.
    One interpreter runs them all, so the suite pays TensorFlow's import once."""
    blocks = python_blocks()
    assert len(blocks) >= 6
    runner = tmp_path / "readme_blocks.py"
    runner.write_text(
        "import json, sys, traceback\n"
        "blocks = json.loads(sys.stdin.read())\n"
        "for number, code in enumerate(blocks, 1):\n"
        "    try:\n"
        "        exec(compile(code, f'<README block {number}>', 'exec'), {'__name__': 'tour'})\n"
        "    except Exception:\n"
        "        print(f'README block {number} failed on its own:\\n{code}', file=sys.stderr)\n"
        "        traceback.print_exc()\n"
        "        sys.exit(1)\n"
        "print(f'README BLOCKS OK: {len(blocks)}')\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(runner)],
        input=__import__("json").dumps(blocks),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if result.returncode != 0:
        pytest.fail(result.stderr[-4000:])
    assert result.stdout.strip().endswith(f"README BLOCKS OK: {len(blocks)}")


def test_a_block_that_leans_on_another_fails_the_check():
    """The check above must be able to fail: the names of one block are not seen by the next."""
    namespace_a, namespace_b = {"__name__": "tour"}, {"__name__": "tour"}
    exec("x = 1", namespace_a)
    with pytest.raises(NameError, match="'x'"):
        exec("x + 1", namespace_b)
