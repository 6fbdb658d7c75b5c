"""Load test on PostgreSQL: the pages and API lists at scale, under Locust, against a hand-written SQL floor.

    .venv/bin/python bench/load/run.py [--duration 60] [--users 16] [--workers 3] [--skip-seed]

1. (Re)creates the database `noms_load` (dropped and made again), migrates it and seeds it
   (bench/load/seed.py): 1,000 competitions with their walls, 5,000 agreements, 40,000
   measures, 480,000 returns, 2,000 users, 200,000 object permissions. `--skip-seed` reuses
   the database a previous run left.
2. Signs in a pool of users per role (sessions made directly, as a sign-in would make them,
   so the password hash is not what is measured) and gives each its API token.
3. Serves the project with gunicorn (`--workers` sync workers, settings `local` with
   DEBUG=false, the cache and rate-limit counters on Redis, API_RATE_LIMIT out of the way),
   asks for every endpoint as every role one request at a time (warm-up; the "alone"
   column), then runs Locust headless (bench/load/locustfile.py) for `--duration` seconds
   with `--users` concurrent users (oversight, HMPS bid team and contract managers in equal
   shares and one commissioner on the commissioning side of competitions, each arriving at a random moment of its first pause and then pausing --think
   seconds on average between requests): every endpoint (phase `all`, the default);
   `--phases all no-dashboard` adds a phase without the contracts dashboard, the heaviest
   page, to show what the other endpoints' tails owe to queueing behind it.
4. Times the SQL floor (bench/load/floor.py): for each endpoint and user, hand-written SQL
   through psycopg fetching the data the page shows, `--floor-runs` times; and the floors
   of the proposed fixes.
5. Prints the tables — per endpoint and user: requests, failures, p50/p95/p99, requests
   per second, alone, the SQL floor's p50/p95, the bid-team/oversight ratio of each list both
   see at p95, p50 and alone (on bids, which oversight may not see, bid team/commissioner) — marks
   the targets (p95 < 250 ms everywhere, bid team <= 1.5 x oversight at p95 and alone, no errors), adds the statements and plans of the endpoints that missed
   (bench/load/explain.py) and writes it all, with the machine and the date, to
   bench/load/results.md (overwritten).

Needs PostgreSQL and Redis as `.ci/run` starts them. The machine is shared: the load
average before and after the run is recorded beside the figures.
"""

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATABASE = os.environ.get("BENCH_LOAD_DATABASE", "noms_load")
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/14")
WORKDIR = Path(os.environ.get("BENCH_LOAD_WORKDIR", "/tmp/noms-load"))
ENV = {
    "DJANGO_SETTINGS_MODULE": "noms_commissioning.settings.local", "DEBUG": "false",
    "DATABASE_URL": f"{SERVER}/{DATABASE}", "REDIS_URL": REDIS, "API_RATE_LIMIT": "1000000/minute",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend", "LOG_LEVEL": "WARNING",
    "ALLOWED_HOSTS": "127.0.0.1,localhost", "MEDIA_ROOT": str(WORKDIR / "media"),
}
PHASES = {"all": [], "no-dashboard": ["/contracts/"]}
PHASE_LABELS = {"all": "every endpoint", "no-dashboard": "every endpoint but the contracts dashboard"}
TARGET_P95_MS = 250  # bench/load/endpoints.py TARGETS_MS holds tighter ones (search: 150)
TARGET_RATIO = 1.5
POOL = 16  # signed-in users per role: each Locust user takes the next one


def configure(scale: float) -> None:
    """Point the run at the database and working folder of this scale (1: noms_load, as before; 10: noms_load_x10)."""
    global DATABASE, WORKDIR, SCALE
    SCALE = scale
    if scale != 1:
        DATABASE = f"{DATABASE}_x{scale:g}".replace(".", "_")
        WORKDIR = WORKDIR / f"x{scale:g}"
        ENV.update({"DATABASE_URL": f"{SERVER}/{DATABASE}", "MEDIA_ROOT": str(WORKDIR / "media")})


SCALE: float = 1


# --- the database ------------------------------------------------------------------------------

