"""`permitted()`, the one read every channel makes: grants to the user or to a group of theirs, and nothing else."""

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models.signals import post_migrate
from guardian.shortcuts import assign_perm

from competitions.models import Competition
from core.roles import Role
from ethical_walls import selectors
from tests.core.factories import UserFactory


def visible(user):
    return set(selectors.permitted(user, Competition.objects.all()).values_list("pk", flat=True))


def test_a_grant_to_the_user_or_to_a_group_of_theirs_shows_the_record_to_them_alone(journey):
    competition = journey.refresh()
    granted, grouped, outsider = (UserFactory(roles=[Role.COMMISSIONER]) for _ in range(3))
    assign_perm(selectors.view_permission(Competition), granted, competition)
    panel = Group.objects.create(name="Evaluation panel")
    panel.user_set.add(grouped)
    assign_perm(selectors.view_permission(Competition), panel, competition)

    assert competition.pk in visible(granted)
    assert competition.pk in visible(grouped)
    assert competition.pk not in visible(outsider)
    assert selectors.permitted_ids(grouped, Competition) == visible(grouped)


def test_a_superuser_without_a_grant_and_an_anonymous_caller_see_nothing(journey):
    journey.refresh()
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert visible(superuser) == set()
    assert visible(AnonymousUser()) == set()
    assert selectors.permitted_ids(AnonymousUser(), Competition) == set()


def test_the_permission_id_is_looked_up_again_after_migrate_or_flush(db):
    real = selectors.view_permission_id(Competition)
    selectors._view_permission_ids[Competition._meta.label_lower] = -1  # as if flush had remade permissions under new ids
    post_migrate.send(sender=apps.get_app_config("ethical_walls"), app_config=apps.get_app_config("ethical_walls"),
                      verbosity=0, interactive=False, using="default", apps=apps, plan=[])
    assert selectors.view_permission_id(Competition) == real
