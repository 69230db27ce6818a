"""bmdcoop: an open, fast, validated simulator for cooperative ballistic missile defense.

The public API is re-exported here so notebook users can write `bmdcoop.flyout(...)`.
Layers (bottom up): physics, catalog, scenario, sensing, engagement, battle management,
simulation, analysis, output - see docs/ and DESIGN in the README.
"""
from bmdcoop.errors import InputError, OutOfRangeError
from bmdcoop.physics.targeting import FlyoutResult, TrajectoryResult, flyout, flyout_many, max_range_km, trajectory
from bmdcoop.engagement.footprint import footprint
from bmdcoop.engagement.reach import reach
from bmdcoop.scenario import Scenario, dump_scenario, load_scenario, scenario_schema, validate_scenario
from bmdcoop.engagement.interceptors import Fan, InterceptorSpec, fly_out_fan, interceptor_spec
from bmdcoop.engagement.windows import Engagements, engage
from bmdcoop.scenario.models import Battery
from bmdcoop.sensing.timeline import Timeline, timeline
from bmdcoop.battle import wta
from bmdcoop.analysis.compare import compare, run
from bmdcoop.analysis.sweep import sweep
from bmdcoop.analysis.agreements import agreement_space

__version__ = "0.1.0"
__all__ = ["InputError", "OutOfRangeError", "timeline", "Timeline", "footprint", "reach",
           "flyout", "flyout_many", "max_range_km", "trajectory", "FlyoutResult", "TrajectoryResult",
           "Scenario", "load_scenario", "dump_scenario", "scenario_schema", "validate_scenario",
           "Fan", "InterceptorSpec", "fly_out_fan", "interceptor_spec", "Battery", "Engagements", "engage", "wta",
           "compare", "run", "sweep", "agreement_space",
           "__version__"]
