"""Reach plots: the fraction of trajectories engageable vs interceptor burnout speed."""
from __future__ import annotations


def plot_reach(result, path) -> str:
    """PNG: fraction of trajectories engageable vs interceptor burnout speed, per deployment and cueing."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = result.as_dict() if hasattr(result, "as_dict") else result
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    styles = {"own": ":", "forward-radar": "--", "space-ir": "-"}
    groups: dict[tuple, list] = {}
    for r in result["rows"]:
        if r["interceptor_speed_kms"] is not None:
            groups.setdefault((r["deployment"], r["cueing"]), []).append((r["interceptor_speed_kms"], r["fraction"]))
    colours = {}
    for (dep, cue), pts in groups.items():
        pts.sort()
        colour = colours.setdefault(dep, f"C{len(colours)}")
        ax.plot([p[0] for p in pts], [p[1] for p in pts], styles.get(cue, "-"), marker="o", color=colour,
                label=f"{dep} / {cue}")
    ax.set_xlabel("interceptor burnout speed (km/s)")
    ax.set_ylabel("fraction of trajectories engageable")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"Deterrence reach: {result.get('preset', '')}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return str(path)
