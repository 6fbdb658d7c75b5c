"""Where an endpoint's time goes: its SQL as Django runs it, with EXPLAIN ANALYZE of the slowest statements.

    .venv/bin/python bench/load/explain.py [ENDPOINT ...] [--role oversight|bid_team|contract_manager] [--scale 10] [--slowest 3]

Runs on the database bench/load/run.py seeded (`noms_load`), in this process, through
Django's test client (no server, no other load): each endpoint once to warm up, then once
with every statement captured. Prints the request's time, its statement count and SQL
time (the rest is Python: model instances, serialisers, templates), then the slowest
statements with their plans. run.py calls `explain` for the endpoints that missed a target.
"""

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from endpoints import AGREEMENT_PAGE, ENDPOINTS, is_api  # noqa: E402


def _client(role: str, fixture: dict):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    account = fixture["users"][role][0]
    token = Token.objects.get(user_id=account["id"]).key
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[fixture["session_cookie"]] = account["session"]
    return client, {"HTTP_AUTHORIZATION": f"Token {token}"}


def explain(endpoint: str, role: str, fixture: dict, *, warm: bool = True, slowest: int = 3, plan_lines: int = 25) -> str:
    """A report of one endpoint as one role: time, statements, SQL time, and the slowest statements' plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, api_headers = _client(role, fixture)
    path = endpoint.replace("<id>", str(fixture["agreements"][0])) if endpoint == AGREEMENT_PAGE else endpoint
    headers = api_headers if is_api(endpoint) else {}
    if warm:
        client.get(path, **headers)  # imports, templates, connection
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        response = client.get(path, **headers)
        total = (time.perf_counter() - began) * 1000
    statements = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    sql_ms = sum(ms for ms, _ in statements)
    lines = [f"### `{endpoint}` as {role.replace('_', ' ')}", "",
             f"{response.status_code}, {total:.0f} ms in the process: {len(statements)} statements, {sql_ms:.0f} ms of SQL, "
             f"{total - sql_ms:.0f} ms of Python (model instances, serialisers or templates).", ""]
    # Only reads are explained: EXPLAIN ANALYZE runs the statement (the session's UPDATE would be run again).
    reads = [(ms, sql) for ms, sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    for ms, sql in sorted(reads, reverse=True)[:slowest]:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = [row[0] for row in cursor.fetchall()]
        shown = sql if len(sql) <= 400 else sql[:400] + " …"
        plan = [line if len(line) <= 160 else line[:160] + " …" for line in plan]
        lines += [f"{ms:.1f} ms:", "", "```sql", shown, "```", "", "```", *plan[:plan_lines], *(["…"] if len(plan) > plan_lines else []),
                  *[line for line in plan[plan_lines:-2] if line.lstrip().startswith(("JIT:", "Timing:"))],
                  *[line for line in plan[-2:] if len(plan) > plan_lines], "```", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoints", nargs="*", help="endpoints as in bench/load/endpoints.py (default: all)")
    parser.add_argument("--role", help="only this role")
    parser.add_argument("--scale", type=float, default=1, help="the database of this scale (run.py --scale; default 1)")
    parser.add_argument("--slowest", type=int, default=3, help="how many of the slowest statements to explain (default 3)")
    options = parser.parse_args()
    import run

    run.configure(options.scale)
    run.setup_django(migrate=False)
    fixture = json.loads((run.WORKDIR / "fixture.json").read_text())
    for endpoint, roles in ENDPOINTS:
        if options.endpoints and endpoint not in options.endpoints:
            continue
        for role in roles:
            if not options.role or role == options.role:
                print(explain(endpoint, role, fixture, slowest=options.slowest), flush=True)


if __name__ == "__main__":
    main()