def make_database():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def setup_django(*, migrate: bool):
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def fixture() -> dict:
    """Sessions, tokens and ids the Locust users need: POOL users per role, signed in afresh."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from contracts.models import RUNNING, Agreement
    from core.models import User
    from core.roles import Role
    from ethical_walls.models import Membership

    def signed_in(users):
        pool = []
        for user in users:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            pool.append({"username": user.username, "id": user.pk, "session": session.session_key,
                         "token": Token.objects.get(user=user).key})
        return pool

    # Bid-team users on a bid (they hold object permissions: the wall has something to filter by).
    bid_team = User.objects.filter(groups__name=Role.BID_TEAM, pk__in=Membership.objects.filter(side="bid").values("user")).order_by("pk")
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "users": {
            "oversight": signed_in(User.objects.filter(groups__name=Role.OVERSIGHT).order_by("pk")[:POOL]),
            # Commissioners on the commissioning side of competitions with bids (they see those bids).
            "commissioner": signed_in(User.objects.filter(
                groups__name=Role.COMMISSIONER, pk__in=Membership.objects.filter(side="commissioning", wall__competition__bids__isnull=False)
                .values("user")).distinct().order_by("pk")[:POOL]),
            "bid_team": signed_in(bid_team[:POOL]),
            "contract_manager": signed_in(User.objects.filter(groups__name=Role.CONTRACT_MANAGER).order_by("pk")[:POOL]),
        },
        # Agreement pages: running agreements (8 measures, 12 returns each).
        "agreements": list(Agreement.objects.filter(state__in=RUNNING).order_by("pk").values_list("pk", flat=True)[:200]),
    }


# --- the server ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WORKER_CLASS = ("sync", 1)  # gunicorn's worker class and threads per worker (--worker-class, --threads)


def start_gunicorn(port: int, workers: int, name: str = "gunicorn"):
    log = open(WORKDIR / f"{name}.log", "w")
    worker_class, threads = WORKER_CLASS
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "noms_commissioning.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads),
         "--timeout", "120", "--no-control-socket", "--access-logfile", "-"],
        cwd=ROOT, env={**os.environ, **ENV}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5)
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {WORKDIR / 'gunicorn.log'}")
            time.sleep(0.5)
    stop(process)
    raise SystemExit("gunicorn did not answer within 90 s.")


def stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


SLOW_MS = 5000  # an endpoint slower than this alone is warmed up and explained once, not ALONE_RUNS + 1 times
ALONE_RUNS = 9  # requests of each endpoint alone after the first, each pass over every endpoint: their median is "alone"


def warm_up(port: int) -> dict:
    """Ask for every endpoint as every role, one request at a time (workers import, connect and fill their caches),
    1 + ALONE_RUNS passes (one for an endpoint slower than SLOW_MS). Returns each (endpoint, role)'s median time after the
    first pass: the endpoint alone, with no other request of ours in flight. Every pass asks for every endpoint in turn, so
    a moment of noise on the shared machine falls on a pass of all of them, not on one endpoint's every request."""
    from endpoints import AGREEMENT_PAGE, endpoints_for, is_api

    fixture = json.loads((WORKDIR / "fixture.json").read_text())
    times: dict[tuple, list] = {}
    for n in range(1 + ALONE_RUNS):
        for role, pool in fixture["users"].items():
            account = pool[0]
            for endpoint in endpoints_for(role):
                if n and times[(endpoint, role)][0] > SLOW_MS:
                    continue  # seconds of work: the first request is as good a measure as any, and the time is the finding
                agreement = fixture["agreements"][n % len(fixture["agreements"])]
                path = endpoint.replace("<id>", str(agreement)) if endpoint == AGREEMENT_PAGE else endpoint
                headers = ({"Authorization": f"Token {account['token']}"} if is_api(endpoint)
                           else {"Cookie": f"{fixture['session_cookie']}={account['session']}"})
                began = time.perf_counter()
                try:
                    with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers), timeout=600) as answer:
                        answer.read()
                except urllib.error.HTTPError as refused:
                    raise SystemExit(f"{path} as {role} answered {refused.code}: every endpoint must answer 200 before the load") from None
                times.setdefault((endpoint, role), []).append((time.perf_counter() - began) * 1000)
    return {key: statistics.median(values[1:] or values) for key, values in times.items()}


