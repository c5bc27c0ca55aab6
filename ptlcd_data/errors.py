"""Errors a user can fix. The UI shows them with `st.error`, the CLI prints them and exits 1.

Every message is French and says what was found and what is expected. Each class also has a
stable `code` (ASCII, never translated): the HTTP API answers `{"code", "titre", "message"}`
with it, so a program reading the API and a person reading the command line meet the same
vocabulary (the CLI prints the `title`). A code never changes once published.
"""

from __future__ import annotations


class PtlcdError(Exception):
    """An error the user can understand and fix; never shown as a traceback."""

    title = "Erreur"
    code = "erreur"

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
    code = "donnees_plan_invalides"


class DatabaseBusyError(PtlcdError):
    """Another program holds the database file."""

    title = "Base de données occupée"
    code = "base_occupee"


class DatabaseDamagedError(PtlcdError):
    """The database file cannot be read (truncated or corrupted): restore a backup."""

    title = "Base de données illisible"
    code = "base_illisible"


class InputError(PtlcdError):
    """A value typed or sent by a user is refused (form, command line, file)."""

    title = "Saisie refusée"
    code = "saisie_refusee"


class PermissionDenied(PtlcdError):
    """The user's role does not allow this action."""

    title = "Action non autorisée"
    code = "action_non_autorisee"


class SmtpError(PtlcdError):
    """The mail server cannot be used: wrong setting, refused or lost connection, login refused."""

    title = "Envoi des courriels impossible"
    code = "envoi_impossible"


class ImapError(PtlcdError):
    """The mailbox cannot be read: wrong setting, refused or lost connection, login refused."""

    title = "Relevé de la boîte aux lettres impossible"
    code = "releve_impossible"


class NotFound(PtlcdError):
    """What was asked for does not exist (an unknown campaign number, an address of no route)."""

    title = "Introuvable"
    code = "introuvable"


class AuthenticationError(PtlcdError):
    """No valid credential: an API token missing, forged, expired or revoked."""

    title = "Authentification refusée"
    code = "authentification_refusee"


class RateLimited(PtlcdError):
    """Too many requests from one token or one address: wait `retry_after` seconds."""

    title = "Trop de requêtes"
    code = "trop_de_requetes"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
