"""The bodies seed 002 names, with their remits: every deployment has them (their members are recorded in the service)."""

from django.db import migrations

BODIES = [
    ("agency_board", "NOMS Agency Board", 4,
     "Sets the commissioning strategy with Ministers and holds the Chief Executive to clear ethical walls between commissioning and providing."),
    ("sub_committee", "Commissioning and Commercial Sub-Committee", 3,
     "Routine oversight of commissioning, delegated by the Board: approves the commissioning strategy and outcome-focussed specifications, "
     "takes the decision to compete services, and escalates major contract awards to the MoJ Procurement Committee. Chaired by the Director "
     "of Commissioning and Commercial; the provider arm's directors deliberately do not sit on it."),
    ("competition_board", "Offender Services Competition Programme Board", 3,
     "Oversees national and large competitions: authorises each project mandate, appoints its SRO, agrees the criteria bids are evaluated "
     "against and how cost elements are treated, and keeps the ethical walls."),
    ("investment_committee", "Investment Committee", 3, "Approves investment decisions and business cases above delegated limits."),
    ("procurement_committee", "MoJ Procurement Committee", 3, "Approves major contract awards escalated by the Sub-Committee."),
    ("mpa", "Major Projects Authority", 1,
     "Cabinet Office and HM Treasury assurance of major projects: a Starting Gate review is mandatory for every new major project."),
]


def add_bodies(apps, schema_editor):
    Body = apps.get_model("boards", "Body")
    for kind, name, quorum, remit in BODIES:
        Body.objects.get_or_create(kind=kind, defaults={"name": name, "quorum": quorum, "remit": remit})


class Migration(migrations.Migration):
    dependencies = [("boards", "0001_initial")]
    operations = [migrations.RunPython(add_bodies, migrations.RunPython.noop)]