def prime(port: int, skip: set) -> None:
    """A fresh server's workers import, connect and render each endpoint twice before the load (the slow ones left out)."""
    from endpoints import AGREEMENT_PAGE, endpoints_for, is_api

    fixture = json.loads((WORKDIR / "fixture.json").read_text())
    for n in range(2 * 3):
        for role, pool in fixture["users"].items():
            for endpoint in endpoints_for(role):
                if endpoint in skip:
                    continue
                path = endpoint.replace("<id>", str(fixture["agreements"][n])) if endpoint == AGREEMENT_PAGE else endpoint
                headers = ({"Authorization": f"Token {pool[0]['token']}"} if is_api(endpoint)
                           else {"Cookie": f"{fixture['session_cookie']}={pool[0]['session']}"})
                with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers), timeout=600) as answer:
                    answer.read()


def run_locust(port: int, options, exclude: list[str]) -> dict:
    samples = WORKDIR / "samples.json"
    env = {**os.environ, "BENCH_LOAD_FIXTURE": str(WORKDIR / "fixture.json"), "BENCH_LOAD_SAMPLES": str(samples),
           "BENCH_LOAD_THINK": str(options.think), "BENCH_LOAD_EXCLUDE": ",".join(exclude)}
    command = [
        str(ROOT / ".venv/bin/locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(options.users), "-r", str(options.users),
        "-t", f"{options.duration}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(WORKDIR / "locust"), "--only-summary",
        "--loglevel", "WARNING", "--stop-timeout", "300",
    ]
    with open(WORKDIR / f"locust-{'-'.join(exclude) or 'all'}.log".replace("/", ""), "w") as log:
        subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=log, stderr=subprocess.STDOUT)
    return json.loads(samples.read_text())


