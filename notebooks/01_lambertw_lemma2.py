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
# # 01 · Lambert W and the closed forms of Lemma 2
#
# *Ascent Fails to Forget* (arXiv 2509.26427) studies ridge-regularised logistic regression with the
# exponential loss $e^{-y\langle w,x\rangle}$ on data whose coordinates do not interact
# (Assumptions 1–2). On coordinate $j$ every objective of Eq. (1) is
# $f(w)=c\,e^{-w}+\frac\lambda2w^2$, and Fermat's rule $\lambda w=c\,e^{-w}$ is solved by the
# Lambert W function: $w=W(c/\lambda)$, where $W(z)e^{W(z)}=z$.

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
# ## The two real branches
# $W_0$ is defined for $z\ge-1/e$, $W_{-1}$ for $-1/e\le z<0$; they meet at $W=-1$.

# %%
z0 = jnp.linspace(-jnp.exp(-1.0), 3.0, 400)
zm = jnp.linspace(-jnp.exp(-1.0), -1e-3, 400)
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(z0, al.lambertw(z0, 0), label="$W_0$")
ax.plot(zm, al.lambertw(zm, -1), label="$W_{-1}$")
ax.axvline(-np.exp(-1), color="0.5", ls=":")
ax.set_ylim(-6, 1.6)
ax.set_xlabel("$z$")
ax.legend()
ax.set_title("real branches of Lambert W")

# %%
# the defining identity, to rounding
w = al.lambertw(z0[1:])
print("max |W e^W - z| =", float(jnp.max(jnp.abs(w * jnp.exp(w) - z0[1:]))))

# %% [markdown]
# ## Lemma 2 against exact Newton solutions
# The paper's C-2 data: coordinate 1 has $|\mathcal R_1|=50$, $|\mathcal F_1|=5$, coordinate 2 has
# $|\mathcal R_2|=50$, $|\mathcal F_2|=15$, $\lambda=0.1$. `theory.lemma2` evaluates the closed
# forms; `solve` minimises Eq. (1) by damped Newton on the explicit data set.

# %%
problem = al.orthogonal_blocks([50, 50], [5, 15], 0.1)
closed = theory.lemma2(50.0, 5.0, 100.0, 20.0, 0.1)
for kind, value in zip(("original", "oracle", "da"), closed):
    sol = al.solve(problem, kind)
    print(f"{kind:>8}: Lemma 2 {float(value):.12f}   Newton {float(sol.w[0]):.12f}   status {sol.status_name}")

# %% [markdown]
# Coordinate 2 has $\alpha=0.3$, beyond Case 2: `solve` reports `"unbounded"` for DA instead of a
# number — the exponential loss lets $L_{DA}\to-\infty$ (Lemma 3's Case 3).

# %%
print(al.solve(problem, "da").status_name)

# %% [markdown]
# ## The three solutions against the local forget ratio
# With the global sizes fixed ($|\mathcal R|=100$, $|\mathcal F|=20$, $|\mathcal R_j|=50$) and
# $|\mathcal F_j|=50\alpha$, the order of $w^{DA}\le w^{\mathcal D}\le w^{\mathcal R}$ inside Lemma 3's
# range is visible directly.

# %%
alphas = jnp.linspace(0.005, 0.4 if not FAST else 0.35, 60 if not FAST else 20)
wd, wr, wda = jax.vmap(lambda a: theory.lemma2(50.0, 50.0 * a, 100.0, 20.0, 0.1))(alphas)
lo, hi = theory.lemma3_range(100.0, 20.0)
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(alphas, wd, label=r"$w^{\mathcal{D}}$ (original)")
ax.plot(alphas, wr, label=r"$w^{\mathcal{R}}$ (oracle)")
ax.plot(alphas, wda, label=r"$w^{DA}$ (NaN in Case 3)")
ax.axvspan(float(lo), float(hi), color="0.85", label="Lemma 3 range")
ax.set_xlabel(r"$\alpha=|\mathcal{F}_j|/|\mathcal{R}_j|$")
ax.legend()
