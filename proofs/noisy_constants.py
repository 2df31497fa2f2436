r"""Noisy descent's constants and noise scale [D] (Descent-to-Delete on ascentlab's $L_{\mathcal R}$).

Per-sample $f_i(w)=\ell(y_ix_i^\top w)+\frac\lambda2\|w\|^2$ on the ball $\|w\|\le B$, margins
$m_i=y_ix_i^\top w\in[-B\|x_i\|,B\|x_i\|]$:

* $\sup\ell''$: logistic $\sigma(m)\sigma(-m)=\frac14-(\sigma(m)-\frac12)^2\le\frac14$ (at $m=0$);
  exponential $e^{-m}\le e^{B\|x_i\|}$ (decreasing); squared 1. So
  $\nabla^2L_{\mathcal R}\preceq\lambda I+\sum_{\mathcal R}c_is_ix_ix_i^\top$ and $M$ follows.
* $\sup|\ell'|$: $|\ell'|$ is decreasing in $m$ (logistic $\sigma(-m)$, exponential $e^{-m}$, squared
  $1-m$ for $m\le1$), so it is largest at $m=-B\|x_i\|$; at $w=-By_ix_i/\|x_i\|$ the two terms of
  $\nabla f_i=\ell'(m_i)y_ix_i+\lambda w$ are parallel, so $L=|\ell'(-B\|x_i\|)|\|x_i\|+\lambda B$ is attained.
* Radius: $\ell\ge0$, so $\frac\lambda2\|w^\star\|^2\le L(w^\star)\le L(0)=\ell(0)$: $\|w^\star\|\le\sqrt{2\ell(0)/\lambda}$.
* Contraction: $w\mapsto w-\eta\nabla L(w)$ has Jacobian $I-\eta H$; for $\mu\in[m,M]$, $|1-\eta\mu|$ is
  largest at an end; with $\eta=\frac2{m+M}$ both ends give $\gamma=\frac{M-m}{M+m}$.
* Shift: $\sum_{\mathcal D}\nabla f_i(w^{\mathcal D})=0$ gives $|\mathcal R|\nabla L_{\mathcal R}(w^{\mathcal D})
  =-|\mathcal F|\,\mathrm{mean}_{\mathcal F}\nabla f_i$; strong convexity: $\|w^{\mathcal D}-w^{\mathcal R}\|\le
  \frac{|\mathcal F|L}{\lambda|\mathcal R|}$.
* Gaussian mechanism: the privacy loss of $\mathcal N(0,\sigma^2)$ vs $\mathcal N(\Delta,\sigma^2)$ is
  $a^2/2+ag$, $a=\Delta/\sigma$, $g\sim\mathcal N(0,1)$; $\Pr[g>x]\le e^{-x^2/2}$, so $\delta$ suffices when
  $(\epsilon-a^2/2)/a\ge\sqrt{2\log(1/\delta)}$, i.e. $a\le\sqrt2(\sqrt{\log(1/\delta)+\epsilon}-\sqrt{\log(1/\delta)})$.
* Theorem 3.1's steady state (reference): $e=\gamma^I(e+\frac{2L}{mn})$ gives $e=\frac{2L\gamma^I}{mn(1-\gamma^I)}$.

Code: ascentlab.methods.noisy_gd (`constants`, `noise_scale`), ascentlab.theory.check_noisy_constants.
"""

import sympy as sp

from ._common import Contract, b, eps, lam, latex_block, n_f, n_r, p, q

mu, r, s, I, e, L = sp.symbols("mu r s I e L", positive=True)
m_ = sp.Symbol("m", real=True)
a_ = sp.Symbol("a", positive=True)  # gamma in the contract (domain (0.1, 0.9))
n_ = sp.Symbol("n", positive=True)
d_ = sp.Symbol("d", positive=True)
delta = sp.Symbol("alpha", positive=True)  # delta (domain (0.01, 1))
sigma = lambda v: 1 / (1 + sp.exp(-v))

B0_LOGISTIC = sp.sqrt(2 * sp.log(2) / lam)
GAMMA = sp.Max(sp.Abs(1 - 2 * p / (p + q)), sp.Abs(1 - 2 * q / (p + q)))  # m = p, M = q
SHIFT = n_f * b / (lam * n_r)  # L = b
GAUSS = 1 / (sp.sqrt(2) * (sp.sqrt(sp.log(1 / delta) + eps) - sp.sqrt(sp.log(1 / delta))))
NOISE = a_**p * b * GAUSS  # gamma = a, t = p, shift = b
G31 = (q - p) / (q + p)
THEOREM31 = 4 * sp.sqrt(2) * b * G31**d_ / (p * n_ * (1 - G31**d_)
                                             * (sp.sqrt(sp.log(1 / delta) + eps) - sp.sqrt(sp.log(1 / delta))))


def closed_forms():
    ngd = "methods.noisy_gd:"
    return [
        Contract("default_radius", (lam,), B0_LOGISTIC, ngd + "default_radius"),
        Contract("contraction_factor", (p, q), GAMMA, ngd + "contraction_factor"),
        Contract("minimiser_shift", (b, lam, n_r, n_f), SHIFT, ngd + "minimiser_shift"),
        Contract("noise_scale", (b, a_, p, eps, delta), NOISE, ngd + "noise_scale"),
        Contract("theorem31_sigma", (b, p, q, n_, d_, eps, delta), THEOREM31, ngd + "theorem31_sigma"),
    ]


