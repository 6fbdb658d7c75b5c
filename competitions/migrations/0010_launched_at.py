"""`launched_at`: "launched" as a column, the one definition every reader uses (issue #17), filled from the timeline.

A competition's launch is the timeline entry of its move into pre-qualification (the `launch`
transition); one past draft and pre-procurement with no such entry takes its earliest move
beyond them. One abandoned before launch stays unlaunched.
"""

from django.db import migrations, models

NOT_LAUNCHED = ("draft", "pre_procurement")


def fill(apps, schema_editor):
    Competition = apps.get_model("competitions", "Competition")
    CompetitionEvent = apps.get_model("competitions", "CompetitionEvent")
    for competition in Competition.objects.filter(launched_at__isnull=True).order_by("pk"):
        events = CompetitionEvent.objects.filter(competition=competition).order_by("at", "pk")
        launch = events.filter(to_state="pre_qualification").first()
        if launch is None and competition.state not in (*NOT_LAUNCHED, "abandoned"):
            launch = events.exclude(to_state__in=("", *NOT_LAUNCHED)).first()
        if launch is not None:
            Competition.objects.filter(pk=competition.pk).update(launched_at=launch.at)


class Migration(migrations.Migration):
    dependencies = [("competitions", "0009_standstill_ends_recounted")]

    operations = [
        migrations.AddField(
            model_name="competition",
            name="launched_at",
            field=models.DateTimeField(blank=True, db_index=True, editable=False, null=True,
                                       help_text="When it was launched (the tender notice): from then on every bidder may see it, abandoned or not."),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
