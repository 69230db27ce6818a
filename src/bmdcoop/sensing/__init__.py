"""Sensing layer: sensor types and placement (`sensors`), geometry (`visibility`) and radar/infrared
detection (`detection`), radar ranges from the radar equation (`radar_equation`), track
covariances and fusion (`tracking`, with the filter on measurements in `ekf` and the numba filter
algebra in `filter_kernels`), radar streams, infrared cueing and first fire-control times for many
threats (`firecontrol`, kernels in `streams`), and what each party knows when (`timeline`).

May import physics, catalog and scenario; never engagement or anything above.
"""
