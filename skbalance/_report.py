"""The result of :func:`skbalance.compare.compare_strategies`: leaderboard, JSON and plot."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from skbalance._presets import BASELINE as _REFERENCE
from skbalance._snippet import estimator_code
from skbalance._verdict import GROUP_RULE, best_group, clearly_above
from skbalance.metrics import LOWER_IS_BETTER

__all__ = ["ComparisonResult"]

_BASELINE = "none"
# Column headers of the metrics whose names are too long for the table (one place).
# Fewer held-out rows of the class of interest than this: the verdict says the hold-out
# score is a rough check (each row moves that class's recall by 1/n).
FEW_HELD_OUT = 5
_DISPLAY_NAMES = {"brier_score_data_prior": "Brier ↓", "log_loss_data_prior": "log-loss ↓"}


def _plain(value):
    """A JSON-friendly Python scalar for a NumPy scalar or a label."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@dataclass
class ComparisonResult:
    """What :func:`~skbalance.compare.compare_strategies` found.

    Attributes
    ----------
    table : DataFrame
        The leaderboard, one row per strategy (index), best first by ``primary_metric``:
        ``<metric>_mean`` and ``<metric>_std`` over folds for every metric, ``fit_time_mean``
        and ``fit_time_std`` (seconds per fit), and ``description``.
    fold_scores : DataFrame
        Every metric, fit and score time for every (strategy, fold).
    per_class_recall : DataFrame
        Mean recall of every class (columns) for every strategy (rows, leaderboard order);
        for a multi-label target, of every label.
    primary_metric : str
        The metric that ranks the leaderboard (the first in ``scoring``).
    best_ : str
        The strategy with the highest mean score (exact ties: the simpler one first).
    best_group_ : list of str
        The strategies statistically indistinguishable from ``best_`` by ``group_rule_``
        (paired fold differences, one corrected standard error), best first.
    group_table_ : DataFrame
        For every strategy: ``mean_difference`` to the best, its corrected
        ``standard_error`` and ``in_group``.
    recommended_ : str or None
        The simplest strategy of the best group (``simplicity`` order), 'none' only when its
        recall of the class of interest is not clearly worse; None when one strategy ran.
    simplicity : list of str
        The strategies, simplest first (the presets' order, or the order you gave yours).
    classes, positive_label, n_splits, n_repeats
        The classes of ``y``, the class of interest, the number of folds and of their repeats
        (``fold_scores`` holds ``n_splits * n_repeats`` folds per strategy). For a
        multi-label (indicator) target: the labels' names, None, folds and repeats.
    holdout_ : dict or None
        The recommended strategy refit on the compared rows and scored on the rows held out:
        ``strategy``, ``fraction``, ``n_rows``, ``rows`` (their positions in ``X``),
        ``n_focus_rows`` (of the class of interest; for a multi-label target, positive rows of
        the rarest label there) and ``scores`` (metric -> score). None without a
        hold-out; ``holdout_note`` then says why, when "auto" found the data too small.
    best_estimator_ : estimator or None
        The recommended strategy fitted on all rows (``refit=True``).
    snippet : str
        Python code that builds the recommended strategy's classifier.
    rare_labels : list or None
        For a multi-label target, the labels with the fewest positive rows, rarest first,
        whose recall the leaderboard shows; None for one label per row.
    skipped, failures : dict
        Presets that were not offered (name -> why) and strategies that raised (name -> error).
    estimators : dict
        Every strategy's configured, unfitted estimator (name -> estimator): fit
        ``result.estimators[result.best_]`` on all your data to use the winner.
    oof_proba : dict
        With ``keep_probabilities=True``: every strategy's out-of-fold probabilities under
        the data prior (name -> array of shape (n_samples, n_classes or n_labels), columns in
        ``classes`` order), strategies without ``predict_proba`` left out; else empty.
    oof_target : ndarray or None
        The ``y`` those probabilities are for (with ``keep_probabilities=True``).
    """

    table: pd.DataFrame
    fold_scores: pd.DataFrame
    per_class_recall: pd.DataFrame
    metrics: list
    classes: np.ndarray
    positive_label: object
    n_splits: int
    skipped: dict = field(default_factory=dict)
    failures: dict = field(default_factory=dict)
    estimators: dict = field(default_factory=dict)
    rare_labels: list | None = None
    oof_proba: dict = field(default_factory=dict)
    oof_target: np.ndarray | None = None
    n_repeats: int = 1
    test_train_ratio: float = 0.0  # mean test / training rows of the folds (for the rule)
    simplicity: list = field(default_factory=list)
    holdout_: dict | None = None
    holdout_note: str | None = None
    best_estimator_: object = None

    @property
    def multilabel(self) -> bool:
        """Whether ``y`` was a multi-label indicator matrix."""
        return self.rare_labels is not None

    @classmethod
    def from_folds(
        cls,
        folds,
        *,
        metrics,
        classes,
        positive_label,
        descriptions,
        skipped,
        failures,
        n_splits,
        estimators,
        rare_labels=None,
        n_repeats=1,
        test_train_ratio=0.0,
        simplicity=None,
    ):
        grouped = folds.groupby("strategy", sort=False)
        simplicity = list(simplicity if simplicity is not None else grouped.groups)
        columns = {}
        for metric in [*metrics, "fit_time"]:
            columns[f"{metric}_mean"] = grouped[metric].mean()
            columns[f"{metric}_std"] = grouped[metric].std(ddof=0)
        table = pd.DataFrame(columns)
        table["description"] = [descriptions[name] for name in table.index]
        # Exact ties of the mean: the simpler strategy first (the verdict says so).
        rank = {name: i for i, name in enumerate(simplicity)}
        table["_simplicity"] = [rank.get(name, len(rank)) for name in table.index]
        table = table.sort_values(
            [f"{metrics[0]}_mean", "_simplicity"],
            ascending=[metrics[0] in LOWER_IS_BETTER, True],
            kind="stable",
        ).drop(columns="_simplicity")
        table.index.name = "strategy"

        recall_columns = [f"_recall_{i}" for i in range(len(classes))]
        per_class = grouped[recall_columns].mean().loc[table.index]
        per_class.columns = pd.Index(
            list(classes), name="class" if rare_labels is None else "label"
        )
        fold_scores = folds.drop(columns=recall_columns).set_index(["strategy", "fold"])
        return cls(
            table=table,
            fold_scores=fold_scores,
            per_class_recall=per_class,
            metrics=list(metrics),
            classes=np.asarray(classes),
            positive_label=positive_label,
            n_splits=n_splits,
            skipped=dict(skipped),
            failures=dict(failures),
            estimators=dict(estimators),
            rare_labels=None if rare_labels is None else list(rare_labels),
            n_repeats=int(n_repeats),
            test_train_ratio=float(test_train_ratio),
            simplicity=simplicity,
        )

    @property
    def primary_metric(self) -> str:
        return self.metrics[0]

    @property
    def best_(self) -> str:
        return str(self.table.index[0])

    def fold_table(self, metric: str | None = None) -> pd.DataFrame:
        """One column per strategy (leaderboard order), one row per fold: ``metric``'s scores
        (default: the primary metric). The folds are paired: row k is the same split."""
        metric = metric or self.primary_metric
        return self.fold_scores[metric].unstack(level="strategy")[list(self.table.index)]

    @property
    def group_rule_(self) -> str:
        return GROUP_RULE

    @property
    def group_table_(self) -> pd.DataFrame:
        scores = self.fold_table()
        if self.primary_metric in LOWER_IS_BETTER:  # the rule reads "higher is better"
            scores = -scores
        return best_group(scores, list(self.table.index), self.test_train_ratio)

    @property
    def best_group_(self) -> list:
        group = self.group_table_
        return [str(name) for name in group.index[group["in_group"].to_numpy(dtype=bool)]]

    def _simpler(self, names) -> list:
        rank = {name: i for i, name in enumerate(self.simplicity)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))

    @property
    def _focus(self) -> tuple[object, str]:
        """``(class or label, its recall column in fold_scores)``: the positive class, or the
        rarest label of an indicator target."""
        label = self.rare_labels[0] if self.multilabel else self.positive_label
        return label, f"recall[{label}]"

    def _recall_above(self, name: str, other: str) -> bool:
        _, column = self._focus
        recall = self.fold_table(column)
        return clearly_above(recall[name], recall[other], self.test_train_ratio)

    @property
    def _balancers_above_none(self) -> list:
        """Strategies of the best group whose focus recall is clearly above 'none''s."""
        if _BASELINE not in self.best_group_:
            return []
        return [
            name
            for name in self.best_group_
            if name != _BASELINE and self._recall_above(name, _BASELINE)
        ]

    @property
    def recommended_(self) -> str | None:
        if len(self.table) < 2:
            return None
        group = self.best_group_
        if _BASELINE in group:
            above = self._balancers_above_none
            if not above:
                return _BASELINE
            group = above
        networks = [name for name in group if name != _REFERENCE]
        return self._simpler(networks or group)[0]

    @property
    def ties_(self) -> list:
        """Groups of strategies with exactly the same mean score, each in leaderboard order."""
        means = self.table[f"{self.primary_metric}_mean"]
        return [
            [str(name) for name in names]
            for _, names in means.groupby(means, sort=False).groups.items()
            if len(names) > 1
        ]

    def _score(self, name: str) -> str:
        row, metric = self.table.loc[name], self.primary_metric
        return f"{metric} {row[f'{metric}_mean']:.3f} ± {row[f'{metric}_std']:.3f}"

    def _recall_text(self, name: str) -> str:
        if self.multilabel:  # ``recall of the rarest labels: 'c': 0.500 (none: 0.100), ...``
            parts = []
            for label in self.rare_labels:
                part = f"{label!r}: {self.per_class_recall.loc[name, label]:.3f}"
                if _BASELINE in self.table.index and name != _BASELINE:
                    part += f" (none: {self.per_class_recall.loc[_BASELINE, label]:.3f})"
                parts.append(part)
            return "recall of the rarest labels: " + ", ".join(parts)
        label, _ = self._focus
        what = "label" if self.multilabel else "class"
        text = f"recall of {what} {label!r}: {self.per_class_recall.loc[name, label]:.3f}"
        if _BASELINE in self.table.index and name != _BASELINE:
            text += f" (none: {self.per_class_recall.loc[_BASELINE, label]:.3f})"
        return text

    @property
    def recommendation(self) -> str:
        """The verdict: the best group, the strategy to use and why, what it trades."""
        folds = f"{self.n_splits * self.n_repeats} paired folds"
        if self.n_repeats > 1:
            folds += f" ({self.n_splits} folds x {self.n_repeats} repeats)"
        if len(self.table) < 2:
            name = self.best_
            return (
                f"One strategy ran ('{name}'): nothing to compare it with, so no verdict. "
                f"{self._score(name)} over {folds}; {self._recall_text(name)}."
            )
        metric, group, chosen = self.primary_metric, self.best_group_, self.recommended_
        lines = []
        members = ", ".join(f"'{name}'" for name in group)
        if len(group) == 1:
            lines.append(
                f"'{group[0]}' is best on {metric}, clearly ahead of every other strategy "
                f"over {folds}."
            )
        else:
            lines.append(
                f"{len(group)} strategies cannot be told apart from the best on {metric} "
                f"over {folds} (within one corrected standard error of the paired "
                f"differences): {members}."
            )
        for tie in self.ties_:
            same = self.fold_table()[tie]
            kind = "fold scores" if (same.nunique(axis=1) == 1).all() else "mean scores"
            lines.append(
                f"{' and '.join(map(repr, tie))} have identical {kind}: ranked by simplicity."
            )
        label, _ = self._focus
        what = "label" if self.multilabel else "class"
        if chosen == _BASELINE:
            line = (
                f"No balancing needed: plain training ('none') is in the best group "
                f"({self._score(_BASELINE)}), and its recall of {what} {label!r} "
                f"({self.per_class_recall.loc[_BASELINE, label]:.3f}) is not clearly below "
                "the others' in the group."
            )
            higher = [
                name
                for name in self.table.index
                if name != _BASELINE and self._recall_above(name, _BASELINE)
            ]
            if higher:
                top = max(higher, key=lambda name: self.per_class_recall.loc[name, label])
                cost = (
                    self.table.loc[top, f"{metric}_mean"]
                    - self.table.loc[_BASELINE, f"{metric}_mean"]
                )
                line += (
                    f" If {what} {label!r} matters most: '{top}' raises its recall to "
                    f"{self.per_class_recall.loc[top, label]:.3f} for {cost:+.3f} {metric}."
                )
            lines.append(line)
        else:
            row = self.table.loc[chosen]
            if _BASELINE in group:
                reason = (
                    f"'none' is in the best group too, but its recall of {what} {label!r} is "
                    "clearly lower; of the strategies that raise it, this is the simplest"
                )
            elif chosen == _REFERENCE:
                reason = "the linear reference alone is best: a network is not worth it here"
            elif len(group) == 1:
                reason = "the best"
            else:
                reason = "the simplest strategy of the best group"
            line = f"Use '{chosen}' ({row['description']}): {self._score(chosen)}"
            if _BASELINE in self.table.index:
                gain = row[f"{metric}_mean"] - self.table.loc[_BASELINE, f"{metric}_mean"]
                if metric in LOWER_IS_BETTER:
                    line += f", {gain:+.3f} against no balancing (lower is better)"
                else:
                    line += f", {gain:+.3f} over no balancing"
            lines.append(line + f"; {self._recall_text(chosen)}. Why: {reason}.")
        if _REFERENCE in group and chosen != _REFERENCE:
            lines.append(
                f"The linear reference '{_REFERENCE}' (LogisticRegression(class_weight="
                "'balanced') on the same preprocessing) is in the best group too: a linear "
                "model does as well here, at a fraction of the cost."
            )
        if self.holdout_ is not None:
            held = self.holdout_
            cv_score = self.table.loc[held["strategy"], f"{metric}_mean"]
            score = held["scores"][metric]
            lines.append(
                f"Held-out estimate: '{held['strategy']}' refit on the compared rows scores "
                f"{metric} {score:.3f} on {held['n_rows']} rows held out of the comparison "
                f"({held['fraction']:.0%}, {held['n_focus_rows']} of {what} {label!r}; CV: "
                f"{cv_score:.3f}, {score - cv_score:+.3f})."
            )
            few = held["n_focus_rows"]
            if few < FEW_HELD_OUT:
                lines.append(
                    f"With {few} held-out row{'s' if few != 1 else ''} of {what} {label!r}, its "
                    f"recall there moves in steps of {1 / max(few, 1):.0%}: read the held-out "
                    "score as a rough check, not a precise estimate (more rows, or "
                    "--holdout 0.3, make it steadier)."
                )
        elif self.holdout_note:
            lines.append(self.holdout_note[0].upper() + self.holdout_note[1:] + ".")
        return " ".join(lines)

    @property
    def snippet(self) -> str:
        """Python code that builds the recommended strategy's classifier (the last step of its
        pipeline; ``best_estimator_`` and ``--save`` hold the preprocessing too)."""
        name = self.recommended_ or self.best_
        estimator = self.estimators[name]
        while hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        return estimator_code(estimator)

    def display_table(self) -> pd.DataFrame:
        """The leaderboard as text cells: ``mean ± std`` per metric and the fit time.

        The calibration metrics are headed ``Brier ↓`` and ``log-loss ↓`` (lower is better);
        ``n/a`` where a strategy has no ``predict_proba``.
        """
        shown = pd.DataFrame(index=self.table.index)
        for metric in self.metrics:
            mean, std = self.table[f"{metric}_mean"], self.table[f"{metric}_std"]
            shown[_DISPLAY_NAMES.get(metric, metric)] = [
                f"{m:.3f} ± {s:.3f}" if np.isfinite(m) else "n/a"
                for m, s in zip(mean, std, strict=True)
            ]
        shown["fit time (s)"] = [f"{t:.1f}" for t in self.table["fit_time_mean"]]
        return shown

    def to_dict(self) -> dict:
        """The leaderboard as plain JSON-serialisable data (what ``--json`` writes)."""
        leaderboard = []
        for rank, (name, row) in enumerate(self.table.iterrows(), start=1):
            folds = self.fold_scores.loc[name]
            leaderboard.append(
                {
                    "rank": rank,
                    "strategy": name,
                    "description": row["description"],
                    "metrics": {
                        metric: {
                            "mean": _plain(row[f"{metric}_mean"]),
                            "std": _plain(row[f"{metric}_std"]),
                            "folds": [_plain(v) for v in folds[metric]],
                        }
                        for metric in self.metrics
                    },
                    "fit_time": {
                        "mean": _plain(row["fit_time_mean"]),
                        "std": _plain(row["fit_time_std"]),
                    },
                    "per_class_recall": {
                        str(_plain(label)): _plain(value)
                        for label, value in self.per_class_recall.loc[name].items()
                    },
                }
            )
        return {
            "primary_metric": self.primary_metric,
            "lower_is_better": [m for m in self.metrics if m in LOWER_IS_BETTER],
            "best": self.best_,
            "best_group": self.best_group_,
            "group_rule": self.group_rule_,
            "recommended": self.recommended_,
            "recommendation": self.recommendation,
            "holdout": None
            if self.holdout_ is None
            else {
                **{key: value for key, value in self.holdout_.items() if key != "rows"},
                "cv_score": _plain(
                    self.table.loc[self.holdout_["strategy"], f"{self.primary_metric}_mean"]
                ),
            },
            "holdout_note": self.holdout_note,
            "snippet": self.snippet,
            "n_repeats": self.n_repeats,
            "classes": [_plain(c) for c in self.classes],
            "positive_label": _plain(self.positive_label),
            "multilabel": self.multilabel,
            "rare_labels": [_plain(label) for label in self.rare_labels or []],
            "n_splits": self.n_splits,
            "leaderboard": leaderboard,
            "skipped": dict(self.skipped),
            "failures": dict(self.failures),
        }

    def plot(self, path=None):
        """Bar chart of the metrics (mean ± std), a per-class recall heat map and, with
        out-of-fold probabilities, a reliability diagram.

        The bars show the metrics where higher is better (the calibration metrics, on another
        scale, are in the reliability diagram's legend). The reliability diagram (only with
        ``compare_strategies(..., keep_probabilities=True)``, as ``--plot`` does) draws the
        best strategy and ``'none'`` (when it was run): the out-of-fold probabilities under
        the data prior against the observed frequency, in 10 equal-width bins
        (``sklearn.calibration.calibration_curve``), for the probabilities that the Brier
        score squares (see :meth:`reliability_data`). A calibrated model follows the diagonal.

        Needs matplotlib (``pip install 'skbalance[plot]'``). Returns the figure; with ``path``
        it is also saved there (PNG, SVG or PDF by the file's extension).
        """
        try:
            import matplotlib

            if path is not None:
                matplotlib.use("Agg")  # no display needed to write a file
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError(
                "plotting needs matplotlib, an optional dependency: "
                "pip install 'skbalance[plot]' (or pip install matplotlib)"
            ) from None
        names = list(self.table.index)
        n_classes = len(self.classes)
        curves = self._reliability_names()
        widths = [1.2, max(1.0, 0.12 * n_classes)] + ([1.0] if curves else [])
        fig, axes = plt.subplots(
            1,
            len(widths),
            figsize=(
                7 + 0.5 * len(names) + 0.4 * n_classes + (4 if curves else 0),
                max(2.2 + 0.45 * len(names), 4.0 if curves else 0.0),
            ),
            gridspec_kw={"width_ratios": widths},
        )
        bars, heat = axes[:2]
        if curves:
            self._plot_reliability(axes[2], curves)
        metrics = [m for m in self.metrics if m not in LOWER_IS_BETTER] or self.metrics
        height = 0.8 / len(metrics)
        positions = np.arange(len(names))
        for i, metric in enumerate(metrics):
            bars.barh(
                positions + i * height - 0.4 + height / 2,
                self.table[f"{metric}_mean"],
                height=height,
                xerr=self.table[f"{metric}_std"],
                label=metric,
                capsize=2,
            )
        bars.set_yticks(positions, names)
        bars.invert_yaxis()
        bars.set_xlabel(f"score (mean ± std over {self.n_splits * self.n_repeats} folds)")
        bars.set_xlim(0, 1.05)
        bars.legend(
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=min(3, len(metrics)),
            fontsize="small",
            frameon=False,
        )
        image = heat.imshow(self.per_class_recall.to_numpy(), vmin=0, vmax=1, cmap="viridis")
        heat.set_xticks(range(n_classes), [str(c) for c in self.classes], rotation=90)
        heat.set_yticks(positions, names)
        heat.set_title("recall per label" if self.multilabel else "recall per class")
        fig.colorbar(image, ax=heat, fraction=0.046)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
            plt.close(fig)
        return fig

    def _reliability_names(self) -> list:
        """The strategies of the reliability diagram: the best, and 'none' when it was run."""
        names = [self.best_]
        if _BASELINE in self.table.index and self.best_ != _BASELINE:
            names.append(_BASELINE)
        return [name for name in names if name in self.oof_proba]

    def reliability_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(probabilities, outcomes)`` that the reliability diagram bins for ``name``.

        Two classes: the out-of-fold probability of ``positive_label`` and whether the row is
        of that class. More classes: every (row, class) pair pooled, one-vs-rest (one curve
        instead of one per class; a rare class alone has too few rows to bin). An indicator
        target: every (row, label) pooled. These are the pairs whose squared differences the
        Brier score averages. Rows that no test fold predicted are left out. Needs
        ``keep_probabilities=True``.
        """
        proba = self.oof_proba[name]
        target = np.asarray(self.oof_target)
        if self.multilabel:
            outcome = target.astype(np.float64)
        elif len(self.classes) == 2:
            proba = proba[:, self.classes.tolist().index(self.positive_label)]
            outcome = (target == self.positive_label).astype(np.float64)
        else:
            outcome = (target[:, None] == self.classes[None, :]).astype(np.float64)
        predicted, outcome = proba.ravel(), outcome.ravel()
        known = np.isfinite(predicted)
        return predicted[known], outcome[known]

    def _plot_reliability(self, ax, names: list) -> None:
        from sklearn.calibration import calibration_curve

        ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="calibrated")
        for name in names:
            predicted, outcome = self.reliability_data(name)
            observed, mean_predicted = calibration_curve(outcome, predicted, n_bins=10)
            brier = self.table.loc[name].get("brier_score_data_prior_mean", np.nan)
            ax.plot(mean_predicted, observed, marker="o", label=f"{name} (Brier {brier:.3f})")
        if self.multilabel:
            what = "every label"
        elif len(self.classes) == 2:
            what = f"class {self.positive_label!r}"
        else:
            what = "every class"
        ax.set_title(f"reliability, {what} (out-of-fold, data prior)", fontsize="small")
        ax.set_xlabel("predicted probability")
        ax.set_ylabel("observed frequency")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left", fontsize="small", frameon=False)
