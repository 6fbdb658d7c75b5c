"""Issue, revoke and list API tokens: `manage.py api_token issue|revoke <username>`, `manage.py api_token list`."""

from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from core.models import User
from ethical_walls.tokens import token_issue, token_revoke


class Command(BaseCommand):
    help = "Issue (or replace), revoke or list the API tokens that systems use as `Authorization: Token <key>`."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help="Issue a token for a user, replacing any token they had; prints the key.")
        issue.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke a user's token.")
        revoke.add_argument("username")
        actions.add_parser("list", help="List who holds a token, with their roles (never the keys).")

    def _user(self, username) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"There is no user called {username!r}.") from None

    def handle(self, *args, action, **options):
        if action == "issue":
            try:
                token = token_issue(user=self._user(options["username"]))
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(token.key)
        elif action == "revoke":
            user = self._user(options["username"])
            if not token_revoke(user=user):
                raise CommandError(f"{user.username} has no API token.")
            self.stdout.write(self.style.SUCCESS(f"Revoked the API token of {user.username}."))
        else:
            for token in Token.objects.select_related("user").prefetch_related("user__groups").order_by("user__username"):
                roles = ", ".join(sorted(g.name for g in token.user.groups.all())) or "no role"
                self.stdout.write(f"{token.user.username:<24} {roles:<40} issued {token.created:%Y-%m-%d %H:%M}")
