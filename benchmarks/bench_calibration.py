"""Calibration after balancing: Brier score and ECE with ``output_prior="train"`` and ``"data"``.

Every balancing technique trains the network under a class prior that is not the data's, so
its own probabilities (``output_prior="train"``) overstate the rare classes. With
``output_prior="data"`` the classifier shifts its logits from the effective training prior
(``effective_prior_``) back to the data's class frequencies. This script measures, for each
technique, on a test set distributed like the training data (a stratified split, not a
balanced one):

- the Brier score (mean over rows of the squared distance between the probability vector and
  the one-hot label: the multi-class form, twice the binary one) and the expected
  calibration error (ECE: top-label confidence against accuracy, 15 equal-width bins, Guo et
  al. 2017), with ``"train"`` and with ``"data"``;
- the balanced accuracy with ``output_prior="uniform"`` (balanced decisions), next to the
  ``"train"`` one;
- ``Brier data / none``: the ``"data"`` Brier score over the unbalanced model's. Goal: at
  most 1.10 for every technique with an exact correction (all but focal).

Each row trains the same MLP (one hidden layer of 64 ReLU units, Adam 1e-3, batch 64, 20
epochs) three times, once per ``output_prior`` (the same seed, so the same network: only the
outputs differ). Data sets (synthetic, nothing downloaded), 6,000 rows, half for training,
half (stratified) for testing:

- ``binary_5pct``: ``make_classification``, 10 features (5 informative), 5% positives;
- ``lt4``: ``make_classification``, 4 classes of shares 70/20/7/3%, 10 features (6 informative).

Run: ``KERAS_BACKEND=jax python benchmarks/bench_calibration.py`` (seeds 0 1 2, both data
sets, 8 minutes on the shared 2-core machine under load); ``--seeds``, ``--datasets``,
``--techniques``, ``--quick`` (seed 0, binary only).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.metrics import balanced_accuracy_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skbalance.metrics import brier_score  # noqa: E402  (the multi-class form, one home)

HIDDEN_UNITS = (64,)
EPOCHS = 20
BATCH_SIZE = 64
N_BINS = 15
# Techniques whose correction is not exact (see docs/classifier.md, Calibrated probabilities).
INEXACT = {"focal"}

DATASETS = {
    "binary_5pct": {"n_classes": 2, "weights": [0.95, 0.05], "n_informative": 5},
    "lt4": {"n_classes": 4, "weights": [0.70, 0.20, 0.07, 0.03], "n_informative": 6},
}


def load(name: str, seed: int):
    X, y = make_classification(
        n_samples=6000, n_features=10, n_redundant=2, class_sep=1.0, flip_y=0.01,
        random_state=seed, **DATASETS[name],
    )  # fmt: skip
    return train_test_split(
        X.astype(np.float32), y, test_size=0.5, stratify=y, random_state=seed
    )


def _sampler(name: str):
    from skbalance.sampling import RandomOverSampler, RandomUnderSampler

    return {"over": RandomOverSampler, "under": RandomUnderSampler}[name]()


# name -> (description, KerasBalancedClassifier parameters; "sampler" names a fresh sampler)
TECHNIQUES = {
    "none": ("cross-entropy, no balancing", {}),
    "balanced_weights": ('class_weight="balanced"', {"class_weight": "balanced"}),
    "effective_number": ('class_weight="effective_number"', {"class_weight": "effective_number"}),
    "oversample": ("RandomOverSampler, once", {"sampler": "over", "resample": "once"}),
    "undersample": ("RandomUnderSampler, once", {"sampler": "under", "resample": "once"}),
    "undersample_epoch": ("RandomUnderSampler, per epoch", {"sampler": "under"}),
    "undersample_epoch_steps": (
        "RandomUnderSampler, per epoch, as many steps as none",
        {"sampler": "under", "epochs": "same_steps"},
    ),
    "class_batches": ('batch_sampling="class"', {"batch_sampling": "class"}),
    "logit_adjusted": ('loss="logit_adjusted"', {"loss": "logit_adjusted"}),
    "focal": ('loss="focal" (no exact correction)', {"loss": "focal"}),
}


def expected_calibration_error(y_true: np.ndarray, probabilities: np.ndarray) -> float:
    """Top-label ECE: sum over confidence bins of |accuracy - confidence| times the bin's share."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == y_true
    bins = np.minimum((confidence * N_BINS).astype(int), N_BINS - 1)
    error = 0.0
    for b in np.unique(bins):
        members = bins == b
        error += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(error)


