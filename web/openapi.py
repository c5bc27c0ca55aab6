"""The OpenAPI 3.1 document of the API, `/api/v1/openapi.json`, built from the route table.

Nothing is written by hand twice: each route's parameters come from the `Param`s that check
them (`ptlcd_data.api.params`), each row's schema from the fields that describe the listing
(the open-data package's Table Schemas, `ptlcd_data.api.fields`), so the document cannot drift
from what the server does; tests/test_api_schemathesis.py checks the answers against it. A field
that is not required may be null. Security follows the reading setting: without
PTLCD_READ_REQUIRES_LOGIN, public routes need no token (a token may still be sent).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ptlcd_data.api import listings, params
from ptlcd_data.api.listings import Listing
from ptlcd_data.opendata.schema import LICENCE, Field
from ptlcd_data.settings import Settings

PREFIX = "/api/v1"
BEARER = "jeton"
_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}
ERROR = {
    "type": "object",
    "required": ["code", "titre", "message"],
    "properties": {
        "code": {
            "type": "string",
            "pattern": "^[a-z_]+$",
            "description": "Code stable de l'erreur (celui de la ligne de commande), jamais traduit.",
        },
        "titre": {"type": "string", "description": "Titre de l'erreur, en français."},
        "message": {"type": "string", "description": "Ce qui est refusé et pourquoi, en français."},
    },
}
_STATUS_TEXT = {
    "400": "Paramètre refusé (inconnu, répété, hors bornes, date invalide, jeton dans l'adresse).",
    "401": "Jeton absent alors qu'il est demandé, ou jeton inconnu, expiré ou révoqué.",
    "403": "Le jeton n'a pas le rôle demandé (saisie).",
    "404": "Rien à cette adresse.",
    "429": "Trop de requêtes de ce jeton ou de cette adresse : attendre Retry-After secondes.",
    "503": "Base occupée ou illisible : réessayer plus tard.",
}


def field_schema(f: Field) -> dict[str, Any]:
    """The JSON schema of one column's values: its type, its constraints, null when it may be
    empty."""
    out = dict(_TYPES[f.type])
    constraints = f.constraints
    if "enum" in constraints:
        out["enum"] = list(constraints["enum"])
    for key in ("minimum", "maximum"):
        if key in constraints:
            out[key] = constraints[key]
    if "pattern" in constraints:  # a Table Schema pattern matches the whole value
        out["pattern"] = f"^(?:{constraints['pattern']})$"
    if not constraints.get("required"):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out | {"title": f.title, "description": f.description}


def row_schema(listing: Listing) -> dict[str, Any]:
    return {
        "type": "object",
        "required": listing.columns,
        "additionalProperties": False,
        "properties": {f.name: field_schema(f) for f in listing.fields},
    }


def envelope_schema(listing: Listing) -> dict[str, Any]:
    link = {"type": ["string", "null"], "pattern": f"^{PREFIX}/"}
    properties: dict[str, Any] = {
        "total": {"type": "integer", "minimum": 0, "description": "Lignes en tout."},
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1, "maximum": params.PAGE_SIZE_MAX},
        "pages": {"type": "integer", "minimum": 0, "description": "Nombre de pages."},
        "next": link | {"description": "Adresse de la page suivante ; null sur la dernière."},
        "previous": link | {"description": "Adresse de la page précédente ; null sur la première."},
        "revision": {"type": "integer", "description": "Révision de la base lue (l'ETag)."},
        "data": {"type": "array", "items": row_schema(listing)},
    }
    if listing.dated:
        properties["as_of"] = {"type": "string", "format": "date"}
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


def _security(settings: Settings, staff: bool) -> list[dict[str, list[str]]]:
    if staff or settings.read_requires_login:
        return [{BEARER: []}]
    return [{}, {BEARER: []}]


def _parameter(p: params.Param) -> dict[str, Any]:
    return {
        "name": p.name,
        "in": p.where,
        "required": p.where == "path",
        "description": p.description,
        "schema": p.schema(),
    }


def _errors(*codes: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code in codes:
        response: dict[str, Any] = {
            "description": _STATUS_TEXT[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}},
        }
        if code == "429":
            response["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
        out[code] = response
    return out


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    etag = {"ETag": {"$ref": "#/components/headers/ETag"}}
    return {
        "200": {
            "description": description,
            "headers": etag,
            "content": {"application/json": {"schema": schema}},
        },
        "304": {"description": "Inchangé depuis l'ETag envoyé (If-None-Match).", "headers": etag},
    }


def _operation(listing: Listing, settings: Settings) -> dict[str, Any]:
    codes = ["400", "401", "429", "503"]
    if listing.staff:
        codes.insert(2, "403")
    if listing.path_params:
        codes.insert(-2, "404")
    return {
        "operationId": listing.path.replace("/", "_").replace("{", "").replace("}", ""),
        "summary": listing.title,
        "description": listing.description,
        "security": _security(settings, listing.staff),
        "parameters": [_parameter(p) for p in listing.params],
        "responses": _ok("Une page de la liste.", envelope_schema(listing)) | _errors(*codes),
    }


INDEX = {
    "type": "object",
    "required": ["version", "revision", "openapi", "donnees_ouvertes", "routes"],
    "properties": {
        "version": {"type": "string"},
        "revision": {"type": "integer"},
        "openapi": {"type": "string"},
        "donnees_ouvertes": {"type": "string"},
        "routes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["adresse", "titre", "equipe"],
                "properties": {
                    "adresse": {"type": "string"},
                    "titre": {"type": "string"},
                    "equipe": {"type": "boolean"},
                },
            },
        },
    },
}


def document(settings: Settings) -> dict[str, Any]:
    """The whole OpenAPI document, for the server's settings."""
    paths: dict[str, Any] = {
        f"{PREFIX}/": {
            "get": {
                "operationId": "index",
                "summary": "Les routes de l'API",
                "security": _security(settings, False),
                "responses": _ok("La liste des routes.", INDEX) | _errors("400", "401", "429"),
            }
        },
        f"{PREFIX}/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "Ce document",
                "security": [{}],
                "responses": _ok("Le document OpenAPI.", {"type": "object"})
                | _errors("400", "429"),
            }
        },
    }
    for listing in listings.LISTINGS:
        paths[f"{PREFIX}/{listing.path}"] = {"get": _operation(listing, settings)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "API du suivi du plan territorial de lutte contre les discriminations",
            "version": "1",
            "description": (
                "Lecture seule. Chaque liste est paginée (page, page_size ≤ "
                f"{params.PAGE_SIZE_MAX}), lue à une date d'observation (as_of, AAAA-MM-JJ, défaut "
                "aujourd'hui) ; dates ISO 8601. Chaque réponse porte la révision de la base en "
                "ETag (304 à If-None-Match). Jeton : en-tête « Authorization: Bearer JETON », "
                "jamais dans l'adresse. Erreurs en JSON : code stable, titre et message en "
                "français. Les tableaux entiers : /opendata/datapackage.json (CSV)."
            ),
            "license": {"name": LICENCE["title"], "url": LICENCE["path"]},
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Jeton créé par un administrateur : python -m ptlcd_data "
                    "token add NOM --role lecture|saisie.",
                }
            },
            "schemas": {"Erreur": ERROR},
            "headers": {
                "ETag": {
                    "required": True,
                    "description": "Révision de la base (et date d'observation) de la réponse.",
                    "schema": {"type": "string"},
                },
                "RetryAfter": {
                    "required": True,
                    "description": "Secondes à attendre.",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"},
                },
            },
        },
    }


def digest(document: dict[str, Any]) -> str:
    """A short fingerprint of the document, for its ETag (it changes with the settings)."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(text).hexdigest()[:12]
