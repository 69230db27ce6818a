"""Sensing layer: sensor geometry and radar/infrared detection (`sensors`), radar ranges from the
radar equation (`radar_equation`), track covariances and fusion (`tracking`), radar streams,
infrared cueing and first fire-control times for many threats (`firecontrol`), and what each
party knows when (`timeline`).

May import physics, catalog and scenario; never engagement or anything above.
"""