def check():
    # logistic: ell'' = sigma(m) sigma(-m) = 1/4 - (sigma(m) - 1/2)^2 <= 1/4, equality at m = 0
    ell = sp.log(1 + sp.exp(-m_))
    d1, d2 = sp.diff(ell, m_), sp.diff(ell, m_, 2)
    assert sp.simplify(d2 - (sp.Rational(1, 4) - (sigma(m_) - sp.Rational(1, 2)) ** 2)) == 0
    assert d2.subs(m_, 0) == sp.Rational(1, 4)
    # |ell'| = sigma(-m) is decreasing in m: its largest value on m >= -B||x|| is sigma(B||x||) <= 1
    assert sp.simplify(d1 + sigma(-m_)) == 0
    assert sp.simplify(sp.diff(sigma(-m_), m_) + sigma(m_) * sigma(-m_)) == 0
    assert sp.limit(sigma(r), r, sp.oo) == 1
    # exponential: ell'' = |ell'| = e^{-m}, decreasing; at m = -r: e^r
    ee = sp.exp(-m_)
    assert sp.diff(ee, m_, 2) == ee and sp.diff(ee, m_) == -ee and ee.subs(m_, -r) == sp.exp(r)
    # squared: ell = (1 - m)^2 / 2, ell'' = 1, |ell'(-r)| = 1 + r
    sq = (1 - m_) ** 2 / 2
    assert sp.diff(sq, m_, 2) == 1 and sp.Abs(sp.diff(sq, m_).subs(m_, -r)) == 1 + r
    # extremal point w = -B y x / ||x|| (x = r u, |u| = 1, y^2 = 1): the gradient is
    # (ell'(-B r) r - lam B) y u, both terms negative along y u, so its norm is |ell'(-B r)| r + lam B
    lp = -sigma(b * r)  # logistic ell'(-B r), with B = b
    grad_along_yu = lp * r - lam * b
    assert sp.simplify(sp.Abs(grad_along_yu) - (sigma(b * r) * r + lam * b)) == 0
    # radius: lam / 2 B^2 = ell(0)
    B = sp.Symbol("B", positive=True)
    for ell0, B_expected in ((sp.log(2), B0_LOGISTIC), (1, sp.sqrt(2 / lam)), (sp.Rational(1, 2), sp.sqrt(1 / lam))):
        (sol,) = sp.solve(sp.Eq(lam / 2 * B**2, ell0), B)
        assert sp.simplify(sol - B_expected) == 0
    assert ell.subs(m_, 0) == sp.log(2)
    # contraction: |1 - eta mu| is convex in mu (max at an end); eta = 2 / (m + M) gives gamma at both ends
    m, M = p, q
    eta = 2 / (m + M)
    assert sp.simplify((1 - eta * m) - (M - m) / (M + m)) == 0
    assert sp.simplify((1 - eta * M) + (M - m) / (M + m)) == 0
    # shift: R grad_R + F grad_F = 0 (the optimality of w^D, sum over D of grad f_i)
    gR, gF = sp.symbols("g_R g_F", real=True)
    (gr,) = sp.solve(sp.Eq(n_r * gR + n_f * gF, 0), gR)
    assert sp.simplify(gr + n_f * gF / n_r) == 0
    # Gaussian mechanism: the positive root of a^2/2 + sqrt(2) s a - eps = 0, and its stable form
    roots = [x for x in sp.solve(sp.Eq(a_**2 / 2 + sp.sqrt(2) * s * a_ - eps, 0), a_) if x.is_positive is not False]
    assert any(sp.simplify(x - sp.sqrt(2) * (sp.sqrt(s**2 + eps) - s)) == 0 for x in roots)
    stable = (sp.sqrt(s**2 + eps) + s) / (sp.sqrt(2) * eps)
    assert sp.simplify(1 / (sp.sqrt(2) * (sp.sqrt(s**2 + eps) - s)) - stable) == 0
    # at that root the tail exponent (eps - a^2/2)/a equals sqrt(2) s: delta = e^{-s^2}
    root = sp.sqrt(2) * (sp.sqrt(s**2 + eps) - s)
    assert sp.simplify((eps - root**2 / 2) / root - sp.sqrt(2) * s) == 0
    # Theorem 3.1's steady state e = gamma^I (e + 2L/(mn))
    g = sp.Symbol("gamma", positive=True)
    (e_sol,) = sp.solve(sp.Eq(e, g**I * (e + 2 * L / (p * n_))), e)
    assert sp.simplify(e_sol - 2 * L * g**I / (p * n_ * (1 - g**I))) == 0


def latex():
    # display names for the contract's sampling symbols: m = p, M = q, L = b, gamma = a, t = p, I = d, delta
    mm, MM, LL, gg, tt, II, dd, D0 = sp.symbols("m M L gamma t I delta Delta_0", positive=True)
    noise = NOISE.subs({p: tt}).subs({a_: gg, b: D0, delta: dd})
    return latex_block([
        (r"B_0", B0_LOGISTIC),
        (r"\gamma", ((q - p) / (q + p)).subs({p: mm, q: MM})),
        (r"\Delta_0", SHIFT.subs(b, LL)),
        (r"\sigma_t", noise),
        (r"\sigma_{\text{Thm 3.1}}", THEOREM31.subs({p: mm, q: MM, b: LL, d_: II, delta: dd})),
    ])


if __name__ == "__main__":
    print(latex())
