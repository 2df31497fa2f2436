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
# $2\lambda$. The $O(\eta^2)$ term stops the Case-3 divergence: the alternating map has a stable
# finite fixed point, near $\ln\frac{\eta a}{\ln(b/a)}$ for small $\eta$.

# %%
import os

import jax

jax.config.update("jax_enable_x64", True)
key = jax.random.key(0)
FAST = os.environ.get("ASCENTLAB_FAST") == "1"  # CI runs every notebook at reduced size

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import ascentlab as al
from ascentlab import plots, theory

plt.style.use("ascentlab.styles.lecture")

# %%
w = jnp.array(0.3)
g1, g2 = theory.alternating_expansion(w, 0.5, 0.25, 0.1)
print("g1 =", float(g1), " g2 =", float(g2))
c = theory.check_app_d3(0.5, 0.25, 0.1)
print("fitted orders: expansion residual", float(c.measured[0]), " fixed-point error", float(c.measured[1]))

# %%
for eta in (0.5, 0.1, 0.01):
    c = theory.check_app_d3(0.5, 0.75, 0.1, eta0=eta)
    refined, note = theory.alternating_fixed_point_case3(0.5, 0.75, eta)
    print(f"eta={eta}: fixed point {float(c.measured[2]):.4f}  refined {float(refined):.4f}  note {float(note):.4f}")

# %%
from ascentlab import figdata

fig = plots.build_app_d3(figdata.app_d3_data(FAST))
