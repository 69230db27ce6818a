"""`bmdcoop footprint` and `bmdcoop reach`: defended areas and deterrence reach."""
from __future__ import annotations

from typing import List, Optional

import typer
from rich.table import Table

from bmdcoop.cli._app import (CATALOG_HELP, app, console, emit, err_console, input_path, output_dir, output_file,
                              parse_choice, parse_latlon, parse_list, parse_numbers, progress_bar)
from bmdcoop.errors import InputError
from bmdcoop.outputs import writable_dir

PLOT_SUFFIXES = (".png", ".svg", ".pdf")
FOOTPRINT_TRAJECTORIES = ("min-energy",)   # a lofted or depressed fly-out needs an apogee or angle per aimpoint


def _launch_point(text: str) -> tuple[float, float] | str:
    """'LAT,LON' in degrees, or a catalog site name."""
    if not text.strip():
        raise InputError("--launch is empty: give LAT,LON in degrees or a catalog site name")
    return parse_latlon(text, "--launch") if "," in text else text.strip()


def _footprint_trajectory(trajectory: str) -> str:
    """footprint flies each aimpoint's threat on a minimum-energy trajectory; lofted and depressed
    ones need an apogee or burnout angle per aimpoint, which footprint does not take."""
    if trajectory in ("lofted", "depressed"):
        raise InputError(f"--trajectory {trajectory}: footprint flies min-energy trajectories only (a {trajectory} "
                         "trajectory needs an apogee per aimpoint); for one lofted or depressed flight use "
                         "`bmdcoop flyout MISSILE --loft-apogee-km A`")
    return parse_choice(trajectory, "--trajectory", FOOTPRINT_TRAJECTORIES, "footprint trajectory")


