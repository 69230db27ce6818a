"""Reach plots: trajectories engageable against interceptor burnout speed - one panel per cueing
level, one series per deployment (its own colour and marker, nudged sideways so that series lying
on top of each other, e.g. several at zero, stay visible)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from bmdcoop.report.scene import PARTY_COLOURS

MARKERS = ("o", "s", "D", "^", "v", "P", "X")


def _draw(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = result.as_dict(details=False) if hasattr(result, "as_dict") else result
    rows = [r for r in d["rows"] if r["interceptor_speed_kms"] is not None]
    cueings = list(dict.fromkeys(r["cueing"] for r in rows))
    deps = list(dict.fromkeys(r["deployment"] for r in rows))
    n_traj = max((r["trajectories"] for r in rows), default=0)
    fig, axes = plt.subplots(1, max(1, len(cueings)), figsize=(3.4 * max(1, len(cueings)) + 1.6, 3.6), sharey=True,
                             squeeze=False)
    dodge = np.linspace(-0.08, 0.08, len(deps)) if len(deps) > 1 else np.zeros(1)
    for ax, cue in zip(axes[0], cueings):
        for k, dep in enumerate(deps):
            pts = sorted((r["interceptor_speed_kms"], r["engageable"]) for r in rows
                         if r["deployment"] == dep and r["cueing"] == cue)
            if pts:
                ax.plot([p[0] + dodge[k] for p in pts], [p[1] for p in pts], marker=MARKERS[k % len(MARKERS)], ms=5,
                        lw=1.2, color=PARTY_COLOURS[k % len(PARTY_COLOURS)], label=dep)
        ax.set_title(f"cueing: {cue}")
        ax.set_xlabel("interceptor burnout speed (km/s)")
        ax.grid(alpha=0.25)
        ax.set_ylim(-0.04 * max(n_traj, 1), 1.04 * max(n_traj, 1))
    axes[0][0].set_ylabel(f"trajectories engageable (of {n_traj})")
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8, title="deployment")
    fig.suptitle(f"Deterrence reach: {d.get('preset', '')} - threat {d.get('threat_model', '')}; "
                 f"batteries of each deployment; series nudged +-0.08 km/s to stay visible", x=0.01, ha="left",
                 fontsize=9)
    fig.tight_layout()
    return fig


def plot_reach(result, path) -> str:
    """PNG at `path`: engageable trajectories vs burnout speed, per cueing level and deployment."""
    import matplotlib.pyplot as plt

    fig = _draw(result)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return str(path)


def reach_figure(result, stem: str | Path) -> list[Path]:
    """The same figure as PNG and SVG at `stem` (paper figures)."""
    from bmdcoop.report.figures import save

    return save(_draw(result), stem)
