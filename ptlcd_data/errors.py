"""Errors a user can fix. The UI shows them with `st.error`, the CLI prints them and exits 1.

Every message is French and says what was found and what is expected.
"""

from __future__ import annotations


class PtlcdError(Exception):
    """An error the user can understand and fix; never shown as a traceback."""

    title = "Erreur"

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class PlanDataError(PtlcdError):
    """The plan's data files (data/*.csv) are missing or inconsistent."""

    title = "Données du plan invalides"


class DatabaseBusyError(PtlcdError):
    """Another program holds the database file."""

    title = "Base de données occupée"


class DatabaseDamagedError(PtlcdError):
    """The database file cannot be read (truncated or corrupted): restore a backup."""

    title = "Base de données illisible"


class InputError(PtlcdError):
    """A value typed or sent by a user is refused (form, command line, file)."""

    title = "Saisie refusée"


class PermissionDenied(PtlcdError):
    """The user's role does not allow this action."""

    title = "Action non autorisée"


class SmtpError(PtlcdError):
    """The mail server cannot be used: wrong setting, refused or lost connection, login refused."""

    title = "Envoi des courriels impossible"


class ImapError(PtlcdError):
    """The mailbox cannot be read: wrong setting, refused or lost connection, login refused."""

    title = "Relevé de la boîte aux lettres impossible"
