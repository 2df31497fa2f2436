r"""Newton removal's gradient residual [D]: the data-dependent bound, Guo et al.'s Theorem 1 in
ascentlab's normalisation, the logistic constant $\sup|\ell'''|=\frac1{6\sqrt3}$, and the noise scale.

1. **Residual.** With $v=H_{\mathcal R}(w)^{-1}\Delta$, $\Delta=-\nabla L_{\mathcal R}(w)$, $u_i=y_ix_i\cdot v$:
   $\nabla L_{\mathcal R}(w+v)=\nabla L_{\mathcal R}(w)+H_{\mathcal R}(w)v+\sum_ic_iy_ix_i\,\rho_i$ with
   $\rho_i=\ell'(m_i+u_i)-\ell'(m_i)-\ell''(m_i)u_i=u_i^2\int_0^1(1-s)\ell'''(m_i+su_i)\,ds$ (the ridge is
   linear in the gradient), so $\|\nabla L_{\mathcal R}(w+v)\|\le\frac12\sum_ic_i\gamma_iu_i^2\|x_i\|$,
   $\gamma_i=\sup|\ell'''|$ on the segment, as $\int_0^1(1-s)\,ds=\frac12$.
2. **Logistic constant.** $\ell''=s(1-s)$ with $s=\sigma(m)$, $\frac{ds}{dm}=s(1-s)$, so
   $\ell'''=s(1-s)(1-2s)$: a cubic in $s\in(0,1)$, 0 at the ends, stationary at
   $s=\frac12\pm\frac1{2\sqrt3}$ where $|\ell'''|=\frac1{6\sqrt3}$, i.e. at $m=\pm\ln(2+\sqrt3)$.
   Exponential: $|\ell'''|=e^{-m}$ is convex, so its sup on a segment is at an endpoint.
3. **Guo et al.'s $\Delta$.** From $\nabla L_{\mathcal D}(w^{\mathcal D})=0$:
   $\Delta=-\nabla L_{\mathcal R}(w^{\mathcal D})=\frac{S_{\mathcal F}+|\mathcal F|\lambda w^{\mathcal D}}{|\mathcal R|}$
   ($S_{\mathcal F}=\sum_{\mathcal F}\nabla\ell_j$), so $\|\Delta\|\le2C|\mathcal F|/|\mathcal R|$.
4. **Theorem 1 in our units.** Guo et al.'s summed bound $\frac{4\gamma m^2C^2}{\lambda^2(n-m)}$
   ($m=|\mathcal F|$, $n-m=|\mathcal R|$) divided by $|\mathcal R|$, with the rescaling
   $x\to x/\rho$, $w\to\rho w$, $\lambda\to\lambda/\rho^2$ (the objective is unchanged, gradients scale
   by $\rho$): $\frac{4\gamma\rho^5C_\ell^2}{\lambda^2}(|\mathcal F|/|\mathcal R|)^2$, the same as
   $\gamma\rho^3\|v\|^2$ at $\|v\|=2\rho C_\ell|\mathcal F|/(\lambda|\mathcal R|)$.
5. **Noise.** $\delta=1.5e^{-c^2/2}\iff c=\sqrt{2\ln(1.5/\delta)}$; $\sigma=c\,|\mathcal R|\epsilon'/\epsilon$
   (summed units: our residual is the summed one over $|\mathcal R|$).

Code: ascentlab.methods.newton (`guo_residual_bound`, `local_residual_bound`, `removal_noise_scale`,
`LOGISTIC_GAMMA`); ascentlab.theory.check_newton_residual.
"""

import mpmath
import sympy as sp

from ._common import Contract, eps, lam, latex_block, n_f, n_r

m, u, s_, sv = sp.symbols("m u s s_sigma", real=True)
# symbol names double as the contract's sampling domains (proofs/_common.DOMAINS): radius rho as "b",
# gamma as "p", sup|l'| as "q"; the residual bound eps' as "b" and delta as "a" in the noise scale
radius, gamma, lip = sp.symbols("b p q", positive=True)
delta = sp.Symbol("a", positive=True)
sigma = lambda v: 1 / (1 + sp.exp(-v))  # noqa: E731

LOGISTIC = sp.log(1 + sp.exp(-m))
GAMMA_LOGISTIC = 1 / (6 * sp.sqrt(3))
TIGHT_MARGIN = sp.log(2 + sp.sqrt(3))
GUO = 4 * gamma * radius**5 * lip**2 / lam**2 * (n_f / n_r) ** 2
C_OF_DELTA = sp.sqrt(2 * sp.log(sp.Rational(3, 2) / delta))
NOISE = C_OF_DELTA * n_r * radius / eps


