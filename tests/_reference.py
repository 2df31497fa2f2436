"""Independent numpy references shared by several test files (never ascentlab code)."""

import numpy as np
import scipy.optimize
from scipy.special import lambertw as _sp_lambertw


def W0(z):
    """The principal branch of Lambert W (scipy), real part."""
    return _sp_lambertw(z, 0).real


def Wm1(z):
    """The lower branch W_{-1} of Lambert W (scipy), real part."""
    return _sp_lambertw(z, -1).real


def numpy_alternating_map(w, a, b, lam, eta, order):
    """Both orders of the alternating map, written out in numpy (independent of ascentlab)."""
    descent = lambda v: v - eta * (-a * np.exp(-v) + lam * v)
    ascent = lambda v: v - eta * (b * np.exp(-v) + lam * v)
    return ascent(descent(w)) if order == "descent_first" else descent(ascent(w))


def numpy_far_fixed_point(a, b, lam, eta, order):
    """brentq on the numpy map around the leading-order guess ln(eta a / ln(b/a)) (the bracket widened
    until it changes sign); the derivative by central differences."""
    ell = np.log(b / a)
    guess = np.log(eta * a / ell) + (ell if order == "ascent_first" else 0.0)
    f = lambda w: numpy_alternating_map(w, a, b, lam, eta, order) - w
    width = 1.0
    while np.sign(f(guess - width)) == np.sign(f(guess + width)) and width < 8:  # widen until it brackets
        width += 0.5
    w = scipy.optimize.brentq(f, guess - width, guess + width, xtol=1e-14)
    h = 1e-6
    up, down = (numpy_alternating_map(w + s, a, b, lam, eta, order) for s in (h, -h))
    return w, (up - down) / (2 * h)


def numpy_long_run(w0, a, b, lam, eta, order, steps=4000):
    w = w0
    out = []
    for _ in range(steps):
        w = numpy_alternating_map(w, a, b, lam, eta, order)
        out.append(w)
    return np.array(out)
