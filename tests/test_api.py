"""The read-only JSON API, `/api/v1/`, read with httpx from the real server (`streamlit run
serve.py`), reading open (PTLCD_READ_REQUIRES_LOGIN off): every route, its envelope, its
filters and pages, its ETag, and its French refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from ptlcd_data import store
from ptlcd_data.access.auth import SYSTEM
from ptlcd_data.api import listings
from ptlcd_data.opendata.package import QUERIES
from ptlcd_data.suivi import saisie
from tests.helpers.api import bearer, french_error, new_token, open_campaign
from tests.helpers.browser import streamlit_server
from tests.helpers.databases import Templates

API = "/api/v1"


@pytest.fixture(scope="module")
def site(
    templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The demonstration base (real plan history plus demonstration rows), a campaign open, a
    token of each role; no rate limit (PTLCD_API_PAR_MINUTE=0)."""
    db = templates.copy("demo", tmp_path_factory.mktemp("api") / "ptlcd.duckdb")
    campaign = open_campaign(db)
    site = {
        "db": db,
        "campagne": campaign,
        "lecture": new_token(db, "portail", "lecture"),
        "saisie": new_token(db, "equipe", "saisie"),
    }
    with streamlit_server(db, env={"PTLCD_API_PAR_MINUTE": "0"}) as url:
        with httpx.Client(base_url=url, timeout=60) as client:
            yield site | {"url": url, "client": client}


def get(site: dict[str, Any], path: str, **kwargs: Any) -> httpx.Response:
    response: httpx.Response = site["client"].get(API + path, **kwargs)
    return response


def sql_rows(db: Path, name: str, as_of: date, avec_demo: bool = False) -> list[tuple[Any, ...]]:
    """What the open-data query gives, straight from DuckDB."""
    sql = QUERIES[name]
    values = {"as_of": as_of, "avec_demo": avec_demo}
    with store.connect(db) as conn:
        return conn.execute(sql, {k: v for k, v in values.items() if f"${k}" in sql}).fetchall()


PUBLIC = [listing.path for listing in listings.LISTINGS if not listing.staff]


@pytest.mark.parametrize("path", PUBLIC)
def test_every_public_route_answers_a_page_without_a_token(site, path):
    answer = get(site, f"/{path}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {
        "total", "page", "page_size", "pages", "next", "previous", "as_of", "revision", "data",
    }  # fmt: skip
    assert body["page"] == 1 and body["page_size"] == 100
    assert body["as_of"] == date.today().isoformat()
    assert answer.headers["etag"] == f'"{body["revision"]}-{body["as_of"]}"'
    assert len(body["data"]) == min(100, body["total"])


def test_the_plan_as_of_a_date_is_the_plan_of_that_day(site):
    """The actions listed are the plan's at `as_of`, with the open data's columns and values."""
    body = get(site, "/plan/actions", params={"as_of": "2019-06-30", "page_size": 500}).json()
    expected = sql_rows(site["db"], "actions", date(2019, 6, 30))
    assert body["total"] == len(expected) > 30
    assert [r["action_no"] for r in body["data"]] == [row[0] for row in expected]
    first = body["data"][0]
    assert first["libelle"] == expected[0][3]
    assert first["debut_prevu"] == expected[0][7].isoformat()  # a date, ISO
    assert body["as_of"] == "2019-06-30"


