r"""Forget sets mirroring the paper's nine, from an influence proxy of a pretrained MLP ensemble.

The paper (Sec. 6, from Georgiev et al.) unlearns nine CIFAR-10 forget sets: 10, 100 and 500 random
points, and sets aligned with the first and second principal components (PC1, PC2) of the
$n\times n$ train-by-train *datamodel* matrix: the 10 and the 100 points with the highest projection
on the PC, and the 250 highest plus the 250 lowest. Datamodels cost thousands of retrainings; here
the influence matrix is replaced by a proxy computed from the pretrained ensemble in one pass.

**The proxy** (`proxy="gradient"`, the default): the ensemble average of the Gram matrix of the
per-sample gradients of the loss with respect to the last layer,
$$G_{ij}=\frac1N\sum_{m=1}^N\big\langle g^{(m)}_i,g^{(m)}_j\big\rangle
=\frac1N\sum_{m=1}^N\big\langle r^{(m)}_i,r^{(m)}_j\big\rangle\,
\big(\langle h^{(m)}_i,h^{(m)}_j\rangle+1\big),$$
$g^{(m)}_i=r^{(m)}_i\otimes(h^{(m)}_i,1)=\nabla_{(W_L,b_L)}\ell\big(\theta^{(m)};x_i,y_i\big)$, with
$r_i=\mathrm{softmax}(z_i)-e_{y_i}$ the residual of the cross-entropy, $h_i$ the penultimate
features of $x_i$ (the input itself for a network without hidden layer) and $N$ models. Why this
proxy: the paper's App. B motivates the PC-aligned sets by the influence of a training point $z$ on
$z'$ "up to an inverse Hessian factor ... proportional to the identity", which for the logistic loss
is $y\,y'\,\sigma(-yS^\top x)\,\sigma(-y'S^\top x')\,x^\top x'$, i.e. exactly $\langle\nabla\ell(z),
\nabla\ell(z')\rangle$. The last layer of an MLP is a multinomial logistic regression on $h$, so $G$
is App. B's influence with $x\to h$ and the identity in place of the inverse Hessian; averaging over
the ensemble mirrors the datamodels, which are fitted across many trained models. Like the datamodel
matrix, it weighs both the feature correlation $\langle h_i,h_j\rangle$ (which App. B says "controls
influence magnitude") and how badly the models fit each point ($r_i$: well-fitted points have small
gradients and little influence). `proxy="features"` keeps only the first factor, the Gram
$\frac1N\sum_m\langle h^{(m)}_i,h^{(m)}_j\rangle$ of the penultimate features (labels and fit
ignored), for comparison.

**Principal components.** With the centring $H=I-\frac1n\mathbf 1\mathbf 1^\top$, the proxy's
principal directions over training samples are the top eigenvectors $u_1,u_2,\dots$ of the centred
Gram $HGH$, and the projection (PC score) of sample $i$ on PC $k$ is $s_{ki}=\sqrt{\lambda_k}\,u_{ki}$.
Writing $G=\Phi\Phi^\top$ with the per-model features stacked, $\Phi=[\Phi_1,\dots,\Phi_N]/\sqrt N$
($n\times D$), the same scores are the projections $(H\Phi)v_k$ of the centred features on the top
eigenvectors $v_k$ of the $D\times D$ covariance $(H\Phi)^\top H\Phi$; the code takes whichever
matrix is smaller ($D<n$: the covariance; else the $n\times n$ Gram, accumulated model by model
without forming $\Phi$). Because a symmetric positive semi-definite matrix's singular vectors are its
eigenvectors, the $u_k$ are also the principal directions of $G$ itself read as a data matrix (one row
per sample), which is how a datamodel matrix's PCs are taken. **Sign**: each PC's sign is fixed as
scikit-learn's `svd_flip` fixes it: the score of largest absolute value is positive (the first such
sample on exact ties). (The sum of the scores cannot fix it: it is 0 after centring.)

**The nine forget sets** (`FORGET_SETS`, the paper's order), for sizes $(k_s,k_m,k_l)$ =
`sizes`: `random_small`, `random_medium`, `random_large` ($k_s$, $k_m$, $k_l$ points drawn without
replacement, each set from its own subkey of `key`, independently of each other); `pc1_top_small`
($k_s$ highest PC1 scores), `pc1_top_large` ($k_m$ highest; the paper's "100 highest"),
`pc1_top_bottom` ($\lceil k_l/2\rceil$ highest and $\lfloor k_l/2\rfloor$ lowest; the paper's
"250 + 250"), and the same three for PC2. The PC sets use one total order per PC, score descending
and then index ascending (ties by index): the top sets are its first entries and the bottom half its
last, so the two halves are disjoint whenever $k_l\le n$.

**Sizes.** The paper's $(10,100,500)$ of $n=50{,}000$ are the fractions 0.02 %, 0.2 % and 1 %, which
at $n\approx1{,}400$ (the digits' training set) would be 0, 3 and 14 points. `default_sizes` keeps
the paper's smallest absolute size, 10, and takes 3.5 % and 10 % of $n$ for the other two (the large
one rounded to an even count): $(10,50,144)$ at $n=1{,}438$, $(10,56,160)$ at $n=1{,}600$; a set of
10 is the fewest points on which a 95th-percentile KLoM still means something, and the large sets
remove a share big enough to move an MLP. Pass `sizes` to choose others.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6 (the nine forget sets, from Georgiev
et al., "Attribute-to-delete: machine unlearning via datamodel matching") and App. B (the influence
intuition for PC-aligned forget sets).
"""

