"""Radar detection ranges from a radar's parameters: search fence and cued (track-dwell) looks.

Two forms of the radar equation (Barton, Radar Equations for Modern Radar, Artech House (2013),
ch. 1-2; the same forms as Skolnik, Introduction to Radar Systems, 3rd ed. (2001), sec. 2.13):

- a **track or cued look** puts one dwell of `dwell_s` of average power P_av on the target with
  an antenna of effective area A_e = efficiency x area (gain G = 4 pi A_e / lambda^2):

      SNR = P_av t_d A_e^2 sigma / (4 pi lambda^2 k T_s L R^4)

- a **search look** spreads the search share f_s of the radar's time over a fence of solid angle
  Omega_s, revisited every frame T_f (the search radar equation; wavelength drops out):

      SNR = P_av f_s T_f A_e sigma / (4 pi k T_s L Omega_s R^4)

Setting SNR to the Pd 0.9 threshold (21.1 dB, Swerling I at Pfa 1e-6, `sensors.SNR_REF`) gives the
detection ranges. Their ratio is the **cued range gain**,

      R_cued / R_search = (t_d A_e Omega_s / (lambda^2 f_s T_f))^(1/4),

which depends only on the aperture, band, fence and timing - not on the power - so it can be
derived for radars whose power is not public. A cued radar searches the small error volume of a
cue (a few beams) instead of its fence, so each look can carry a track dwell's energy: detection
range grows as the fourth root of the energy on target. (A cue volume of more than one beam only
lowers the gain by its fourth root: 2 beams, -16 %.)

`derive(inputs)` evaluates a catalog `derivation:` block (catalog/sensors.yaml) and
tools/derive_radar_ranges.py prints the table and checks the catalog against it.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

from bmdcoop.errors import InputError
from bmdcoop.sensing.sensors import SNR_REF

BOLTZMANN_JK = 1.380649e-23


def _db(x_db: float) -> float:
    return 10.0 ** (x_db / 10.0)


def track_range_m(average_power_w: float, aperture_m2: float, wavelength_m: float, dwell_s: float, rcs_m2: float,
                  *, noise_temperature_k: float, losses_db: float, aperture_efficiency: float = 1.0,
                  snr: float = SNR_REF) -> float:
    """Range (m) at which one dwell of `dwell_s` detects `rcs_m2` at SNR `snr` (default Pd 0.9)."""
    ae = aperture_efficiency * aperture_m2
    r4 = (average_power_w * dwell_s * ae * ae * rcs_m2
          / (4.0 * math.pi * wavelength_m ** 2 * BOLTZMANN_JK * noise_temperature_k * _db(losses_db) * snr))
    return r4 ** 0.25


def search_range_m(average_power_w: float, aperture_m2: float, frame_s: float, solid_angle_sr: float, rcs_m2: float,
                   *, noise_temperature_k: float, losses_db: float, aperture_efficiency: float = 1.0,
                   search_fraction: float = 1.0, snr: float = SNR_REF) -> float:
    """Range (m) at which a search of `solid_angle_sr` every `frame_s` with `search_fraction` of the
    radar's time detects `rcs_m2` on one look at SNR `snr`."""
    r4 = (average_power_w * search_fraction * frame_s * aperture_efficiency * aperture_m2 * rcs_m2
          / (4.0 * math.pi * BOLTZMANN_JK * noise_temperature_k * _db(losses_db) * solid_angle_sr * snr))
    return r4 ** 0.25


def cued_range_gain(aperture_m2: float, wavelength_m: float, dwell_s: float, frame_s: float, solid_angle_sr: float,
                    *, aperture_efficiency: float = 1.0, search_fraction: float = 1.0) -> float:
    """R_cued / R_search (>= 1: a cue never costs range)."""
    ratio = (dwell_s * aperture_efficiency * aperture_m2 * solid_angle_sr
             / (wavelength_m ** 2 * search_fraction * frame_s))
    return max(1.0, ratio ** 0.25)


def fence_solid_angle_sr(az_deg: float, el_deg: float) -> float:
    """Solid angle of a low-elevation search fence az_deg wide and el_deg high (small-angle)."""
    return math.radians(az_deg) * math.radians(el_deg)


REQUIRED = ("aperture_m2", "aperture_efficiency", "wavelength_m", "track_dwell_s", "fence_az_deg", "fence_el_deg",
            "search_fraction")
FOR_RANGE = ("average_power_kw", "noise_temperature_k", "losses_db")
MODES = ("search", "cued")


def derive(entry: Mapping[str, Any], name: str = "radar") -> dict[str, float]:
    """The catalog figures of one radar entry (plain values, catalog units) from its `derivation:`
    block, with the entry's `revisit_s` as the search frame and `ref_rcs_m2` as the target:

    - `cued_range_gain` always (aperture, band, fence and timing are public or stated);
    - `range_km` (the search-look range) and `track_range_km`: from the radar equation when the
      average power and the noise inputs are given; else from `published_range_km`, read as a
      search range or a cued range as `published_range_mode` says.
    """
    d = entry.get("derivation") or {}
    missing = [k for k in REQUIRED if k not in d]
    if missing:
        raise InputError(f"radar derivation of '{name}' lacks {', '.join(missing)}")
    v = {k: float(x) for k, x in d.items() if isinstance(x, (int, float)) and not isinstance(x, bool)}
    frame, rcs = float(entry["revisit_s"]), float(entry["ref_rcs_m2"])
    omega = fence_solid_angle_sr(v["fence_az_deg"], v["fence_el_deg"])
    gain = cued_range_gain(v["aperture_m2"], v["wavelength_m"], v["track_dwell_s"], frame, omega,
                           aperture_efficiency=v["aperture_efficiency"], search_fraction=v["search_fraction"])
    out = {"fence_sr": omega, "cued_range_gain": gain}
    if all(k in v for k in FOR_RANGE):
        common = dict(noise_temperature_k=v["noise_temperature_k"], losses_db=v["losses_db"],
                      aperture_efficiency=v["aperture_efficiency"])
        p_w = v["average_power_kw"] * 1e3
        out["range_km"] = search_range_m(p_w, v["aperture_m2"], frame, omega, rcs, search_fraction=v["search_fraction"],
                                         **common) / 1e3
        out["track_range_km"] = track_range_m(p_w, v["aperture_m2"], v["wavelength_m"], v["track_dwell_s"], rcs,
                                              **common) / 1e3
        out["from"] = "radar equation"
    elif "published_range_km" in v:
        mode = d.get("published_range_mode")
        if mode not in MODES:
            raise InputError(f"radar derivation of '{name}': published_range_mode must be one of {', '.join(MODES)}")
        pub = v["published_range_km"]
        out["range_km"], out["track_range_km"] = (pub, pub * gain) if mode == "search" else (pub / gain, pub)
        out["from"] = f"published range read as the {mode} range"
    else:
        raise InputError(f"radar derivation of '{name}' has neither the power and noise inputs "
                         f"({', '.join(FOR_RANGE)}) nor a published_range_km")
    out["search_range_km"] = out["range_km"]
    return out
