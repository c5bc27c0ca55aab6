"""Reading dépôts: the coordinators' queue, a porteur's own, one dépôt's before → after.

Staff read every dépôt; a porteur account only its porteurs' (`visible_codes`). The content of a
sent dépôt is its frozen `Check` (`content`): the import's own preview shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from ptlcd_data import exports, formats
from ptlcd_data.access import auth
from ptlcd_data.campagnes import campaigns, completion
from ptlcd_data.depots import content, drafts, records
from ptlcd_data.depots.forms import Line
from ptlcd_data.errors import InputError, PermissionDenied
from ptlcd_data.imports import preview
from ptlcd_data.imports.verify import Check
from ptlcd_data.store import Connection

# `depots list`: these columns, in this order (the issue's).
LIST_COLUMNS = [
    "id",
    "porteur",
    "campagne",
    "depose_le",
    "depose_par",
    "etat",
    "lignes",
    "pieces",
    "motif",
]


def visible_codes(user: auth.User) -> tuple[str, ...] | None:
    """The porteurs whose dépôts `user` may read: None for staff (all); a porteur account's own."""
    auth.require(user, "porteur")
    return user.porteurs if user.is_porteur else None


def depots(
    conn: Connection,
    user: auth.User,
    *,
    etat: str | None = None,
    campagne_id: int | None = None,
) -> pd.DataFrame:
    """Sent dépôts, oldest first: id, porteur (code), porteur_libelle, campagne (number),
    campagne_nom, depose_le, depose_par, etat, lignes, pieces, motif, origine, fichier,
    commentaire, expediteur, traite_par, traite_le, import_id, remplace_par, age_jours."""
    if etat is not None and etat not in records.ETATS:
        raise InputError(
            f"État « {etat} » inconnu ; états possibles : {', '.join(records.ETATS[1:])}."
        )
    codes = visible_codes(user)
    if codes is not None and not codes:  # a porteur account with no porteur: nothing is its own
        codes = ("",)
    return conn.execute(
        """
        SELECT d.id, d.porteur_code AS porteur, coalesce(p.libelle, d.porteur_code)
                   AS porteur_libelle,
               d.campagne_id AS campagne, c.nom AS campagne_nom, d.depose_le, d.depose_par,
               d.etat, d.nb_lignes AS lignes,
               (SELECT count(*) FROM piece x WHERE x.depot_id = d.id) AS pieces,
               d.motif, d.origine, d.fichier, d.commentaire, d.expediteur, d.traite_par,
               d.traite_le, d.import_id, d.remplace_par,
               date_diff('day', CAST(d.depose_le AS DATE), current_date) AS age_jours
        FROM depot d
        LEFT JOIN campagne c ON c.id = d.campagne_id
        LEFT JOIN plan_porteur(current_date) p ON p.code = d.porteur_code
        WHERE d.etat <> 'brouillon'
          AND ($etat IS NULL OR d.etat = $etat)
          AND ($campagne IS NULL OR d.campagne_id = $campagne)
          AND ($codes IS NULL OR list_contains($codes, d.porteur_code))
        ORDER BY d.depose_le, d.id
        """,
        {"etat": etat, "campagne": campagne_id, "codes": None if codes is None else list(codes)},
    ).df()


def queue(conn: Connection, user: auth.User) -> pd.DataFrame:
    """The dépôts waiting for a coordinator, oldest first (`depots` columns)."""
    auth.require(user, "saisie")
    return depots(conn, user, etat=records.A_VALIDER)


def list_csv(frame: pd.DataFrame) -> bytes:
    """`depots list --format csv`: LIST_COLUMNS, as French spreadsheets read them."""
    return exports.to_csv_bytes(frame[LIST_COLUMNS])


def waiting_by_porteur(conn: Connection, campagne_id: int) -> dict[str, int]:
    """porteur code → its dépôts à valider in this campaign (the campaign page's column)."""
    rows = conn.execute(
        "SELECT porteur_code, count(*) FROM depot WHERE campagne_id = ? AND etat = 'a_valider' "
        "GROUP BY porteur_code",
        [campagne_id],
    ).fetchall()
    return {str(code): int(n) for code, n in rows}


@dataclass(frozen=True)
class DepotView:
    """One dépôt as the coordinator reads it."""

    meta: dict[str, Any]
    check: Check | None  # None while it is being prepared
    decisions: pd.DataFrame  # decision_id, commentaire: décisions said done

    @property
    def actions(self) -> list[int]:
        """The actions its rows are about (for their conversations)."""
        found: set[int] = set()
        if self.check is not None:
            for kind, table in self.check.diff.items():
                if kind != "indicateurs":
                    found.update(int(n) for n in table.column("action_no").to_pylist())
        return sorted(found)

    def changes(self, limit: int | None = None) -> pd.DataFrame:
        """Its before → after, cell by cell (the import's preview)."""
        if self.check is None:
            return pd.DataFrame(columns=["feuille", "ligne", "objet", "champ", "ancien", "nouveau"])
        return preview.changes(self.check, limit)