import functools
import numbers
from typing import NamedTuple, Optional, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate as v
from . import mlp

__all__ = ["PROXIES", "FORGET_SETS", "InfluencePCs", "proxy_features", "influence_gram", "pcs_from_features",
           "pcs_from_gram", "influence_pcs", "default_sizes", "forget_sets"]

PROXIES = ("gradient", "features")
FORGET_SETS = ("random_small", "random_medium", "random_large", "pc1_top_small", "pc1_top_large", "pc1_top_bottom",
               "pc2_top_small", "pc2_top_large", "pc2_top_bottom")


class InfluencePCs(NamedTuple):
    r"""The top principal components of an influence proxy over the training samples.

    Attributes:
        scores: shape (n_components, n): row $k$ holds every training sample's projection
            $s_{ki}=\sqrt{\lambda_k}u_{ki}$ on PC $k+1$ (sign fixed: largest $|s_{ki}|$ positive).
        eigenvalues: shape (n_components,): $\lambda_1\ge\lambda_2\ge\dots$ of the centred Gram
            (the variance each PC explains, times $n$); a near tie $\lambda_1\approx\lambda_2$ means
            PC1 and PC2 are not well defined.
        total_variance: shape (): the trace of the centred Gram, $\sum_k\lambda_k$ over all $k$, so
            `eigenvalues / total_variance` is the explained share.
    """

    scores: jax.Array
    eigenvalues: jax.Array
    total_variance: jax.Array


# ----------------------------------------------------------------------------------------------- validation


def _ensemble(where, params):
    """Parameters of one model or of an ensemble (leading model axis on every leaf), as an ensemble."""
    if not isinstance(params, (list, tuple)) or len(params) < 1 or not isinstance(params[0], (list, tuple)) \
            or len(params[0]) != 2:
        v.fail(where, "params", type(params).__name__, "must be a non-empty list of (W, b) pairs")
    ndim = getattr(params[0][0], "ndim", None)
    if ndim == 2:
        params = jax.tree.map(lambda a: a[None], list(params))
    elif ndim != 3:
        v.fail(where, "params[0].W", f"array with ndim {ndim}",
               "must be 2-dimensional (one model) or 3-dimensional (an ensemble with a leading model axis)")
    n_models = params[0][0].shape[0]
    for l, layer in enumerate(params):
        for name, a in zip(("W", "b"), layer):
            if getattr(a, "ndim", None) != (3 if name == "W" else 2) or a.shape[0] != n_models:
                v.fail(where, f"params[{l}].{name}", f"shape {getattr(a, 'shape', None)}",
                       f"must carry the same leading model axis ({n_models}) as params[0].W")
    sizes, dtype = mlp._check_params(where, jax.tree.map(lambda a: a[0], list(params)))
    return list(params), sizes, dtype


def _check_data(where, X, y, sizes, dtype):
    X = mlp._check_X(where, X, sizes, dtype)
    y = mlp._check_y(where, y, X.shape[0], sizes[-1])
    if X.shape[0] < 2:
        v.fail(where, "X", f"array of shape {X.shape}", "needs at least 2 rows (samples)")
    return X, y


