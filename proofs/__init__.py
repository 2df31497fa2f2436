"""sympy derivations of every result of "Ascent Fails to Forget", one module per result.

Each module has `check()` (asserts the derivation exactly), `closed_forms()`
(the final formulas with the ascentlab function each must equal: the
proof<->code contract, tested in tests/test_proofs.py) and `latex()`.
`python -m proofs` runs every check; `python -m proofs.<name>` prints LaTeX.
Module names are the result ids of `ascentlab verify`.
"""

MODULES = (
    "lemma1", "lemma2", "lemma3", "first_step", "cases", "lemma4", "lemma5", "corollary1", "app_d3",
    "lemma6", "lemma7", "lemma8", "lemma9", "lemma10", "lemma12", "app_j", "toy", "logistic_ext",
)
