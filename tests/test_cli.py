"""`ascentlab demo`: the printed table and the written figure."""

import re
import subprocess
import sys

import matplotlib.image as mpimg
import numpy as np
from scipy.special import lambertw as sp_lambertw

from ascentlab.cli import main


def numpy_da_distances(eta=0.5, steps=100):
    """DA on the demo problem in plain numpy: per coordinate
    w <- w - eta ((b_j - a_j) e^{-w} + lam w), from Lemma 2's w^D."""
    a, b, lam = np.array([0.5, 0.5]), np.array([0.4, 0.6]), 0.5
    c_d = np.array([58.0, 62.0]) / 120
    w = sp_lambertw(c_d / lam).real
    w_r = sp_lambertw(a / lam).real
    out = [np.linalg.norm(w - w_r)]
    for _ in range(steps):
        w = w - eta * ((b - a) * np.exp(-w) + lam * w)
        out.append(np.linalg.norm(w - w_r))
    return np.array(out)


def test_demo_prints_table_and_writes_figures(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = dict(re.findall(r"^\s+(\d+)\s+([0-9.]+)\s+[0-9.]+$", out, flags=re.M))
    ref = numpy_da_distances()
    assert sorted(int(t) for t in rows) == [0, 1, 2, 5, 10, 20, 100]
    for t, dist in rows.items():
        assert abs(float(dist) - ref[int(t)]) <= 5e-7  # printed to 6 decimals
    assert "minimum" in out
    for name in ("demo.png", "demo.pdf"):
        assert (tmp_path / name).stat().st_size > 10_000
    img = mpimg.imread(tmp_path / "demo.png")
    assert img.shape[0] > 300 and img.shape[1] > 600
    assert img[..., :3].std() > 0.05  # not blank
    assert not list(tmp_path.glob(".demo-*"))  # no temporary files left behind


def test_console_entry_point_help():
    proc = subprocess.run([sys.executable, "-m", "ascentlab", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "demo" in proc.stdout