def _check_proxy(where, proxy, activation):
    v.check_choice(where, "proxy", proxy, PROXIES)
    v.check_choice(where, "activation", activation, mlp.ACTIVATIONS)


def _check_components(where, n_components, n):
    n_components = v.check_int(where, "n_components", n_components, minimum=1)
    if n_components > n:
        v.fail(where, "n_components", n_components, f"must be <= the number of samples n = {n}")
    return n_components


# ----------------------------------------------------------------------------------------------- the proxy


def _penultimate(params, X, activation):
    act = jax.nn.relu if activation == "relu" else jnp.tanh
    h = X
    for W, b in params[:-1]:
        h = act(h @ W + b[None, :])
    return h


def _factors(params, X, y, activation):
    """One model's residuals r (n, K) and penultimate features with a constant 1 appended (n, d + 1)."""
    h = _penultimate(params, X, activation)
    W, b = params[-1]
    z = h @ W + b[None, :]
    onehot = (y[:, None] == jnp.arange(z.shape[1], dtype=y.dtype)[None, :]).astype(z.dtype)
    r = jax.nn.softmax(z, axis=-1) - onehot
    return r, jnp.concatenate([h, jnp.ones((h.shape[0], 1), h.dtype)], axis=1)


def _features_one(params, X, y, proxy, activation):
    if proxy == "features":
        return _penultimate(params, X, activation)
    r, h1 = _factors(params, X, y, activation)
    return (r[:, :, None] * h1[:, None, :]).reshape(X.shape[0], -1)  # row i: r_i (x) (h_i, 1), K-major


def _feature_dim(sizes, proxy):
    d = sizes[-2]
    return d if proxy == "features" else sizes[-1] * (d + 1)


@functools.partial(jax.jit, static_argnames=("proxy", "activation"))
def _proxy_features(params, X, y, *, proxy, activation):
    return jax.vmap(lambda p: _features_one(p, X, y, proxy, activation))(params)


def proxy_features(params, X, y, *, proxy: str = "gradient", activation: str = "relu") -> jax.Array:
    r"""Each model's per-sample proxy features $\Phi_m$, shape (N, n, q): the rows whose Gram is the proxy.

    `proxy="gradient"`: row $i$ is $g_i=r_i\otimes(h_i,1)$, the gradient of the cross-entropy of
    $(x_i,y_i)$ with respect to the last layer (index $k(d+1)+j$ is $\partial\ell_i/\partial W_{L,jk}$
    for $j<d$ and $\partial\ell_i/\partial b_{L,k}$ for $j=d$), $q=K(d+1)$; `proxy="features"`: row
    $i$ is the penultimate features $h_i$, $q=d$ (module docstring). $N=1$ for the parameters of a
    single model. This forms $N\cdot n\cdot q$ numbers; `influence_pcs` avoids that when it is large.

    Args:
        params: one model's parameters (`mlp.init`) or an ensemble's (`mlp.train_ensemble`: a leading
            model axis of length $N$ on every leaf).
        X: training features (n, p), the parameters' dtype.
        y: integer labels (n,).
        proxy: "gradient" or "features".
        activation: the network's activation, "relu" or "tanh".
    """
    where = "forget_sets.proxy_features"
    params, sizes, dtype = _ensemble(where, params)
    X, y = _check_data(where, X, y, sizes, dtype)
    _check_proxy(where, proxy, activation)
    return _proxy_features(params, X, y, proxy=proxy, activation=activation)


def _centre_gram(G):
    row = jnp.mean(G, axis=1, keepdims=True)
    col = jnp.mean(G, axis=0, keepdims=True)
    return G - row - col + jnp.mean(G)


@functools.partial(jax.jit, static_argnames=("proxy", "activation"))
def _influence_gram(params, X, y, *, proxy, activation):
    n = X.shape[0]

    def add(G, p):
        if proxy == "features":
            h = _penultimate(p, X, activation)
            return G + h @ h.T, None
        r, h1 = _factors(p, X, y, activation)
        return G + (r @ r.T) * (h1 @ h1.T), None  # <r_i (x) h_i, r_j (x) h_j> = <r_i, r_j><h_i, h_j>

    G, _ = jax.lax.scan(add, jnp.zeros((n, n), X.dtype), params)
    n_models = params[0][0].shape[0]
    return _centre_gram(G / jnp.asarray(n_models, X.dtype))


