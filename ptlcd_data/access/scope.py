"""What a porteur account may write: the actions its porteurs carry, the indicators they supply.

Staff (`saisie`, `admin`) have no scope: `plan.porteurs.scope_of` returns None and every check
here passes. A porteur's scope is computed where the links between porteurs and the plan live
(`plan/porteurs.py`), at the moment of writing, like its role: an action given to another
porteur since the page was drawn is refused. Every write open to porteurs (review records,
indicator values, import batches, campaign returns) gets the scope then and calls a check of this
module in the data layer, so that no page can forget it. This module only checks a `Scope` it is
given: it reads nothing, and `access` does not import `plan`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ptlcd_data.errors import PermissionDenied

# Numbers or codes named in a refusal: enough to see which ones are meant.
LISTED_MAX = 12


@dataclass(frozen=True)
class Scope:
    """The porteurs an account speaks for, and what they may record.

    `owners` and `suppliers` cover the whole plan (not only the scope): a refusal names who
    carries the action or supplies the indicator instead.
    """

    porteurs: tuple[str, ...]
    actions: frozenset[int]
    indicateurs: frozenset[str]
    # action_no -> the labels of the porteurs that carry it, in the plan's order (none: absent).
    owners: Mapping[int, tuple[str, ...]] = field(default_factory=dict, compare=False)
    # indicator code -> the label of the porteur that supplies it (the plan team's: absent).
    suppliers: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def who(self) -> str:
        return ", ".join(self.porteurs) or "aucun porteur"

    def action_refusal(self, action_no: int) -> str:
        """Why this account may not record for `action_no` (a French sentence)."""
        owners = self.owners.get(action_no, ())
        # « aucun » needs the negation « n'est … » : « n'est portée par aucun porteur désigné ».
        carried = (
            f"est portée par {', '.join(owners)}"
            if owners
            else "n'est portée par aucun porteur désigné"
        )
        return (
            f"L'action n° {action_no} {carried} : ce compte ({self.who}) ne "
            f"renseigne que ses propres actions ({_listed(sorted(self.actions), 'n° ')})."
        )

    def indicator_refusal(self, code: str) -> str:
        """Why this account may not record values of indicator `code` (a French sentence)."""
        supplier = self.suppliers.get(code, "l'équipe du plan")
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


def check_action(scope: Scope | None, action_no: int) -> None:
    """PermissionDenied (French, naming the action) unless `scope` allows recording for it;
    None (staff) allows every action."""
    if scope is not None and action_no not in scope.actions:
        raise PermissionDenied(scope.action_refusal(action_no))


def check_indicators(scope: Scope | None, codes: Iterable[str]) -> None:
    """PermissionDenied (French, naming the first indicator refused) unless `scope` allows
    recording values of every indicator in `codes`; None (staff) allows every indicator."""
    if scope is None:
        return
    refused = sorted({c for c in codes if c not in scope.indicateurs})
    if refused:
        more = (
            f" ({len(refused)} indicateurs refusés : {_listed(refused)}.)"
            if len(refused) > 1
            else ""
        )
        raise PermissionDenied(scope.indicator_refusal(refused[0]) + more)
