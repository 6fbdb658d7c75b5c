"""Bidders in the service (issue #18): opportunities, their own interest and questions, and nothing of another bidder's."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from competitions import guards, services
from competitions.models import Bid, BidDocument, Clarification, State
from competitions.selectors import bid_list, clarification_list
from core.models import Organisation
from core.roles import Role
from ethical_walls.models import AuditEvent
from ethical_walls.selectors import permitted, sees, tender_visible
from tests.core.factories import UserFactory


@pytest.fixture
def launched(journey):
    journey.advance_to(State.PRE_QUALIFICATION)
    return journey


def _bidder(name):
    organisation = Organisation.objects.create(name=name, sector="private", organisation_type="company")
    return UserFactory(roles=[Role.BID_MANAGER], organisation=organisation)


def test_a_bidder_finds_the_opportunity_registers_interest_and_sees_its_request_with_procurement(client, launched):
    alpha = _bidder("Alpha Rehabilitation Ltd")
    client.force_login(alpha)
    listing = client.get("/competitions/opportunities/", {"search": "Birmingham"}).content.decode()
    assert launched.competition.reference in listing
    assert launched.competition.reference not in client.get("/competitions/opportunities/", {"search": "Dartmoor"}).content.decode()
    page = client.get(f"/competitions/opportunities/{launched.competition.pk}/").content.decode()
    assert "Register your interest" in page and "Quality of delivery" in page  # the criteria as published
    client.post(f"/competitions/opportunities/{launched.competition.pk}/interest/")
    bid = Bid.objects.get(competition=launched.competition, bidder=alpha.organisation)
    assert sees(alpha, bid) and launched.competition.events.filter(action="bid", actor=alpha).exists()
    page = client.get(f"/competitions/opportunities/{launched.competition.pk}/").content.decode()
    assert "with MoJ Procurement" in page and "Register your interest" not in page
    services.bid_prequalify(bid=bid, actor=launched.procurement, passed=False, reasons="No evidence of delivering custodial services.")
    assert "No evidence of delivering custodial services." in client.get(f"/competitions/opportunities/{launched.competition.pk}/").content.decode()


def test_interest_is_refused_twice_after_the_deadline_and_to_the_wrong_people(launched):
    alpha = _bidder("Alpha Rehabilitation Ltd")
    services.bid_express_interest(competition=launched.refresh(), actor=alpha)
    with pytest.raises(ValidationError, match="already expressed interest"):
        services.bid_express_interest(competition=launched.refresh(), actor=alpha)
    for outsider in (UserFactory(roles=[Role.CONTRACT_LEAD], organisation=alpha.organisation), launched.procurement):
        with pytest.raises(PermissionDenied):
            services.bid_express_interest(competition=launched.refresh(), actor=outsider)
    launched.travel_to(launched.refresh().participation_deadline.date() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="Requests to participate closed at"):
        services.bid_express_interest(competition=launched.refresh(), actor=_bidder("Late Ltd"))


def test_one_bidder_sees_nothing_of_anothers_bid_documents_or_questions(client, launched):
    alpha, beta = _bidder("Alpha Rehabilitation Ltd"), _bidder("Beta Justice Services")
    alpha_bid = services.bid_express_interest(competition=launched.refresh(), actor=alpha)
    beta_bid = services.bid_express_interest(competition=launched.refresh(), actor=beta)
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.bid_document_add(bid=beta_bid, actor=launched.procurement, title="Beta's staffing model in confidence",
                              file=SimpleUploadedFile("staffing.pdf", b"%PDF-1.7 beta", content_type="application/pdf"))
    question = services.clarification_ask(competition=launched.refresh(), actor=beta, question="Beta asks about the TUPE list")
    assert list(bid_list(user=alpha)) == [alpha_bid] and list(bid_list(user=beta)) == [beta_bid]
    assert not permitted(alpha, BidDocument.objects.all()).exists() and permitted(beta, BidDocument.objects.all()).count() == 1
    assert not sees(alpha, beta_bid) and not tender_visible(alpha, beta_bid) and tender_visible(beta, beta_bid)
    assert question not in clarification_list(user=alpha) and question in clarification_list(user=beta)
    client.force_login(alpha)
    page = client.get(f"/competitions/opportunities/{launched.competition.pk}/").content.decode()
    assert "Beta asks about the TUPE list" not in page
    for path in (f"/api/v1/bids/{beta_bid.pk}/", f"/competitions/{launched.competition.pk}/bids/{beta_bid.pk}/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Beta Justice Services" not in response.content.decode() and "staffing model" not in response.content.decode()
    assert AuditEvent.objects.filter(action="refused", actor=alpha, path=f"/api/v1/bids/{beta_bid.pk}/").exists()
    listed = client.get("/api/v1/bids/").json()
    assert [row["id"] for row in listed["results"]] == [alpha_bid.pk]


def test_a_question_asked_is_answered_to_the_asker_or_published_without_the_asker(client, launched):
    alpha, beta = _bidder("Alpha Rehabilitation Ltd"), _bidder("Beta Justice Services")
    client.force_login(alpha)
    client.post(f"/competitions/opportunities/{launched.competition.pk}/questions/", {"question": "Is the education contract in scope?"})
    question = Clarification.objects.get(asked_by=alpha.organisation)
    assert question.logged_by == alpha
    services.clarification_answer(clarification=question, actor=launched.procurement, answer="No: OLASS is priced separately.")
    client.force_login(beta)
    page = client.get(f"/competitions/opportunities/{launched.competition.pk}/").content.decode()
    assert "No: OLASS is priced separately." in page and "Alpha Rehabilitation" not in page


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PROCUREMENT, Role.CONTRACT_LEAD, Role.BID_TEAM])
def test_the_bidders_pages_are_only_bid_managers(client, launched, role):
    client.force_login(UserFactory(roles=[role]))
    for path in ("/competitions/opportunities/", f"/competitions/opportunities/{launched.competition.pk}/"):
        assert client.get(path).status_code == 404


def test_an_unlaunched_competition_is_no_opportunity(client, journey):
    alpha = _bidder("Alpha Rehabilitation Ltd")
    client.force_login(alpha)
    assert journey.competition.reference not in client.get("/competitions/opportunities/").content.decode()
    assert client.get(f"/competitions/opportunities/{journey.competition.pk}/").status_code == 404
    with pytest.raises(ValidationError):
        services.bid_express_interest(competition=journey.refresh(), actor=alpha)


def _bidder_for(journey, organisation):
    return UserFactory(roles=[Role.BID_MANAGER], organisation=organisation)


def test_in_standstill_a_bidder_reads_its_debrief_and_challenges_which_blocks_the_award(client, journey):
    journey.advance_to(State.STANDSTILL)
    serco = _bidder_for(journey, journey.private_bidder)
    serco_bid = Bid.objects.get(competition=journey.competition, bidder=journey.private_bidder)
    hmps_bid = Bid.objects.get(competition=journey.competition, bidder=journey.public_bidder)
    client.force_login(serco)
    page = client.get(f"/competitions/opportunities/{journey.competition.pk}/").content.decode()
    assert "standstill" in page and "Challenge the award decision" in page and "Download your debrief letter" in page
    letter = client.get(f"/competitions/{journey.competition.pk}/debriefs/{serco_bid.pk}.pdf")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert client.get(f"/competitions/{journey.competition.pk}/debriefs/{hmps_bid.pk}.pdf").status_code == 404
    client.post(f"/competitions/opportunities/{journey.competition.pk}/challenge/", {"grounds": "The price was not evaluated as published."})
    challenge = journey.competition.challenges.get()
    assert challenge.challenger == journey.private_bidder and challenge.status == "open"
    assert "no_open_challenge" in [c.code for c in guards.unmet(journey.refresh(), "award")]


def test_only_a_bidder_in_the_competition_challenges_and_only_in_standstill(journey):
    journey.advance_to(State.EVALUATION)
    serco = _bidder_for(journey, journey.private_bidder)
    with pytest.raises(ValidationError, match="standstill"):
        services.challenge_lodge(competition=journey.refresh(), actor=serco, grounds="Too early.")
    journey.prepare("recommend_award")
    journey.run("recommend_award")
    journey.advance_to(State.STANDSTILL)
    with pytest.raises(PermissionDenied, match="did not bid"):
        services.challenge_lodge(competition=journey.refresh(), actor=_bidder("Alpha Rehabilitation Ltd"), grounds="We were not there.")
    with pytest.raises(ValidationError) as no_grounds:
        services.challenge_lodge(competition=journey.refresh(), actor=serco, grounds=" ")
    assert "grounds" in no_grounds.value.message_dict
    assert not journey.competition.challenges.exists()


def test_bidders_answer_the_published_conditions_of_participation_and_pass_only_on_their_answers(client, journey):
    from competitions.models import ParticipationAnswer

    experience = services.participation_question_add(competition=journey.refresh(), actor=journey.procurement,
                                                     question="Describe a custodial contract you ran in the last five years.")
    services.participation_question_add(competition=journey.refresh(), actor=journey.procurement, question="Any sub-contractors?", required=False)
    journey.advance_to(State.PRE_QUALIFICATION)
    with pytest.raises(ValidationError, match="cannot change after launch"):
        services.participation_question_add(competition=journey.refresh(), actor=journey.procurement, question="Too late?")
    alpha, beta = _bidder("Alpha Rehabilitation Ltd"), _bidder("Beta Justice Services")
    for bidder in (alpha, beta):
        services.bid_express_interest(competition=journey.refresh(), actor=bidder)
    client.force_login(alpha)
    url = f"/competitions/opportunities/{journey.competition.pk}/"
    page = client.get(url).content.decode()
    assert "Describe a custodial contract" in page and "Answer the conditions-of-participation questions" in page
    refused = client.post(url + "participation/", {f"question_{experience.pk}": "  "}).content.decode()
    assert "Answer question 1" in refused and not ParticipationAnswer.objects.exists()
    client.post(url + "participation/", {f"question_{experience.pk}": "HMP Altcourse, 2019 to 2024."})
    alpha_bid = Bid.objects.get(competition=journey.competition, bidder=alpha.organisation)
    assert "Your answer: HMP Altcourse, 2019 to 2024." in client.get(url).content.decode()
    # Another bidder reads neither the answer nor that it exists; procurement reads it with the bid.
    client.force_login(beta)
    assert "HMP Altcourse" not in client.get(url).content.decode()
    client.force_login(journey.procurement)
    assert "HMP Altcourse, 2019 to 2024." in client.get(f"/competitions/{journey.competition.pk}/?section=all").content.decode()
    beta_bid = Bid.objects.get(competition=journey.competition, bidder=beta.organisation)
    with pytest.raises(ValidationError, match="has not answered 1 of the published"):
        services.bid_prequalify(bid=beta_bid, actor=journey.procurement, passed=True, reasons="Strong.")
    services.bid_prequalify(bid=alpha_bid, actor=journey.procurement, passed=True, reasons="Relevant experience.")
    with pytest.raises(ValidationError, match="already decided"):
        services.participation_answers_submit(competition=journey.refresh(), actor=alpha, answers={experience.pk: "Changed."})


def test_outcomes_reach_the_people_acting_for_each_bid_by_email(journey, mailoutbox, django_capture_on_commit_callbacks):
    journey.advance_to(State.EVALUATION)
    serco = UserFactory(roles=[Role.BID_MANAGER], organisation=journey.private_bidder, email="bids@serco.example")
    UserFactory(roles=[Role.CONTRACT_LEAD], organisation=journey.private_bidder, email="contracts@serco.example")
    hmps_bid = Bid.objects.get(competition=journey.competition, bidder=journey.public_bidder)
    team = UserFactory(roles=[Role.BID_TEAM], organisation=journey.public_bidder, email="team@hmps.example")
    journey.join(team, "bid_team", side="bid", bid=hmps_bid)
    UserFactory(roles=[Role.BID_MANAGER], organisation=journey.public_bidder, email="offwall@hmps.example")  # not on the wall
    with django_capture_on_commit_callbacks(execute=True):
        journey.advance_to(State.STANDSTILL)
    debriefs = [m for m in mailoutbox if "debrief letter" in m.subject]
    assert sorted(m.to[0] for m in debriefs) == ["bids@serco.example", "team@hmps.example"]
    assert all(f"/competitions/opportunities/{journey.competition.pk}/" in m.body for m in debriefs)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        journey.advance_to(State.AWARDED)
    awarded = [m for m in mailoutbox if "contract awarded" in m.subject]
    assert sorted(m.to[0] for m in awarded) == ["bids@serco.example", "team@hmps.example"]
    assert serco.email in [m.to[0] for m in awarded]


def test_a_consortium_lead_shares_its_bid_with_a_member_who_reads_it_and_cannot_act(client, journey):
    journey.advance_to(State.PRE_QUALIFICATION)
    lead = _bidder("Alpha Rehabilitation Ltd")
    member = _bidder("Beta Justice Services")
    outsider = _bidder("Gamma Outsiders Ltd")
    bid = services.bid_register(competition=journey.refresh(), actor=journey.procurement, bidder=lead.organisation, structure="consortium",
                                participants=[{"organisation": lead.organisation, "role": "lead", "funding_share": 60, "risk_share": 60},
                                              {"organisation": member.organisation, "role": "member", "funding_share": 40, "risk_share": 40}])
    url = f"/competitions/opportunities/{journey.competition.pk}/"
    client.force_login(member)
    assert "leads your consortium's bid" not in client.get(url).content.decode()
    assert not sees(member, bid)
    client.force_login(lead)
    assert "Beta Justice Services: cannot read this bid" in client.get(url).content.decode()
    client.post(url + "share/", {"organisation": member.organisation.pk})
    assert "Beta Justice Services: can read this bid" in client.get(url).content.decode()
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "Alpha Rehabilitation Ltd leads your consortium's bid" in page and sees(member, bid)
    assert journey.competition.reference in client.get("/competitions/opportunities/").content.decode()
    # A member reads; only the lead acts, and nobody shares with an outsider.
    with pytest.raises(PermissionDenied):
        services.bid_share(bid=bid, actor=member, organisation=member.organisation)
    client.force_login(lead)
    assert client.post(url + "share/", {"organisation": outsider.organisation.pk}).status_code == 404
    assert AuditEvent.objects.filter(actor=lead, action="refused").exists() and not sees(outsider, bid)
    client.post(url + "share/", {"organisation": member.organisation.pk, "stop": "1"})
    assert not sees(type(member).objects.get(pk=member.pk), bid)