def influence_gram(params, X, y, *, proxy: str = "gradient", activation: str = "relu") -> jax.Array:
    r"""The centred ensemble-averaged proxy Gram $HGH$, shape (n, n) (module docstring).

    $G_{ij}=\frac1N\sum_m\langle r^{(m)}_i,r^{(m)}_j\rangle(\langle h^{(m)}_i,h^{(m)}_j\rangle+1)$
    for `proxy="gradient"`, $\frac1N\sum_m\langle h^{(m)}_i,h^{(m)}_j\rangle$ for "features";
    $H=I-\frac1n\mathbf 1\mathbf 1^\top$. Accumulated model by model (memory $O(n^2)$, not $O(Nn^2)$).
    Arguments as in `proxy_features`.
    """
    where = "forget_sets.influence_gram"
    params, sizes, dtype = _ensemble(where, params)
    X, y = _check_data(where, X, y, sizes, dtype)
    _check_proxy(where, proxy, activation)
    return _influence_gram(params, X, y, proxy=proxy, activation=activation)


# ----------------------------------------------------------------------------------------------- PCs


def _flip(scores):
    """svd_flip's convention: in each row, the entry of largest absolute value (first on ties) is positive."""
    idx = jnp.argmax(jnp.abs(scores), axis=1)
    sign = jnp.sign(jnp.take_along_axis(scores, idx[:, None], axis=1))
    return scores * jnp.where(sign == 0, jnp.ones_like(sign), sign)


@functools.partial(jax.jit, static_argnames=("n_components",))
def _pcs_gram(G, *, n_components):
    lam, U = jnp.linalg.eigh(G)  # ascending
    lam = lam[::-1][:n_components]
    U = U[:, ::-1][:, :n_components]
    lam = jnp.maximum(lam, jnp.zeros_like(lam))
    scores = _flip((U * jnp.sqrt(lam)[None, :]).T)
    return InfluencePCs(scores, lam, jnp.trace(G))


@functools.partial(jax.jit, static_argnames=("n_components",))
def _pcs_features(Phi, *, n_components):
    Phi = Phi - jnp.mean(Phi, axis=0, keepdims=True)
    lam, V = jnp.linalg.eigh(Phi.T @ Phi)
    lam = lam[::-1][:n_components]
    V = V[:, ::-1][:, :n_components]
    scores = _flip((Phi @ V).T)  # projections of the centred rows: sqrt(lambda_k) u_k
    return InfluencePCs(scores, jnp.maximum(lam, jnp.zeros_like(lam)), jnp.sum(Phi * Phi))


def _stack(features):
    """(N, n, q) per-model features -> (n, N q) / sqrt(N), whose Gram is the ensemble average."""
    N, n, q = features.shape
    return jnp.transpose(features, (1, 0, 2)).reshape(n, N * q) / jnp.sqrt(jnp.asarray(N, features.dtype))


def pcs_from_features(features, *, n_components: int = 2) -> InfluencePCs:
    r"""The top principal components of the centred Gram of `features` (module docstring).

    `features` is one feature matrix $\Phi$ of shape (n, q) (one row per training sample), or one per
    model, shape (N, n, q), whose Gram is averaged, $G=\frac1N\sum_m\Phi_m\Phi_m^\top$. The scores
    are the top eigenvectors of $HGH$ scaled by $\sqrt{\lambda_k}$, i.e. the projections of the
    centred rows on the top principal axes; computed from the $Nq\times Nq$ covariance when $Nq<n$,
    else from the $n\times n$ Gram.

    Returns:
        `InfluencePCs` with `n_components` components (at most n).
    """
    where = "forget_sets.pcs_from_features"
    arr = v.as_array(where, "features", features)
    if arr.ndim not in (2, 3):
        v.fail(where, "features", f"array of shape {arr.shape}", "must have shape (n, q) or (N, n, q)")
    Phi = v.check_array(where, "features", arr, ndim=arr.ndim)
    v.require_dtype(where, Phi.dtype)
    Phi = Phi[None] if Phi.ndim == 2 else Phi
    N, n, q = Phi.shape
    if n < 2 or q < 1 or N < 1:
        v.fail(where, "features", f"array of shape {arr.shape}", "needs at least 2 samples (rows) and 1 feature")
    n_components = _check_components(where, n_components, n)
    Phi = _stack(Phi)
    if Phi.shape[1] < n and n_components <= Phi.shape[1]:
        return _pcs_features(Phi, n_components=n_components)
    return _pcs_gram(_centre_gram(Phi @ Phi.T), n_components=n_components)


