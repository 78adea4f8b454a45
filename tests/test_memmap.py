"""Data larger than memory: the random samplers and BalancedDataset on ``np.memmap`` input.

Memory is measured with ``tracemalloc`` (NumPy reports its buffers to it). Pages of a memmap
read from the file are not Python allocations, so a peak near the *output* size shows that no
copy of the input was made. The bounds allow the O(n_samples) label arrays (labels, codes,
indices: at most 8 bytes each per row, three of them) plus 1 MB of slack.
"""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skbalance.sampling import RandomOverSampler, RandomUnderSampler, _containers

N_ROWS, N_FEATURES = 100_000, 128  # 51 MB of float32
LABEL_BYTES = 3 * 8 * N_ROWS + 1_000_000


@pytest.fixture(scope="module")
def memmapped(tmp_path_factory):
    path = tmp_path_factory.mktemp("memmap") / "X.npy"
    rng = np.random.default_rng(0)
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(N_ROWS, N_FEATURES))
    for start in range(0, N_ROWS, 10_000):
        X[start : start + 10_000] = rng.normal(size=(10_000, N_FEATURES))
    X.flush()
    del X
    y = np.zeros(N_ROWS, dtype=np.int64)
    y[rng.choice(N_ROWS, size=1_000, replace=False)] = 1
    return np.load(path, mmap_mode="r"), y


def _peak(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(random_state=0),
        RandomUnderSampler(random_state=0, replacement=True),
        RandomOverSampler(random_state=0, sampling_strategy=0.05),
        RandomOverSampler(random_state=0, sampling_strategy=0.05, method="bootstrap"),
    ],
    ids=["under", "under-replacement", "over", "over-bootstrap"],
)
def test_random_samplers_materialise_only_their_output(memmapped, sampler):
    X, y = memmapped
    (X_res, y_res), peak = _peak(lambda: sampler.fit_resample(X, y))
    assert type(X_res) is np.ndarray and X_res.dtype == np.float32
    assert peak <= X_res.nbytes + LABEL_BYTES, (peak, X_res.nbytes)
    # The same draw as on an in-memory copy of X.
    X_mem = np.array(X)
    X_ref, y_ref = type(sampler)(**sampler.get_params()).fit_resample(X_mem, y)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)
    np.testing.assert_array_equal(X_res, X_mem[sampler.sample_indices_])


@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(random_state=1),
        RandomOverSampler(random_state=1, sampling_strategy=0.05),
        RandomOverSampler(random_state=1, sampling_strategy=0.05, shrinkage=0.5),
    ],
    ids=["under", "over", "over-shrinkage"],
)
def test_indices_read_no_feature_values_into_memory(memmapped, sampler):
    X, y = memmapped
    indices, peak = _peak(lambda: sampler.fit_resample_indices(X, y))
    # Without shrinkage X's values are never read; with it, the noisy copies (output) are made
    # and finiteness is checked in slices of a few MB.
    synthetic = len(indices) - N_ROWS if sampler.get_params().get("shrinkage") else 0
    bound = LABEL_BYTES + max(synthetic, 0) * N_FEATURES * 8 * 3 + 5 * 2**20
    assert peak <= bound, (peak, bound)
    if not synthetic:
        assert peak < X.nbytes / 20
    X_res, _ = type(sampler)(**sampler.get_params()).fit_resample(X, y)
    if not sampler.get_params().get("shrinkage"):
        np.testing.assert_array_equal(X[indices], X_res)


def test_finiteness_of_a_memmap_is_checked_in_slices(memmapped, tmp_path):
    X, y = memmapped
    bad = np.lib.format.open_memmap(
        tmp_path / "bad.npy", mode="w+", dtype=np.float32, shape=X.shape
    )
    bad[:] = X
    bad[77_777, 5] = np.nan
    bad.flush()
    bad = np.load(tmp_path / "bad.npy", mmap_mode="r")
    sampler = RandomOverSampler(random_state=0, shrinkage=1.0)
    with pytest.raises(ValueError, match="NaN or infinity \\(first in row 77777\\)"):
        _peak(lambda: sampler.fit_resample(bad, y))
    _, peak = _peak(lambda: _containers._first_non_finite_row(bad))
    assert peak < X.nbytes / 8  # a boolean copy of the whole array would be X.nbytes / 4


