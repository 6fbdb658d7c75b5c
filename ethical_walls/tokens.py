"""API tokens for systems (SPEC §6): one per user, so a token carries its user's role and wall position.

Issuing replaces any token the user had (rotation); revoking deletes it. Both are
recorded in the audit log, as access granted or revoked through the API channel.
"""

from django.db import transaction
from rest_framework.authtoken.models import Token

from core.models import User
from ethical_walls import audit


@transaction.atomic
def token_issue(*, user: User, actor: User | None = None) -> Token:
    if not user.is_active:
        raise ValueError(f"{user.username} is not active: an inactive user gets no API token.")
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(action=audit.Action.GRANT, channel=audit.Channel.API, actor=actor, object_type="authtoken.token", object_id=user.pk,
                 subject=user, detail="API token issued (any earlier token revoked)")
    return token


@transaction.atomic
def token_revoke(*, user: User, actor: User | None = None) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(action=audit.Action.REVOKE, channel=audit.Channel.API, actor=actor, object_type="authtoken.token", object_id=user.pk,
                     subject=user, detail="API token revoked")
    return bool(deleted)