def pcs_from_gram(gram, *, n_components: int = 2, centre: bool = True) -> InfluencePCs:
    r"""The top principal components of a symmetric positive semi-definite Gram (or influence) matrix (n, n).

    With `centre` (the default) the matrix is first double-centred, $HGH$; pass `centre=False` for a
    matrix that is centred already (e.g. `influence_gram`'s). Scores $\sqrt{\lambda_k}u_k$, signs as in
    the module docstring.
    """
    where = "forget_sets.pcs_from_gram"
    G = v.check_array(where, "gram", gram, ndim=2)
    v.require_dtype(where, G.dtype)
    n = G.shape[0]
    if G.shape != (n, n) or n < 2:
        v.fail(where, "gram", f"array of shape {G.shape}", "must be square, (n, n) with n >= 2")
    if v.is_concrete(G):
        a = np.asarray(G, dtype=np.float64)
        scale = max(float(np.max(np.abs(a))), np.finfo(np.float64).tiny)
        if not np.allclose(a, a.T, rtol=0.0, atol=1e3 * np.finfo(G.dtype).eps * scale):
            v.fail(where, "gram", "a non-symmetric matrix", "must be symmetric (a Gram matrix)")
    if not isinstance(centre, (bool, np.bool_)):
        v.fail(where, "centre", centre, "must be a bool")
    n_components = _check_components(where, n_components, n)
    return _pcs_gram(_centre_gram(G) if centre else G, n_components=n_components)


def influence_pcs(params, X, y, *, proxy: str = "gradient", activation: str = "relu",
                  n_components: int = 2) -> InfluencePCs:
    r"""PC1, PC2, ... of the ensemble's influence proxy over the training samples (module docstring).

    Takes the cheaper route: when the stacked feature dimension $D=Nq$ is below $n$, the features
    (`proxy_features`) and their $D\times D$ covariance; otherwise the $n\times n$ Gram accumulated
    model by model (`influence_gram`), never forming the $n\times D$ features.

    Args:
        params: one model's parameters, or an ensemble's with a leading model axis (`mlp.train_ensemble`).
        X: the training features (n, p), the parameters' dtype (`Dataset.X_train`).
        y: the training labels (n,) (`Dataset.y_train`).
        proxy: "gradient" (last-layer per-sample gradients, App. B's influence; the default) or
            "features" (penultimate features).
        activation: the network's activation.
        n_components: how many PCs (2 for the paper's sets).

    Returns:
        `InfluencePCs`; pass it to `forget_sets`.
    """
    where = "forget_sets.influence_pcs"
    params, sizes, dtype = _ensemble(where, params)
    X, y = _check_data(where, X, y, sizes, dtype)
    _check_proxy(where, proxy, activation)
    n = X.shape[0]
    n_components = _check_components(where, n_components, n)
    D = params[0][0].shape[0] * _feature_dim(sizes, proxy)
    if D < n and n_components <= D:
        Phi = _stack(_proxy_features(params, X, y, proxy=proxy, activation=activation))
        return _pcs_features(Phi, n_components=n_components)
    return _pcs_gram(_influence_gram(params, X, y, proxy=proxy, activation=activation), n_components=n_components)


# ----------------------------------------------------------------------------------------------- the sets


