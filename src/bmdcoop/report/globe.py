"""Globe exports of one trial of a scene: `scene.czml` for Cesium (czml3) and `scene.kml` for
Google Earth (fastkml).

Both carry the simulation's own coordinates: each missile of the chosen trial on its trajectory
samples (every `step_s` from launch, plus its last sample - the killing intercept, which is a
trajectory sample, or the impact), each interceptor's intercept point from `shots.parquet`, and
the sites. Heights are above the WGS-84 ellipsoid. CZML positions are Earth-fixed Cartesian
metres (`referenceFrame: FIXED`), time-tagged from the raid's t = 0 at `EPOCH` (an arbitrary
date: the geometry is Earth-fixed, so the date moves nothing). KML writes longitude, latitude,
height with 1e-7 degree resolution (1 cm) and `altitudeMode absolute`; KML defines absolute
heights above mean sea level (the EGM96 geoid), so Google Earth draws them up to ~100 m off -
invisible at trajectory scale, and the file's numbers are the simulation's.
"""
from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path

import numpy as np

from bmdcoop.outputs import write_text_atomically
from bmdcoop.physics import earth as _earth
from bmdcoop.report.scene import THREAT_COLOUR, Scene

EPOCH = dt.datetime(2000, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
STEP_S = 4.0


def _rgba(hex_colour: str, alpha: int = 255) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha]


def _at(t_s: float) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=float(t_s))


def _end_s(scene: Scene) -> float:
    ends = [m.end_s for m in scene.missiles] + list(scene.trial_shots().get("intercept_t_s", []))
    return float(max(ends)) + 60.0 if ends else 60.0


def write_czml(scene: Scene, path: str | os.PathLike, *, step_s: float = STEP_S) -> Path:
    """Write the chosen trial of `scene` as CZML (module doc); returns the path."""
    from czml3 import Clock, Color, Document, Label, Packet, Path as CzPath, Point, Position
    from czml3.properties import PolylineMaterial, SolidColorMaterial
    from czml3.types import TimeInterval

    end = _at(_end_s(scene))
    packets = [Packet(id="document", name=f"{scene.display_name} [{scene.variant}], trial {scene.trial}", version="1.0",
                      clock=Clock(interval=TimeInterval(start=EPOCH, end=end), currentTime=EPOCH, multiplier=20))]
    for s in scene.sites:
        packets.append(Packet(
            id=f"site/{s.id}", name=f"{s.id} ({s.kind}: {s.what})", description=f"party {s.party or '-'}",
            position=Position(cartographicDegrees=[round(s.lon_deg, 7), round(s.lat_deg, 7), round(s.alt_m, 2)]),
            point=Point(pixelSize=8, color=Color(rgba=_rgba(scene.colour(s.party)))),
            label=Label(text=s.id, font="11px sans-serif", show=s.kind in ("battery", "launch"))))
    for m in scene.missiles:
        t, r = scene.missile_path(m, step_s)
        samples = np.column_stack([np.round(t - m.launch_s, 6), np.round(r, 3)]).ravel().tolist()
        track = scene.tracks[m.threat]
        colour = _rgba(THREAT_COLOUR)
        packets.append(Packet(
            id=f"missile/{m.index}", name=f"{track.threat} #{m.copy} ({track.missile})",
            description=f"launch {m.launch_s:.1f} s, {'killed' if m.killed else 'impact'} {m.end_s:.1f} s",
            availability=TimeInterval(start=_at(m.launch_s), end=_at(m.end_s)),
            position=Position(epoch=_at(m.launch_s), cartesian=samples, referenceFrame="FIXED",
                              interpolationAlgorithm="LAGRANGE", interpolationDegree=3),
            point=Point(pixelSize=5, color=Color(rgba=colour)),
            path=CzPath(width=1.5, leadTime=0, trailTime=3600,
                        material=PolylineMaterial(solidColor=SolidColorMaterial(color=Color(rgba=colour))))))
    sh = scene.trial_shots()
    for k in range(sh["trial"].size if sh else 0):
        party = str(sh["party"][k])
        packets.append(Packet(
            id=f"intercept/{k}", name=f"{sh['battery'][k]} vs {sh['threat'][k]}: {sh['outcome'][k]}",
            description=f"launched {sh['launch_t_s'][k]:.1f} s, intercept {sh['intercept_t_s'][k]:.1f} s, "
                        f"{sh['intercept_alt_m'][k] / 1e3:.0f} km up over {sh['intercept_country'][k] or 'sea'}",
            availability=TimeInterval(start=_at(sh["intercept_t_s"][k]), end=end),
            position=Position(cartographicDegrees=[round(float(sh["intercept_lon_deg"][k]), 7),
                                                   round(float(sh["intercept_lat_deg"][k]), 7),
                                                   round(float(sh["intercept_alt_m"][k]), 2)]),
            point=Point(pixelSize=9 if sh["outcome"][k] == "kill" else 6, color=Color(rgba=_rgba(scene.colour(party)))),
        ))
    path = Path(path)
    write_text_atomically(path, Document(packets=packets).dumps())
    return path