def _remainder_identity(ell):
    """rho(u) = l'(m+u) - l'(m) - l''(m) u equals u^2 int_0^1 (1-s) l'''(m+su) ds."""
    d1, d2, d3 = (sp.diff(ell, m, k) for k in (1, 2, 3))
    lhs = d1.subs(m, m + u) - d1 - d2 * u
    rhs = u**2 * sp.integrate((1 - s_) * d3.subs(m, m + s_ * u), (s_, 0, 1), conds="none")
    return sp.simplify(lhs - rhs)


def closed_forms():
    return [
        Contract("guo_residual_bound", (lam, n_r, n_f, radius, gamma, lip), GUO, "guo_residual_bound"),
        Contract("noise_scale", (radius, n_r, eps, delta), NOISE, "removal_noise_scale"),
    ]


def check():
    # 1. the integral remainder (exact for the exponential and squared losses; the logistic one is
    #    checked at numbers: sympy's integral of its l''' is slow)
    assert _remainder_identity(sp.exp(-m)) == 0
    assert _remainder_identity((1 - m) ** 2 / 2) == 0
    assert sp.integrate(1 - s_, (s_, 0, 1)) == sp.Rational(1, 2)
    d3 = sp.diff(LOGISTIC, m, 3)
    for mv, uv in ((sp.Rational(1, 3), sp.Rational(-7, 5)), (sp.Rational(-2), sp.Rational(1, 2))):
        lhs = (sp.diff(LOGISTIC, m).subs(m, mv + uv) - sp.diff(LOGISTIC, m).subs(m, mv)
               - sp.diff(LOGISTIC, m, 2).subs(m, mv) * uv)
        integrand = sp.lambdify(s_, (1 - s_) * d3.subs(m, mv + s_ * uv), "mpmath")
        with mpmath.workdps(30):
            rhs = uv**2 * mpmath.quad(integrand, [0, 1])
            assert abs(mpmath.mpf(sp.N(lhs, 30)) - rhs) < 1e-25
    # 2. logistic l''' = s(1-s)(1-2s) in s = sigma(m); its extremes on (0, 1)
    assert sp.simplify(d3 - (sigma(m) * (1 - sigma(m)) * (1 - 2 * sigma(m)))) == 0
    cubic = sv * (1 - sv) * (1 - 2 * sv)
    crit = sp.solve(sp.diff(cubic, sv), sv)
    assert sorted(crit, key=float) == [sp.Rational(1, 2) - sp.sqrt(3) / 6, sp.Rational(1, 2) + sp.sqrt(3) / 6]
    values = [sp.nsimplify(sp.Abs(cubic.subs(sv, c))) for c in crit] + [cubic.subs(sv, 0), cubic.subs(sv, 1)]
    assert sp.simplify(max(values, key=float) - GAMMA_LOGISTIC) == 0
    # the peak in margins: sigma(m*) = 1/2 + sqrt(3)/6 at m* = ln(2 + sqrt 3)
    assert sp.simplify(sigma(TIGHT_MARGIN) - crit[1]) == 0 or sp.simplify(sigma(TIGHT_MARGIN) - crit[0]) == 0
    # exponential: |l'''| = e^{-m} is convex, so its sup on a segment is at an endpoint
    assert sp.diff(sp.exp(-m), m, 2) == sp.exp(-m)
    # 3. Delta = -grad L_R(w^D) from grad L_D(w^D) = 0 (linear: one coordinate stands for the vector)
    S_r, S_f, wd = sp.symbols("S_R S_F w_D", real=True)
    S_r_star = sp.solve(sp.Eq((S_r + S_f) / (n_r + n_f) + lam * wd, 0), S_r)[0]
    assert sp.simplify(-(S_r_star / n_r + lam * wd) - (S_f + n_f * lam * wd) / n_r) == 0
    # 4. Guo et al.'s summed batch bound / |R|, rescaled to rows of norm rho
    C = sp.Symbol("C", positive=True)
    summed = 4 * gamma * n_f**2 * C**2 / (lam**2 * n_r)
    ours_unit = summed / n_r
    lam_t = lam / radius**2  # the rescaled ridge
    rescaled = radius * ours_unit.subs({lam: lam_t, C: lip})  # gradients scale by rho
    assert sp.simplify(rescaled - GUO) == 0
    step = 2 * radius * lip * n_f / (lam * n_r)  # |v| <= |Delta| / lam <= 2 rho C_l |F| / (lam |R|)
    assert sp.simplify(gamma * radius**3 * step**2 - GUO) == 0
    # 5. delta = 1.5 exp(-c^2 / 2)
    assert sp.simplify(sp.Rational(3, 2) * sp.exp(-C_OF_DELTA**2 / 2) - delta) == 0


def latex():
    return latex_block([
        (r"\sup_m|\ell_{\log}'''(m)|", GAMMA_LOGISTIC),
        (r"\text{Guo et al. Thm. 1 (ours)}", GUO),
        (r"\sigma", NOISE),
    ])


if __name__ == "__main__":
    print(latex())
