"""`bmdcoop footprint` and `bmdcoop reach`: defended areas and deterrence reach."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from bmdcoop.cli._app import app, console, emit, err_console, parse_latlon, progress_bar
from bmdcoop.errors import InputError


def _floats(text: str, option: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"{option} must be comma-separated numbers, e.g. 3,4.5,5.5,7 (got '{text}')") from None


@app.command("footprint")
def footprint_command(
    battery: List[str] = typer.Option(..., "--battery", help="SITE:INTERCEPTOR (repeatable), e.g. deveselu:sm-3-ib"),
    threat: str = typer.Option(..., "--threat", help="catalog missile name, or 'ideal' (minimum-energy arcs)"),
    launch: str = typer.Option(..., "--launch", help="launch point LAT,LON in degrees"),
    grid_km: float = typer.Option(25.0, "--grid-km", help="aimpoint spacing in km"),
    out: Path = typer.Option(..., "--out", help="directory for footprint.geojson, .png, .html"),
    region: Optional[str] = typer.Option(None, "--region", help="europe, us, ... or LAT0,LAT1,LON0,LON1"),
    cueing: str = typer.Option("own", "--cueing", help="own, forward-radar or space-ir"),
    forward_radar: List[str] = typer.Option([], "--forward-radar", help="TYPE@SITE, e.g. an-tpy-2@kurecik"),
    trajectory: str = typer.Option("min-energy", "--trajectory", help="min-energy, lofted or depressed"),
    boost_s: float = typer.Option(180.0, "--boost-s", help="boost time of an 'ideal' threat"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Defended-area map (GeoJSON, HTML, PNG) of batteries against a threat from a launch point."""
    from bmdcoop.engagement.footprint import footprint, write_footprint
    from bmdcoop.engagement.reach import Place, RadarSpec

    lat, lon = parse_latlon(launch, "--launch")
    radars = []
    for text in forward_radar:
        if "@" not in text:
            raise InputError(f"--forward-radar must be TYPE@SITE, e.g. an-tpy-2@kurecik (got '{text}')")
        rtype, site = text.split("@", 1)
        radars.append(RadarSpec(rtype, Place.site(site)))
    with progress_bar("footprint", quiet=as_json) as progress:
        result = footprint(battery, threat, (lat, lon), grid_km=grid_km, region=region, cueing=cueing,
                           forward_radars=radars, trajectory=trajectory, boost_s=boost_s, progress=progress)
    paths = write_footprint(result, out)
    summary = result.summary()
    data = {"area_km2": summary["area_km2"], "aimpoints": summary["aimpoints"], "defended": summary["defended"],
            "geojson": paths["geojson"], "png": paths["png"], "html": paths["html"], **{
                k: summary[k] for k in ("attackable", "grid_km", "threat", "launch", "cueing", "batteries", "warnings")}}
    for w in result.warnings:
        err_console.print(f"warning: {w}", style="yellow", markup=False, highlight=False)

    def render(d: dict) -> None:
        console.print(f"defended area {d['area_km2']:,.0f} km^2: {d['defended']} of {d['aimpoints']} aimpoints "
                      f"({d['attackable']} within the threat's reach), grid {d['grid_km']:g} km, cueing {d['cueing']}")
        for b in d["batteries"]:
            console.print(f"  {b['site']}:{b['interceptor']} (own radar {b['own_radar']}): {b['defended']} aimpoints")
        console.print(f"wrote {d['geojson']}, {d['png']}, {d['html']}")

    emit(data, as_json, render)


@app.command("reach")
def reach_command(
    preset: str = typer.Argument(..., help="a preset (russia-to-us, iran-to-europe, iran-to-us-east-coast) "
                                           "or a scenario file (.yaml): its threats, each party's batteries"),
    deployment: Optional[str] = typer.Option(None, "--deployment", help="deployment name(s), comma-separated "
                                             "(party ids for a scenario)"),
    speeds: str = typer.Option("3,4.5,5.5,7", "--interceptor-speeds-kms", help="burnout speeds to sweep, km/s"),
    cueing: str = typer.Option("own,forward-radar,space-ir", "--cueing", help="cueing levels, comma-separated"),
    plot: Optional[Path] = typer.Option(None, "--plot", help="write the fraction-vs-speed PNG here"),
    details: bool = typer.Option(False, "--details", help="list where/when each engageable trajectory is hit"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Which trajectories a deployment could engage at all, vs interceptor speed and cueing."""
    from bmdcoop.engagement.reach import plot_reach, reach

    deps = None if deployment is None else [d.strip() for d in deployment.split(",") if d.strip()]
    with progress_bar("reach", quiet=as_json) as progress:
        result = reach(preset, deployment=deps, speeds_kms=_floats(speeds, "--interceptor-speeds-kms"),
                       cueing=[c.strip() for c in cueing.split(",") if c.strip()], details=True, progress=progress)
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        result["plot"] = plot_reach(result, plot)
    if not details:
        for r in result["rows"]:
            r.pop("engaged", None)

    def render(d: dict) -> None:
        table = Table(title=f"deterrence reach: {d['preset']} ({d['threat_model']})")
        for col in ("deployment", "speed km/s", "cueing", "engageable", "fraction"):
            table.add_column(col)
        for r in d["rows"]:
            table.add_row(r["deployment"], f"{r['interceptor_speed_kms']:g}", r["cueing"],
                          f"{r['engageable']} / {r['trajectories']}", f"{r['fraction']:.2f}")
        console.print(table)
        if details:
            for r in d["rows"]:
                for e in r.get("engaged", []):
                    console.print(f"  {r['deployment']} {r['interceptor_speed_kms']:g} km/s {r['cueing']}: {e['id']} by "
                                  f"{e['battery']} at t={e['intercept_t_s']:.0f} s, {e['alt_km']:.0f} km over "
                                  f"{e['lat_deg']:.1f},{e['lon_deg']:.1f}")
        for w in d.get("warnings", []):
            console.print(f"warning: {w}", style="yellow", markup=False, highlight=False)
        if d.get("plot"):
            console.print(f"wrote {d['plot']}")

    emit(result, as_json, render)