def _kml_time(t_s: float) -> str:
    return _at(t_s).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def write_kml(scene: Scene, path: str | os.PathLike, *, step_s: float = STEP_S) -> Path:
    """Write the chosen trial of `scene` as KML (module doc); returns the path."""
    with warnings.catch_warnings():      # fastkml warns at import when lxml (pretty printing) is absent
        warnings.simplefilter("ignore")
        from fastkml import kml, styles
        from fastkml.containers import Document, Folder
        from fastkml.enums import AltitudeMode
        from fastkml.features import Placemark
        from fastkml.geometry import LineString, Point
        from fastkml.times import KmlDateTime, TimeSpan
        from pygeoif.geometry import LineString as GeoLine, Point as GeoPoint

    def style(sid: str, colour: str, width: float = 2.0) -> styles.Style:
        r, g, b, a = _rgba(colour)
        abgr = f"{a:02x}{b:02x}{g:02x}{r:02x}"     # KML colours are aabbggrr
        # no IconStyle: an icon needs an image link, and the file stays self-contained (default pins,
        # party-coloured names)
        return styles.Style(id=sid, styles=[styles.LineStyle(color=abgr, width=width),
                                            styles.LabelStyle(color=abgr, scale=0.9)])

    def span(a_s: float, b_s: float) -> TimeSpan:
        return TimeSpan(begin=KmlDateTime(_at(a_s)), end=KmlDateTime(_at(b_s)))

    colours = {"threat": THREAT_COLOUR, **{p: scene.colour(p) for p in scene.parties}}
    doc = Document(name=f"{scene.display_name} [{scene.variant}], trial {scene.trial}",
                   styles=[style(f"party-{p}", c) for p, c in colours.items()])
    sites = Folder(name="sites")
    for s in scene.sites:
        sites.append(Placemark(name=s.id, description=f"{s.kind}: {s.what}; party {s.party or '-'}",
                               style_url=styles.StyleUrl(url=f"#party-{s.party or 'threat'}"),
                               kml_geometry=Point(geometry=GeoPoint(round(s.lon_deg, 7), round(s.lat_deg, 7),
                                                                    round(s.alt_m, 2)),
                                                  altitude_mode=AltitudeMode.absolute)))
    missiles = Folder(name="missiles")
    end = _end_s(scene)
    for m in scene.missiles:
        _, r = scene.missile_path(m, step_s)
        lat, lon, alt = _earth.ecef_to_geodetic(r)
        coords = [(round(float(x), 7), round(float(y), 7), round(float(h), 2)) for x, y, h in zip(lon, lat, alt)]
        track = scene.tracks[m.threat]
        missiles.append(Placemark(
            name=f"{track.threat} #{m.copy}", description=f"{track.missile}; launch {m.launch_s:.1f} s, "
            f"{'killed' if m.killed else 'impact'} {m.end_s:.1f} s", times=span(m.launch_s, m.end_s),
            style_url=styles.StyleUrl(url="#party-threat"),
            kml_geometry=LineString(geometry=GeoLine(coords), altitude_mode=AltitudeMode.absolute)))
    intercepts = Folder(name="intercepts")
    sh = scene.trial_shots()
    for k in range(sh["trial"].size if sh else 0):
        intercepts.append(Placemark(
            name=f"{sh['battery'][k]} vs {sh['threat'][k]}: {sh['outcome'][k]}",
            description=f"intercept {sh['intercept_t_s'][k]:.1f} s over {sh['intercept_country'][k] or 'sea'}",
            times=span(float(sh["intercept_t_s"][k]), end), style_url=styles.StyleUrl(url=f"#party-{sh['party'][k]}"),
            kml_geometry=Point(geometry=GeoPoint(round(float(sh["intercept_lon_deg"][k]), 7),
                                                 round(float(sh["intercept_lat_deg"][k]), 7),
                                                 round(float(sh["intercept_alt_m"][k]), 2)),
                               altitude_mode=AltitudeMode.absolute)))
    for folder in (sites, missiles, intercepts):
        doc.append(folder)
    path = Path(path)
    text = kml.KML(features=[doc]).to_string(prettyprint=False)
    # the KML namespace as the default one (as Google Earth writes it), not the prefix ElementTree
    # gives it; element text is escaped, so '<kml:' occurs only in tags
    text = text.replace("<kml:", "<").replace("</kml:", "</").replace("xmlns:kml=", "xmlns=", 1)
    write_text_atomically(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text)
    return path
