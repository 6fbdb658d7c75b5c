"""What the ethical wall protects of a competition (SPEC §4 rule 1), registered with `ethical_walls.registry`.

Each kind of record, the path from it to its competition, and — for the bid's own material —
the attribute naming the bid whose team sees it. Everything else here is the commissioning
side's alone: the competition's confidential view, criteria, scores, business cases, gateway
reports, the tie-break and the award recommendation. A new protected record is one line here
and its permission tables in ethical_walls/models.py (the system checks ethical_walls.E001 and
E002 say when they disagree).
"""

from core.roles import Role
from ethical_walls import registry

PROTECTED = [
    # (record, path to its competition, the bid whose team sees it)
    ("competitions.competition", "pk", None),
    ("competitions.bid", "competition_id", "pk"),
    ("competitions.biddocument", "bid__competition_id", "bid_id"),
    ("competitions.evaluationcriterion", "competition_id", None),
    ("competitions.score", "bid__competition_id", None),
    ("competitions.moderatedscore", "bid__competition_id", None),
    ("competitions.businesscase", "competition_id", None),
    ("competitions.gatewayreview", "competition_id", None),
    ("competitions.tiebreak", "competition_id", None),
    ("competitions.awardrecommendation", "competition_id", None),
    ("competitions.debriefletter", "bid__competition_id", "bid_id"),
]

# Records of a competition that are not protected record by record, filed under it when a refusal concerns them.
FILED_UNDER_COMPETITION = {
    "competitions.clarification": "competition_id",
    "competitions.notice": "competition_id",
    "competitions.challenge": "competition_id",
    "competitions.participationquestion": "competition_id",
    "competitions.participationanswer": "bid__competition_id",
    "competitions.sealedtender": "competition_id",
    "competitions.bidshare": "bid__competition_id",
}


# A bidding organisation's own people (issue #18) see its bid, the bid's documents and its debrief letter:
# the path from each to the bidder, for its bid managers.
BIDDER_PATHS = {
    "competitions.bid": "bidder_id",
    "competitions.biddocument": "bid__bidder_id",
    "competitions.debriefletter": "bid__bidder_id",
}
BIDDER_ROLES = (Role.BID_MANAGER,)
# A consortium's lead shares its bid with members (BidShare): the path to the organisations it is shared with.
SHARED_PATHS = {
    "competitions.bid": "shares__organisation_id",
    "competitions.biddocument": "bid__shares__organisation_id",
    "competitions.debriefletter": "bid__shares__organisation_id",
}


def register() -> None:
    registry.register_wall_subject("competitions.competition")
    for label, competition_path, own_bid_path in PROTECTED:
        registry.register_protected(label, competition_path=competition_path, own_bid_path=own_bid_path,
                                    organisation_path=BIDDER_PATHS.get(label), organisation_roles=BIDDER_ROLES if label in BIDDER_PATHS else (),
                                    shared_path=SHARED_PATHS.get(label))
    for label, path in FILED_UNDER_COMPETITION.items():
        registry.register_competition_path(label, path)