def test_pages_follow_one_another_to_the_whole_list(site):
    query = {"avec_demo": "true"}
    whole = get(site, "/historique/statuts", params=query | {"page_size": 500}).json()
    assert 50 < whole["total"] <= 500 and whole["next"] is None and whole["pages"] == 1
    seen: list[Any] = []
    link: str | None = f"{API}/historique/statuts?avec_demo=true&page_size=20"
    pages = 0
    while link:
        body = site["client"].get(link).json()
        assert body["page_size"] == 20 and body["page"] == pages + 1
        seen += body["data"]
        link = body["next"]
        pages += 1
    assert pages == body["pages"] == -(-whole["total"] // 20)
    assert seen == whole["data"]
    assert body["previous"].endswith(f"page={pages - 1}")
    beyond = get(site, "/historique/statuts", params=query | {"page": 1000}).json()
    assert beyond["data"] == [] and beyond["total"] == whole["total"] and beyond["next"] is None


def test_demonstration_rows_only_when_asked_and_marked(site):
    """Like the open data: left out by default, kept with avec_demo=true, marked demo."""
    real = get(site, "/historique/statuts", params={"page_size": 500}).json()
    every = get(site, "/historique/statuts", params={"page_size": 500, "avec_demo": "true"})
    every = every.json()
    assert not any(r["demo"] for r in real["data"])
    assert every["total"] > real["total"]
    assert any(r["demo"] for r in every["data"])
    values = get(site, "/indicateurs/valeurs", params={"avec_demo": "true"}).json()
    assert values["total"] == len(sql_rows(site["db"], "valeurs_indicateurs", date.today(), True))
    assert values["total"] > 0


def test_one_indicators_series_with_targets_and_provenance(site):
    rows = sql_rows(site["db"], "valeurs_indicateurs", date.today(), True)
    code, territoire = rows[0][0], rows[0][1]
    expected = [r for r in rows if r[0] == code and r[1] == territoire]
    body = get(
        site,
        "/indicateurs/valeurs",
        params={"indicateur": code, "territoire": territoire, "avec_demo": "true"},
    ).json()
    assert body["total"] == len(expected) > 1
    got = body["data"][0]
    assert (got["annee"], got["valeur"], got["cible"], got["source"]) == (
        expected[0][2],
        expected[0][4],
        expected[0][5],
        expected[0][7],
    )
    assert set(got) >= {"cible", "source", "import_id", "enregistre_le", "demo"}
    # a timestamp with its offset: RFC 3339
    assert got["enregistre_le"][10] == "T" and got["enregistre_le"][-6] in "+-"


def test_filters_keep_only_what_they_name(site):
    axe2 = get(site, "/plan/actions", params={"axe": 2, "page_size": 500}).json()
    assert axe2["total"] > 0 and {r["axe_no"] for r in axe2["data"]} == {2}
    one = get(site, "/historique/engagements", params={"action": 3, "avec_demo": "true"}).json()
    assert one["total"] > 0 and {r["action_no"] for r in one["data"]} == {3}
    none = get(site, "/indicateurs", params={"objectif": "pas-un-objectif"}).json()
    assert none["total"] == 0 and none["data"] == []


def test_action_states_say_status_progress_and_lateness(site):
    body = get(site, "/actions/etats", params={"page_size": 500, "avec_demo": "true"}).json()
    assert body["total"] == len(sql_rows(site["db"], "actions", date.today()))
    assert {r["statut"] for r in body["data"]} > {"Réalisé"}
    late = get(site, "/actions/etats", params={"en_retard": "true", "avec_demo": "true"}).json()
    assert all(r["en_retard"] and r["motif_retard"] for r in late["data"])
    assert late["total"] == sum(r["en_retard"] for r in body["data"])
    assert "auteur" not in body["data"][0]  # no person's name in the API


def test_decisions_appear_once_recorded(site):
    from ptlcd_data.decisions import records

    before = get(site, "/decisions").json()
    with store.connect(site["db"]) as conn:
        seance = records.open_seance(conn, SYSTEM, date.today(), titre="GOLD")
        records.add_decision(
            conn, SYSTEM, seance, texte="Relancer le porteur", responsable="Mme Exemple",
            echeance=date.today(), action_no=2,
        )  # fmt: skip
    after = get(site, "/decisions").json()
    assert after["total"] == before["total"] + 1
    decided = after["data"][-1]
    assert decided["texte"] == "Relancer le porteur" and decided["etat"] == "ouverte"
    assert decided["responsable"] is None  # a person's name is not published


def test_etag_answers_304_until_the_base_changes(site):
    first = get(site, "/plan/axes")
    tag = first.headers["etag"]
    again = get(site, "/plan/axes", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert get(site, "/plan/axes", headers={"If-None-Match": f"W/{tag}"}).status_code == 304
    other_day = get(
        site, "/plan/axes", params={"as_of": "2020-01-01"}, headers={"If-None-Match": tag}
    )
    assert other_day.status_code == 200  # another date of observation, another ETag
    with store.connect(site["db"]) as conn:
        saisie.enregistrer_revue(conn, SYSTEM, 1, commentaire="Point d'étape")
    changed = get(site, "/plan/axes", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag


GARBAGE_DATES = ["hier", "2026-02-30", "20260101", "2026-1-1", "1899-12-31", "2026-12-07T00:00", ""]


@pytest.mark.parametrize("value", GARBAGE_DATES)
def test_as_of_garbage_is_refused_in_french(site, value):
    answer = get(site, "/plan/actions", params={"as_of": value})
    assert answer.status_code == 400
    body = french_error(answer.content, "saisie_refusee")
    assert "AAAA-MM-JJ" in body["message"]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"page_size": "1000000000"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "1.5"}, "nombre entier"),
        ({"page": "-1"}, "nombre entier"),
        ({"avec_demo": "oui"}, "true ou false"),
        ({"pagesize": "10"}, "inconnu"),
        ({"periode": "S1"}, "valeurs possibles"),
    ],
)
def test_parameters_out_of_bounds_are_refused_before_anything_is_read(site, query, said):
    answer = get(site, "/indicateurs/valeurs", params=query)
    assert answer.status_code == 400
    assert said in french_error(answer.content, "saisie_refusee")["message"]


