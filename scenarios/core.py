"""Demo organisations and one user per role (SPEC §7). Every write is idempotent."""

from django.contrib.auth.models import Group
from django.db import transaction

from core.models import Organisation, OrganisationType, Sector, ServiceArea, User
from core.roles import Role

DEMO_PASSWORD = "noms-demo-2026"

# The 35 Probation Trusts of England and Wales, 2010–2014.
PROBATION_TRUSTS = [
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire and Peterborough", "Cheshire", "Cumbria",
    "Derbyshire", "Devon and Cornwall", "Dorset", "Durham Tees Valley", "Essex", "Gloucestershire",
    "Hampshire", "Hertfordshire", "Humberside", "Kent", "Lancashire", "Leicestershire and Rutland",
    "Lincolnshire", "London", "Greater Manchester", "Merseyside", "Norfolk and Suffolk",
    "Northamptonshire", "Northumbria", "Nottinghamshire", "Staffordshire and West Midlands",
    "South Yorkshire", "Surrey and Sussex", "Thames Valley", "Wales", "Warwickshire", "West Mercia",
    "West Yorkshire", "Wiltshire", "York and North Yorkshire",
]

# Prisons named in the seeds; run in the public sector for the demo, so crown bodies.
PRISONS = [
    ("HMP Birmingham", "West Midlands"),
    ("HMP Buckley Hall", "North West"),
    ("HMP Wolds", "Yorkshire and Humberside"),
    ("HMP Featherstone 2", "West Midlands"),
    ("HMP Dartmoor", "South West"),
    ("HMP Bullingdon", "South Central"),
]

# (name, sector, type)
PROVIDERS = [
    ("Serco Justice Services", Sector.PRIVATE, OrganisationType.COMPANY),
    ("G4S Care and Justice Services", Sector.PRIVATE, OrganisationType.COMPANY),
    ("Sodexo Justice Services", Sector.PRIVATE, OrganisationType.COMPANY),
    ("GEOAmey PECS", Sector.PRIVATE, OrganisationType.COMPANY),
    ("Interserve Justice", Sector.PRIVATE, OrganisationType.COMPANY),
    ("Nacro", Sector.VCSE, OrganisationType.CHARITY),
    ("St Giles Trust", Sector.VCSE, OrganisationType.CHARITY),
    ("Catch22", Sector.VCSE, OrganisationType.CHARITY),
    ("Shelter", Sector.VCSE, OrganisationType.CHARITY),
    ("Clinks", Sector.VCSE, OrganisationType.CHARITY),
    ("Community Links Social Enterprise", Sector.VCSE, OrganisationType.SOCIAL_ENTERPRISE),
]

# Co- and joint-commissioning partners ("Co-Commissioning Offender Services").
PARTNERS = [
    ("Department of Health", OrganisationType.GOVERNMENT_DEPARTMENT),
    ("NHS England", OrganisationType.HEALTH_BODY),
    ("Department for Work and Pensions", OrganisationType.GOVERNMENT_DEPARTMENT),
    ("Jobcentre Plus", OrganisationType.GOVERNMENT_DEPARTMENT),
    ("Skills Funding Agency", OrganisationType.GOVERNMENT_DEPARTMENT),
    ("Welsh Government", OrganisationType.DEVOLVED_GOVERNMENT),
    ("Birmingham City Council", OrganisationType.LOCAL_AUTHORITY),
]

# The services of SPEC §7 (seed, "Offender Services Competition"); OLASS is co-commissioned
# with the Skills Funding Agency.
SERVICE_AREAS = [
    ("Prisoner escort and custody services (PECS)", "Escorting prisoners between police stations, courts and prisons, and their custody at court."),
    ("Bail accommodation and support (BASS)", "Accommodation and support for people bailed, or released on licence, who have no suitable address."),
    ("Electronic monitoring", "Electronic monitoring (tagging) of curfews and other requirements of court orders and licences."),
    ("Community payback (unpaid work)", "Unpaid work by offenders under community orders, on schemes the community can see and help choose."),
    ("Accredited programmes", "Offending behaviour programmes accredited by the Correctional Services Accreditation Panel."),
    ("Victim contact", "Keeping victims of serious violent and sexual offences informed about the offender's sentence and release."),
    ("Prison operation", "Operation of a prison, or a cluster of prisons, under a contract or a service level agreement."),
    ("Offender learning and skills (OLASS)", "Learning and skills in custody, co-commissioned with the Skills Funding Agency."),
    ("Rehabilitation services", "Structured interventions and rehabilitative services for people on probation."),
    ("Resettlement", "Help with housing, employment, finance and family ties on release from custody."),
]

