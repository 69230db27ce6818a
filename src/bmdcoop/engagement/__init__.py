"""Engagement layer: interceptor fly-out fans (`interceptors`, with `interceptor_spec`, `ideal_limits`,
`propulsion` and `fan_kernels`), engagement windows (`windows`, on the intercept kernel of
`feasibility`), defended footprints (`footprint`) and deterrence reach (`reach`).

May import physics, catalog, scenario and sensing; never battle management or above.
"""
