"""Who is acting, and what their role lets them do.

Roles, from least to most: `lecture` (read), `saisie` (import, review-mode recording),
`admin` (accounts, undo, journal). Every writing function of the data layer takes the acting
`User` and calls `require()` at the moment of writing, not when a page was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from ptlcd_data.errors import PermissionDenied

ROLES = ("lecture", "saisie", "admin")
ROLE_LABELS = {"lecture": "lecture", "saisie": "saisie", "admin": "administration"}


@dataclass(frozen=True)
class User:
    login: str
    nom: str
    role: str

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


# The command line runs with the rights of whoever can open the database file.
SYSTEM = User("systeme", "Ligne de commande", "admin")


def author_name_sql(column: str) -> str:
    """SQL giving the name to show for the login stored in `column` (records store logins, as
    the journal does): the local account's name, else the login itself (an OpenID Connect
    address, a removed account, or a name stored before records kept logins). `column` is a
    fixed identifier of the calling query, never user input.
    """
    return f"coalesce((SELECT k.nom FROM compte k WHERE k.login = {column}), {column})"  # noqa: S608


def require(user: User | None, role: str) -> User:
    """Refuse (PermissionDenied, in French) unless `user` has at least `role`."""
    if role not in ROLES:
        raise ValueError(role)
    if user is None or user.role not in ROLES or not user.can(role):
        who = "Vous n'êtes pas connecté(e)" if user is None else f"Votre rôle est « {user.role} »"
        raise PermissionDenied(f"{who} : cette action demande le rôle « {role} » ou plus.")
    return user
