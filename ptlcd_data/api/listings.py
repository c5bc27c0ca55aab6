"""Every listing of the API: its address, its rows' fields, the SQL that gives them, its filters
and who may read it; and `fetch`, which reads one page of one listing.

The listings that are tables of the open-data package read them with the package's own
queries (`opendata.package.QUERIES`), so the API and the CSVs always say the same thing, and
describe their rows with the package's Table Schema fields. Filters compare one column of the
rows with a bound value; DuckDB pushes them into the query (one indicator's series among two
million values reads its own rows only). A page is `ORDER BY` the listing's key, then
`LIMIT`/`OFFSET`: the same request gives the same rows while the revision stays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from ptlcd_data.api import fields, sources
from ptlcd_data.api.params import AS_OF, AVEC_DEMO, ID_MAX, PAGE, PAGE_SIZE, Args, Param
from ptlcd_data.decisions.records import ETAT_LABELS
from ptlcd_data.indicateurs.valeurs import PERIODES
from ptlcd_data.opendata import schema
from ptlcd_data.opendata.package import QUERIES
from ptlcd_data.opendata.schema import Field
from ptlcd_data.store import Connection
from ptlcd_data.store.sql import one_row
from ptlcd_data.vocabulary import STATUTS_AFFICHES

# The name a computed listing's DataFrame is read under, for the time of one query.
SOURCE = "api_source"
Source = Callable[[Connection, Args], pd.DataFrame]


@dataclass(frozen=True)
class Listing:
    """One route of the API: `/api/v1/{path}`."""

    path: str
    title: str
    description: str
    fields: tuple[Field, ...]
    sql: str  # the rows, exactly `fields` in order (plus `_rang` for a computed listing)
    order: tuple[str, ...]  # ORDER BY terms, fixed text of this module
    filters: tuple[Param, ...] = ()
    dated: bool = True  # takes as_of
    demo: bool = False  # has demonstration rows: takes avec_demo
    staff: bool = False  # a token of role saisie is needed, whatever the reading setting
    source: Source | None = None  # computed in Python, read from `SOURCE`
    path_params: tuple[Param, ...] = ()

    @property
    def params(self) -> tuple[Param, ...]:
        common: tuple[Param, ...] = (AS_OF,) if self.dated else ()
        common += (AVEC_DEMO,) if self.demo else ()
        return (*self.path_params, *common, *self.filters, PAGE, PAGE_SIZE)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


def _filter(name: str, kind: str, description: str, column: str, **more: Any) -> Param:
    if kind == "integer":  # every number has bounds, stated in the document and checked
        more = {"minimum": 1, "maximum": ID_MAX} | more
    return Param(name, kind, description, column=column, **more)


AXE = _filter("axe", "integer", "Seulement les lignes de cet axe (numéro).", "axe_no")
OBJECTIF = _filter("objectif", "string", "Seulement cet objectif (code).", "objectif_code")
ACTION = _filter("action", "integer", "Seulement cette action (numéro).", "action_no")
TERRITOIRE = _filter("territoire", "string", "Seulement ce territoire (code).", "territoire_code")


def _resource(
    name: str,
    path: str,
    order: tuple[str, ...],
    filters: tuple[Param, ...] = (),
    *,
    demo: bool = False,
) -> Listing:
    """A listing that is a table of the open-data package, read with the package's query."""
    resource = next(r for r in schema.RESOURCES if r.name == name)
    return Listing(
        path,
        resource.title,
        resource.description,
        resource.fields,
        QUERIES[name],
        order,
        filters,
        demo=demo,
    )


def _computed(
    path: str,
    title: str,
    description: str,
    row_fields: tuple[Field, ...],
    select: str,
    source: Source,
    **more: Any,
) -> Listing:
    """A listing computed in Python (`sources`), its columns cast by `select`."""
    sql = f"SELECT {select}, _rang FROM {SOURCE}"  # noqa: S608 - fixed text of this module
    return Listing(path, title, description, row_fields, sql, ("_rang",), source=source, **more)


_ETATS_SELECT = """
    action_no, axe_no, objectif_code, libelle, porteur, statut,
    CAST(round(avancement) AS INTEGER) AS avancement,
    CAST(dernier AS DATE) AS date_derniere_mise_a_jour, CAST(debut_prevu AS DATE) AS debut_prevu,
    CAST(fin_prevue AS DATE) AS fin_prevue, CAST(debut_reel AS DATE) AS debut_reel,
    CAST(fin_reelle AS DATE) AS fin_reelle, CAST(en_retard AS BOOLEAN) AS en_retard,
    CAST(motif_retard AS VARCHAR) AS motif_retard,
    CAST(glissement_debut_mois AS INTEGER) AS glissement_debut_mois,
    CAST(glissement_fin_mois AS INTEGER) AS glissement_fin_mois,
    CAST(commentaire AS VARCHAR) AS commentaire, CAST(source AS VARCHAR) AS source"""

