"""The tender box's keys: `new` prints a fresh Fernet key; `rotate` re-seals everything with the first of TENDER_BOX_KEYS."""

from django.core.management.base import BaseCommand, CommandParser

from competitions import services
from core import sealing


class Command(BaseCommand):
    help = "Make a new tender box key (new), or re-encrypt every sealed tender with the first key of TENDER_BOX_KEYS (rotate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["new", "rotate"])

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "new":
            self.stdout.write(sealing.new_key())
            return
        rotated = services.tender_keys_rotate()
        self.stdout.write(f"Re-sealed {rotated} value(s) with the first key of TENDER_BOX_KEYS: older keys may now be removed.")
