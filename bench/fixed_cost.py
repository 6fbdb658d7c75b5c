"""The fixed cost of an API list: a warm process's time for a page of 25 small rows, against its SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/noms_load REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/fixed_cost.py [--requests 300] [--profile] [--role OVERSIGHT] [path ...]

Issue #22's target: an API list of 25 small rows within 3 ms of its SQL on a warm process.
Each path is asked for `--requests` times, one after another, through Django's WSGI handler
and middleware in this process, called as a gunicorn worker calls it (less the HTTP parsing),
as a token holder of the oversight role (`--role BID_TEAM`: of another), after 50 requests
to warm it. For each request the time inside the database driver is summed (a connection execute wrapper); the gap is the
rest — authentication, the rate limit's Redis round trip, the wall, pagination, serialising,
rendering. Prints the medians and the 95th percentiles; `--profile` adds where the gap of
the first path goes (cProfile, the 25 costliest functions by their own time).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["/api/v1/organisations/", "/api/v1/outcomes/", "/api/v1/cycles/"]
WARM = 50


class SqlClock:
    """A connection execute wrapper that adds up the time spent in the driver and counts statements."""

    def __init__(self):
        self.seconds, self.statements = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.statements += 1


class Wsgi:
    """Requests straight into Django's WSGI handler, as gunicorn's worker makes them once it has parsed the HTTP: no test
    client (which copies its defaults, listens for templates rendered and keeps the request on the response)."""

    def __init__(self, handler, headers: dict):
        self.handler, self.headers = handler, headers

    def get(self, path: str) -> int:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
                   "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
                   **self.headers}
        answer: list[str] = []
        body = self.handler(environ, lambda status, headers, exc_info=None: answer.append(status))
        try:
            b"".join(body)
        finally:
            body.close()
        return int(answer[0].split()[0])


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime", help="the profile's order: tottime (default) or cumulative")
    parser.add_argument("--role", default="OVERSIGHT", help="whose token: a name in core.roles.Role (default OVERSIGHT)")
    parser.add_argument("paths", nargs="*", default=PATHS)
    options = parser.parse_args()

    # As bench/load runs the server: no debug, no limit reached, warnings only.
    for name, value in {"DJANGO_SETTINGS_MODULE": "noms_commissioning.settings.local", "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
                        "API_RATE_LIMIT": "1000000/minute", "LOG_LEVEL": "WARNING"}.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from core.models import User
    from core.roles import Role

    if options.role not in Role.__members__:
        parser.error(f"--role: one of {', '.join(Role.__members__)}")
    role = Role[options.role]
    user = User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()
    if user is None:
        sys.exit(f"No {role.label} user in this database: seed it first (bench/load/run.py or manage.py seed_demo).")
    token, _ = Token.objects.get_or_create(user=user)
    client = Wsgi(WSGIHandler(), {"HTTP_HOST": "127.0.0.1", "HTTP_AUTHORIZATION": f"Token {token.key}", "HTTP_ACCEPT": "application/json"})
    print(f"{connection.vendor} {connection.settings_dict['NAME']}, cache {django.conf.settings.CACHES['default']['BACKEND']}, "
          f"as {user.username}; {options.requests} requests per path after {WARM}")
    print("| path | statements | total p50 / p95 ms | SQL p50 / p95 ms | gap p50 / p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for path in options.paths:
        totals, sqls, gaps, statements = [], [], [], 0
        for n in range(WARM + options.requests):
            clock = SqlClock()
            with connection.execute_wrapper(clock):
                began = time.perf_counter()
                status = client.get(path)
                elapsed = time.perf_counter() - began
            if status != 200:
                sys.exit(f"{path} answered {status}")
            if n >= WARM:
                totals.append(elapsed * 1000)
                sqls.append(clock.seconds * 1000)
                gaps.append((elapsed - clock.seconds) * 1000)
                statements = clock.statements
        print(f"| `{path}` | {statements} | {statistics.median(totals):.2f} / {percentile(totals, 0.95):.2f} | "
              f"{statistics.median(sqls):.2f} / {percentile(sqls, 0.95):.2f} | "
              f"{statistics.median(gaps):.2f} / {percentile(gaps, 0.95):.2f} |")
    if options.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(options.requests):
            client.get(options.paths[0])
        profile.disable()
        pstats.Stats(profile).sort_stats(options.sort).print_stats(30)


if __name__ == "__main__":
    main()
