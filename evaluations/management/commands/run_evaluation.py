"""Run the nightly evaluation by hand: `manage.py run_evaluation [--date YYYY-MM-DD] [--queue]`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from kombu.exceptions import OperationalError
from django.utils import timezone

from evaluations import selectors, services, tasks


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Evaluate every running agreement for a night (today by default), render the PDFs and send red-measure e-mails."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The night to evaluate, YYYY-MM-DD (default: today).")
        parser.add_argument("--queue", action="store_true", help="Send the run through the Celery broker to the workers instead of running it here.")

    def handle(self, *args, **options):
        on = _date(options["date"]) if options["date"] else timezone.localdate()
        if options["queue"]:
            try:
                # No retrying to connect: a broker that is down is said at once, not after a minute of silence.
                result = tasks.nightly_evaluation.apply_async(args=[on.isoformat()], retry=False, ignore_result=True)
            except OperationalError as error:
                raise CommandError(f"Could not reach the Celery broker ({error}): is Redis running at REDIS_URL? "
                                   "Run without --queue to evaluate in this process.") from None
            self.stdout.write(f"Queued the evaluation of {on:%d %B %Y} (task {result.id}); its progress is on the reports page.")
            return
        run = selectors.run_with_progress(services.run_in_process(on).pk)
        self.stdout.write(self.style.SUCCESS(
            f"Evaluated {run.done} of {run.total} running agreements for {on:%d %B %Y}; {run.failed} failed. Status: {run.get_status_display()}."
        ))
