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
# # 02 · Descent–ascent moves away from the oracle (Lemmas 3–5, Corollary 1)
#
# Lemma 3: for $\frac{|\mathcal F|^2}{|\mathcal R|(|\mathcal F|+|\mathcal D|)}\le\alpha\le\frac{|\mathcal F|}{|\mathcal R|}$
# the DA point and the oracle lie on opposite sides of the original model, so every step toward
# $w^{DA}$ moves away from $w^{\mathcal R}$ — "doing nothing is better than DA".

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

# %% [markdown]
# ## The paper's two-coordinate example (C-5)

# %%
problem = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
traj = al.unlearn(problem, "da", eta=0.5, steps=100)
ref = float(jnp.linalg.norm(al.solve(problem, "original").w - al.solve(problem, "oracle").w))
fig, ax = plt.subplots(figsize=(7, 4.5))
plots.plot_distances(ax, traj.dist_oracle, reference=ref, logy=True)
ax.legend()
print("distance to the oracle: t=0", float(traj.dist_oracle[0]), " t=100", float(traj.dist_oracle[-1]))

# %% [markdown]
# ## The first step already moves away
# `theory.first_step_direction` is $-1$ when the first DA step moves away from the oracle; the
# criterion is exactly Lemma 3's range, whatever the step size.

# %%
alphas = jnp.linspace(0.005, 0.395, 40)
direction = jax.vmap(lambda a: theory.first_step_direction(50.0, 50.0 * a, 100.0, 20.0, 0.1))(alphas)
lo, hi = theory.lemma3_range(100.0, 20.0)
away = np.asarray(alphas)[np.asarray(direction) < 0]
print("moves away for alpha in", [round(float(away[0]), 3), round(float(away[-1]), 3)],
      " Lemma 3 range:", round(float(lo), 4), round(float(hi), 4))

# %% [markdown]
# ## Case 1/2/3 and the corrected min/max assignment
# In Case 2 the DA objective has two stationary points; its curvature there is $\lambda(1+w)$, so the
# $W_0$ point is the local **minimum** and the $W_{-1}$ point the local **maximum** (the paper says the
# opposite).

# %%
for f_j in (5.0, 12.0, 15.0):
    c = theory.check_cases(50.0, f_j, 100.0, 20.0, 0.5 if f_j == 12.0 else 0.1)
    print(f"|F_j| = {f_j:4.0f}: case {int(c.prediction)}, measured {int(c.measured)}, holds {bool(c.holds)}")

# %% [markdown]
# ## Lemma 4, Lemma 5 and Corollary 1
# Lemma 4 bounds the original model's distance to the oracle by $|\ln\frac{(1+\alpha)|\mathcal R|}{|\mathcal D|}|$
# (zero at $\alpha=|\mathcal F|/|\mathcal R|$); Lemma 5 shows DA's distance is at least $w^{\mathcal R}$
# beyond it; on a pure 1-D data set DA is weight decay and $\Delta_{\mathcal R,DA}=W_0(1/\lambda)\to\infty$.

# %%
from ascentlab import figures

data = figures.figure_data("corollary1", FAST)
fig = figures.draw("corollary1", data)

# %%
data = figures.figure_data("phase", FAST)
fig = figures.draw("phase", data)