def default_sizes(n: int):
    r"""The default (small, medium, large) forget-set sizes for $n$ training samples (module docstring).

    $k_s=\min(10,\max(1,\lfloor n/20\rfloor))$, $k_m=\max(k_s,\mathrm{round}(0.035n))$,
    $k_l=\max(k_m,2\,\mathrm{round}(0.05n))$, each capped at $n-1$ (a non-empty retain set):
    $(10, 50, 144)$ at $n=1{,}438$. The paper's are $(10,100,500)$ at $n=50{,}000$.
    """
    n = v.check_int("forget_sets.default_sizes", "n", n, minimum=2)
    small = min(10, max(1, n // 20))
    medium = max(small, round(0.035 * n))
    large = max(medium, 2 * round(0.05 * n))
    return tuple(min(k, n - 1) for k in (small, medium, large))


def _check_sizes(where, sizes, n):
    if sizes is None:
        return default_sizes(n)
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) != 3:
        v.fail(where, "sizes", sizes, "must be three ints (small, medium, large)")
    for k in sizes:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or not 1 <= k <= n - 1:
            v.fail(where, "sizes", sizes,
                   f"must hold ints 1 <= k <= n - 1 = {n - 1} (n = {n} training samples; the retain set "
                   "must not be empty)")
    return tuple(int(k) for k in sizes)


def _check_names(where, names):
    if names is None:
        return FORGET_SETS
    if isinstance(names, str):
        names = (names,)
    if not isinstance(names, Sequence) or len(names) < 1:
        v.fail(where, "names", names, f"must be a non-empty sequence of names from {list(FORGET_SETS)}")
    for name in names:
        if name not in FORGET_SETS:
            v.fail(where, "names", name, f"must be among {list(FORGET_SETS)}")
    if len(set(names)) != len(names):
        v.fail(where, "names", names, "must not repeat a name")
    return tuple(names)


def _order(score):
    """Indices sorted by score descending, then index ascending (numpy, exact)."""
    score = np.asarray(score)
    return np.lexsort((np.arange(score.shape[0]), -score))


def _mask(n, idx):
    m = np.zeros(n, dtype=bool)
    m[idx] = True
    return jnp.asarray(m)


def forget_sets(key, pcs, *, sizes: Optional[Sequence[int]] = None, names: Optional[Sequence[str]] = None) -> dict:
    r"""The paper's nine forget sets as boolean masks over the $n$ training samples (module docstring).

    Random sets: `random_small`, `random_medium`, `random_large` are the first $k$ entries of
    `jax.random.permutation(k_j, n)` with $(k_1,k_2,k_3)$ = `jax.random.split(key, 3)`, one subkey per
    size whether or not the set is asked for (so a set does not depend on `names`). PC sets: the
    $k$ first (top) or last (bottom) entries of the order "score descending, then index ascending"
    of PC1's or PC2's scores: `pcX_top_small` $k_s$ top, `pcX_top_large` $k_m$ top, `pcX_top_bottom`
    $\lceil k_l/2\rceil$ top and $\lfloor k_l/2\rfloor$ bottom.

    Args:
        key: a JAX PRNG key (the random sets); may be None when `names` holds no random set.
        pcs: `InfluencePCs` (`influence_pcs`), or PC scores of shape (n_components, n), row 0 PC1
            and row 1 PC2 (one row suffices without PC2 sets).
        sizes: (small, medium, large) $=(k_s,k_m,k_l)$, ints in $[1, n-1]$; default
            `default_sizes(n)`.
        names: which sets (default all nine, `FORGET_SETS`).

    Returns:
        A dict name -> boolean mask of shape (n,), True on the forget set, in `FORGET_SETS` order. The
        retain mask for `mlp.train_ensemble` is `(~mask).astype(X.dtype)`.

    Raises:
        ValueError: a bad argument, named with its value (sizes above n - 1, an unknown name, ...).
    """
    where = "forget_sets.forget_sets"
    scores = pcs.scores if isinstance(pcs, InfluencePCs) else pcs
    scores = v.check_array(where, "pcs", scores, ndim=2)
    if not v.is_concrete(scores):
        v.fail(where, "pcs", "a traced array", "must be concrete (the sets' indices fix array contents)")
    n_pc, n = scores.shape
    if n_pc < 1 or n < 2:
        v.fail(where, "pcs", f"scores of shape {scores.shape}", "must have shape (n_components >= 1, n >= 2)")
    names = _check_names(where, names)
    sizes = _check_sizes(where, sizes, n)
    if any(name.startswith("pc2") for name in names) and n_pc < 2:
        v.fail(where, "pcs", f"scores of shape {scores.shape}", "must hold PC2 (2 rows) for the pc2_* sets")
    if any(name.startswith("random") for name in names):
        v.check_key(where, "key", key)
        subkeys = jax.random.split(key, 3)
    small, medium, large = sizes
    out = {}
    for name in FORGET_SETS:
        if name not in names:
            continue
        if name.startswith("random"):
            j = ("random_small", "random_medium", "random_large").index(name)
            idx = np.asarray(jax.random.permutation(subkeys[j], n))[:sizes[j]]
        else:
            order = _order(scores[0 if name.startswith("pc1") else 1])
            if name.endswith("top_small"):
                idx = order[:small]
            elif name.endswith("top_large"):
                idx = order[:medium]
            else:
                top, bottom = -(-large // 2), large // 2
                idx = np.concatenate([order[:top], order[n - bottom:]])
        out[name] = _mask(n, idx)
    return out
