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
