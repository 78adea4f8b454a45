"""Scale-out: skbalance's estimators under joblib's Dask (and Ray) backends.

A real ``dask.distributed.LocalCluster`` of two worker *processes* is started once for the
module. Every search is run twice, sequentially in this process and on the cluster, with the
same ``random_state``: scikit-learn estimators and resamplers must give equal scores; Keras
fits equal scores up to TensorFlow's float noise (see ``assert_keras_scores_match``). The
fits are tiny (<= 90 rows, 2 epochs); the cost is Keras tracing each fit's
training step and the workers importing TensorFlow once.
"""

import io
import os
import pickle
import sys

import distributed  # a test dependency: a missing install must fail, not skip
import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate

from skbalance.pipeline import make_pipeline
from skbalance.sampling import SMOTE, RandomOverSampler, RandomUnderSampler

SCORES = ("mean_test_score", "split0_test_score", "split1_test_score")


def make_data(n=90, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = np.array(["fraud"] * (n // 5) + ["ok"] * (n - n // 5), dtype=object)
    X[: n // 5, 0] += 1.5
    return X, y


def _worker_state():
    """What a worker process reports about itself (runs on the worker)."""
    return os.getpid(), "tensorflow" in sys.modules, id(sys.modules.get("tensorflow"))


@pytest.fixture(scope="module")
def client():
    # Worker processes inherit the environment: TensorFlow stays quiet there too.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def assert_keras_scores_match(actual, expected):
    """Keras fits on workers match the sequential run up to TensorFlow's float noise.

    Each fit is seeded identically, but Dask's nanny starts workers with
    ``OMP_NUM_THREADS=1`` (and friends) while this process uses every core, and TensorFlow's
    multi-threaded CPU kernels sum in an order that depends on the thread count: seen once
    in a loaded CI-like run, one fold's balanced accuracy moved by 0.007 (one prediction
    flipped). The tolerance allows a flip or two per fold, far below the gaps between the
    strategies compared; scikit-learn estimators are still compared exactly.
    """
    np.testing.assert_allclose(actual, expected, rtol=0, atol=0.05)


def _search(estimator, grid, X, y, backend=None):
    search = GridSearchCV(
        estimator, grid, cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="balanced_accuracy", n_jobs=-1 if backend else None, refit=False,
    )  # fmt: skip
    if backend is None:
        return search.fit(X, y)
    with joblib.parallel_backend(backend):
        return search.fit(X, y)


def test_unfitted_estimators_pickle_small():
    from skbalance.keras import KerasBalancedClassifier

    # What joblib ships to a worker per task: parameters only, no TensorFlow graph state.
    clf = KerasBalancedClassifier(hidden_units=(8,), epochs=2, random_state=0)
    pipe = make_pipeline(RandomUnderSampler(random_state=0), clf)
    assert len(pickle.dumps(clf)) < 2_000
    assert len(pickle.dumps(pipe)) < 4_000
    assert len(pickle.dumps(RandomOverSampler(random_state=0))) < 1_000
    assert _pickled_modules(pickle.dumps(pipe)) <= {
        "skbalance.keras.classifier", "skbalance.pipeline", "skbalance.sampling._random",
        "numpy", "numpy.random", "numpy.random._pickle", "builtins",
    }  # fmt: skip


def _pickled_modules(payload: bytes) -> set:
    """The modules whose objects a pickle refers to (no TensorFlow or Keras object among them)."""
    seen = set()

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            seen.add(module)
            return super().find_class(module, name)

    Recorder(io.BytesIO(payload)).load()
    return seen


def test_grid_search_of_keras_classifier_on_dask_equals_sequential(client):
    from skbalance.keras import KerasBalancedClassifier

    X, y = make_data()
    # A learning rate at which 2 epochs move the predictions whatever the initial weights.
    clf = KerasBalancedClassifier(
        hidden_units=(8,), epochs=2, batch_size=16, learning_rate=0.05, random_state=0
    )
    grid = {"class_weight": [None, "balanced"]}  # 4 fits a search: enough to compare
    sequential = _search(clf, grid, X, y)
    on_dask = _search(clf, grid, X, y, backend="dask")
    for key in SCORES:
        assert_keras_scores_match(on_dask.cv_results_[key], sequential.cv_results_[key])
    assert list(on_dask.cv_results_["params"]) == list(sequential.cv_results_["params"])
    # The weights change the predictions: the equality above is not between constants.
    assert len(set(sequential.cv_results_["mean_test_score"].round(6))) > 1

    # Both workers did the work, each imported TensorFlow once, and keeps it for the next task.
    before = client.run(_worker_state)
    assert len(before) == 2 and all(imported for _, imported, _ in before.values())
    _search(clf, {"loss": ["focal"]}, X, y, backend="dask")
    assert client.run(_worker_state) == before


def test_resamplers_and_pipeline_on_dask_equal_sequential(client):
    X, y = make_data(n=200)
    pipe = make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())
    grid = {
        "randomundersampler": [RandomUnderSampler(random_state=0), SMOTE(random_state=0),
                               RandomOverSampler(random_state=0)],
        "logisticregression__C": [0.01, 1.0],
    }  # fmt: skip
    sequential = _search(pipe, grid, X, y)
    on_dask = _search(pipe, grid, X, y, backend="dask")
    for key in SCORES:
        np.testing.assert_array_equal(on_dask.cv_results_[key], sequential.cv_results_[key])

    # A sampler itself runs on a worker and comes back fitted, with the same draw.
    sampler = RandomUnderSampler(random_state=3)
    X_res, y_res = client.submit(sampler.fit_resample, X, y).result()
    X_ref, y_ref = RandomUnderSampler(random_state=3).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)


def test_pipeline_with_keras_classifier_cross_validates_on_dask(client):
    from skbalance.keras import KerasBalancedClassifier

    X, y = make_data()
    pipe = make_pipeline(
        RandomOverSampler(random_state=0),
        KerasBalancedClassifier(hidden_units=(8,), epochs=2, batch_size=16, random_state=0),
    )
    cv = StratifiedKFold(2, shuffle=True, random_state=1)
    sequential = cross_validate(pipe, X, y, cv=cv, scoring="balanced_accuracy")
    with joblib.parallel_backend("dask"):
        on_dask = cross_validate(pipe, X, y, cv=cv, scoring="balanced_accuracy", n_jobs=-1)
    assert_keras_scores_match(on_dask["test_score"], sequential["test_score"])


def test_compare_strategies_on_dask_equals_sequential(client):
    from skbalance.compare import compare_strategies

    X, y = make_data(n=200)
    kwargs = dict(
        strategies=["none", "balanced_weights"], estimator=LogisticRegression(), cv=2,
        random_state=0,
    )  # fmt: skip
    sequential = compare_strategies(X, y, **kwargs)
    with joblib.parallel_backend("dask"):
        on_dask = compare_strategies(X, y, n_jobs=-1, **kwargs)
    columns = [c for c in sequential.table.columns if "time" not in c]
    assert sequential.table[columns].equals(on_dask.table[columns])


def _houses_csv(path):
    import pandas as pd

    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"price": rng.normal(300, 50, 60), "rooms": rng.randint(1, 6, 60)})
    frame["decision"] = np.where(np.arange(60) < 12, "buy", "skip")
    frame.loc[:11, "price"] -= 60
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_cli_compare_sends_the_fits_to_a_dask_scheduler(client, tmp_path):
    import json

    from skbalance._cli import main

    csv = _houses_csv(tmp_path / "houses.csv")
    common = [
        "compare", str(csv), "--target", "decision", "--strategies", "none,balanced_weights",
        "--epochs", "2", "--cv", "2", "--hidden-units", "8", "--quiet",
    ]  # fmt: skip
    address = client.scheduler.address
    tasks_before = sum(len(log) for log in client.run(_task_log).values())
    assert main([*common, "--json", str(tmp_path / "dask.json"), "--scheduler", address]) == 0
    tasks_after = sum(len(log) for log in client.run(_task_log).values())
    assert tasks_after > tasks_before  # the workers did the fits
    assert main([*common, "--json", str(tmp_path / "local.json")]) == 0

    def scores(name):
        board = json.loads((tmp_path / name).read_text())["leaderboard"]
        return {e["strategy"]: {k: m["folds"] for k, m in e["metrics"].items()} for e in board}

    assert scores("dask.json") == scores("local.json")