@given(
    n_rows=st.integers(1, 60),
    n_features=st.integers(1, 5),
    chunk=st.integers(1, 40),
    bad=st.sets(st.tuples(st.integers(0, 59), st.integers(0, 4)), max_size=4),
    value=st.sampled_from([np.nan, np.inf, -np.inf]),
)
def test_first_non_finite_row_matches_a_whole_array_check(n_rows, n_features, chunk, bad, value):
    matrix = np.zeros((n_rows, n_features))
    for row, column in bad:
        if row < n_rows and column < n_features:
            matrix[row, column] = value
    rows_bad = np.flatnonzero(~np.isfinite(matrix).all(axis=1))
    expected = int(rows_bad[0]) if rows_bad.size else None
    saved = _containers._FINITE_CHUNK
    _containers._FINITE_CHUNK = chunk  # values per slice: exercise every slice boundary
    try:
        assert _containers._first_non_finite_row(matrix) == expected
    finally:
        _containers._FINITE_CHUNK = saved


def test_balanced_dataset_serves_a_memmap_by_index(memmapped):
    from skbalance.keras import BalancedDataset

    X, y = memmapped

    def one_epoch():
        feed = BalancedDataset(X, y, sampler=RandomUnderSampler(), batch_size=256, random_state=0)
        biggest = 0
        for index in range(len(feed)):
            x_batch, _ = feed[index]
            biggest = max(biggest, x_batch.nbytes)
        return feed, biggest

    (feed, biggest), peak = _peak(one_epoch)
    assert feed.rows_per_epoch_ == 2_000 and biggest == 256 * N_FEATURES * 4
    assert peak <= LABEL_BYTES + 4 * biggest
    rows = feed.epoch_indices_[:256]
    x_batch, y_batch = feed[0]
    np.testing.assert_array_equal(x_batch, X[rows])
    np.testing.assert_array_equal(feed.classes_[y_batch], y[rows])


@pytest.mark.parametrize("per_epoch", [False, True], ids=["array-feed", "epoch-feed"])
def test_classifier_fits_a_memmap_as_it_fits_the_array(tmp_path, monkeypatch, per_epoch):
    import keras

    import skbalance.keras._serving as serving
    from skbalance.keras import KerasBalancedClassifier

    rng = np.random.RandomState(0)
    X_mem = rng.normal(size=(600, 6)).astype(np.float32)
    y = np.where(np.arange(600) % 5 == 0, "fraud", "ok")
    X_mem[y == "fraud", 0] += 1.5
    np.save(tmp_path / "X.npy", X_mem)
    X_map = np.load(tmp_path / "X.npy", mmap_mode="r")
    extra = {"sampler": RandomUnderSampler(), "resample": "epoch"} if per_epoch else {}
    params = dict(hidden_units=(8,), epochs=2, batch_size=64, random_state=0, **extra)

    reads = []  # rows read from the file by each call, on every backend's data path
    real_read_rows = serving.read_rows

    def spy_read(X, rows, synthetic=None):
        if serving.is_file_backed(X):
            reads.append(len(rows))
        return real_read_rows(X, rows, synthetic)

    monkeypatch.setattr(serving, "read_rows", spy_read)
    converted = []
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        real_convert = tf.convert_to_tensor

        def spy_convert(value, *args, **kwargs):
            converted.append(tuple(getattr(value, "shape", ())))
            return real_convert(value, *args, **kwargs)

        monkeypatch.setattr(tf, "convert_to_tensor", spy_convert)
    from_file = KerasBalancedClassifier(**params).fit(X_map, y)
    assert X_map.shape not in converted  # never one tensor holding the whole file
    assert reads and max(reads) <= 64  # read batch by batch, never whole
    monkeypatch.undo()
    from_ram = KerasBalancedClassifier(**params).fit(X_mem, y)
    assert from_file.history_ == from_ram.history_
    np.testing.assert_array_equal(from_file.predict_proba(X_mem), from_ram.predict_proba(X_mem))
