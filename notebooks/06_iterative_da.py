# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Iterative descent–ascent (App. D.3)
#
# Alternating a descent half-step on the retain loss with an ascent half-step on the forget loss
# (ridge descended in both) is, to first order in $\eta$, gradient descent on $L_{DA}$ with ridge
# $2\lambda$. The $O(\eta^2)$ term stops the Case-3 divergence: the alternating map has a finite
# fixed point, near $\ln\frac{\eta a}{\ln(b/a)}$ for small $\eta$ -- but, contrary to the paper's
# reading, that fixed point is **stable only while $\ln(b/a)<\sqrt2$** (up to $O(\eta\lambda\ln\eta)$).
# Beyond, the iterates settle on a 2-cycle, then period-double into chaos (section 3 below;
# docs/theory.md#app_d3).

# %%
import os

import jax

import ascentlab as al

jax.config.update("jax_enable_x64", True)
# compile once per machine: compiled programs are kept in ~/.cache/ascentlab/jax (ASCENTLAB_JAX_CACHE=off turns it off)
al.enable_compilation_cache()
key = jax.random.key(0)
FAST = os.environ.get("ASCENTLAB_FAST") == "1"  # CI runs every notebook at reduced size

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

from ascentlab import plots, theory

plt.style.use("ascentlab.styles.lecture")

# %%
w = jnp.array(0.3)
g1, g2 = theory.alternating_expansion(w, 0.5, 0.25, 0.1)
print("g1 =", float(g1), " g2 =", float(g2))
c = theory.check_app_d3_expansion(0.5, 0.25, 0.1, 0.005, 0.3)
print("eta^2 coefficient left in m(w) - w - eta g1 - eta^2 g2:", float(c.measured))
c = theory.check_app_d3_case1(0.5, 0.25, 0.1, 0.01)
print("Case-1 fixed point: eta coefficient left after W0(z/2) + eta c1:", float(c.measured[0]),
      " fitted order of |w* - W0(z/2)|:", round(float(c.measured[1]), 3))

# %%
for eta in (0.5, 0.1, 0.01):
    fp = theory.alternating_far_fixed_point(0.5, 0.75, 0.1, eta)
    refined, note = theory.alternating_fixed_point_case3(0.5, 0.75, eta)
    print(f"eta={eta}: fixed point {float(fp.w):.4f} (m' = {float(fp.slope):+.3f})  "
          f"refined {float(refined):.4f}  note {float(note):.4f}")

# %%
from ascentlab import figures

fig = figures.draw("app_d3", figures.figure_data("app_d3", FAST))

# %% [markdown]
# ## 3 · When the fixed point is not stable
#
# Parametrise the Case-3 fixed point by the descent half-step's push $u=\eta ae^{-w^*}$. With
# $s=1-\eta\lambda$ the ascent half-step's push is $v=su-(1-s^2)\ln\frac{\eta a}{u}$, the ratio is
# fixed by $\ln\frac ba=u+\ln\frac vu-\eta\lambda\ln\frac{\eta a}u$, and the map's derivative there is
# $m'(w^*)=(s-u)(s+v)$ (`proofs/app_d3.py` derives all three). As $\eta\to0$, $u\to\ln(b/a)$ and
# $m'\to1-\ln^2(b/a)$: a flip at $\ln(b/a)=\sqrt2$, shifted by
# $-\frac32\eta\lambda(1+\sqrt2\ln\frac{\eta a}{\sqrt2})$ at first order. Both step orders are
# conjugate maps, so they flip at the same ratio.

# %%
a, lam, eta = 0.1646, 0.16033, 0.04  # the instance that broke `ascentlab verify` before the correction
exact, first, leading = theory.alternating_flip_threshold(a, lam, eta)
print(f"flip threshold ln(b/a): exact {float(exact):.5f}, first order {float(first):.5f}, leading {float(leading):.5f}")
for ratio in (4.0, 4.43, 6.0):
    fp = theory.alternating_far_fixed_point(a, a * ratio, lam, eta)
    tr = al.unlearn(theory.alternating_problem(a, a * ratio, lam), "da_alternating", eta=eta, steps=3000,
                    start=jnp.reshape(fp.w + 1e-6, (1,)))
    tail = np.unique(np.round(np.asarray(tr.w[-8:, 0]), 6))
    print(f"b/a = {ratio}: m'(w*) = {float(fp.slope):+.3f}, long run visits {tail}")

# %% [markdown]
# The long-run iterates against $\ln(b/a)$ (both orders) and against $\eta$: the fixed point, the 2-cycle
# born at the flip, the period-doubling cascade, chaotic bands with windows, and orbits thrown out of the
# representable range. Larger steps raise the threshold, so at a fixed ratio a larger $\eta$ restabilises
# the fixed point.

# %%
fig = figures.draw("app_d3_bifurcation", figures.figure_data("app_d3_bifurcation", FAST))
