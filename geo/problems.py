"""What is wrong with a geometry a client sent: a 422 that names the problem and its place."""

from __future__ import annotations

from app.errors import ValidationFailed


class GeometryProblem(ValidationFailed):
    """A geometry the client must fix (or ask us to repair); always answered with a 422.

    `problem` is a stable code a client can branch on; `reason` is GEOS's own text, the same
    as PostGIS's ST_IsValidReason; `location` is [lng, lat] when the problem has a place;
    `path` points into the GeoJSON (`coordinates[0][3]`) when the problem is in its structure.
    """

    def __init__(self, problem: str, text: str, *, field: str = "geometry",
                 location: tuple[float, float] | None = None, path: str | None = None,
                 reason: str | None = None):
        details: dict = {"json": {field: [text]}, "problem": problem}
        if reason is not None:
            details["reason"] = reason
        if location is not None:
            details["location"] = [location[0], location[1]]
        if path is not None:
            details["path"] = path
        super().__init__(f"Invalid {field}: {text}", details)
        self.problem = problem
        self.text = text
        self.location = location
        self.path = path
        self.reason = reason

    def for_field(self, field: str) -> GeometryProblem:
        """The same problem reported against another input field (`boundary`, ...)."""
        return GeometryProblem(self.problem, self.text, field=field, location=self.location,
                               path=self.path, reason=self.reason)
