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
# # A campaign's report, globe files and paper figures
#
# Run a campaign into a folder, then write the offline `report.html`, `scene.czml` (Cesium) and
# `scene.kml` (Google Earth) beside its Parquet rows, and the paper figures. The same as
# `bmdcoop run ... --out DIR` followed by `bmdcoop report DIR --figures DIR/figures`.

# %%
import json
import os
import tempfile
from pathlib import Path

import bmdcoop
from bmdcoop.report import build_scene, open_run, write_outputs

TRIALS = int(os.environ.get("BMDCOOP_NOTEBOOK_TRIALS", "500"))
out = Path(os.environ.get("BMDCOOP_NOTEBOOK_OUT") or tempfile.mkdtemp()) / "epaa"
summary = bmdcoop.run("examples/iran-raid-epaa.yaml", trials=TRIALS, workers=1, out=out, force=True)
summary["architectures"]["independent"]["nato"]["expected_surviving_value"]

# %%
paths = write_outputs(out, figures_dir=out / "figures")
{k: (str(v) if not isinstance(v, list) else len(v)) for k, v in paths.items()}

# %% [markdown]
# The rows are Parquet: one per trial and missile, one per interceptor.

# %%
rf = open_run(out)
shots = rf.table(None, "shots", trials=10)
{k: shots[k][:3].tolist() for k in ("battery", "intercept_t_s", "intercept_alt_m", "outcome")}

# %% [markdown]
# The CZML is plain JSON: the first missile's Earth-fixed samples (t, x, y, z in metres).

# %%
czml = json.loads(Path(paths["czml"]).read_text())
first = next(p for p in czml if p["id"].startswith("missile/"))
first["name"], first["position"]["cartesian"][:8]

# %% [markdown]
# A `Scene` is what every map draws; build one from the scenario alone for a quick look.

# %%
scene = build_scene("examples/iran-raid-epaa.yaml")
[(s.id, s.kind, s.what) for s in scene.sites if s.kind == "battery"]
