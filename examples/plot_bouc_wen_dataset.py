"""
The Bouc-Wen shear-building data set
====================================

Note 002 predicts the nonlinear response of a multi-degree-of-freedom shear building
from the ground acceleration with an LSTM.  :func:`skdl.datasets.make_bouc_wen`
simulates that building: storeys linked by Bouc-Wen hysteretic springs,

``ḟᵢ = kᵢ u̇ᵢ − αᵢ |u̇ᵢ| |fᵢ|ⁿ⁻¹ fᵢ − βᵢ u̇ᵢ |fᵢ|ⁿ``  (``uᵢ`` the inter-storey drift),

shaken by Kanai-Tajimi filtered white noise.  This example draws one record: the
ground acceleration, the storey displacements, and the restoring force against the
drift of each storey, whose loops enclose the energy dissipated by hysteresis; the
linear building (``alpha = beta = 0``) under the same record is shown for comparison.

Run: ``python examples/plot_bouc_wen_dataset.py`` (writes
``examples/figures/bouc_wen_dataset.png``).
"""

import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skdl.datasets import make_bouc_wen

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)

N_SEQ, N_STEPS, N_DOF, DT = 200, 500, 3, 0.02
start = time.perf_counter()
ag, y, f = make_bouc_wen(N_SEQ, N_STEPS, N_DOF, DT, random_state=0, return_forces=True)
elapsed = time.perf_counter() - start
print(f"{N_SEQ} sequences x {N_STEPS} steps x {N_DOF} storeys simulated in {elapsed:.1f} s")
print("ground acceleration", ag.shape, "displacements", y.shape)

# the strongest record, and the linear building under the same ground motion
i = int(np.argmax(np.sqrt(np.mean(ag**2, axis=1))))
_, y_lin, f_lin = make_bouc_wen(
    N_SEQ, N_STEPS, N_DOF, DT, random_state=0, return_forces=True, alpha=0.0, beta=0.0
)
t = DT * np.arange(N_STEPS)
u = np.diff(y[i], axis=-1, prepend=0.0)  # inter-storey drifts
u_lin = np.diff(y_lin[i], axis=-1, prepend=0.0)
dissipated = np.sum(0.5 * (f[i, 1:] + f[i, :-1]) * np.diff(u, axis=0), axis=0) - f[i, -1] ** 2 / (
    2 * 400.0
)
print("energy dissipated by hysteresis per storey (J/kg):", np.round(dissipated, 2))

fig = plt.figure(figsize=(13, 8))
grid = fig.add_gridspec(2, 3)
ax = fig.add_subplot(grid[0, :2])
ax.plot(t, ag[i], color="0.3", lw=0.8, label="ground acceleration ẍ_G")
ax.set_xlabel("time (s)")
ax.set_ylabel("acceleration (m/s²)")
ax.set_title(f"Record {i}: Kanai-Tajimi filtered white noise (RMS {ag[i].std():.2f} m/s²)")
ax.legend(loc="upper right")

ax = fig.add_subplot(grid[0, 2])
for s in range(N_DOF):
    ax.plot(t, y[i, :, s], lw=1, label=f"storey {s + 1}")
ax.plot(t, y_lin[i, :, -1], "k:", lw=1, label=f"storey {N_DOF}, linear")
ax.set_xlabel("time (s)")
ax.set_ylabel("displacement relative to ground (m)")
ax.set_title("Storey displacements")
ax.legend(loc="upper right", fontsize=8)

for s in range(N_DOF):
    ax = fig.add_subplot(grid[1, s])
    ax.plot(u_lin[:, s], f_lin[i, :, s], color="0.6", lw=0.8, label="linear (α = β = 0)")
    ax.plot(u[:, s], f[i, :, s], color=f"C{s}", lw=1, label="Bouc-Wen")
    ax.axhline(20.0, color="k", ls="--", lw=0.8)
    ax.axhline(-20.0, color="k", ls="--", lw=0.8, label="(k/(α+β))^(1/n) = 20 N")
    ax.set_xlabel(f"drift u{s + 1} (m)")
    ax.set_ylabel(f"restoring force f{s + 1} (N)")
    ax.set_title(f"Storey {s + 1}: dissipated {dissipated[s]:.2f} J")
    ax.legend(loc="lower right", fontsize=8)
fig.suptitle("make_bouc_wen: MDOF shear building with Bouc-Wen storeys (note 002), unit masses")
fig.tight_layout()
out = FIGURES / "bouc_wen_dataset.png"
fig.savefig(out, dpi=110)
print("saved", out)
