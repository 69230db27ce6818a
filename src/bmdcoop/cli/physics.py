"""`bmdcoop trajectory` and `bmdcoop flyout`: thin shells over `bmdcoop.trajectory` / `bmdcoop.flyout`."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import typer

from bmdcoop.catalog import load_layer
from bmdcoop.cli._app import (CATALOG_HELP, app, clip, console, emit, is_file, parse_choice, parse_latlon,
                              parse_numbers, user_catalog)
from bmdcoop.errors import InputError
from bmdcoop.physics.earth import EARTHS
from bmdcoop.physics.propagate import Forces
from bmdcoop.physics.targeting import flyout, trajectory

_EARTH_HELP = "figure of the Earth: wgs84 (with J2) or sphere (R = 6371 km, no J2)"


def _finite(name: str, value: Optional[float], positive: bool = True) -> None:
    if value is not None and not (math.isfinite(value) and (value > 0 or not positive)):
        raise InputError(f"{name} {value} is not allowed: must be a finite number" + (" > 0" if positive else ""))


@app.command("trajectory")
def trajectory_command(
    range_km: Optional[float] = typer.Option(None, "--range-km", help="ground range in km"),
    min_energy: bool = typer.Option(False, "--min-energy", help="minimum-energy trajectory"),
    loft_apogee_km: Optional[float] = typer.Option(None, "--loft-apogee-km",
                                                   help="lofted (or depressed) trajectory to this apogee, km"),
    flight_path_angle_deg: Optional[float] = typer.Option(None, "--flight-path-angle-deg",
                                                          help="burnout angle above the horizontal, deg"),
    earth: str = typer.Option("wgs84", "--earth", help=_EARTH_HELP),
    no_rotation: bool = typer.Option(False, "--no-rotation", help="non-rotating Earth"),
    no_drag: bool = typer.Option(False, "--no-drag", help="no atmosphere"),
    from_: Optional[str] = typer.Option(None, "--from", help="launch point LAT,LON in degrees (default 0,0)"),
    azimuth_deg: Optional[float] = typer.Option(None, "--azimuth-deg", help="launch azimuth, deg from north"),
    to: Optional[str] = typer.Option(None, "--to", help="aimpoint LAT,LON in degrees"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Ideal ballistic flight from burnout at the surface: burnout speed and angle, apogee, time."""
    _finite("--range-km", range_km)
    _finite("--loft-apogee-km", loft_apogee_km)
    launch = parse_latlon(from_, "--from") if from_ is not None else (0.0, 0.0)
    aim = parse_latlon(to, "--to") if to is not None else None
    parse_choice(earth, "--earth", EARTHS, "earth model")
    res = trajectory(range_km, min_energy=min_energy, apogee_km=loft_apogee_km,
                     flight_path_angle_deg=flight_path_angle_deg, launch=launch, azimuth_deg=azimuth_deg, to=aim,
                     earth=earth, rotation=not no_rotation, drag=not no_drag, sample_dt_s=None)
    out = res.as_dict()

    def render(r: dict) -> None:
        console.print(f"range {r['range_km']:.1f} km, azimuth {r['azimuth_deg']:.2f} deg")
        console.print(f"burnout speed {r['burnout_speed_mps']:.1f} m/s at {r['flight_path_angle_deg']:.3f} deg "
                      "above the horizontal (Earth-relative)")
        console.print(f"apogee {r['apogee_km']:.1f} km, flight time {r['flight_time_s']:.1f} s "
                      f"({r['flight_time_s'] / 60:.2f} min)")
        console.print(f"impact {r['impact_lat_deg']:.4f}, {r['impact_lon_deg']:.4f}")

    emit(out, as_json, render)


def _missile_and_catalog(name: str, catalog_file: Optional[str]):
    """(missile name, catalog): a name in the package or `--catalog` file, or a catalog file holding
    exactly one missile (`flyout FILE.yaml`)."""
    cat = user_catalog(catalog_file)
    if not name.strip():
        raise InputError("MISSILE is empty: give a catalog missile name (see `bmdcoop catalog missiles`) or a file")
    if not name.endswith((".yaml", ".yml")) and not is_file(Path(name)):
        return name, cat
    if not is_file(Path(name)):
        raise InputError(f"missile file '{clip(name)}' not found")
    layer = load_layer(Path(name))
    missiles = sorted(layer.entries.get("missiles", {}))
    if len(missiles) != 1:
        raise InputError(f"missile file '{clip(name)}' holds {len(missiles)} missiles ({', '.join(missiles) or 'none'}); "
                         "give it as --catalog FILE with a missile name, or keep one missile in it")
    return missiles[0], cat.with_layer(layer)


def _payloads(text: Optional[str]) -> list[float | None]:
    if text is None:
        return [None]
    return parse_numbers(text, "--payload-kg", example="700,1000", positive=True)


