"""A synthetic metro area full of hand-drawn watch areas, and where its events happen.

People live in neighbourhoods, so area centres are drawn from a mixture of Gaussian
clusters around the city centre (plus a diffuse suburban spread); most areas are a few
blocks across, drawn with 5 to 200 vertices (few-vertex sketches far more common than
traced outlines), and 1% are large traced districts with thousands of vertices. Shapes
are star-shaped wobbly blobs around their centre, so every one is a valid simple polygon.
Events happen where people are (the same clusters) and, a third of them, anywhere in
the metro. Everything is seeded: the same size gives the same city.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

CENTRE = (-89.65, 39.78)  # Springfield, IL, the demo city
METRES_PER_DEGREE = 111_320.0
CATEGORY_COUNT = 12
NEIGHBOURHOODS = 60
BUILD_CHUNK = 50_000  # areas shaped per vectorised pass, to bound memory at a million


@dataclass
class City:
    geoms: np.ndarray          # shapely MultiPolygons, SRID 4326
    owner_ids: np.ndarray      # int, 1-based user ids
    public: np.ndarray         # bool
    category_ids: list[list[int]]
    followers: np.ndarray      # (k, 2) int: watch_area index (0-based), user id
    user_count: int


def _offsets_m_to_lnglat(x_m, y_m, lat0=CENTRE[1]):
    return x_m / (METRES_PER_DEGREE * np.cos(np.radians(lat0))), y_m / METRES_PER_DEGREE


class Metro:
    """The neighbourhood mixture shared by areas and events."""

    def __init__(self, seed: int = 311) -> None:
        rng = np.random.default_rng(seed)
        self.centres_m = rng.normal(0, 9_000, size=(NEIGHBOURHOODS, 2))
        self.spreads_m = rng.uniform(700, 2_500, size=NEIGHBOURHOODS)
        weights = rng.lognormal(0, 1, size=NEIGHBOURHOODS)
        self.weights = weights / weights.sum()

    def places_m(self, rng, count: int, diffuse_share: float, diffuse_m: float, uniform: bool = False):
        """(count, 2) offsets in metres from the centre: clustered, plus a diffuse share."""
        which = rng.choice(NEIGHBOURHOODS, size=count, p=self.weights)
        xy = self.centres_m[which] + rng.normal(size=(count, 2)) * self.spreads_m[which, None]
        diffuse = rng.random(count) < diffuse_share
        n = int(diffuse.sum())
        xy[diffuse] = rng.uniform(-diffuse_m, diffuse_m, size=(n, 2)) if uniform else rng.normal(0, diffuse_m, size=(n, 2))
        return xy


def _blobs(rng, centres_m, radii_m, vertex_counts):
    """Star-shaped wobbly polygons (one per centre), built in one vectorised pass."""
    count = len(vertex_counts)
    area_of_vertex = np.repeat(np.arange(count), vertex_counts)
    starts = np.repeat(np.cumsum(vertex_counts) - vertex_counts, vertex_counts)
    k = np.arange(len(area_of_vertex)) - starts
    n = vertex_counts[area_of_vertex]
    angle = 2 * np.pi * (k + rng.uniform(-0.3, 0.3, size=len(k))) / n
    phase = rng.uniform(0, 2 * np.pi, size=(count, 3))[area_of_vertex]
    amplitude = rng.uniform(0.0, 0.12, size=(count, 3))[area_of_vertex]
    wobble = 1 + sum(amplitude[:, i] * np.sin((i + 2) * angle + phase[:, i]) for i in range(3))
    r = radii_m[area_of_vertex] * wobble
    x_m = centres_m[area_of_vertex, 0] + r * np.cos(angle)
    y_m = centres_m[area_of_vertex, 1] + r * np.sin(angle)
    lng, lat = _offsets_m_to_lnglat(x_m, y_m)
    coords = np.column_stack([CENTRE[0] + lng, CENTRE[1] + lat])
    rings = shapely.linearrings(coords, indices=area_of_vertex)  # closes each ring
    polygons = shapely.polygons(rings)
    return shapely.set_srid(shapely.multipolygons(polygons, indices=np.arange(count)), 4326)


def build_city(size: int, seed: int = 311) -> City:
    """`size` watch areas, their owners, filters, visibility and followers."""
    metro = Metro(seed)
    rng = np.random.default_rng(seed + size)
    centres_m = metro.places_m(rng, size, diffuse_share=0.2, diffuse_m=12_000)
    large = rng.random(size) < 0.01
    # A few blocks across (median radius 180 m); large ones are districts 1.6 to 5 km wide.
    radii_m = np.clip(rng.lognormal(np.log(180), 0.6, size), 50, 2_000)
    radii_m[large] = rng.uniform(800, 2_500, int(large.sum()))
    # Mostly quick sketches (5-30 vertices), some careful outlines up to 200.
    vertex_counts = (5 + 195 * rng.random(size) ** 3).astype(np.int64)
    vertex_counts[large] = rng.integers(1_000, 5_000, int(large.sum()))
    geoms = np.concatenate([
        _blobs(rng, centres_m[i:i + BUILD_CHUNK], radii_m[i:i + BUILD_CHUNK], vertex_counts[i:i + BUILD_CHUNK])
        for i in range(0, size, BUILD_CHUNK)])

    user_count = max(10, size // 2)
    owner_ids = rng.integers(1, user_count + 1, size)
    public = rng.random(size) < 0.1
    filtered = rng.random(size) < 0.3
    category_ids = [sorted(set(rng.integers(1, CATEGORY_COUNT + 1, rng.integers(1, 4)).tolist())) if f else []
                    for f in filtered]
    public_idx = np.flatnonzero(public)
    per_area = rng.poisson(2, len(public_idx))
    followers = np.column_stack([np.repeat(public_idx, per_area),
                                 rng.integers(1, user_count + 1, int(per_area.sum()))])
    followers = np.unique(followers, axis=0) if len(followers) else followers.reshape(0, 2)
    return City(geoms, owner_ids, public, category_ids, followers, user_count)


def event_points(count: int, seed: int = 311):
    """(lng, lat, category_id) of `count` events: two thirds where people live, a third anywhere."""
    metro = Metro(seed)
    rng = np.random.default_rng(seed * 7)
    xy = metro.places_m(rng, count, diffuse_share=1 / 3, diffuse_m=25_000, uniform=True)
    lng, lat = _offsets_m_to_lnglat(xy[:, 0], xy[:, 1])
    categories = rng.integers(1, CATEGORY_COUNT + 1, count)
    return [(float(CENTRE[0] + x), float(CENTRE[1] + y), int(c)) for x, y, c in zip(lng, lat, categories, strict=True)]
