"""Locust users for bench/load/run.py (which starts the server and writes the fixture this reads).

Three kinds of user in equal shares — oversight, HMPS bid team, contract manager — each a
signed-in account of its role (its own session and API token from the fixture). A user
arrives at a random moment of its first pause; each request goes to one of its role's
endpoints (bench/load/endpoints.py; less those named in BENCH_LOAD_EXCLUDE) chosen at
random, then the user pauses BENCH_LOAD_THINK seconds on average. A request fails unless it
answers 200 without a redirect (so an expired session cannot pass for a page), an API
list answers a page of results, and a list the bid team may not see is empty for it.

Every request's time is written to BENCH_LOAD_SAMPLES when Locust quits, so run.py can
compute exact percentiles (Locust's own CSV rounds times above 100 ms).
"""

import itertools
import json
import os
import random
import time

import gevent
from locust import between, events
from locust.contrib.fasthttp import FastHttpUser

from endpoints import AGREEMENT_PAGE, EMPTY_FOR_BID_TEAM, ENDPOINTS, endpoints_for, is_api

FIXTURE = json.loads(open(os.environ["BENCH_LOAD_FIXTURE"]).read())
THINK = float(os.environ.get("BENCH_LOAD_THINK", "1.0"))
EXCLUDE = set(filter(None, os.environ.get("BENCH_LOAD_EXCLUDE", "").split(",")))
SAMPLES: list = []
CLOCK: dict = {}


@events.test_start.add_listener
def _started(**_):
    CLOCK["start"] = time.monotonic()


@events.test_stop.add_listener
def _stopped(**_):
    CLOCK["stop"] = time.monotonic()


@events.request.add_listener
def _sample(name, response_time, exception, context, **_):
    # (endpoint, role, milliseconds, failed, seconds into the run when it ended): the last to tell queueing from a slow page.
    SAMPLES.append((name, context.get("role", "?"), response_time, exception is not None, time.monotonic() - CLOCK.get("start", 0)))


@events.quitting.add_listener
def _write(**_):
    elapsed = CLOCK.get("stop", time.monotonic()) - CLOCK.get("start", time.monotonic())
    with open(os.environ["BENCH_LOAD_SAMPLES"], "w") as out:
        json.dump({"elapsed": elapsed, "endpoints": [path for path, _ in ENDPOINTS], "requests": SAMPLES}, out)


class RoleUser(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(THINK * 0.5, THINK * 1.5)
    weight = 5  # each role an equal share of the users, but the commissioner (weight 1)
    # Wait as long as gunicorn lets a worker run (run.py: --timeout 120): a slower answer is an error either way.
    network_timeout = 180.0
    connection_timeout = 180.0
    _accounts: itertools.count

    def on_start(self):
        pool = FIXTURE["users"][self.role]
        self.account = pool[next(self._accounts) % len(pool)]
        self.endpoints = [endpoint for endpoint in endpoints_for(self.role) if endpoint not in EXCLUDE]
        self.rng = random.Random()
        # Arrive as a steady population does, not all in the same millisecond: 16 first requests at once would
        # queue on gunicorn's 3 workers and set the slowest 5% of every endpoint's ~20 requests.
        gevent.sleep(self.rng.uniform(0, THINK * 1.5))

    def ask(self, endpoint: str):
        path = endpoint.replace("<id>", str(self.rng.choice(FIXTURE["agreements"]))) if endpoint == AGREEMENT_PAGE else endpoint
        if is_api(endpoint):
            headers = {"Authorization": f"Token {self.account['token']}", "Accept": "application/json"}
        else:
            headers = {"Cookie": f"{FIXTURE['session_cookie']}={self.account['session']}"}
        with self.client.get(path, name=endpoint, headers=headers, allow_redirects=False, catch_response=True,
                             context={"role": self.role}) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif is_api(endpoint):
                body = response.json()
                results = body.get("results", body.get("releases")) if isinstance(body, dict) else body
                if results is None:
                    response.failure("no results in the answer")
                elif self.role == "bid_team" and endpoint in EMPTY_FOR_BID_TEAM and results:
                    response.failure("the bid team was shown records it may not see")
                else:
                    response.success()
            else:
                response.success()

    def pick(self):
        self.ask(self.rng.choice(self.endpoints))

    tasks = [pick]


class OversightUser(RoleUser):
    role = "oversight"
    _accounts = itertools.count()


class BidTeamUser(RoleUser):
    role = "bid_team"
    _accounts = itertools.count()


class CommissionerUser(RoleUser):
    """Few: the bid team's comparator on bids (endpoints.COMPARATOR), not a share of the load like the others."""

    role = "commissioner"
    weight = 1
    _accounts = itertools.count()


class ContractManagerUser(RoleUser):
    role = "contract_manager"
    _accounts = itertools.count()