@app.command("footprint")
def footprint_command(
    scenario: Optional[str] = typer.Argument(None, help="scenario file: --battery then takes its battery ids, and "
                                                         "its sensors, cueing and agreements apply"),
    battery: List[str] = typer.Option(..., "--battery", help="a scenario's battery id, or SITE:INTERCEPTOR "
                                                             "(repeatable), e.g. deveselu:sm-3-ib"),
    threat: str = typer.Option(..., "--threat", help="catalog missile name, or 'ideal' (minimum-energy arcs)"),
    launch: str = typer.Option(..., "--launch", help="launch point LAT,LON in degrees, or a catalog site"),
    grid_km: float = typer.Option(25.0, "--grid-km", help="aimpoint spacing in km"),
    out: str = typer.Option(..., "--out", help="directory for footprint.geojson, .png, .html"),
    region: Optional[str] = typer.Option(None, "--region", help="europe, us, ... or LAT0,LAT1,LON0,LON1"),
    cueing: Optional[str] = typer.Option(None, "--cueing", help="own, forward-radar or space-ir (default: every "
                                                                "sensor that cues the batteries)"),
    forward_radar: List[str] = typer.Option([], "--forward-radar", help="TYPE@SITE, e.g. an-tpy-2@kurecik "
                                                                         "(preset batteries; faces the launch)"),
    no_shared: bool = typer.Option(False, "--no-shared", help="ignore the scenario's data-sharing agreements"),
    trajectory: str = typer.Option("min-energy", "--trajectory", help="min-energy (lofted and depressed "
                                   "fly-outs need an apogee per aimpoint: see `bmdcoop flyout`)"),
    boost_s: float = typer.Option(180.0, "--boost-s", help="boost time of an 'ideal' threat"),
    speed: Optional[float] = typer.Option(None, "--interceptor-speed-kms", help="sweep the burnout speed"),
    payload_kg: Optional[float] = typer.Option(None, "--payload-kg", help="the threat missile's payload, kg "
                                               "(default: the catalog's)"),
    catalog_file: Optional[str] = typer.Option(None, "--catalog", help=CATALOG_HELP),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Defended-area map (GeoJSON, HTML, PNG) of batteries against a threat from a launch point."""
    from bmdcoop.engagement.cueing import CUEING_LEVELS
    from bmdcoop.engagement.footprint import footprint
    from bmdcoop.report.footprint import write_footprint

    out_dir = output_dir(out, "--out")
    where = _launch_point(launch)
    scenario = input_path(scenario, "SCENARIO")
    battery = list(dict.fromkeys(battery))
    trajectory = _footprint_trajectory(trajectory)
    if cueing is not None:
        parse_choice(cueing, "--cueing", CUEING_LEVELS, "cueing")
    if scenario is not None and forward_radar:
        raise InputError("--forward-radar is for preset batteries; a scenario's sensors are its own")
    forward_radar = list(dict.fromkeys(forward_radar))
    fly_kw = {}
    if payload_kg is not None:
        if threat == "ideal":
            raise InputError("--payload-kg needs a catalog missile as --threat (ideal arcs carry no payload)")
        fly_kw["payload_kg"] = payload_kg
    out = writable_dir(out_dir)
    with progress_bar("footprint", quiet=as_json) as progress:
        result = footprint(battery, threat, where, scenario=scenario, grid_km=grid_km, region=region, cueing=cueing,
                           forward_radars=forward_radar, shared=not no_shared, trajectory=trajectory, boost_s=boost_s,
                           interceptor_speed_kms=speed, progress=progress,
                           catalog=input_path(catalog_file, "--catalog"), **fly_kw)
    paths = write_footprint(result, out)
    data = {**result.as_dict(), **paths}
    for w in result.warnings:
        err_console.print(f"warning: {w}", style="yellow", markup=False, highlight=False)

    def render(d: dict) -> None:
        console.print(f"defended area {d['area_km2']:,.0f} km^2: {d['defended']} of {d['aimpoints']} aimpoints "
                      f"({d['attackable']} within the threat's reach), grid {d['grid_km']:g} km, cueing {d['cueing']}")
        for b in d["batteries"]:
            console.print(f"  {b['id']} ({b['interceptor']}): {b['defended']} aimpoints, {b['defended_km2']:,.0f} km^2")
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
    threat_model: Optional[str] = typer.Option(None, "--threat-model", help="catalog (the preset's missile) or "
                                               "ideal (min-energy arcs); default catalog when the preset has one"),
    plot: Optional[str] = typer.Option(None, "--plot", help="write the fraction-vs-speed plot to this file "
                                       f"({', '.join(PLOT_SUFFIXES)})"),
    details: bool = typer.Option(False, "--details", help="list where/when each engageable trajectory is hit"),
    payload_kg: Optional[float] = typer.Option(None, "--payload-kg", help="a preset's missile payload, kg (default: "
                                               "the preset's, else the catalog's; a scenario's threats carry "
                                               "their own payload_kg)"),
    catalog_file: Optional[str] = typer.Option(None, "--catalog", help=CATALOG_HELP),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Which trajectories a deployment could engage at all, vs interceptor speed and cueing."""
    from bmdcoop.engagement.cueing import CUEING_LEVELS
    from bmdcoop.engagement.reach import THREAT_MODELS, reach
    from bmdcoop.report.reach import plot_reach

    plot_path = output_file(plot, "--plot", PLOT_SUFFIXES)
    if not preset.strip():
        raise InputError("PRESET_OR_SCENARIO is empty: give a preset (russia-to-us, iran-to-europe, "
                         "iran-to-us-east-coast) or a scenario file")
    deps = None if deployment is None else parse_list(deployment, "--deployment", example="epaa-phase2,epaa-phase3")
    speeds_kms = parse_numbers(speeds, "--interceptor-speeds-kms", example="3,4.5,5.5,7", positive=True)
    cueings = parse_list(cueing, "--cueing", example="own,space-ir", allowed=CUEING_LEVELS, kind="cueing")
    if threat_model is not None:
        parse_choice(threat_model, "--threat-model", THREAT_MODELS, "threat model")
    with progress_bar("reach", quiet=as_json) as progress:
        res = reach(preset, deployment=deps, speeds_kms=speeds_kms, cueing=cueings, threat_model=threat_model,
                    payload_kg=payload_kg, catalog=input_path(catalog_file, "--catalog"), progress=progress)
    result = res.as_dict(details=details)
    if plot_path is not None:
        plot_path.parent.mkdir(parents=True, exist_ok=True)
        result["plot"] = plot_reach(res, plot_path)

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
