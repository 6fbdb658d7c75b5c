from django.core.management.base import BaseCommand

from competitions import demo as competitions_demo
from contracts import demo as contracts_demo
from core import demo
from cycle import demo as cycle_demo
from evaluations import demo as evaluations_demo

# Each app adds its seeder here as it gains demo data; each must be idempotent.
SEEDERS = [
    demo.seed_organisations,
    demo.seed_users,
    demo.seed_service_areas,
    competitions_demo.seed_competitions,
    cycle_demo.seed_cycles,
    contracts_demo.seed_contracts,
    evaluations_demo.seed_evaluation,
]


class Command(BaseCommand):
    help = "Load the demo data of SPEC §7 and one user per role. Re-running changes nothing."

    def handle(self, *args, **options):
        for seeder in SEEDERS:
            seeder()
        users = demo.demo_users()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with any of these users:"))
        for user in users:
            roles = ", ".join(sorted(user.role_names)) or ("superuser" if user.is_superuser else "no role")
            self.stdout.write(f"  {user.username:<18} {roles}")
        self.stdout.write(f"Password for every demo user: {demo.DEMO_PASSWORD}")
