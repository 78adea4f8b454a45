"""The non-Keras half of skbalance must never pay for importing TensorFlow."""

import subprocess
import sys

import pytest

NON_KERAS_MODULES = [
    "skbalance",
    "skbalance.sampling",
    "skbalance.pipeline",
    "skbalance.weights",
    "skbalance.datasets",
    "skbalance.metrics",
    "skbalance.compare",
    # chooses the command's backend before any backend is imported
    "skbalance._cli_backend",
]


@pytest.mark.parametrize("module", NON_KERAS_MODULES)
def test_module_does_not_import_tensorflow(module):
    code = (
        f"import sys, {module}\n"
        "heavy = sorted(m for m in ('tensorflow', 'keras', 'jax', 'torch') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unknown_top_level_name_is_attribute_error():
    import skbalance

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        skbalance.nope  # noqa: B018


def test_lazy_names_resolve_to_their_home_module():
    import skbalance
    from skbalance.compare import compare_strategies
    from skbalance.pipeline import ResampledClassifier
    from skbalance.weights import compute_class_weight

    assert skbalance.compare_strategies is compare_strategies
    assert skbalance.ResampledClassifier is ResampledClassifier
    assert skbalance.compute_class_weight is compute_class_weight
    assert "KerasBalancedClassifier" in dir(skbalance)


def _run_quietly_configured(level: str, backend: str, code: str):
    import os

    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": level}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )


_TRAIN_ON_TENSORFLOW = (
    "import os, sys, numpy as np\n"
    "from skbalance.keras import KerasBalancedClassifier\n"
    "X = np.random.RandomState(0).normal(size=(40, 3)).astype('float32')\n"
    "y = np.r_[np.zeros(30, int), np.ones(10, int)]\n"
    "KerasBalancedClassifier(hidden_units=(4,), epochs=1, random_state=0).fit(X, y).predict(X)\n"
    "assert 'tensorflow' in sys.modules\n"
    "os.write(2, b'stderr works\\n')\n"
    "import warnings; warnings.warn('a user warning')\n"
)


def test_tensorflow_start_up_lines_are_silenced_when_the_user_asks_for_quiet():
    """TF 2.21 prints its oneDNN / CUDA-probe lines before Abseil logging starts, past
    TF_CPP_MIN_LOG_LEVEL; under level 3 (the command's and the examples' setting) a whole fit
    on TensorFlow writes nothing to stderr but what the program itself writes afterwards."""
    out = _run_quietly_configured("3", "tensorflow", _TRAIN_ON_TENSORFLOW)
    assert out.returncode == 0, out.stderr
    lines = out.stderr.splitlines()
    assert lines[0] == "stderr works"
    assert lines[1] == "<string>:8: UserWarning: a user warning" and len(lines) == 2


def test_tensorflow_start_up_is_left_alone_when_the_user_wants_its_logs():
    code = (
        "import skbalance.keras, os, sys; os.write(2, b'after\\n'); "
        "print(sys.modules['tensorflow'] is not None)"
    )
    out = _run_quietly_configured("0", "tensorflow", code)
    assert out.returncode == 0 and out.stdout.strip() == "True"
    # TensorFlow's own start-up lines come before ours: nothing was redirected.
    assert out.stderr.splitlines()[-1] == "after" and len(out.stderr.splitlines()) > 1
