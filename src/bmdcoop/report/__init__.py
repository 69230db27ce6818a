"""Output layer: files people read - footprint maps (GeoJSON, PNG, HTML), reach plots.

May import every layer below it; nothing but the CLI imports it.
"""
