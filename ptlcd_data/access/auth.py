"""Who is acting, and what their role lets them do.

Roles, from least to most: `lecture` (read), `porteur` (read, and record for its own actions
and the indicators it supplies: see `access.scope`), `saisie` (import, review-mode recording of
any action), `admin` (accounts, undo, journal). Every writing function of the data layer takes
the acting `User` and calls `require()` at the moment of writing, not when a page was drawn; a
write open to porteurs also checks their scope then.
"""

from __future__ import annotations

from dataclasses import dataclass

from ptlcd_data.errors import PermissionDenied

ROLES = ("lecture", "porteur", "saisie", "admin")
ROLE_LABELS = {
    "lecture": "lecture",
    "porteur": "porteur",
    "saisie": "saisie",
    "admin": "administration",
}


@dataclass(frozen=True)
class ReplyLink:
    """What a campaign's reply link (`access.liens`) grants the session it opened: its porteur's
    « Mes actions » for that campaign, and nothing else."""

    id: int  # the link's row (lien_campagne)
    campagne_id: int


@dataclass(frozen=True)
class User:
    login: str
    nom: str
    role: str
    # What the journal records in its role column when the rights do not come from a role that
    # was checked: the command line acts with the rights of whoever can open the database file.
    rights: str | None = None
    # The porteur codes a `porteur` account speaks for (empty for every other role).
    porteurs: tuple[str, ...] = ()
    # Set for a session opened by a campaign's reply link (a porteur without an account).
    lien: ReplyLink | None = None

    @property
    def is_porteur(self) -> bool:
        """True for an account whose writes are limited to its porteurs' actions and indicators."""
        return self.role == "porteur"

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def journal_role(self) -> str:
        return self.rights or self.role


COMMAND_LINE = "ligne de commande"
# The command line runs with the rights of whoever can open the database file.
SYSTEM = User("systeme", "Ligne de commande", "admin", rights=COMMAND_LINE)


def command_line(os_user: str, name: str | None = None) -> User:
    """The command line's user, with the rights of the operating-system account `os_user`.

    The journal names that account, never a role: nobody checked one. `name` (from --user,
    when it names no local account) is recorded as "ligne de commande (NAME)".
    """
    login = f"{COMMAND_LINE} ({name})" if name else SYSTEM.login
    return User(login, login if name else SYSTEM.nom, "admin", rights=f"compte système {os_user}")


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
