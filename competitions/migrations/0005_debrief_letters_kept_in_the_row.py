"""Debrief letters keep their PDF in the row (written with the letter, in one transaction), not in a file beside it."""

from django.db import migrations, models


def read_files_into_rows(apps, schema_editor):
    DebriefLetter = apps.get_model("competitions", "DebriefLetter")
    for letter in DebriefLetter.objects.exclude(pdf=""):
        try:
            with letter.pdf.open("rb") as stored:
                content = stored.read()
        except (FileNotFoundError, OSError):
            continue  # the file is gone: the letter is re-issued from the competition page
        DebriefLetter.objects.filter(pk=letter.pk).update(document=content, file_name=letter.pdf.name.rsplit("/", 1)[-1][:120])


class Migration(migrations.Migration):
    dependencies = [("competitions", "0004_amounts_not_negative")]

    operations = [
        migrations.AddField("debriefletter", "document", models.BinaryField(default=b"", help_text="The letter as issued (PDF).")),
        migrations.AddField("debriefletter", "file_name", models.CharField(default="debrief.pdf", max_length=120)),
        migrations.RunPython(read_files_into_rows, migrations.RunPython.noop),
        migrations.RemoveField("debriefletter", "pdf"),
        migrations.AlterField("debriefletter", "document", models.BinaryField(help_text="The letter as issued (PDF).")),
        migrations.AlterField("debriefletter", "file_name", models.CharField(max_length=120)),
    ]
