"""Shared test situations for the physics layer (not a test module)."""
import numpy as np

from bmdcoop.earth import enu_to_ecef_vector, geodetic_to_ecef

# A re-entry vehicle of ICBM class: 600 kg, 0.35 m^2 base area and a slender-cone Cd(Mach)
# (Cd ~0.1 hypersonic, rising through the transonic) - ballistic coefficient m/(Cd A) ~ 17,000
# kg/m^2, inside the 10^4 - 10^5 kg/m^2 band that public analyses give for modern RVs
# (e.g. Wilkening, Science & Global Security 8, 2000).
RV_MASS_KG = 600.0
RV_AREA_M2 = 0.35
RV_CD_MACH = (np.array([0.0, 0.8, 1.0, 1.2, 2.0, 5.0, 25.0]), np.array([0.12, 0.12, 0.2, 0.2, 0.13, 0.1, 0.1]))


def icbm_burnout_states(n, seed=0):
    """n burnout states of ICBM class: 150-250 km up, 6.5-7.2 km/s, 15-30 deg, any azimuth."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-60, 70, n)
    lon = rng.uniform(-180, 180, n)
    alt = rng.uniform(150e3, 250e3, n)
    speed = rng.uniform(6500.0, 7200.0, n)
    gamma = np.radians(rng.uniform(15.0, 30.0, n))
    az = np.radians(rng.uniform(0.0, 360.0, n))
    v_enu = np.stack([speed * np.cos(gamma) * np.sin(az), speed * np.cos(gamma) * np.cos(az),
                      speed * np.sin(gamma)], axis=-1)
    return geodetic_to_ecef(lat, lon, alt), enu_to_ecef_vector(v_enu, lat, lon)
