"""Sensing layer: sensor geometry and radar/infrared detection (`sensors`), track covariances
and fusion (`tracking`), and what each party knows when (`timeline`).

May import physics, catalog and scenario; never engagement or anything above.
"""
