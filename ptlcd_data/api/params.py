"""The parameters of the API's routes: each declared once, with the JSON schema the OpenAPI
document publishes and the parser that applies exactly that schema.

A request's query is refused whole (InputError, in French, naming the parameter) before anything
is computed: an unknown or repeated parameter, a number out of its bounds (`page_size` above
PAGE_SIZE_MAX), a date that is not AAAA-MM-JJ, a token in the address. Numbers are written
canonically (`12`, never `012`, `+12` nor `12.0`), booleans `true` or `false`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ptlcd_data import formats
from ptlcd_data.errors import InputError

# Rows per page: enough to page through a plan's actions in one request, small enough that a
# page is a few hundred kilobytes at most; beyond it, the open-data CSVs serve whole tables.
PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MAX = 500
# Past this page even the largest base (2 million values) has nothing: a bound for the OFFSET.
PAGE_MAX = 1_000_000
# A route's number in the address (a campaign's): what DuckDB's INTEGER holds.
ID_MAX = 2**31 - 1
# Codes and texts compared with a column: longer ones match nothing anyway.
TEXT_MAX = 100
# Dates of observation the plan's questions are asked about: a plan of this century, give or
# take; beyond, the date-handling of the lateness rules would be asked about years 1 or 9999.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2099, 12, 31)
_DATE = re.compile(r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_INTEGER = re.compile(r"0|[1-9][0-9]{0,17}")
# Where a client might put a token in the address: refused, never read (it would be in every
# log and every proxy's history).
TOKEN_PARAMS = frozenset({"token", "access_token", "jeton", "api_key", "apikey", "key"})


@dataclass(frozen=True)
class Param:
    """One parameter of a route: its name, kind (integer, string, boolean, date), French
    description, bounds, allowed values, default, and where it is (query or path)."""

    name: str
    kind: str
    description: str
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str, ...] = ()
    default: Any = None
    where: str = "query"
    column: str | None = None  # for a filter: the column of the rows it compares with

    def schema(self) -> dict[str, Any]:
        """The JSON schema of the raw value (OpenAPI 3.1)."""
        if self.kind == "date":
            return {
                "type": "string",
                "format": "date",
                "pattern": f"^{_DATE.pattern}$",
                "description": "AAAA-MM-JJ, de 1900 à 2099",
            }
        out: dict[str, Any] = {"type": self.kind}
        if self.kind == "string":
            out |= {"minLength": 1, "maxLength": TEXT_MAX}
        if self.enum:
            out = {"type": "string", "enum": list(self.enum)}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.default is not None:
            out["default"] = self.default
        return out

    def parse(self, raw: str) -> Any:
        """The value of `raw`, or InputError saying what is expected."""
        if self.kind == "date":
            return _parse_date(self.name, raw)
        if self.kind == "boolean":
            if raw not in ("true", "false"):
                raise InputError(f"Le paramètre « {self.name} » vaut « {raw} » : true ou false.")
            return raw == "true"
        if self.kind == "integer":
            return self._parse_integer(raw)
        if self.enum and raw not in self.enum:
            raise InputError(
                f"Le paramètre « {self.name} » vaut « {raw} » : valeurs possibles "
                + ", ".join(f"« {v} »" for v in self.enum)
                + "."
            )
        if not 1 <= len(raw) <= TEXT_MAX:
            raise InputError(
                f"Le paramètre « {self.name} » doit compter de 1 à {TEXT_MAX} caractères."
            )
        return raw

    def _parse_integer(self, raw: str) -> int:
        if not _INTEGER.fullmatch(raw):
            raise InputError(
                f"Le paramètre « {self.name} » vaut « {raw[:40]} » : un nombre entier est "
                "attendu (chiffres seulement)."
            )
        value = int(raw)
        low = self.minimum if self.minimum is not None else 0
        if value < low or (self.maximum is not None and value > self.maximum):
            bounds = f"de {formats.number(low)} à {formats.number(self.maximum)}"
            raise InputError(
                f"Le paramètre « {self.name} » vaut {formats.number(value)} : il va "
                f"{bounds}." + _why(self.name)
            )
        return value


def _why(name: str) -> str:
    if name == "page_size":
        return (
            " Pour un tableau entier, les fichiers CSV des données ouvertes sont à "
            "/opendata/datapackage.json."
        )
    return ""


def _parse_date(name: str, raw: str) -> date:
    refused = InputError(
        f"Le paramètre « {name} » vaut « {raw[:40]} » : une date AAAA-MM-JJ est attendue "
        f"(par exemple {date.today():%Y-%m-%d}), entre {formats.day(FIRST_DAY)} et "
        f"{formats.day(LAST_DAY)}."
    )
    if not _DATE.fullmatch(raw):
        raise refused
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise refused from None


AS_OF = Param(
    "as_of",
    "date",
    "Date d'observation : le plan et son suivi tels qu'ils étaient connus ce jour-là "
    "(défaut : aujourd'hui).",
)
AVEC_DEMO = Param(
    "avec_demo",
    "boolean",
    "true : garder les données de démonstration (marquées demo = true) ; par défaut elles sont "
    "laissées de côté, comme dans les données ouvertes.",
    default=False,
)
PAGE = Param("page", "integer", "Numéro de la page (1 : la première).", 1, PAGE_MAX, default=1)
PAGE_SIZE = Param(
    "page_size",
    "integer",
    f"Lignes par page (au plus {PAGE_SIZE_MAX}).",
    1,
    PAGE_SIZE_MAX,
    default=PAGE_SIZE_DEFAULT,
)


@dataclass(frozen=True)
class Args:
    """A request's parameters, checked: the date of observation, demonstration rows or not,
    the page asked for, the filters (name → value) and the values of the path."""

    as_of: date
    avec_demo: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE_DEFAULT
    filters: dict[str, Any] = field(default_factory=dict)
    path: dict[str, Any] = field(default_factory=dict)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def refuse_token_in_query(names: Iterable[str]) -> None:
    """InputError when a parameter of the address looks like a credential: it is refused,
    never tried."""
    found = sorted({n for n in names if n.lower() in TOKEN_PARAMS})
    if found:
        raise InputError(
            f"Jeton refusé dans l'adresse (paramètre « {found[0]} ») : une adresse se retrouve "
            "dans les journaux et l'historique. Envoyez-le dans l'en-tête "
            "« Authorization: Bearer JETON »."
        )


def parse(
    params: tuple[Param, ...],
    query: Iterable[tuple[str, str]],
    path: Mapping[str, str] | None = None,
    today: date | None = None,
) -> Args:
    """The checked parameters of one request (`params`: those its route accepts)."""
    pairs = list(query)
    refuse_token_in_query(name for name, _ in pairs)
    known = {p.name: p for p in params if p.where == "query"}
    seen: dict[str, Any] = {}
    for name, raw in pairs:
        if name not in known:
            accepted = ", ".join(sorted(known)) or "aucun"
            raise InputError(
                f"Paramètre « {name[:40]} » inconnu pour cette adresse ; paramètres possibles : "
                f"{accepted}."
            )
        if name in seen:
            raise InputError(f"Le paramètre « {name} » est donné deux fois.")
        seen[name] = known[name].parse(raw)
    path_values = {p.name: p.parse((path or {})[p.name]) for p in params if p.where == "path"}
    filters = {
        name: value
        for name, value in seen.items()
        if name not in (AS_OF.name, AVEC_DEMO.name, PAGE.name, PAGE_SIZE.name)
    }
    return Args(
        as_of=seen.get(AS_OF.name) or today or date.today(),
        avec_demo=bool(seen.get(AVEC_DEMO.name, False)),
        page=int(seen.get(PAGE.name, 1)),
        page_size=int(seen.get(PAGE_SIZE.name, PAGE_SIZE_DEFAULT)),
        filters=filters,
        path=path_values,
    )
