from django.core.management.base import BaseCommand

from scenarios import boards, competitions, contracts, core, cycle, evaluations, governance, suppliers

# Each scenario in the order the story runs; each is idempotent.
SEEDERS = [
    core.seed_organisations,
    core.seed_users,
    core.seed_service_areas,
    boards.seed_board_members,
    competitions.seed_competitions,
    cycle.seed_cycles,
    cycle.seed_consultation,
    contracts.seed_contracts,
    contracts.seed_management_logs,
    contracts.seed_exit_plans,
    competitions.seed_benefits,
    boards.seed_board_papers,
    governance.seed_risks,
    evaluations.seed_evaluation,
    suppliers.seed_supplier_accounts,
    suppliers.seed_sealed_tender,
]


class Command(BaseCommand):
    help = "Load the demo data of SPEC §7 and one user per role. Re-running changes nothing."

    def handle(self, *args, **options):
        for seeder in SEEDERS:
            seeder()
        users = core.demo_users()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with any of these users:"))
        for user in users:
            roles = ", ".join(sorted(user.role_names)) or ("superuser" if user.is_superuser else "no role")
            self.stdout.write(f"  {user.username:<18} {roles}")
        self.stdout.write(f"Password for every demo user: {core.DEMO_PASSWORD}")
