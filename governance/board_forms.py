"""The boards' forms (issue #21): members, meetings, interests, papers and decisions. The services decide the rest."""

from typing import Any

from django import forms

from boards.models import Matter, Outcome
from boards.selectors import BOARD_READERS
from competitions.models import Competition
from competitions.states import State
from core.forms_utils import DateField, GovukForm
from core.models import User
from core.roles import BID_SIDE_ROLES
from ethical_walls.selectors import confidential_competition_ids


def _name(person: User) -> str:
    return person.get_full_name() or person.username


def _competitions(user: Any) -> list[tuple[str, str]]:
    """The live competitions whose commissioning material this user reads (what a paper or decision may be about)."""
    competitions = Competition.objects.filter(pk__in=confidential_competition_ids(user)).exclude(
        state__in=[State.CLOSED, State.ABANDONED]).order_by("reference")
    return [(str(c.pk), f"{c.reference} {c.title}") for c in competitions]


class CompetitionChoice:
    """A form with an optional `competition` field of the competitions its user reads; cleaned to the competition."""

    def __init__(self, *args, user: Any, **kwargs):
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.fields["competition"].choices = [("", "None: not about one competition"), *_competitions(user)]  # type: ignore[attr-defined]

    def clean_competition(self):
        pk = self.cleaned_data.get("competition")  # type: ignore[attr-defined]
        return Competition.objects.get(pk=pk) if pk else None


class MemberForm(GovukForm):
    person = forms.TypedChoiceField(label="Member", coerce=int)
    joined_on = DateField(label="Joined on")
    chair = forms.BooleanField(label="Chairs the body", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True, groups__name__in=BOARD_READERS).exclude(groups__name__in=BID_SIDE_ROLES).distinct()
        self.fields["person"].choices = [("", "Choose a person"), *[(p.pk, _name(p)) for p in people.order_by("first_name", "last_name")]]

    def clean_person(self):
        return User.objects.get(pk=self.cleaned_data["person"])


class MemberLeaveForm(GovukForm):
    left_on = DateField(label="Left on")


class MeetingForm(GovukForm):
    held_on = DateField(label="Held on")
    attendees = forms.TypedMultipleChoiceField(label="Members who attended", coerce=int, widget=forms.CheckboxSelectMultiple,
                                               help_text="Only those present count towards the quorum.")
    agenda = forms.CharField(label="Agenda", widget=forms.Textarea, required=False)

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.body = body
        members = body.members.filter(left_on__isnull=True).select_related("person")
        self.fields["attendees"].choices = [(m.person_id, _name(m.person) + (" (chair)" if m.chair else "")) for m in members]

    def clean_attendees(self):
        return list(User.objects.filter(pk__in=self.cleaned_data["attendees"]))  # the service names anyone not a member that day


class InterestForm(CompetitionChoice, GovukForm):
    person = forms.TypedChoiceField(label="Who declared it", coerce=int)
    competition = forms.ChoiceField(label="About the competition", required=False)
    interest = forms.CharField(label="The interest", widget=forms.Textarea)
    withdrew = forms.BooleanField(label="They withdrew from the item", required=False,
                                  help_text="Someone who withdrew does not count towards the quorum for decisions on that competition.")

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Choose who"), *[(p.pk, _name(p)) for p in meeting.attendees.all()]]

    def clean_person(self):
        return User.objects.get(pk=self.cleaned_data["person"])


class PaperForm(CompetitionChoice, GovukForm):
    title = forms.CharField(label="Title", max_length=200)
    competition = forms.ChoiceField(label="About the competition", required=False,
                                    help_text="A paper about a competition is its commissioning material: only its commissioning side reads it.")
    summary = forms.CharField(label="Summary", widget=forms.Textarea, help_text="What the paper asks the body to decide, and why.")
    file = forms.FileField(label="The paper (optional)", required=False, help_text="PDF, Word, OpenDocument, Excel, CSV or text, up to 10 MB.")
    field_order = ["title", "competition", "summary", "file"]


class DecisionForm(CompetitionChoice, GovukForm):
    matter = forms.ChoiceField(label="What was decided", choices=Matter.choices, widget=forms.RadioSelect)
    competition = forms.ChoiceField(label="The competition", required=False, help_text="Every matter but other business is about one competition.")
    subject = forms.CharField(label="Other business: the subject", max_length=200, required=False)
    outcome = forms.ChoiceField(label="Decision", choices=Outcome.choices, widget=forms.RadioSelect)
    conditions = forms.CharField(label="Conditions (an approval's)", widget=forms.Textarea, required=False)
    minute = forms.CharField(label="The minute", widget=forms.Textarea, help_text="The decision as minuted, with its reasons.")
    field_order = ["matter", "competition", "subject", "outcome", "conditions", "minute"]
