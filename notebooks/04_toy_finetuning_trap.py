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
# # 04 · The toy example and the finetuning trap (Sec. 5.2)
#
# Four clusters at $x\in\{-1,1,3,4\}$, labels $(-,+,-,+)$, sizes $(5,4,1,4)$; two of the four
# positives at $x=4$ are forgotten. A quadratic score changes sign at most twice, so at most three
# groups can be right. The paper's loss normalisation is unknown; ascentlab uses the reading
# `"tanh"` ($h=\tanh(z/2)$, target $y$, $\lambda=0.05$), which reproduces all five of its claims.

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
from ascentlab import figures, toy

for reading in toy.READINGS:
    print(f"{reading:>9}:", toy.check_claims(reading)["claims"])

# %% [markdown]
# ## Minima of the three objectives

# %%
for name, weights in toy.WEIGHTS.items():
    for m in toy.toy_minima(weights):
        print(f"{name:>9}: theta = {np.round(m.theta, 3)}, loss {m.loss:.3f}, pattern {m.pattern}")

# %%
fig = figures.draw("fig5", figures.figure_data("fig5", FAST))

# %% [markdown]
# ## Finetuning from the GDA minimum stays in the wrong basin

# %%
fig = figures.draw("finetune_trap", figures.figure_data("finetune_trap", FAST))
