"""Open311 GeoReport v2: the standard interface 311 apps and city dashboards already speak."""
