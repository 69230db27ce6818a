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


def arsenal_figure(rows: list[dict], stem: str | Path, cueing: str = "space-ir") -> list[Path]:
    """Warheads a deployment could engage at all, and at most kill, against burnout speed (log
    scale), beside the arsenal's deployed warheads - one series per deployment (`analysis.arsenal`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bmdcoop.report.figures import save

    sel = [r for r in rows if r["cueing"] == cueing and r["interceptor_speed_kms"] is not None]
    deps = list(dict.fromkeys(r["deployment"] for r in sel))
    warheads = sel[0]["warheads"] if sel else 1.0
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    floor = 0.5                                   # zero drawn on the log axis at 0.5, labelled "0"
    dodge = np.linspace(-0.08, 0.08, len(deps)) if len(deps) > 1 else np.zeros(1)
    for k, dep in enumerate(deps):
        pts = sorted((r["interceptor_speed_kms"], r["warheads_engageable"], r["max_kills"]) for r in sel
                     if r["deployment"] == dep)
        x = [p[0] + dodge[k] for p in pts]
        colour = PARTY_COLOURS[k % len(PARTY_COLOURS)]
        ax.plot(x, [max(p[1], floor) for p in pts], "-", marker=MARKERS[k % len(MARKERS)], color=colour, ms=5,
                label=f"{dep}: engageable at all")
        ax.plot(x, [max(p[2], floor) for p in pts], ":", marker=MARKERS[k % len(MARKERS)], color=colour, ms=4,
                mfc="white", label=f"{dep}: at most killed")
    ax.axhline(warheads, color="black", lw=1)
    ax.text(ax.get_xlim()[0] if sel else 0, warheads * 1.15, f"deployed strategic warheads: {warheads:,.0f}",
            fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(floor * 0.8, warheads * 2.5)
    ticks = [t for t in (floor, 1, 10, 100, 1000, 10000) if t <= warheads * 2.5]
    ax.set_yticks(ticks)
    ax.set_yticklabels(["0"] + [f"{t:g}" for t in ticks[1:]])
    ax.set_xlabel("interceptor burnout speed (km/s)")
    ax.set_ylabel("warheads")
    ax.grid(alpha=0.25)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7)
    ax.set_title(f"Arsenal scale: warheads engageable and at most killed (cueing {cueing}); all interceptors "
                 "of the deployment fired once each", loc="left", fontsize=9)
    return save(fig, stem)