# username, first name, last name, roles, organisation.
# The first seven are the role table: one user per role.
USERS = [
    ("commissioner", "Claire", "Hughes", (Role.COMMISSIONER,), "National Offender Management Service"),
    ("sro", "David", "Okafor", (Role.SRO,), "National Offender Management Service"),
    ("procurement", "Priya", "Shah", (Role.PROCUREMENT,), "MoJ Procurement"),
    ("contract_manager", "Tom", "Bennett", (Role.CONTRACT_MANAGER,), "National Offender Management Service"),
    ("gateway_reviewer", "Ruth", "Adeyemi", (Role.GATEWAY_REVIEWER,), "Major Projects Authority"),
    ("bid_team", "Gareth", "Evans", (Role.BID_TEAM,), "HMPS Business Development Group"),
    ("oversight", "Helen", "Marsh", (Role.OVERSIGHT,), "NOMS Agency Board"),
    # The people the ethical wall of DEMO-002 is shown working on (scenarios/competitions.py): an
    # evaluator with a mitigated conflict, a commissioner excluded for one, and a former
    # commissioner now in the Business Development Group, in quarantine from its bid teams.
    ("rebecca.holt", "Rebecca", "Holt", (Role.COMMISSIONER,), "National Offender Management Service"),
    ("mark.fletcher", "Mark", "Fletcher", (Role.COMMISSIONER,), "National Offender Management Service"),
    # Sian Pritchard is given the bid team's role when she leaves DEMO-009's commissioning side
    # (scenarios/competitions.py): holding it would have barred her from that side (SPEC §4 rule 3).
    ("sian.pritchard", "Sian", "Pritchard", (Role.COMMISSIONER,), "HMPS Business Development Group"),
    # A supplier user (issue #18): St Giles Trust's administrator and contract lead, on the bid side of every wall.
    ("provider", "Nadia", "Rahman", (Role.SUPPLIER_ADMINISTRATOR, Role.CONTRACT_LEAD, Role.BID_MANAGER), "St Giles Trust"),
    # Two bidders in DEMO-002 (tendering), each seeing its own bid and nothing of the other's.
    ("bidder", "Owen", "Price", (Role.SUPPLIER_ADMINISTRATOR, Role.BID_MANAGER), "Serco Justice Services"),
    ("bidder_two", "Leah", "Kowalski", (Role.SUPPLIER_ADMINISTRATOR, Role.BID_MANAGER), "G4S Care and Justice Services"),
]


def _organisation(name, **fields) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(name=name, defaults=fields)
    return organisation


@transaction.atomic
def seed_organisations() -> None:
    agency = _organisation(
        "National Offender Management Service", sector=Sector.PUBLIC,
        organisation_type=OrganisationType.GOVERNMENT_DEPARTMENT, is_crown_body=True,
    )
    hmps = _organisation(
        "HM Prison Service", sector=Sector.PUBLIC, organisation_type=OrganisationType.BUSINESS_UNIT,
        is_crown_body=True, parent=agency,
    )
    _organisation(
        "HMPS Business Development Group", sector=Sector.PUBLIC,
        organisation_type=OrganisationType.BUSINESS_UNIT, is_crown_body=True, parent=hmps,
    )
    _organisation("MoJ Procurement", sector=Sector.PUBLIC, organisation_type=OrganisationType.GOVERNMENT_DEPARTMENT)
    _organisation("Major Projects Authority", sector=Sector.PUBLIC, organisation_type=OrganisationType.GOVERNMENT_DEPARTMENT)
    _organisation("NOMS Agency Board", sector=Sector.PUBLIC, organisation_type=OrganisationType.BUSINESS_UNIT, parent=agency)
    for name, region in PRISONS:
        _organisation(
            name, sector=Sector.PUBLIC, organisation_type=OrganisationType.PRISON,
            is_crown_body=True, parent=hmps, region=region,
        )
    for area in PROBATION_TRUSTS:
        # Probation Trusts are public bodies, not the Crown: they hold contracts.
        _organisation(
            f"{area} Probation Trust", sector=Sector.PUBLIC,
            organisation_type=OrganisationType.PROBATION_TRUST, region=area,
        )
    for name, sector, organisation_type in PROVIDERS:
        _organisation(name, sector=sector, organisation_type=organisation_type)
    for name, organisation_type in PARTNERS:
        _organisation(name, sector=Sector.PUBLIC, organisation_type=organisation_type)


@transaction.atomic
def seed_service_areas() -> None:
    for name, description in SERVICE_AREAS:
        ServiceArea.objects.get_or_create(name=name, defaults={"description": description})


def demo_users() -> list[User]:
    usernames = [username for username, *_ in USERS] + ["admin"]
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    return [users[name] for name in usernames if name in users]


@transaction.atomic
def seed_users() -> None:
    for username, first_name, last_name, roles, organisation_name in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@noms-demo.justice.gov.uk",
                "organisation": Organisation.objects.get(name=organisation_name),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(*(Group.objects.get(name=role) for role in roles))
    # A superuser for the admin site; the ethical wall gives it no way round.
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"first_name": "Site", "last_name": "Administrator", "is_staff": True, "is_superuser": True},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