LISTINGS: tuple[Listing, ...] = (
    _resource("axes", "plan/axes", ("axe_no",)),
    _resource("objectifs", "plan/objectifs", ("ordre", "code"), (AXE,)),
    _resource("actions", "plan/actions", ("action_no",), (AXE, OBJECTIF)),
    _resource("territoires", "territoires", ("ordre", "code"), demo=True),
    _resource("indicateurs", "indicateurs", ("ordre", "code"), (OBJECTIF,), demo=True),
    _resource(
        "valeurs_indicateurs",
        "indicateurs/valeurs",
        ("indicateur_code", "territoire_code", "annee", "periode"),
        (
            _filter("indicateur", "string", "Seulement cet indicateur (code).", "indicateur_code"),
            TERRITOIRE,
            _filter(
                "annee", "integer", "Seulement cette année.", "annee", minimum=1900, maximum=2100
            ),
            _filter(
                "periode",
                "string",
                "Seulement cette période (A : l'année).",
                "periode",
                enum=tuple(sorted(PERIODES)),
            ),
        ),
        demo=True,
    ),
    _computed(
        "actions/etats",
        "États des actions",
        "Le statut, l'avancement et le retard de chaque action à la date d'observation.",
        fields.ETATS,
        _ETATS_SELECT,
        sources.etats,
        filters=(
            AXE,
            _filter("statut", "string", "Seulement ce statut.", "statut", enum=STATUTS_AFFICHES),
            _filter("en_retard", "boolean", "true : les actions en retard.", "en_retard"),
        ),
        demo=True,
    ),
    _resource(
        "historique_statuts",
        "historique/statuts",
        ("action_no", "date_effet", "enregistre_le", "id"),
        (ACTION,),
        demo=True,
    ),
    _resource(
        "historique_engagements",
        "historique/engagements",
        ("action_no", "territoire_code", "date_effet", "enregistre_le", "id"),
        (ACTION, TERRITOIRE),
        demo=True,
    ),
    _resource(
        "decisions",
        "decisions",
        ("id",),
        (
            ACTION,
            _filter(
                "etat",
                "string",
                "Seulement les décisions dans cet état.",
                "etat",
                enum=tuple(ETAT_LABELS),
            ),
        ),
    ),
    _computed(
        "campagnes",
        "Campagnes de suivi",
        "Les campagnes de suivi, la plus récente d'abord, avec leur taux de réponse. Réservé à "
        "l'équipe (jeton de rôle saisie).",
        fields.CAMPAGNES,
        "CAST(id AS INTEGER) AS id, nom, CAST(annee AS INTEGER) AS annee, "
        "CAST(echeance AS DATE) AS echeance, CAST(ouverte_le AS TIMESTAMP) AS ouverte_le, "
        "CAST(close_le AS TIMESTAMP) AS close_le, ouverte, "
        "CAST(taux_reponse AS DOUBLE) AS taux_reponse",
        sources.campagnes,
        dated=False,
        staff=True,
    ),
    _computed(
        "campagnes/{campagne}/completion",
        "Réponses à une campagne",
        "Une ligne par porteur qui a au moins une action ou un indicateur : ce qui lui est "
        "demandé, ce qu'il a fourni, son taux de réponse. Réservé à l'équipe (jeton de rôle "
        "saisie).",
        fields.COMPLETION,
        "porteur, libelle, CAST(actions_dues AS INTEGER) AS actions_dues, "
        "CAST(actions_a_jour AS INTEGER) AS actions_a_jour, "
        "CAST(indicateurs_dus AS INTEGER) AS indicateurs_dus, "
        "CAST(indicateurs_fournis AS INTEGER) AS indicateurs_fournis, "
        "CAST(taux_reponse AS INTEGER) AS taux_reponse, "
        "CAST(derniere_reponse AS TIMESTAMP) AS derniere_reponse, "
        "CAST(relance_le AS TIMESTAMP) AS relance_le, "
        "CAST(depots_a_valider AS INTEGER) AS depots_a_valider",
        sources.campaign_completion,
        dated=False,
        staff=True,
        path_params=(
            Param("campagne", "integer", "Numéro de la campagne.", 1, ID_MAX, where="path"),
        ),
    ),
)
BY_PATH = {listing.path: listing for listing in LISTINGS}


@dataclass(frozen=True)
class Page:
    """One page of a listing: how many rows in all, and this page's rows (JSON values)."""

    total: int
    rows: list[dict[str, Any]]


def _json(value: Any) -> Any:
    """A value as JSON writes it: dates ISO 8601 (a timestamp with the server's UTC offset,
    since the base keeps local times), no NaN."""
    if isinstance(value, datetime):
        return value.astimezone().isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _bound(sql: str, values: dict[str, Any]) -> dict[str, Any]:
    """The named values `sql` uses (DuckDB refuses a value the statement does not name)."""
    return {name: value for name, value in values.items() if f"${name}" in sql}


def fetch(conn: Connection, listing: Listing, args: Args, total: int | None = None) -> Page:
    """One page of `listing` for the checked `args`: its total and its rows. `total`, when the
    caller knows it (the same listing, filters and revision, another page), spares counting."""
    where = ["TRUE"]
    values: dict[str, Any] = {"as_of": args.as_of, "avec_demo": args.avec_demo}
    for param in listing.filters:
        if param.name in args.filters:
            where.append(f"q.{param.column} = $f_{param.name}")
            values[f"f_{param.name}"] = args.filters[param.name]
    condition = " AND ".join(where)
    inner = f"SELECT * FROM ({listing.sql}) q WHERE {condition}"  # noqa: S608 - fixed text
    page_sql = (
        f"SELECT {', '.join(listing.columns)} FROM ({inner}) "  # noqa: S608 - fixed text
        f"ORDER BY {', '.join(listing.order)} LIMIT $limit OFFSET $offset"
    )
    bound = _bound(inner, values)
    if listing.source is not None:
        conn.register(SOURCE, listing.source(conn, args))
    try:
        found = conn.execute(
            page_sql, {**bound, "limit": args.page_size, "offset": args.offset}
        ).fetchall()
        if (found and len(found) < args.page_size) or (args.offset == 0 and not found):
            total = args.offset + len(found)  # the last page: no need to count
        elif total is None:
            counted = one_row(conn, f"SELECT count(*) FROM ({inner})", bound)  # noqa: S608
            total = int(counted[0]) if counted else 0
    finally:
        if listing.source is not None:
            conn.unregister(SOURCE)
    rows = [{name: _json(v) for name, v in zip(listing.columns, row, strict=True)} for row in found]
    return Page(total, rows)
