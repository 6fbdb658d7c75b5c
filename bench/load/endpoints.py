"""What the load test asks for, and who asks: shared by run.py, locustfile.py and floor.py.

Pages are requested with the user's session cookie, API lists with the user's token. The
contract manager works the dashboard and agreement pages (and the agreement lists); the
oversight user and the HMPS bid-team user ask for the competition list and every list
endpoint of noms_commissioning/api.py's router, so each list is timed for a user who sees
the whole portfolio and for one the ethical wall filters.
"""

ORGANISATION_ROLES = ("oversight", "bid_team")
# A commissioner on the commissioning side of competitions (few of the Locust users: COMMISSIONER_WEIGHT): the bid
# team's comparator where oversight's list is empty by rule — bids, which only a competition's two sides may see.
COMMISSIONER = "commissioner"
API_LISTS = [
    "/api/v1/organisations/", "/api/v1/cycles/", "/api/v1/outcomes/", "/api/v1/competitions/", "/api/v1/gateway-reviews/",
    "/api/v1/bids/", "/api/v1/clarifications/", "/api/v1/agreements/", "/api/v1/measures/", "/api/v1/returns/",
    "/api/v1/notices-of-change/", "/api/v1/rectification-notices/", "/api/v1/conflict-declarations/", "/api/v1/audit-events/",
    "/api/v1/ocds/releases/",
]
AGREEMENT_LISTS = {"/api/v1/agreements/", "/api/v1/measures/", "/api/v1/returns/"}
# The service's search (core/search.py, issue #19): the page and the API, for every role; held to p95 < 150 ms.
SEARCHES = ["/search/?q=prison%20resettlement", "/api/v1/search/?q=prison%20resettlement"]
TARGETS_MS = {path: 150 for path in SEARCHES}
AGREEMENT_PAGE = "/contracts/<id>/"
HOME = "/"  # each person's inbox (core/inbox.py, issue #19): the work waiting for them
# (endpoint, roles that ask for it), in the order of the results table.
ENDPOINTS = [
    (HOME, ORGANISATION_ROLES + ("contract_manager",)),
    ("/contracts/", ("contract_manager",)),
    (AGREEMENT_PAGE, ("contract_manager",)),
    ("/competitions/", ORGANISATION_ROLES),
] + [(path, ORGANISATION_ROLES + (("contract_manager",) if path in AGREEMENT_LISTS else ())) for path in API_LISTS] + [
    (path, ORGANISATION_ROLES + ("contract_manager",)) for path in SEARCHES
]
ENDPOINTS = [(path, roles + ((COMMISSIONER,) if path in {HOME, "/competitions/", "/api/v1/competitions/", "/api/v1/bids/"} else ()))
             for path, roles in ENDPOINTS]
# Lists that are empty for the bid team by rule (agreements and their records, cycles, the audit log):
# a row there would be a breach of the wall.
EMPTY_FOR_BID_TEAM = {
    "/api/v1/cycles/", "/api/v1/agreements/", "/api/v1/measures/", "/api/v1/returns/", "/api/v1/notices-of-change/",
    "/api/v1/rectification-notices/", "/api/v1/audit-events/",
}


# Lists the ethical wall filters record by record for the bid team (its own bids, launched competitions, published
# clarifications, its own declarations): the bid team's time on them is held to 1.5 x oversight's.
WALL_FILTERED = {
    "/competitions/", "/api/v1/competitions/", "/api/v1/gateway-reviews/", "/api/v1/bids/", "/api/v1/clarifications/",
    "/api/v1/conflict-declarations/", "/api/v1/ocds/releases/",
}


# Whose time the bid team's is held against, per wall-filtered list: oversight's (the whole portfolio), except where
# oversight sees nothing.
COMPARATOR = {"/api/v1/bids/": COMMISSIONER}


def comparator(endpoint: str) -> str:
    return COMPARATOR.get(endpoint, "oversight")


def endpoints_for(role: str) -> list[str]:
    return [path for path, roles in ENDPOINTS if role in roles]


def is_api(path: str) -> bool:
    return path.startswith("/api/")