@app.command("flyout")
def flyout_command(
    missile: str = typer.Argument(..., help="catalog missile name (see `bmdcoop catalog missiles`), or a catalog "
                                            "file holding one missile"),
    from_: Optional[str] = typer.Option(None, "--from", help="launch point LAT,LON in degrees (default 0,0)"),
    azimuth_deg: Optional[float] = typer.Option(None, "--azimuth-deg", help="launch azimuth, deg from north"),
    max_range: bool = typer.Option(False, "--max-range", help="maximum range on the azimuth"),
    range_km: Optional[float] = typer.Option(None, "--range-km", help="aimpoint at this range on the azimuth, km"),
    to: Optional[str] = typer.Option(None, "--to", help="aimpoint LAT,LON in degrees"),
    loft_apogee_km: Optional[float] = typer.Option(None, "--loft-apogee-km",
                                                   help="lofted (or depressed) trajectory to this apogee, km"),
    flight_path_angle_deg: Optional[float] = typer.Option(None, "--flight-path-angle-deg",
                                                          help="depressed: burnout angle above the horizontal, deg"),
    earth: str = typer.Option("wgs84", "--earth", help=_EARTH_HELP),
    no_rotation: bool = typer.Option(False, "--no-rotation", help="non-rotating Earth"),
    no_drag: bool = typer.Option(False, "--no-drag", help="no atmosphere"),
    payload_kg: Optional[str] = typer.Option(None, "--payload-kg", help="payload in kg instead of the catalog's; "
                                             "with --max-range a list (500,1000,1500) gives the range-payload curve"),
    catalog_file: Optional[str] = typer.Option(None, "--catalog", help=CATALOG_HELP),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Powered + ballistic flight of a catalog missile: range, apogee, flight and burnout figures."""
    _finite("--range-km", range_km)
    _finite("--loft-apogee-km", loft_apogee_km)
    launch = parse_latlon(from_, "--from") if from_ is not None else (0.0, 0.0)
    aim = parse_latlon(to, "--to") if to is not None else None
    parse_choice(earth, "--earth", EARTHS, "earth model")
    ttype = "min-energy"
    if loft_apogee_km is not None:
        ttype = "lofted"
    elif flight_path_angle_deg is not None:
        ttype = "depressed"
    forces = Forces(earth=earth, rotation=not no_rotation, drag=not no_drag)
    name, cat = _missile_and_catalog(missile, catalog_file)
    payloads = _payloads(payload_kg)
    if len(payloads) > 1 and not max_range:
        raise InputError("several --payload-kg values give a range-payload curve: use them with --max-range")
    rows = [flyout(name, launch, to=aim, range_km=range_km, azimuth_deg=azimuth_deg, max_range=max_range,
                   trajectory=ttype, apogee_km=loft_apogee_km, flight_path_angle_deg=flight_path_angle_deg,
                   sample_dt_s=None, forces=forces, payload_kg=p, catalog=cat).as_dict() for p in payloads]
    user = cat.is_user("missiles", name)
    if len(rows) > 1:
        curve = {"missile": name, "user": user, "azimuth_deg": rows[0]["azimuth_deg"],
                 "launch_lat_deg": rows[0]["launch_lat_deg"], "launch_lon_deg": rows[0]["launch_lon_deg"],
                 "curve": [{k: r[k] for k in ("payload_kg", "range_km", "apogee_km", "flight_time_s",
                                              "burnout_speed_mps")} for r in rows]}

        def render_curve(c: dict) -> None:
            console.print(f"{c['missile']}: maximum range vs payload, azimuth {c['azimuth_deg']:.1f} deg")
            for r in c["curve"]:
                console.print(f"  {r['payload_kg']:8.0f} kg  {r['range_km']:9.1f} km  apogee {r['apogee_km']:7.1f} km")

        emit(curve, as_json, render_curve)
        return
    out = {**rows[0], "user": user}

    def render(r: dict) -> None:
        console.print(f"{r['missile']} ({r['trajectory_type']}, payload {r['payload_kg']:g} kg): "
                      f"range {r['range_km']:.1f} km, "
                      f"apogee {r['apogee_km']:.1f} km, flight time {r['flight_time_s']:.1f} s "
                      f"({r['flight_time_s'] / 60:.2f} min)")
        console.print(f"burnout at {r['burnout_time_s']:.1f} s: {r['burnout_speed_mps']:.1f} m/s, "
                      f"{r['burnout_altitude_km']:.1f} km up, {r['burnout_flight_path_angle_deg']:.2f} deg")
        console.print(f"launch azimuth {r['azimuth_deg']:.2f} deg, kick {r['kick_deg']:.3f} deg, "
                      f"thrust cut-off {r['cutoff_s']:.2f} s; impact {r['impact_lat_deg']:.4f}, "
                      f"{r['impact_lon_deg']:.4f}")

    emit(out, as_json, render)
