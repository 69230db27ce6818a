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
# # Cooperation terms, per party
#
# Load the debate's example (an Iranian raid on Europe and southern Russia, NATO's EPAA and a
# Russian S-500/S-400 defence), change one term of the data-sharing agreement, run both sides'
# campaigns on common random numbers and look at what each party gets. Open with jupytext
# (`jupytext --to notebook compare-terms.py`) or run as a script from the repository root.
# `BMDCOOP_NOTEBOOK_TRIALS` sets the trials (the test suite runs this with a handful).

# %%
import os

import matplotlib.pyplot as plt
import pandas as pd

import bmdcoop
from bmdcoop.report.layers import comparison_rows
from bmdcoop.scenario import scenario_to_dict

TRIALS = int(os.environ.get("BMDCOOP_NOTEBOOK_TRIALS", "500"))
scenario = bmdcoop.load_scenario("examples/iran-raid-compare.yaml")
[(a.id, a.sensors, a.latency_s) for a in scenario.agreements]

# %% [markdown]
# ## Change a term: the Data Fusion Centre's latency, 8 s -> 60 s
# A scenario is data: edit its dictionary and load it again (validated, defaults filled in).

# %%
data = scenario_to_dict(scenario)
data.pop("variants")
data["variants"] = {"fusion-8s": {"architecture": "coordinated"},
                    "fusion-60s": {"architecture": "coordinated", "agreements.data-fusion-centre.latency_s": 60}}
slow = bmdcoop.load_scenario(data)
summary = bmdcoop.compare(slow, trials=TRIALS, workers=1)
list(summary["architectures"])

# %% [markdown]
# ## A DataFrame per variant and party, with 95 % intervals

# %%
df = pd.DataFrame(comparison_rows(summary))
table = df.pivot_table(index=["variant", "party"], columns="metric", values="value")
table

# %% [markdown]
# Paired differences against going alone (same random draws, so the intervals are tight):

# %%
diff = pd.DataFrame({(v, p): {k: d[k][0] for k in ("expected_surviving_value", "p_no_leak")}
                     for v, parties in summary["differences"].items() for p, d in parties.items()}).T
diff

# %% [markdown]
# ## Plot: NATO's expected surviving value under each term

# %%
nato = df[(df.party == "nato") & (df.metric == "expected_surviving_value")]
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.errorbar(nato.value, range(len(nato)), xerr=[nato.value - nato.lo, nato.hi - nato.value], fmt="o")
ax.set_yticks(range(len(nato)), nato.variant)
ax.set_xlabel("NATO expected surviving value (of 71)")
ax.set_title(f"{TRIALS} trials, seed {summary['seed']}")
fig.tight_layout()