def test_a_repeated_parameter_is_refused(site):
    answer = site["client"].get(f"{API}/plan/actions?page=1&page=2")
    assert "deux fois" in french_error(answer.content, "saisie_refusee")["message"]


@pytest.mark.parametrize("name", ["token", "access_token", "Access_Token", "api_key"])
def test_a_token_in_the_query_string_is_refused_never_accepted(site, name):
    """Even a valid token, and even on a staff route: 400, and nothing is read."""
    for path in ("/plan/axes", "/campagnes"):
        answer = get(site, path, params={name: site["saisie"]})
        assert answer.status_code == 400
        assert "Authorization: Bearer" in french_error(answer.content, "saisie_refusee")["message"]


def test_a_forged_or_malformed_token_is_refused_even_where_reading_is_open(site):
    forged = "ptlcd_" + "A" * 43
    for headers in (
        bearer(forged),
        bearer("n'importe quoi"),
        {"Authorization": "Basic Zm9vOmJhcg=="},
    ):
        answer = get(site, "/plan/axes", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        french_error(answer.content, "authentification_refusee")
    assert get(site, "/plan/axes", headers=bearer(site["lecture"])).status_code == 200


def test_campaigns_are_for_the_staff_only(site):
    anonymous = get(site, "/campagnes")
    assert anonymous.status_code == 401
    french_error(anonymous.content, "authentification_refusee")
    reader = get(site, "/campagnes", headers=bearer(site["lecture"]))
    assert reader.status_code == 403
    french_error(reader.content, "action_non_autorisee")
    staff = get(site, "/campagnes", headers=bearer(site["saisie"]))
    assert staff.status_code == 200, staff.text
    assert staff.headers["cache-control"] == "private, no-cache"
    (campaign,) = staff.json()["data"]
    assert campaign["id"] == site["campagne"] and campaign["ouverte"] is True
    assert "as_of" not in staff.json()


def test_a_campaigns_completion_per_porteur(site):
    path = f"/campagnes/{site['campagne']}/completion"
    assert get(site, path).status_code == 401
    body = get(site, path, headers=bearer(site["saisie"]), params={"page_size": 500}).json()
    assert body["total"] > 0
    row = body["data"][0]
    assert row["actions_dues"] + row["indicateurs_dus"] > 0 and 0 <= row["taux_reponse"] <= 100
    missing = get(site, "/campagnes/999/completion", headers=bearer(site["saisie"]))
    assert missing.status_code == 404
    french_error(missing.content, "introuvable")
    garbage = get(site, "/campagnes/abc/completion", headers=bearer(site["saisie"]))
    assert garbage.status_code == 400


def test_unknown_addresses_and_writes_are_refused_in_french(site):
    french_error(get(site, "/nulle-part").content, "introuvable")
    assert get(site, "/nulle-part").status_code == 404
    posted = site["client"].post(f"{API}/plan/actions", json={})
    assert posted.status_code == 405 and posted.headers["allow"] == "GET, HEAD"
    french_error(posted.content, "methode_refusee")
    for method, path, status in [
        ("QUERY", f"{API}/campagnes/1/completion", 405),
        ("DELETE", "/opendata/axes.csv", 405),
        ("PUT", f"{API}/nulle-part", 404),
    ]:
        answer = site["client"].request(method, path)
        assert answer.status_code == status, (method, path)
        assert answer.json()["code"] in ("methode_refusee", "introuvable")


def test_the_index_and_the_openapi_document(site):
    index = get(site, "/")
    assert index.status_code == 200 and index.headers["etag"]
    addresses = {r["adresse"] for r in index.json()["routes"]}
    assert f"{API}/plan/actions" in addresses and f"{API}/campagnes" in addresses
    document = get(site, "/openapi.json")
    assert document.status_code == 200
    spec = document.json()
    assert spec["openapi"].startswith("3.1")
    for listing in listings.LISTINGS:
        assert f"{API}/{listing.path}" in spec["paths"]
    actions = spec["paths"][f"{API}/plan/actions"]["get"]
    assert {p["name"] for p in actions["parameters"]} == {
        "as_of", "axe", "objectif", "page", "page_size",
    }  # fmt: skip
    assert actions["security"] == [{}, {"jeton": []}]  # reading is open on this server
    assert spec["paths"][f"{API}/campagnes"]["get"]["security"] == [{"jeton": []}]
    tag = document.headers["etag"]
    assert get(site, "/openapi.json", headers={"If-None-Match": tag}).status_code == 304


# --- the rate limiter itself (no server: a clock of our own) -------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_a_burst_then_one_request_per_share_of_the_minute():
    from web.limits import RateLimiter

    clock = Clock()
    limiter = RateLimiter(6, clock)
    assert [limiter.take("a") for _ in range(6)] == [0] * 6
    assert limiter.take("a") == 10  # 60 s / 6: the next token in 10 s
    assert limiter.take("b") == 0  # another key, its own bucket
    clock.now += 9.5
    assert limiter.take("a") == 1
    clock.now += 0.5
    assert limiter.take("a") == 0 and limiter.take("a") > 0


def test_no_limit_at_zero_and_full_buckets_are_forgotten():
    from web import limits

    assert all(limits.RateLimiter(0).take("a") == 0 for _ in range(1000))
    clock = Clock()
    limiter = limits.RateLimiter(60, clock)
    for i in range(limits.SWEEP_ABOVE):
        limiter.take(f"adresse-{i}")
    clock.now += 61  # every bucket full again
    limiter.take("nouvelle")
    limiter.take("encore")
    assert len(limiter) <= 2


def test_every_parameter_states_its_bounds_in_the_document():
    """What the document allows, the server accepts (schemathesis sends the largest numbers
    the schema allows): every number has a maximum, every text a length."""
    for listing in listings.LISTINGS:
        for param in listing.params:
            schema = param.schema()
            if param.kind == "integer":
                assert param.maximum is not None and "maximum" in schema, (listing.path, param)
                assert param.parse(str(param.maximum)) == param.maximum
            if param.kind == "string" and not param.enum:
                assert schema["maxLength"] == 100


def test_a_setting_that_does_not_parse_is_a_french_json_error(monkeypatch):
    """PTLCD_API_PAR_MINUTE=abc: every route answers French JSON, never Starlette's page."""
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from web import api

    monkeypatch.setenv("PTLCD_API_PAR_MINUTE", "abc")
    with TestClient(Starlette(routes=api.ROUTES), raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/plan/actions")
    assert answer.status_code == 500
    assert answer.json()["code"] == "erreur_interne"
    assert "Réessayez" in answer.json()["message"]