# --- the figures ------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (no interpolation): a p95 of 20 samples is the 19th slowest."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def machine() -> dict:
    import psycopg

    with psycopg.connect(f"{SERVER}/{DATABASE}") as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(int(memory.split()[1]) / 1024 / 1024, 1), "postgres": version,
            "python": platform.python_version()}


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def table(samples: dict, floors: dict, alone: dict) -> tuple[list[str], dict, set]:
    """The rows of one phase's results table, which targets are met, and the (endpoint, role)s that missed p95."""
    from endpoints import TARGETS_MS, WALL_FILTERED, comparator

    elapsed = samples["elapsed"]
    by_key: dict[tuple, list] = {}
    for endpoint, user, milliseconds, failed, _ended in samples["requests"]:
        by_key.setdefault((endpoint, user), []).append((milliseconds, failed))
    p95 = {key: percentile([ms for ms, _ in rows], 0.95) for key, rows in by_key.items()}
    lines = [
        "| endpoint | user | requests | failures | p50 ms | p95 ms | p99 ms | req/s | alone ms | SQL floor p50 / p95 ms | bid team ÷ oversight p95 (p50; alone) (bids: ÷ commissioner) | targets |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    met = {"p95": True, "ratio": True, "errors": True}
    missed = set()
    order = samples["endpoints"]
    for key in sorted(by_key, key=lambda k: (order.index(k[0]) if k[0] in order else 99, k[1])):
        endpoint, user = key
        times = [ms for ms, _ in by_key[key]]
        failures = sum(1 for _, failed in by_key[key] if failed)
        floor = floors.get(key)
        ratio, notes = "–", []
        target = TARGETS_MS.get(endpoint, TARGET_P95_MS)
        if p95[key] >= target:
            notes.append(f"p95 ≥ {target}")
            met["p95"] = False
            missed.add(key)
        if failures:
            notes.append("errors")
            met["errors"] = False
        other = (endpoint, comparator(endpoint))
        if user == "bid_team" and endpoint in WALL_FILTERED and other in p95:
            value = p95[key] / p95[other]
            typical = percentile(times, 0.5) / percentile([ms for ms, _ in by_key[other]], 0.5)
            ratio = f"{value:.2f}" + ("" if other[1] == "oversight" else f" of {other[1]}'s") + f" (p50 {typical:.2f}"
            by_itself = alone[key] / alone[other] if key in alone and other in alone else None
            ratio += f"; alone {by_itself:.2f})" if by_itself is not None else ")"
            if value > TARGET_RATIO or (by_itself or 0) > TARGET_RATIO:
                notes.append(f"ratio > {TARGET_RATIO}" + (" alone" if value <= TARGET_RATIO else ""))
                met["ratio"] = False
        lines.append(
            f"| `{endpoint}` | {user.replace('_', ' ')} | {len(times)} | {failures} | {_ms(percentile(times, 0.5))} | {_ms(p95[key])} | "
            f"{_ms(percentile(times, 0.99))} | {len(times) / elapsed:.2f} | {_ms(alone[key]) if key in alone else '–'} | "
            f"{f'{_ms(floor[0])} / {_ms(floor[1])}' if floor else '–'} | {ratio} | {'**missed**: ' + ', '.join(notes) if notes else 'met'} |"
        )
    return lines, met, missed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per phase (default 60)")
    parser.add_argument("--users", type=int, default=16, help="concurrent Locust users (default 16)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (default 3, as docker-compose.yml)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a user's requests, seconds (default 1.0)")
    parser.add_argument("--floor-runs", type=int, default=50, help="runs of each hand-written SQL floor (default 50)")
    parser.add_argument("--phases", nargs="+", choices=list(PHASES), default=["all"],
                        help="all: every endpoint; no-dashboard: the same without /contracts/, the heaviest page, "
                             "to see what the others' tails owe to queueing behind it (default: all)")
    parser.add_argument("--skip-seed", action="store_true", help="reuse the seeded database of a previous run")
    parser.add_argument("--scale", type=float, default=1, help="the dataset's size, times the standard one (default 1; 10: 50,000 agreements, "
                        "4.8 million returns, 2 million object permissions); each scale has its own database, noms_load_x<scale>")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"], help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker, with --worker-class gthread (default 1)")
    parser.add_argument("--no-explain", dest="explain", action="store_false", help="skip the statements and plans of the endpoints that missed")
    parser.add_argument("--explain-top", type=int, default=6, help="how many of the endpoints that missed to explain (default 6)")
    options = parser.parse_args()
    configure(options.scale)
    global WORKER_CLASS
    WORKER_CLASS = (options.worker_class, options.threads)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    started_at = datetime.now().astimezone()

    if not options.skip_seed:
        print(f"Creating {DATABASE} and migrating…", flush=True)
        make_database()
        setup_django(migrate=True)
        print(f"Seeding ({time.monotonic() - began:.0f} s)…", flush=True)
        from seed import seed

        counts = seed(log=lambda line: print(line, flush=True), scale=options.scale)
        (WORKDIR / "counts.json").write_text(json.dumps(counts))
    else:
        setup_django(migrate=False)
        counts = json.loads((WORKDIR / "counts.json").read_text()) if (WORKDIR / "counts.json").exists() else {}
    seeded = time.monotonic() - began
    fixture_now = fixture_for_run()
    from django.db import connections

    connections.close_all()

    port = free_port()
    print(f"Every endpoint as every role, one request at a time ({time.monotonic() - began:.0f} s)…", flush=True)
    server = start_gunicorn(port, options.workers)
    try:
        alone = warm_up(port)
    finally:
        stop(server)
    slow = {endpoint for (endpoint, _), ms in alone.items() if ms > SLOW_MS}
    results = {}
    for phase in options.phases:
        # A fresh server per phase: requests of the phase before that are still being worked on are not inherited.
        server = start_gunicorn(port, options.workers, f"gunicorn-{phase}")
        try:
            prime(port, slow | set(PHASES[phase]))
            load_before = load_average()
            print(f"Phase {phase}: Locust, {options.users} users for {options.duration} s, {options.workers} gunicorn workers "
                  f"({time.monotonic() - began:.0f} s)…", flush=True)
            results[phase] = (run_locust(port, options, PHASES[phase]), load_before, load_average())
        finally:
            stop(server)
    print(f"Timing the SQL floor, {options.floor_runs} runs each ({time.monotonic() - began:.0f} s)…", flush=True)
    from floor import floors

    floor_times = {key: (statistics.median(times), percentile(times, 0.95))
                   for key, times in floors(fixture_now, dsn=f"{SERVER}/{DATABASE}", runs=options.floor_runs).items()}
    box = machine()
    text = [
        f"## Scale {SCALE:g}× ({started_at:%Y-%m-%d %H:%M %Z})",
        "",
        f"Machine: {box['cpus']} CPUs ({box['cpu']}), {box['memory_gib']} GiB RAM, PostgreSQL {box['postgres']}, Python {box['python']}; "
        f"gunicorn ({options.workers} {options.worker_class} workers{f', {options.threads} threads each' if options.threads > 1 else ''}), Redis, PostgreSQL and Locust all on it, and shared with other engineers' test runs "
        f"(load averages below).",
        "",
        "Data: " + (", ".join(f"{v:,} {k}" for k, v in counts.items()) if counts else "seeded by an earlier run") + ".",
        "",
        f"Load: {options.users} Locust users — oversight, HMPS bid team and contract managers in equal shares, and one commissioner (the bid team's "
        f"comparator on bids, which oversight may not see) — each its own "
        f"signed-in account, asking for one of its role's endpoints at random then pausing {options.think} s on average; "
        f"{options.duration} s per phase, each phase on a freshly started server. A request fails on anything but a 200 "
        f"without redirect (and on a record the bid team may not see); gunicorn lets a request run 120 s (the deployment's "
        f"default is 30 s, after which the worker is killed and the request fails). Percentiles are nearest-rank over every "
        f"request of the phase. *alone*: the median of {ALONE_RUNS} requests made one at a time before the load, after a first "
        f"(a single request where that one took over {SLOW_MS / 1000:.0f} s). *SQL floor*: hand-written SQL fetching the data "
        f"the page shows (bench/load/floor.py), {options.floor_runs} runs one after another after the load (at least 5, "
        f"and no more than fit in 20 s).",
        "",
    ]
    missed_last: set = set()
    for phase, (samples, load_before, load_after) in results.items():
        lines, met, missed = table(samples, floor_times, alone)
        missed_last |= missed
        total = len(samples["requests"])
        text += [
            f"## Phase {phase}: {PHASE_LABELS[phase]}",
            "",
            f"{total:,} requests in {samples['elapsed']:.0f} s ({total / samples['elapsed']:.1f} req/s); load average {load_before} "
            f"before, {load_after} after. Targets: p95 < {TARGET_P95_MS} ms everywhere (search < 150 ms) — **{'met' if met['p95'] else 'missed'}**; "
            f"bid team ≤ {TARGET_RATIO} × oversight (on bids, the commissioner's) on the lists the wall filters, p95 under load and alone — **{'met' if met['ratio'] else 'missed'}**; "
            f"no errors — **{'met' if met['errors'] else 'missed'}**.",
            "",
            *lines,
            "",
        ]
    text += ["## SQL floors of the proposed fixes", "", "| endpoint | proposal | floor p50 / p95 ms | the page's floor today p50 / p95 ms |",
             "|---|---|---:|---:|"]
    for (endpoint, label), (p50, p95) in floor_times.items():
        if label.startswith("proposal: "):
            today = next(value for (e, _), value in floor_times.items() if e == endpoint)
            text.append(f"| `{endpoint}` | {label.removeprefix('proposal: ')} | {_ms(p50)} / {_ms(p95)} | {_ms(today[0])} / {_ms(today[1])} |")
    text.append("")
    if options.explain and missed_last:
        # The slowest endpoints alone among those that missed: under load on a shared machine every endpoint may miss,
        # and the ones whose own time is long are where a fix pays.
        worst: dict[str, tuple] = {}
        for endpoint, role in missed_last:
            if alone.get((endpoint, role), 0) > worst.get(endpoint, ("", 0))[1]:
                worst[endpoint] = (role, alone.get((endpoint, role), 0))
        chosen = sorted(worst.items(), key=lambda item: -item[1][1])[: options.explain_top]
        print(f"Explaining {len(chosen)} endpoints ({time.monotonic() - began:.0f} s)…", flush=True)
        from explain import explain

        text += ["## Where the time goes", "",
                 f"The {len(chosen)} endpoints that missed with the longest time alone, each requested once in this process "
                 f"through Django's test client, as the user for whom it is slowest; the slowest statement with EXPLAIN ANALYZE.", ""]
        for endpoint, (role, ms) in chosen:
            text += [explain(endpoint, role, fixture_now, warm=ms < SLOW_MS, slowest=1, plan_lines=12), ""]
    text = [text[0], *[f"#{line}" if line.startswith("## ") else line for line in text[1:]]]  # each phase a level below its scale
    (HERE / f"results-x{SCALE:g}.json").write_text(json.dumps(summary_of(results, alone), indent=1, sort_keys=True) + "\n")
    write_results(text)
    print()
    print("\n".join(text))
    print(f"Seeding took {seeded:.0f} s; the whole run {time.monotonic() - began:.0f} s. Written to {HERE / 'results.md'}.")


