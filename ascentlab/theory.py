r"""Every result of "Ascent Fails to Forget" as a prediction and a measured check.

For each result the paper states (or docs/theory.md reconstructs), this
module offers the prediction -- a closed form, threshold or bound -- and a
`check_...` function that measures the same quantity with the core solvers
(`solve`) and trajectories (`unlearn`) on one instance and returns a `Check`
record `(prediction, measured, holds, margin, applies)`. Checks are
vmap-able over their float arguments; `ascentlab verify` runs them over
randomised instances and `RESULTS` describes each row (statement, tag, proof
file, and whether the paper's statement needed a correction).

Tags: [T] stated by the paper, [PN] known from a third-party summary, [R]
reconstructed, [D] derived here. Each result has a sympy derivation in
`proofs/` whose closed forms are compared with these functions in
`tests/test_proofs.py` (the contract between proof and code).

Every row's statement, tag, corrections and reference numbers are written
out in docs/theory.md (`Result.doc` links the section).

References: arXiv 2509.26427; docs/theory.md.
"""

from typing import NamedTuple

from ._theory_alternating import FarFixedPoint as FarFixedPoint
from ._theory_alternating import StabilityOutcome as StabilityOutcome
from ._theory_alternating import alternating_expansion as alternating_expansion
from ._theory_alternating import alternating_far_fixed_point as alternating_far_fixed_point
from ._theory_alternating import alternating_fixed_point_case3 as alternating_fixed_point_case3
from ._theory_alternating import alternating_flip_threshold as alternating_flip_threshold
from ._theory_alternating import alternating_problem as alternating_problem
from ._theory_alternating import alternating_step as alternating_step
from ._theory_alternating import check_app_d3_case1 as check_app_d3_case1
from ._theory_alternating import check_app_d3_expansion as check_app_d3_expansion
from ._theory_alternating import check_app_d3_stability as check_app_d3_stability
from ._theory_alternating import far_fixed_point_applies as far_fixed_point_applies
from ._theory_alternating import map_fixed_point as map_fixed_point
from ._theory_blocks import LEMMA1_DIM as LEMMA1_DIM
from ._theory_blocks import LEMMA1_MAX_FORGET as LEMMA1_MAX_FORGET
from ._theory_blocks import LEMMA1_POOL as LEMMA1_POOL
from ._theory_blocks import LEMMA1_TRAIN as LEMMA1_TRAIN
from ._theory_blocks import case_thresholds as case_thresholds
from ._theory_blocks import check_cases as check_cases
from ._theory_blocks import check_corollary1 as check_corollary1
from ._theory_blocks import check_first_step as check_first_step
from ._theory_blocks import check_lemma1 as check_lemma1
from ._theory_blocks import check_lemma2 as check_lemma2
from ._theory_blocks import check_lemma3 as check_lemma3
from ._theory_blocks import check_lemma4 as check_lemma4
from ._theory_blocks import check_lemma5 as check_lemma5
from ._theory_blocks import check_logistic_ext as check_logistic_ext
from ._theory_blocks import coordinate_problem as coordinate_problem
from ._theory_blocks import corollary1 as corollary1
from ._theory_blocks import da_case as da_case
from ._theory_blocks import first_step as first_step
from ._theory_blocks import first_step_direction as first_step_direction
from ._theory_blocks import hoeffding_bound as hoeffding_bound
from ._theory_blocks import lemma1_population as lemma1_population
from ._theory_blocks import lemma2 as lemma2
from ._theory_blocks import lemma2_arguments as lemma2_arguments
from ._theory_blocks import lemma3_range as lemma3_range
from ._theory_blocks import lemma4_bound as lemma4_bound
from ._theory_blocks import lemma5_bound as lemma5_bound
from ._theory_check import Check as Check
from ._theory_check import error_bound as error_bound
from ._theory_check import solve_checked as solve_checked
from ._theory_pair import app_j_closed_forms as app_j_closed_forms
from ._theory_pair import app_j_problem as app_j_problem
from ._theory_pair import app_j_ray as app_j_ray
from ._theory_pair import app_j_reduced_problem as app_j_reduced_problem
from ._theory_pair import check_app_j as check_app_j
from ._theory_pair import check_lemma6 as check_lemma6
from ._theory_pair import check_lemma7 as check_lemma7
from ._theory_pair import check_lemma8 as check_lemma8
from ._theory_pair import check_lemma9 as check_lemma9
from ._theory_pair import check_lemma10 as check_lemma10
from ._theory_pair import check_lemma10_crossing as check_lemma10_crossing
from ._theory_pair import check_lemma12 as check_lemma12
from ._theory_pair import lemma6 as lemma6
from ._theory_pair import lemma7_bounds as lemma7_bounds
from ._theory_pair import lemma8_bounds as lemma8_bounds
from ._theory_pair import lemma9_threshold as lemma9_threshold
from ._theory_pair import lemma10_crossing as lemma10_crossing
from ._theory_pair import lemma10_thresholds as lemma10_thresholds
from ._theory_pair import lemma12_iteration as lemma12_iteration
from ._theory_pair import pair_coefficients as pair_coefficients
from ._theory_pair import pair_detrimental as pair_detrimental
from ._theory_pair import pair_margins as pair_margins
from ._theory_pair import pair_problem as pair_problem
from ._unlearn import ORDERS as ALTERNATING_ORDERS
from .toy import check_toy as check_toy

