"""What a porteur account may write: the actions its porteurs carry, the indicators they supply.

Staff (`saisie`, `admin`) have no scope: `scope_of` returns None and every check passes. A
porteur's scope is read from the plan (`plan/porteurs.py`) at the moment of writing, like its
role: an action given to another porteur since the page was drawn is refused. Every write open
to porteurs (review records, indicator values, import batches) calls a check of this module in
the data layer, so that no page can forget it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ptlcd_data.access.auth import User
from ptlcd_data.errors import PermissionDenied
from ptlcd_data.plan import porteurs
from ptlcd_data.store import Connection

# Numbers or codes named in a refusal: enough to see which ones are meant.
LISTED_MAX = 12


@dataclass(frozen=True)
class Scope:
    """The porteurs an account speaks for, and what they may record."""

    porteurs: tuple[str, ...]
    actions: frozenset[int]
    indicateurs: frozenset[str]

    @property
    def who(self) -> str:
        return ", ".join(self.porteurs) or "aucun porteur"

    def action_refusal(self, conn: Connection, action_no: int) -> str:
        """Why this account may not record for `action_no` (a French sentence)."""
        owners = porteurs.action_owners(conn, [action_no]).get(action_no, [])
        carried = ", ".join(owners) if owners else "aucun porteur désigné"
        return (
            f"L'action n° {action_no} est portée par {carried} : ce compte ({self.who}) ne "
            f"renseigne que ses propres actions ({_listed(sorted(self.actions), 'n° ')})."
        )

    def indicator_refusal(self, conn: Connection, code: str) -> str:
        """Why this account may not record values of indicator `code` (a French sentence)."""
        supplier = porteurs.indicator_suppliers(conn, [code]).get(code, "l'équipe du plan")
        return (
            f"L'indicateur {code} est fourni par {supplier} : ce compte ({self.who}) ne "
            f"renseigne que les indicateurs qu'il fournit ({_listed(sorted(self.indicateurs))})."
        )


def _listed(items: list[int] | list[str], prefix: str = "") -> str:
    if not items:
        return "aucun"
    shown = ", ".join(
        f"{prefix}{i}" if n == 0 else str(i) for n, i in enumerate(items[:LISTED_MAX])
    )
    return shown + (f" et {len(items) - LISTED_MAX} autre(s)" if len(items) > LISTED_MAX else "")


def scope_of(conn: Connection, user: User | None) -> Scope | None:
    """The scope of a porteur account; None for every other user (no limit beyond the role)."""
    if user is None or not user.is_porteur:
        return None
    return porteurs_scope(conn, user.porteurs)


def porteurs_scope(conn: Connection, codes: tuple[str, ...]) -> Scope:
    """What these porteurs may record: the actions they carry, the indicators they supply."""
    return Scope(
        codes,
        frozenset(porteurs.actions_of(conn, codes)),
        frozenset(porteurs.indicators_of(conn, codes)),
    )


def check_action(conn: Connection, user: User | None, action_no: int) -> None:
    """PermissionDenied (French, naming the action) unless `user` may record for it."""
    scope = scope_of(conn, user)
    if scope is not None and action_no not in scope.actions:
        raise PermissionDenied(scope.action_refusal(conn, action_no))


def check_indicators(conn: Connection, user: User | None, codes: Iterable[str]) -> None:
    """PermissionDenied (French, naming the first indicator refused) unless `user` may record
    values of every indicator in `codes`."""
    scope = scope_of(conn, user)
    if scope is None:
        return
    refused = sorted({c for c in codes if c not in scope.indicateurs})
    if refused:
        more = (
            f" ({len(refused)} indicateurs refusés : {_listed(refused)}.)"
            if len(refused) > 1
            else ""
        )
        raise PermissionDenied(scope.indicator_refusal(conn, refused[0]) + more)
