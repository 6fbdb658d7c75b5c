"""Outcomes told to bidders (issue #18): the decision on a request to participate, the debrief and standstill
letter, the award decision — by e-mail to the people acting for the bid, and on their opportunity page.

The people are each bid's own: a supplier's active bid managers, or the current members of a crown
bid's team (the wall's bid side). Nothing in a message is another bidder's: the award names the
successful bidder, as the contract award notice does publicly. (Issue #19 moves delivery to the
notification outbox.)
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from competitions.models import Bid, Competition
from core.models import Sector, User
from core.roles import Role
from ethical_walls.models import Membership, Side


def people_acting_for(bid: Bid) -> list[User]:
    team = Membership.objects.filter(bid=bid, side=Side.BID, left_at__isnull=True).values("user_id")
    own = Q(pk__in=team)
    if bid.bidder.sector != Sector.PUBLIC:
        own |= Q(organisation_id=bid.bidder_id, groups__name=Role.BID_MANAGER)
    return list(User.objects.filter(own, is_active=True).exclude(email="").distinct().order_by("pk"))


def tell_bidders(competition: Competition, bids: Iterable[Bid], subject: str, body: str) -> int:
    """E-mail each bid's people once the transaction commits; `body` may name `{bidder}`. Returns how many messages."""
    link = f"{settings.SITE_URL}{reverse('competitions:opportunity', args=[competition.pk])}"
    messages = []
    for bid in bids:
        text = body.format(bidder=bid.bidder) + f"\n\nSee {competition.reference} in NOMS Commissioning: {link}\n"
        messages.extend((f"{competition.reference}: {subject}", text, None, [person.email]) for person in people_acting_for(bid))
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    return len(messages)