def view(conn: Connection, user: auth.User, depot_id: int) -> DepotView:
    """The dépôt `depot_id`, if `user` may read it (staff; its porteur's account)."""
    codes = visible_codes(user)
    frame = conn.execute(
        "SELECT d.*, c.nom AS campagne_nom, p.libelle AS porteur_libelle, "
        "p.email AS porteur_email FROM depot d LEFT JOIN campagne c ON c.id = d.campagne_id "
        "LEFT JOIN plan_porteur(current_date) p ON p.code = d.porteur_code WHERE d.id = ?",
        [depot_id],
    ).df()
    if frame.empty:
        raise InputError(f"Le dépôt n° {depot_id} n'existe pas (la liste : « depots list »).")
    meta = {k: (None if _missing(v) else v) for k, v in frame.iloc[0].to_dict().items()}
    if codes is not None and meta["porteur_code"] not in codes:
        raise PermissionDenied(
            f"Le dépôt n° {depot_id} est celui d'un autre porteur : ce compte ne le voit pas."
        )
    # A dépôt received by e-mail says when its sender is not the porteur's known address.
    meta["expediteur_inconnu"] = meta.get("expediteur") is not None and not sender_known(
        conn, str(meta["porteur_code"]), str(meta["expediteur"])
    )
    blob = meta.pop("contenu")
    if blob is None:
        return DepotView(meta, None, pd.DataFrame(columns=["decision_id", "commentaire"]))
    check, decisions = content.unpack(bytes(blob), meta)
    return DepotView(meta, check, decisions)


def sender_known(conn: Connection, porteur_code: str, sender: str) -> bool:
    """True when `sender` is one of the porteur's known addresses (its e-mail in the plan,
    which may list several, separated by commas or semicolons); case does not matter."""
    row = conn.execute(
        "SELECT email FROM plan_porteur(current_date) WHERE code = ?", [porteur_code]
    ).fetchone()
    known = (
        {a.strip().lower() for a in re.split(r"[,;\s]+", str(row[0] or "")) if a} if row else set()
    )
    return sender.strip().lower() in known


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def porteur_depots(conn: Connection, user: auth.User, codes: tuple[str, ...]) -> pd.DataFrame:
    """A porteur's dépôts, newest first, as « Mes actions » lists them: id, depose_le (French),
    etat (French), lignes, fichier, motif, origine. A reply link's session sees only those of
    its campaign."""
    allowed = visible_codes(user)
    codes = tuple(c for c in codes if allowed is None or c in allowed)
    campaign = user.lien.campagne_id if user.lien else None
    if not codes:
        return pd.DataFrame(
            columns=["id", "depose_le", "etat", "lignes", "fichier", "motif", "origine"]
        )
    frame = conn.execute(
        "SELECT id, depose_le, etat, nb_lignes AS lignes, fichier, motif, origine FROM depot "
        "WHERE etat <> 'brouillon' AND list_contains(?, porteur_code) "
        "AND (CAST(? AS BIGINT) IS NULL OR campagne_id = ?) ORDER BY depose_le DESC, id DESC",
        [list(codes), campaign, campaign],
    ).df()
    return frame.assign(
        depose_le=[formats.timestamp(_when(v)) for v in frame["depose_le"]],
        etat=[records.ETAT_LABELS.get(str(v), str(v)) for v in frame["etat"]],
        motif=[None if _missing(v) else str(v) for v in frame["motif"]],
    )


def _when(value: Any) -> datetime | None:
    return None if _missing(value) else pd.Timestamp(value).to_pydatetime()


def draft(conn: Connection, user: auth.User, porteur_code: str) -> tuple[int | None, list[Line]]:
    """The dépôt being prepared for this porteur (its number, its lines), or (None, [])."""
    allowed = visible_codes(user)
    if allowed is not None and porteur_code not in allowed:
        raise PermissionDenied("Ce compte ne voit que les dépôts de ses propres porteurs.")
    found = drafts.draft_id(conn, porteur_code)
    return (found, drafts.draft_lines(conn, found)) if found is not None else (None, [])


@dataclass(frozen=True)
class Due:
    """What the open campaign still asks of a porteur (« Mes actions » says it)."""

    campagne: str
    echeance: date
    actions: int
    indicateurs: int

    def sentence(self) -> str:
        """« 1 action et 2 indicateurs à renseigner avant le 20/12/2026 », or that all is done."""
        parts = [
            formats.count(n, one, many)
            for n, one, many in (
                (self.actions, "action", "actions"),
                (self.indicateurs, "indicateur", "indicateurs"),
            )
            if n
        ]
        if not parts:
            return (
                f"Tout ce que la campagne « {self.campagne} » vous demande est envoyé : merci. "
                f"Échéance le {formats.day(self.echeance)}."
            )
        return (
            f"{' et '.join(parts)} à renseigner avant le {formats.day(self.echeance)} "
            f"(campagne « {self.campagne} »)."
        )


def due(conn: Connection, codes: tuple[str, ...]) -> Due | None:
    """What the open campaign still asks of these porteurs (a sent dépôt counts as answered);
    None when no campaign is open."""
    campaign = campaigns.current(conn)
    if campaign is None:
        return None
    missing = [completion.missing(conn, campaign.id, code) for code in codes]
    frame = pd.concat(missing) if missing else pd.DataFrame(columns=["objet"])
    return Due(
        campaign.nom,
        campaign.echeance,
        int((frame["objet"] == "action").sum()),
        int((frame["objet"] == "indicateur").sum()),
    )
