"""The mixed load of bench/load.py (run by it: `locust -f bench/support/locustfile.py --headless ...`).

Residents read the map's list and request pages and file requests; staff read the queue and
comment; Open311 clients read and post. What each user may use (tokens, API keys, request ids,
the point where new requests go) comes from the JSON file in LOAD_PLAN; LOAD_MAX_REQUESTS bounds
the run in requests (`--run-time` bounds it in time). LOAD_FLOOR=1 runs the floor instead: the
same clients fetching one static file from the same web process.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_PLAN"]) as _plan:
    PLAN = json.load(_plan)
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "0"))
_counter = itertools.count(1)
_serial = itertools.count(1)


@events.request.add_listener
def _bound(**kwargs):
    if MAX_REQUESTS and next(_counter) >= MAX_REQUESTS and _env is not None and _env.runner is not None:
        _env.runner.quit()


_env = None


@events.init.add_listener
def _keep_env(environment, **kwargs):
    global _env
    _env = environment


def _point() -> tuple[float, float]:
    lng, lat = PLAN["centre"]
    return lat + random.uniform(-0.01, 0.01), lng + random.uniform(-0.01, 0.01)


class _Base(HttpUser):
    abstract = True
    wait_time = between(0.2, 1.0)

    def _bearer(self, token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    def _request_id(self) -> int:
        return random.choice(PLAN["request_ids"])


if os.environ.get("LOAD_FLOOR") == "1":
    class Floor(HttpUser):
        """The floor: one static file through the same gunicorn and Flask, as often as the load asks."""

        wait_time = between(0.2, 1.0)

        @task
        def static_file(self):
            self.client.get(PLAN["floor_path"], name="floor: static file")
else:
    class Resident(_Base):
        weight = 5

        def on_start(self):
            self.headers = self._bearer(random.choice(PLAN["resident_tokens"]))

        @task(4)
        def list_requests(self):
            lat, lng = _point()
            bbox = f"{lng - 0.02},{lat - 0.02},{lng + 0.02},{lat + 0.02}"
            self.client.get(f"/api/v1/requests?bbox={bbox}&per_page=20", headers=self.headers,
                            name="GET /api/v1/requests?bbox")

        @task(4)
        def request_json(self):
            self.client.get(f"/api/v1/requests/{self._request_id()}", headers=self.headers,
                            name="GET /api/v1/requests/{id}")

        @task(2)
        def request_page(self):
            self.client.get(f"/requests/{random.choice(PLAN['public_ids'])}", name="GET /requests/<public_id> (page)")

        @task(2)
        def unread_count(self):
            self.client.get("/api/v1/notifications/unread-count", headers=self.headers,
                            name="GET /api/v1/notifications/unread-count")

        @task(1)
        def file_request(self):
            lat, lng = _point()
            self.client.post("/api/v1/requests", headers=self.headers, name="POST /api/v1/requests",
                             json={"category_id": PLAN["category_id"], "lat": lat, "lng": lng,
                                   "description": f"Load test pothole {next(_serial)}"})

    class Staff(_Base):
        weight = 2

        def on_start(self):
            self.headers = self._bearer(PLAN["staff_token"])

        @task(4)
        def queue(self):
            self.client.get("/api/v1/requests?status=open&per_page=20", headers=self.headers,
                            name="GET /api/v1/requests?status=open (queue)")

        @task(2)
        def request_json(self):
            self.client.get(f"/api/v1/requests/{self._request_id()}", headers=self.headers,
                            name="GET /api/v1/requests/{id}")

        @task(1)
        def comment(self):
            visibility = random.choice(("public", "internal"))
            self.client.post(f"/api/v1/requests/{random.choice(PLAN['staff_request_ids'])}/comments", headers=self.headers,
                             name="POST /api/v1/requests/{id}/comments",
                             json={"body": f"Crew scheduled ({next(_serial)})", "visibility": visibility})

    class Open311Client(_Base):
        weight = 2

        def on_start(self):
            self.api_key = PLAN["api_keys"].pop() if len(PLAN["api_keys"]) > 1 else PLAN["api_keys"][0]

        @task(3)
        def requests_list(self):
            self.client.get("/open311/v2/requests.json?jurisdiction_id=springfield&page_size=20",
                            name="GET /open311/v2/requests.json")

        @task(1)
        def services(self):
            self.client.get("/open311/v2/services.json?jurisdiction_id=springfield",
                            name="GET /open311/v2/services.json")

        @task(1)
        def post_request(self):
            lat, lng = _point()
            self.client.post("/open311/v2/requests.json", name="POST /open311/v2/requests.json",
                             data={"api_key": self.api_key, "jurisdiction_id": "springfield",
                                   "service_code": "pothole", "lat": lat, "long": lng,
                                   "description": f"Open311 load {next(_serial)}",
                                   "email": f"o311-{next(_serial)}@example.org"})