def summary_of(results: dict, alone: dict) -> dict:
    """Each (endpoint, role)'s time alone and its p50 and p95 under the first phase's load, for comparing scales."""
    phase = next(iter(results.values()))[0]
    by_key: dict[str, list] = {}
    for endpoint, user, milliseconds, _failed, _ended in phase["requests"]:
        by_key.setdefault(f"{endpoint} | {user}", []).append(milliseconds)
    return {"alone": {f"{endpoint} | {role}": ms for (endpoint, role), ms in alone.items()},
            "p50": {key: percentile(times, 0.5) for key, times in by_key.items()},
            "p95": {key: percentile(times, 0.95) for key, times in by_key.items()}}


def write_results(section: list[str]) -> None:
    """results.md keeps the last run of each scale (its own section, replaced by the next run at that scale) and, when
    runs at 1× and 10× are both there, the table comparing them (issue #22's targets)."""
    path = HERE / "results.md"
    kept = path.read_text() if path.exists() else ""
    sections = {}
    for block in kept.split("<!-- scale ")[1:]:
        scale, _, body = block.partition(" -->\n")
        sections[scale] = body.split(f"<!-- /scale {scale} -->")[0].rstrip("\n")
    sections[f"{SCALE:g}"] = "\n".join(section).rstrip("\n")
    text = ["# Load test results", "",
            "The last run at each scale (`bench/load/run.py --scale 1`, `--scale 10`); each run replaces its own scale's section.", ""]
    for scale in sorted(sections, key=float):
        text += [f"<!-- scale {scale} -->", sections[scale], f"<!-- /scale {scale} -->", ""]
    text += comparison()
    path.write_text("\n".join(text) + "\n")


