"""The defaults that :func:`skbalance.compare.compare_strategies` and ``python -m skbalance
compare`` share: one home, read by both (kept free of heavy imports, so that ``--help`` stays
fast)."""

DEFAULT_CV = 3
# Repeats of the stratified folds: 3 x 3 = 9 paired scores per strategy, enough for the best
# group's standard errors, while the bundled main job stays within about two minutes on two
# cores (measured: see docs/compare.md).
DEFAULT_REPEATS = 3
DEFAULT_EPOCHS = 30
DEFAULT_HIDDEN_UNITS = (64,)
DEFAULT_BATCH_SIZE = 32
DEFAULT_RANDOM_STATE = 0
# A failing strategy is reported in the result (and on the command line) rather than ending
# the comparison; on_error="raise" (--debug) stops at it.
DEFAULT_ON_ERROR = "skip"
# "auto": hold out AUTO_HOLDOUT of the rows when every class keeps enough rows for it and for
# the folds; none otherwise, with a note.
DEFAULT_HOLDOUT = "auto"
AUTO_HOLDOUT = 0.2
