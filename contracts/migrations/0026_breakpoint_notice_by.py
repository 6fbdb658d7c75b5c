"""Break points keep the last day to give notice (issue #22): the inbox reads the ones falling due by an index range."""

from dateutil.relativedelta import relativedelta
from django.db import migrations, models


def fill(apps, schema_editor):
    BreakPoint = apps.get_model("contracts", "BreakPoint")
    points = list(BreakPoint.objects.only("pk", "on", "notice_months"))
    for point in points:
        point.notice_by = point.on - relativedelta(months=point.notice_months)
    BreakPoint.objects.bulk_update(points, ["notice_by"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0025_agreement_running_by_end"),
    ]

    operations = [
        migrations.AddField(model_name="breakpoint", name="notice_by", field=models.DateField(editable=False, null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="breakpoint", name="notice_by", field=models.DateField(editable=False)),
        migrations.AddIndex(model_name="breakpoint", index=models.Index(fields=["notice_by"], name="breakpoint_notice_by")),
    ]
