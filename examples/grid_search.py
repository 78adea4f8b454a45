"""Grid search: which balancing helps on *my* data? Ask GridSearchCV.

The story
---------
A subscription service wants to predict which customers will **churn** (about one in ten).
Should the network use class weights? Focal loss? Under-sample the customers who stay? The
honest answer depends on the data, so let cross-validation decide. Because
:class:`skbalance.keras.KerasBalancedClassifier` is a plain scikit-learn classifier whose
balancing techniques are *parameters*, scikit-learn's ``GridSearchCV`` searches over them like
over any hyper-parameter:

- ``class_weight``: None or ``"balanced"``;
- ``loss``: ``"cross_entropy"`` or ``"focal"``;
- ``sampler``: None or :class:`skbalance.sampling.RandomUnderSampler` (redrawn every epoch from
  the training folds only, never applied to the rows that are scored).

Three scorers are computed for every candidate: balanced accuracy, macro-F1 and the average
precision of "churn". The labels are strings, so the average-precision scorer must be told which
one is positive (``pos_label="churn"``). The search refits the best candidate by balanced
accuracy; the script prints the top rows of ``cv_results_`` and the test-set scores of the
refitted model. (Candidates that differ only in ``class_weight`` tie when they under-sample:
the rows they train on are already balanced, so ``"balanced"`` weights are all 1.)

Run it
------
    python examples/grid_search.py

It takes under a minute on a 2-core CPU (8 candidates x 3 folds, 800 rows, 10 epochs per fit).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # must be set before TensorFlow loads

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, balanced_accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

from skbalance.keras import KerasBalancedClassifier
from skbalance.sampling import RandomUnderSampler

SEED = 0


def main() -> None:
    X, y = make_classification(
        n_samples=1000,
        n_features=10,
        n_informative=5,
        weights=[0.9],
        class_sep=0.8,
        random_state=SEED,
    )
    y = np.where(y == 1, "churn", "stay")
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=SEED
    )
    print(f"training rows: {len(y_train)}, churn: {(y_train == 'churn').mean():.1%}")

    scoring = {
        "balanced_accuracy": "balanced_accuracy",
        "f1_macro": "f1_macro",
        # String labels: say which class the precision-recall curve is about.
        "average_precision": make_scorer(
            average_precision_score, response_method="predict_proba", pos_label="churn"
        ),
    }
    search = GridSearchCV(
        # A higher learning rate than Keras' default: an under-sampled epoch has ~100 rows,
        # and 10 such epochs must be enough gradient steps for a fair comparison.
        KerasBalancedClassifier(
            hidden_units=(32,), epochs=10, learning_rate=0.01, random_state=SEED
        ),
        param_grid={
            "class_weight": [None, "balanced"],
            "loss": ["cross_entropy", "focal"],
            "sampler": [None, RandomUnderSampler(random_state=SEED)],
        },
        scoring=scoring,
        refit="balanced_accuracy",
        cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED),
    )
    search.fit(X_train, y_train)

    results = search.cv_results_
    # results["params"] keeps None as None (the masked param_* columns would show NaN).
    table = pd.DataFrame(
        {
            "class_weight": [str(p["class_weight"]) for p in results["params"]],
            "loss": [p["loss"] for p in results["params"]],
            "sampler": [
                "-" if p["sampler"] is None else type(p["sampler"]).__name__
                for p in results["params"]
            ],
            **{name: np.round(results[f"mean_test_{name}"], 3) for name in scoring},
            "rank": results["rank_test_balanced_accuracy"],
        }
    ).sort_values("rank", kind="stable")
    print("top candidates by cross-validated balanced accuracy:")
    print(table.head(5).to_string(index=False))

    best = search.best_estimator_
    test_scores = {
        "balanced_accuracy": balanced_accuracy_score(y_test, best.predict(X_test)),
        "average_precision": average_precision_score(
            y_test,
            best.predict_proba(X_test)[:, list(best.classes_).index("churn")],
            pos_label="churn",
        ),
    }
    best_params = {k: str(v) for k, v in search.best_params_.items()}
    print(f"best: {best_params}")
    print(
        "refitted best on the test set: "
        + ", ".join(f"{name} {value:.3f}" for name, value in test_scores.items())
    )


if __name__ == "__main__":
    main()