def comparison() -> list[str]:
    """1× against 10×: each endpoint's p50 alone and under load at both scales, and the ratios the targets bound."""
    runs = {scale: HERE / f"results-x{scale}.json" for scale in ("1", "10")}
    if not all(path.exists() for path in runs.values()):
        return []
    one, ten = (json.loads(runs[scale].read_text()) for scale in ("1", "10"))
    lines = ["## 1× against 10×", "",
             "Targets: p50 at 10× no more than 1.3 × its p50 at 1×; p95 under load at 10× < 250 ms. Alone: one request at a time.", "",
             "| endpoint and user | alone 1× ms | alone 10× ms | ÷ | p50 1× ms | p50 10× ms | ÷ | p95 10× ms | targets |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for key in sorted(set(one["p50"]) & set(ten["p50"])):
        alone1, alone10 = one["alone"].get(key), ten["alone"].get(key)
        growth = ten["p50"][key] / one["p50"][key] if one["p50"][key] else 0
        notes = [note for note, missed in (("p50 × > 1.3", growth > 1.3), ("p95 ≥ 250", ten["p95"][key] >= TARGET_P95_MS)) if missed]
        lines.append(f"| `{key.split(' | ')[0]}` {key.split(' | ')[1].replace('_', ' ')} | {_ms(alone1) if alone1 else '–'} | "
                     f"{_ms(alone10) if alone10 else '–'} | {f'{alone10 / alone1:.2f}' if alone1 and alone10 else '–'} | "
                     f"{_ms(one['p50'][key])} | {_ms(ten['p50'][key])} | {growth:.2f} | {_ms(ten['p95'][key])} | "
                     f"{', '.join(notes) or 'met'} |")
    return [*lines, ""]


def fixture_for_run() -> dict:
    data = fixture()
    (WORKDIR / "fixture.json").write_text(json.dumps(data))
    return data


if __name__ == "__main__":
    main()