def _task_log(dask_worker):
    return list(dask_worker.state.log)


def test_cli_unreachable_scheduler_is_one_line(tmp_path, capfd):
    import dask

    from skbalance._cli import main

    csv = _houses_csv(tmp_path / "houses.csv")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        status = main(
            ["compare", str(csv), "--target", "decision", "--scheduler", "tcp://127.0.0.1:9"]
        )
    assert status == 1
    err = capfd.readouterr().err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_grid_search_on_ray_equals_sequential():
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    from skbalance.keras import KerasBalancedClassifier

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        X, y = make_data()
        clf = KerasBalancedClassifier(hidden_units=(8,), epochs=2, batch_size=16, random_state=0)
        grid = {"class_weight": [None, "balanced"]}  # 4 fits a search: enough to compare
        sequential = _search(clf, grid, X, y)
        on_ray = _search(clf, grid, X, y, backend="ray")
        for key in SCORES:
            assert_keras_scores_match(on_ray.cv_results_[key], sequential.cv_results_[key])
    finally:
        ray.shutdown()


# -- tf.distribute ----------------------------------------------------------------------------

# Logical devices must be configured before TensorFlow initialises its devices, i.e. before
# anything in this process touched TensorFlow: so the strategy runs in a fresh interpreter.
_MIRRORED = r"""
import json, os, pickle
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import numpy as np
from sklearn.base import clone
from skbalance.keras import KerasBalancedClassifier
from skbalance.sampling import RandomUnderSampler

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
rng = np.random.RandomState(0)
X = rng.normal(size=(128, 4)).astype(np.float32)
y = np.where(np.arange(128) < 32, "fraud", "ok")
X[:32, 0] += 1.5
out = {"replicas": strategy.num_replicas_in_sync}
for name, extra in [("array", {"class_weight": "balanced", "loss": "focal"}),
                    ("feed", {"sampler": RandomUnderSampler(), "resample": "epoch"})]:
    params = dict(hidden_units=(8,), epochs=3, batch_size=32, random_state=0, **extra)
    single = KerasBalancedClassifier(**params).fit(X, y)
    mirrored = KerasBalancedClassifier(distribution_strategy=strategy, **params).fit(X, y)
    # Per-replica batches of batch_size (the wrong semantics) train like this one-device run:
    halved = KerasBalancedClassifier(**dict(params, batch_size=16)).fit(X, y)
    out[name] = {
        "variable": type(mirrored.model_.trainable_variables[0].value).__name__,
        "loss": [single.history_["loss"], mirrored.history_["loss"], halved.history_["loss"]],
        "proba": [single.predict_proba(X).tolist(), mirrored.predict_proba(X).tolist()],
    }
twin = clone(mirrored)  # GridSearchCV clones: the strategy is deep-copied and still trains
out["clone_fits"] = twin.fit(X, y).n_iter_
saved = pickle.loads(pickle.dumps(mirrored.set_params(distribution_strategy=None)))
out["pickled_equal"] = bool(np.array_equal(saved.predict_proba(X), mirrored.predict_proba(X)))
print(json.dumps(out))
"""


