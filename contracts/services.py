from django.db import transaction

from contracts.models import Agreement, AgreementKind, AgreementState


@transaction.atomic
def agreement_create_from_award(*, competition, recommendation, actor) -> Agreement:
    """Award creates the agreement: a contract with a non-crown provider, an SLA with a crown body."""
    provider = recommendation.bid.bidder
    return Agreement.objects.create(
        reference=f"{competition.reference}-A",
        title=competition.title,
        kind=AgreementKind.SLA if provider.is_crown_body else AgreementKind.CONTRACT,
        provider=provider,
        competition=competition,
        service_area=competition.service_area,
        value=recommendation.bid.price,
        state=AgreementState.MOBILISING,
    )