class Result(NamedTuple):
    """One row of `ascentlab verify`: what is claimed, where it is proved, how it is judged."""

    id: str
    statement: str
    tag: str
    proof: str
    verdict: str  # "holds", "corrected: ...", "ambiguous: reading ..."

    @property
    def doc(self) -> str:
        """The section of docs/theory.md that states and discusses this result."""
        return f"docs/theory.md#{self.id}"


RESULTS = {
    r.id: r
    for r in [
        Result("lemma1", "P(|Acc_T - Acc_F| >= eps) <= 2 exp(-2|F| eps^2) for random forget sets of a trained model",
               "[PN]",
               "proofs/lemma1.py", "holds"),
        Result("lemma2", "w^D, w^R, w^DA are Lambert-W closed forms per coordinate", "[T+PN]",
               "proofs/lemma2.py", "holds"),
        Result("lemma3", "(w^DA - w^D)(w^D - w^R) >= 0 exactly for |F|^2/(|R|(|F|+|D|)) <= alpha <= |F|/|R|",
               "[T, range D]", "proofs/lemma3.py", "holds"),
        Result("first_step", "the first DA step moves away from the oracle iff alpha is in Lemma 3's range",
               "[D]", "proofs/first_step.py", "holds"),
        Result("cases", "Case 1/2/3 of z = (a-b)/lam; Case 2: W0 is a local (not global) min, W_-1 the local max",
               "[T, corrected D]", "proofs/cases.py",
               "corrected: W0 is the minimum and W_-1 the maximum (the paper says the opposite)"),
        Result("lemma4", "|w^D - w^R| <= |ln((1+alpha)|R|/|D|)|", "[T, proof completed D]", "proofs/lemma4.py",
               "corrected: the proof's '<= ln(alpha)' steps are typos; the stated bound holds"),
        Result("lemma5", "alpha >= |F|/|R| implies |w^R - w^DA| >= W0(|R_j|/(lam|R|)); Case 2 slack -w^DA, Case 3 diverges",
               "[T, corrected D]", "proofs/lemma5.py",
               "corrected: w^DA -> -inf only in Case 3; finite in Case 2, bound holds (tight at alpha = |F|/|R|)"),
        Result("corollary1", "alpha = |F|/|R|: Delta_RD = 0, Delta_RDA = W0(|R_j|/(lam|R|)) -> inf as lam -> 0; DA = weight decay",
               "[T, closed forms D]", "proofs/corollary1.py", "holds"),
        Result("app_d3", "alternating DA = DA with 2 lam + O(eta); O(eta^2) term; the Case-3 fixed point is stable iff "
               "ln(b/a) < L* = sqrt2 - (3 eta lam/2)(1 + sqrt2 ln(eta a/sqrt2)) + O((eta lam ln(eta a))^2) "
               "(exact L* from the parametrisation; flip beyond), both orders",
               "[T + D]", "proofs/app_d3.py",
               "corrected: the Case-3 fixed point (~ ln(eta a/ln(b/a)), not ln(eta ab/(b-a))) is unstable for "
               "b/a beyond ~e^sqrt2: 2-cycle, period doubling, chaos"),
        Result("lemma6", "x^R = W0(p(1+eps^2)), y^R = 2 eps/(1+eps^2) x^R", "[T, R]", "proofs/lemma6.py", "holds"),
        Result("lemma7", "Lambert-W ranges for x^D, y^D when alpha <= 1", "[T, R]", "proofs/lemma7.py", "holds"),
        Result("lemma8", "x^DA <= W0(p(1+eps^2) - 2q eps), y^DA <= W0(2p eps - q(1+eps^2)); no DA stationary point "
               "where an argument < -1/e", "[T, R]",
               "proofs/lemma8.py", "holds"),
        Result("lemma9", "alpha >= alpha_D>DA implies x^D >= x^DA and y^D >= y^DA", "[T exact]",
               "proofs/lemma9.py", "holds"),
        Result("lemma10", "alpha <= alpha_R>D (derived sufficient) implies x^R >= x^D and y^R >= y^D; exact crossing",
               "[T, thresholds D]", "proofs/lemma10.py",
               "ambiguous: printed thresholds unavailable; derived sufficient ones checked against exact crossings"),
        Result("lemma12", "alpha <= 1: Gauss-Seidel converges to a D-solution with y <= x", "[T, R]",
               "proofs/lemma12.py",
               "corrected: for k >= 1 x_k decreases and y_k increases (the reconstruction swaps them)"),
        Result("app_j", "nearly orthogonal 2-D example: D and R closed forms; exp-loss L_DA unbounded below along "
               "t(eps,-1) for every eps < 1 and lam; a DA stationary point (local min) only for large lam", "[T, D]",
               "proofs/app_j.py",
               "corrected: 'no DA stationary point for any eps' fails for large lam (e.g. lam = 3); "
               "App. J's eps->1 forms unavailable, exact forms checked"),
        Result("toy", "Sec. 5.2 toy: C1-C5 (DA lands in a basin that finetuning cannot leave) for lam in "
               "[1e-5, 0.07698]; C2 fails above, C5 above 0.14965", "[T, reading D]",
               "proofs/toy.py", "ambiguous: reading 'tanh' (h = tanh(z/2), target y; lam = 0.05 in the figures)"),
        Result("logistic_ext", "logistic loss: Lemma 3 range unchanged; DA bounded (no Case 3)", "[D]",
               "proofs/logistic_ext.py", "holds"),
    ]
}