def fit_predict(params: dict, output_prior: str, data, seed: int) -> np.ndarray:
    import warnings

    from skbalance.keras import KerasBalancedClassifier, PriorCorrectionWarning

    X_train, _, y_train, _ = data
    params = {"epochs": EPOCHS, **params}
    if "sampler" in params:
        params["sampler"] = _sampler(params["sampler"])
    if params["epochs"] == "same_steps":
        # An under-sampled epoch has K * n_min rows: scale the epochs so that the network
        # takes as many gradient steps as the unbalanced model (and sees more majority rows).
        counts = np.bincount(y_train)
        params["epochs"] = round(EPOCHS * len(y_train) / (len(counts) * counts.min()))
    clf = KerasBalancedClassifier(
        hidden_units=HIDDEN_UNITS, batch_size=BATCH_SIZE, random_state=seed,
        output_prior=output_prior, **params,
    )  # fmt: skip
    with warnings.catch_warnings():  # focal's warning is the row's "(no exact correction)"
        warnings.simplefilter("ignore", PriorCorrectionWarning)
        clf.fit(X_train, y_train)
    return clf.predict_proba(data[1])


def run_dataset(name: str, seeds: list[int], techniques: list[str]) -> str:
    scores = {t: {k: [] for k in ("brier_train", "brier_data", "ece_train", "ece_data",
                                  "bacc_train", "bacc_uniform")} for t in techniques}  # fmt: skip
    for seed in seeds:
        data = load(name, seed)
        y_test = data[3]
        labels = np.arange(DATASETS[name]["n_classes"])
        for technique in techniques:
            start = time.perf_counter()
            params = TECHNIQUES[technique][1]
            for prior in ("train", "data", "uniform"):
                probabilities = fit_predict(params, prior, data, seed)
                predicted = probabilities.argmax(axis=1)
                row = scores[technique]
                if prior != "uniform":
                    row[f"brier_{prior}"].append(brier_score(y_test, probabilities, labels=labels))
                    row[f"ece_{prior}"].append(expected_calibration_error(y_test, probabilities))
                if prior != "data":
                    row[f"bacc_{prior}"].append(balanced_accuracy_score(y_test, predicted))
            print(
                f"  {name} seed={seed} {technique}: {time.perf_counter() - start:.1f} s",
                file=sys.stderr,
                flush=True,
            )

    reference = np.mean(scores["none"]["brier_train"]) if "none" in scores else None
    lines = [
        f"### {name} ({EPOCHS} epochs, seeds {seeds}; test set distributed like the data)",
        "",
        "| technique | Brier train | Brier data | Brier data / none | ECE train | ECE data "
        "| bal. acc. train | bal. acc. uniform |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for technique in techniques:
        row = {k: float(np.mean(v)) for k, v in scores[technique].items()}
        ratio = "" if reference is None else f"{row['brier_data'] / reference:.2f}"
        lines.append(
            f"| {technique}: {TECHNIQUES[technique][0]} | {row['brier_train']:.4f} | "
            f"{row['brier_data']:.4f} | {ratio} | {row['ece_train']:.3f} | "
            f"{row['ece_data']:.3f} | {100 * row['bacc_train']:.1f} | "
            f"{100 * row['bacc_uniform']:.1f} |"
        )
    if reference is not None:
        exact = [t for t in techniques if t not in INEXACT and t != "none"]
        worst = max(exact, key=lambda t: np.mean(scores[t]["brier_data"]), default=None)
        if worst is not None:
            ratio = np.mean(scores[worst]["brier_data"]) / reference
            verdict = "met" if ratio <= 1.10 else "NOT met"
            lines += [
                "",
                f"Worst exact-correction technique with output_prior=\"data\": {worst}, Brier "
                f"{ratio:.2f}x the unbalanced model's (goal <= 1.10: {verdict}).",
            ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument(
        "--techniques", nargs="+", choices=list(TECHNIQUES), default=list(TECHNIQUES)
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="seed 0, binary_5pct only")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.datasets = [0], ["binary_5pct"]
    print(
        f"MLP hidden {HIDDEN_UNITS}, Adam lr 1e-3, batch {BATCH_SIZE}, {EPOCHS} epochs; "
        f"means over seeds {args.seeds}; Brier: multi-class form (sum over classes).\n"
    )
    for name in args.datasets:
        print(run_dataset(name, args.seeds, args.techniques), flush=True)


if __name__ == "__main__":
    main()
