"""ascentlab: when and why does gradient-ascent unlearning fail to forget?

A numerical companion to "Ascent Fails to Forget" (Mavrothalassitis,
Puigdemont, Levi, Cevher, NeurIPS 2025, arXiv 2509.26427): exact float64
solutions of the paper's logistic-regression objectives, descent-ascent
unlearning trajectories, and the Lambert-W closed forms they are checked
against. Importing or calling the library never writes `jax.config`: switch
JAX's `jax_enable_x64` option on yourself, before creating arrays, for the
exact float64 results. The one exception is a call you make on purpose:
`enable_compilation_cache()` sets JAX's persistent-cache options (folder and
thresholds; never x64), as the `ascentlab` command and the notebooks do.
"""

from ._cache import enable_compilation_cache as enable_compilation_cache
from ._lambertw import lambertw as lambertw
from ._objectives import gradient as gradient
from ._objectives import hessian as hessian
from ._objectives import margins as margins
from ._objectives import mean_loss as mean_loss
from ._objectives import objective as objective
from ._problems import Problem as Problem
from ._problems import correlated_pair as correlated_pair
from ._problems import gaussian_problem as gaussian_problem
from ._problems import make_problem as make_problem
from ._problems import orthogonal_blocks as orthogonal_blocks
from ._solve import STATUS_NAMES as STATUS_NAMES
from ._solve import References as References
from ._solve import Solution as Solution
from ._solve import margin_bound as margin_bound
from ._solve import unbounded_ray as unbounded_ray
from ._solve import solve as solve
from ._solve import solve_references as solve_references

from ._unlearn import METHODS as METHODS
from ._unlearn import Trajectory as Trajectory
from ._unlearn import train as train
from ._unlearn import unlearn as unlearn
from . import methods as methods
from .sweep import sweep as sweep

__version__ = "0.1.0"
