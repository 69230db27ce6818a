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
# # Could the EPAA reach Russian ICBMs? From trajectories to the arsenal
#
# `bmdcoop.reach` asks, for every Yars trajectory from ten Russian ICBM fields to six US cities,
# whether a deployment could intercept it at all - per interceptor burnout speed and cueing. The
# arsenal-scale step weighs that with a public force estimate and the deployment's inventory.
# `BMDCOOP_NOTEBOOK_QUICK=1` (the tests) asks for one speed.

# %%
import os

import matplotlib.pyplot as plt
import pandas as pd

import bmdcoop
from bmdcoop.analysis.arsenal import arsenal_scale, load_forces

QUICK = os.environ.get("BMDCOOP_NOTEBOOK_QUICK") == "1"
speeds = [7.0] if QUICK else [3.0, 4.5, 5.5, 7.0]
res = bmdcoop.reach("russia-to-us", deployment=["epaa-phase3", "aegis-north-sea"], speeds_kms=speeds,
                    cueing=["forward-radar", "space-ir"])
res.to_dataframe()[["deployment", "interceptor_speed_kms", "cueing", "engageable", "trajectories"]]

# %% [markdown]
# Which fields does the northern ship posture reach, and where would it intercept?

# %%
rows = [dict(e, deployment=r["deployment"], speed=r["interceptor_speed_kms"], cueing=r["cueing"])
        for r in res.as_dict()["rows"] for e in r.get("engaged", [])]
pd.DataFrame(rows, columns=["deployment", "speed", "cueing", "id", "battery", "intercept_t_s", "alt_km"]).head(10)

# %% [markdown]
# ## At the scale of the arsenal
# The force estimate (examples/data/russia-forces.yaml) carries its sources; every figure below is
# an upper bound for the defence (see bmdcoop.analysis.arsenal).

# %%
forces = load_forces("examples/data/russia-forces.yaml")
scale = pd.DataFrame(arsenal_scale(res, forces["deployed_warheads"]["value"]))
scale[["deployment", "interceptor_speed_kms", "cueing", "warheads_engageable", "interceptors", "max_kills",
       "share_of_arsenal"]]

# %%
best = scale[scale.cueing == "space-ir"]
fig, ax = plt.subplots(figsize=(6, 3))
for dep, g in best.groupby("deployment"):
    ax.plot(g.interceptor_speed_kms, g.max_kills, "o-", label=dep)
ax.axhline(forces["deployed_warheads"]["value"], color="k", lw=0.8)
ax.set_yscale("symlog")
ax.set_xlabel("interceptor burnout speed (km/s)")
ax.set_ylabel("warheads killed at most")
ax.legend()
fig.tight_layout()