def test_mirrored_strategy_over_two_logical_cpus_trains_like_one_device():
    import json
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _MIRRORED], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["replicas"] == 2 and out["clone_fits"] == 3 and out["pickled_equal"]
    for name in ("array", "feed"):
        assert out[name]["variable"] == "MirroredVariable", out[name]
        single, mirrored, halved = np.array(out[name]["loss"])
        assert mirrored.shape == (3,) and np.all(np.isfinite(mirrored))
        np.testing.assert_allclose(*out[name]["proba"], atol=0.02)
    # The global batch is split over the replicas and their gradients summed: the same training
    # as on one device, up to float rounding (batch_size divides the rows), and clearly not the
    # training with per-replica batches of batch_size rows.
    single, mirrored, halved = np.array(out["array"]["loss"])
    np.testing.assert_allclose(mirrored, single, rtol=1e-2)
    assert np.abs(mirrored - single).max() < np.abs(halved - single).max() / 3


def test_distribution_strategy_is_checked_before_training():
    import tensorflow as tf

    from skbalance.keras import KerasBalancedClassifier

    X, y = make_data(n=40)
    with pytest.raises(TypeError, match="distribution_strategy must be a tf.distribute.Strategy"):
        KerasBalancedClassifier(distribution_strategy="mirrored", epochs=1).fit(X, y)
    one_device = tf.distribute.OneDeviceStrategy("/cpu:0")
    clf = KerasBalancedClassifier(distribution_strategy=one_device, steps_per_execution=4, epochs=1)
    with pytest.raises(ValueError, match="steps_per_execution=4 .* under a tf.distribute"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


def test_seeded_build_is_reproducible_while_other_threads_use_random():
    # A Dask worker runs fits next to an event loop that draws from Python's `random`; a
    # network's initial weights must not depend on those draws.
    import random
    import threading

    from skbalance.keras._model import build_network

    def weights():
        network, _ = build_network(
            None, input_shape=(4,), n_classes=3, hidden_units=(16, 16), dropout=0.1, seed=7
        )
        return np.concatenate([w.ravel() for w in network.get_weights()])

    reference = weights()
    stop = threading.Event()

    def busy():
        while not stop.is_set():
            random.random()

    thread = threading.Thread(target=busy)
    thread.start()
    try:
        builds = [weights() for _ in range(5)]
    finally:
        stop.set()
        thread.join()
    for built in builds:
        np.testing.assert_array_equal(built, reference)
    # The global sequence of the caller is not reseeded by a build.
    random.seed(123)
    expected = random.Random(123).random()
    weights()
    assert random.random() == expected
