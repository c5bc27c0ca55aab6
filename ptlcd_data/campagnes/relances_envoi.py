"""Sending the relances (reminders) of a campaign: who still owes what, one e-mail each, recorded
(in `relances`) one by one.

`prepare` lists one `mail.Relance` per porteur with missing items (actions not updated and
indicators not supplied since the campaign opened), each with its own workbook attached. `due`
leaves out the porteurs already reminded at this step: a porteur recorded « envoyé » for the
campaign is not sent its reminder again unless asked by name (`renvoyer`; `campaign remind
--renvoyer CODE`, or the page's « Relancer à nouveau »). A step is the campaign itself: the
data model knows one kind of message per campaign (the reminder, `campagne_relance` has no kind
nor step column) and one deadline, so a re-run after an interruption or a failure sends only
what did not leave. Scheduled reminders (`veille`) are per step instead (`due_step`, `send_step`):
each step of the campaign's reminder days is sent once to each porteur still owing something,
and recorded with its step.

`send` reads what to send, closes the base, then talks to the SMTP server (`mail.send_each`) and
records each attempt (campagne_relance and the journal) in its own short transaction, on a
connection opened for that record, as soon as the server has answered and before the next
message: the base is never held while the server talks (another process, the app or the command
line, works meanwhile), and a run cut short (Ctrl-C, a killed process, a lost connection, a
deadline) has recorded every message that left. With no server configured, nothing is sent and
nothing is recorded: the reminders are listed, and can be written as .eml files
(`mail.write_eml`, `mail.eml_zip`) for staff to send. A server that cannot be reached raises
`SmtpError` before anything is sent or recorded: the campaign stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ptlcd_data import formats, store
from ptlcd_data.access import auth, liens
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns, completion, mail, relances, workbooks
from ptlcd_data.errors import InputError, PtlcdError
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection

# What campagne_relance.statut says for each outcome of `mail.send_all`.
STATUTS = {
    "envoye": completion.RELANCE_ENVOYEE,
    "echec": "échec",
    "sans_adresse": "sans adresse",
    "fichier_eml": "fichier .eml",
}


@dataclass(frozen=True)
class Due:
    """What a run of a campaign's reminders is about, read before any message leaves."""

    found: list[mail.Relance]  # every porteur that still owes something, in the plan's order
    deja: dict[str, datetime]  # porteur code → last « envoyé »: left out this time

    @property
    def relances(self) -> list[mail.Relance]:
        """The reminders to send now: `found` without the porteurs already reminded."""
        return [r for r in self.found if r.porteur_code not in self.deja]

    def deja_text(self) -> str:
        """« Déjà relancé(s) pour cette étape : Maison de l'emploi (MDE, le 03/05/2026) » ; ""
        when no porteur is left out."""
        if not self.deja:
            return ""
        named = [
            f"{r.porteur_libelle} ({r.porteur_code}, le {formats.day(self.deja[r.porteur_code])})"
            for r in self.found
            if r.porteur_code in self.deja
        ]
        return f"Déjà relancé(s) pour cette étape : {' ; '.join(named)}"


@dataclass(frozen=True)
class Sent:
    """What a run did: one `Envoi` per reminder sent or tried, and who was left out."""

    envois: list[mail.Envoi]
    deja: str  # `Due.deja_text`: "" when nobody was left out

    def summary(self) -> str:
        """« 2 relance(s) envoyée(s) sur 3. », or why none was sent."""
        if not self.envois:
            return (
                "Aucune relance envoyée : les porteurs qui doivent encore répondre ont tous déjà "
                "été relancés pour cette étape."
            )
        sent = sum(e.statut == "envoye" for e in self.envois)
        return f"{sent} relance(s) envoyée(s) sur {len(self.envois)}."


def prepare(
    conn: Connection, campaign_id: int, settings: Settings, *, attach: bool = True
) -> list[mail.Relance]:
    """One reminder per porteur that still owes an action or an indicator, in the plan's order,
    each with its workbook attached (unless `attach` is false: a listing needs none).

    A closed campaign is refused (InputError): nothing is asked any more.
    """
    campaign = campaigns.get(conn, campaign_id)
    if not campaign.is_open:
        raise InputError(
            f"La campagne « {campaign.label} » est close : plus aucune relance n'est envoyée."
        )
    items = completion.items(conn, campaign)
    owed = items[items["premiere_reponse"].isna()]
    if owed.empty:
        return []
    shared = workbooks.shared(conn, campaign_id) if attach else None
    porteurs = plan_porteurs.porteurs_with_items(conn) if shared is None else shared.porteurs
    how = mail.reply_instructions(settings)
    found = []
    for row in porteurs.itertuples(index=False):
        mine = owed[owed["porteur"] == row.porteur]
        if mine.empty:
            continue
        actions = mine[mine["objet"] == "action"]
        indicateurs = mine[mine["objet"] == "indicateur"]
        found.append(
            mail.Relance(
                porteur_code=str(row.porteur),
                porteur_libelle=str(row.libelle),
                email=None if row.email is None or row.email != row.email else str(row.email),
                campagne_nom=campaign.nom,
                echeance=campaign.echeance,
                actions=[
                    (int(k), str(v))
                    for k, v in zip(actions["cle"], actions["libelle"], strict=True)
                ],
                indicateurs=[
                    (str(k), str(v))
                    for k, v in zip(indicateurs["cle"], indicateurs["libelle"], strict=True)
                ],
                piece_jointe=None
                if shared is None
                else (f"{row.porteur}.xlsx", workbooks.porteur_workbook(shared, str(row.porteur))),
                comment_repondre=how,
            )
        )
    return found


def due(
    conn: Connection,
    campaign_id: int,
    settings: Settings,
    *,
    renvoyer: Collection[str] = (),
    attach: bool = True,
) -> Due:
    """`prepare`, and which porteurs are left out because already reminded for this campaign;
    those named in `renvoyer` (porteur codes) are sent again. A code unknown to the plan, or of a
    porteur that owes nothing any more, is refused (InputError) before anything is sent. With
    `attach`, the workbooks are attached to the reminders that will leave (to send now, with an
    address) and to those only: each takes a few tenths of a second to build."""
    found = prepare(conn, campaign_id, settings, attach=False)
    again = list(dict.fromkeys(renvoyer))
    plan_porteurs.check_codes(conn, again)
    owing = {r.porteur_code for r in found}
    done = [code for code in again if code not in owing]
    if done:
        raise InputError(
            f"Rien à renvoyer à {', '.join(done)} : "
            + ("ce porteur a" if len(done) == 1 else "ces porteurs ont")
            + " déjà tout fourni pour cette campagne."
        )
    reminded = completion.last_reminders(conn, campaign_id)
    deja = {
        r.porteur_code: reminded[r.porteur_code]
        for r in found
        if r.porteur_code in reminded and r.porteur_code not in again
    }
    if attach:
        leaving = {r.porteur_code for r in found if r.porteur_code not in deja and r.email}
        found = attached(conn, campaign_id, found, leaving)
    return Due(found, deja)


def due_step(
    conn: Connection, campaign_id: int, settings: Settings, etape: int, *, attach: bool = True
) -> list[mail.Relance]:
    """The reminders of step `etape` still to send: each porteur that owes something and whose
    step is not settled yet (`relances.settled`), in the plan's order; with `attach`, each with
    an address has its workbook attached."""
    settled = relances.settled(conn, campaign_id, etape)
    todo = [
        r
        for r in prepare(conn, campaign_id, settings, attach=False)
        if r.porteur_code not in settled
    ]
    if attach:
        todo = attached(conn, campaign_id, todo, {r.porteur_code for r in todo if r.email})
    return todo


def with_links(
    conn: Connection,
    settings: Settings,
    user: User | None,
    campaign_id: int,
    found: list[mail.Relance],
) -> list[mail.Relance]:
    """`found`, each reminder that has an address carrying a new personal link of its porteur
    (PTLCD_APP_URL/r/TOKEN: `access.liens.mint`, admin, journaled, one short transaction).

    A link is minted for each reminder about to leave, never for a listing: only its hash is
    stored, so the token exists nowhere but in that message. Several links of one porteur may
    be valid at once (one per reminder), each until the deadline plus PTLCD_LIEN_JOURS.
    Without PTLCD_APP_URL no link is minted: an e-mail needs the app's public address, which
    the server cannot guess (behind a reverse proxy, its own address is not the public one).
    """
    base = settings.app_url.strip().rstrip("/")
    codes = [r.porteur_code for r in found if (r.email or "").strip()]
    if not base or not codes:
        return found
    minted = liens.mint(conn, user, campaign_id, codes, days=settings.lien_jours)
    return [
        replace(
            r, lien=f"{base}/r/{minted[r.porteur_code][0]}", lien_expire=minted[r.porteur_code][1]
        )
        if r.porteur_code in minted
        else r
        for r in found
    ]


def attached(
    conn: Connection, campaign_id: int, found: list[mail.Relance], codes: set[str]
) -> list[mail.Relance]:
    """`found`, with its workbook attached to the reminder of each porteur in `codes`."""
    if not codes:
        return found
    shared = workbooks.shared(conn, campaign_id)
    return [
        replace(
            r,
            piece_jointe=(
                f"{r.porteur_code}.xlsx",
                workbooks.porteur_workbook(shared, r.porteur_code),
            ),
        )
        if r.porteur_code in codes
        else r
        for r in found
    ]


def send(
    settings: Settings,
    user: User | None,
    campaign_id: int,
    *,
    renvoyer: Collection[str] = (),
    progress: Callable[[mail.Envoi], None] | None = None,
) -> Sent:
    """Send the reminders of an open campaign (admin) to the porteurs not yet reminded (and to
    those named in `renvoyer`), recording each attempt as soon as the server has answered;
    `progress` hears of each one once it is recorded.

    Opens the base at `settings.db_path` itself, and only briefly: the caller holds no
    connection to it. Without a server (PTLCD_SMTP_HOST empty) nothing is sent or recorded: the
    listing says which .eml file each reminder would be. Raises SmtpError when the server cannot
    be reached (nothing sent, nothing recorded).
    """
    auth.require(user, "admin")
    with store.connect(settings.db_path) as conn:  # closed before the server is contacted
        if not mail.smtp_configured(settings):
            return Sent(mail.eml_envois(prepare(conn, campaign_id, settings), settings), "")
        todo = due(conn, campaign_id, settings, renvoyer=renvoyer)
        leaving = with_links(conn, settings, user, campaign_id, todo.relances)
    return Sent(_send_each(settings, user, campaign_id, leaving, None, progress), todo.deja_text())


def send_step(
    settings: Settings,
    user: User | None,
    campaign_id: int,
    todo: list[mail.Relance],
    *,
    etape: int,
    outbox: Path,
    progress: Callable[[mail.Envoi], None] | None = None,
) -> list[mail.Envoi]:
    """Send the reminders `todo` of step `etape` (admin; from `due_step`, read on a connection
    closed since), recording each with its step as soon as the server has answered. Without a
    server, each is written as `<CODE>.eml` in `outbox` instead, and recorded « fichier .eml »:
    the step is settled, staff send the files. Raises SmtpError when the server cannot be
    reached (nothing sent, nothing recorded)."""
    auth.require(user, "admin")
    with store.connect(settings.db_path) as conn:  # closed before the server is contacted
        todo = with_links(conn, settings, user, campaign_id, todo)
    if mail.smtp_configured(settings):
        return _send_each(settings, user, campaign_id, todo, etape, progress)
    envois: list[mail.Envoi] = []
    for relance, envoi in zip(todo, mail.eml_envois(todo, settings), strict=True):
        if envoi.statut == "fichier_eml":
            (path,) = mail.write_eml([relance], settings, outbox)
            envoi = replace(
                envoi,
                detail=f"Aucun serveur d'envoi réglé : message enregistré dans {path}, à envoyer.",
            )
        _done(settings, user, campaign_id, envoi, etape, envois, progress)
    return envois


def _done(
    settings: Settings,
    user: User | None,
    campaign_id: int,
    envoi: mail.Envoi,
    etape: int | None,
    envois: list[mail.Envoi],
    progress: Callable[[mail.Envoi], None] | None,
) -> None:
    """One reminder accounted for: recorded (its own transaction), listed, said."""
    _record(settings, user, campaign_id, envoi, etape)
    envois.append(envoi)
    if progress is not None:
        progress(envoi)


def _send_each(
    settings: Settings,
    user: User | None,
    campaign_id: int,
    todo: list[mail.Relance],
    etape: int | None,
    progress: Callable[[mail.Envoi], None] | None,
) -> list[mail.Envoi]:
    """Send `todo` through one session, recording each attempt before the next message."""
    envois: list[mail.Envoi] = []
    with closing(mail.send_each(todo, settings)) as sending:
        for envoi in sending:
            _done(settings, user, campaign_id, envoi, etape, envois, progress)
    return envois


def _record(
    settings: Settings,
    user: User | None,
    campaign_id: int,
    envoi: mail.Envoi,
    etape: int | None = None,
) -> None:
    """Record one attempt in its own transaction, on a connection of its own (the base stays
    free while the server talks). When a message that left cannot be recorded, the run stops
    there and says so: sending more than can be recorded would be sending blind."""
    try:
        with store.connect(settings.db_path) as conn:
            relances.record_reminder(
                conn,
                user,
                campaign_id,
                envoi.porteur_code,
                STATUTS[envoi.statut],
                envoi.detail,
                etape=etape,
                destinataire=envoi.destinataire,
            )
    except PtlcdError as exc:
        if envoi.statut != "envoye":
            raise
        raise PtlcdError(
            f"{exc.message} La relance de {envoi.porteur_code} ({envoi.destinataire}) est partie "
            "mais n'a pas pu être notée ; l'envoi s'arrête là, les porteurs suivants n'ont pas "
            "été relancés.",
            exc.title,
        ) from exc


def pending(conn: Connection, campaign_id: int) -> list[dict[str, object]]:
    """The reminders an open campaign would send now, as rows (see `listing`), each saying
    when the porteur was last reminded; [] when closed."""
    if not campaigns.get(conn, campaign_id).is_open:
        return []
    found = prepare(conn, campaign_id, Settings.from_env(), attach=False)
    return listing(found, completion.last_reminders(conn, campaign_id))


def resend_choices(conn: Connection, campaign_id: int) -> dict[str, str]:
    """Porteur code → « Libellé (CODE), relancé le JJ/MM/AAAA »: those still owing something
    and already reminded for this campaign, whom staff may choose to remind again."""
    if not campaigns.get(conn, campaign_id).is_open:
        return {}
    todo = due(conn, campaign_id, Settings.from_env(), attach=False)
    return {
        r.porteur_code: f"{r.porteur_libelle} ({r.porteur_code}), relancé le "
        f"{formats.day(todo.deja[r.porteur_code])}"
        for r in todo.found
        if r.porteur_code in todo.deja
    }


def eml_zip(conn: Connection, user: User | None, campaign_id: int, settings: Settings) -> bytes:
    """Every reminder as a .eml file in one zip (admin), to send by hand when no server is set."""
    auth.require(user, "admin")
    found = with_links(conn, settings, user, campaign_id, prepare(conn, campaign_id, settings))
    return mail.eml_zip(found, settings)


def listing(
    found: list[mail.Relance], reminded: dict[str, datetime] | None = None
) -> list[dict[str, object]]:
    """The reminders as rows to show before sending: porteur, adresse, actions, indicateurs;
    with `reminded` (code → last « envoyé »), also relance_le (« — » when never)."""
    rows: list[dict[str, object]] = []
    for r in found:
        row: dict[str, object] = {
            "porteur": r.porteur_libelle,
            "adresse": r.email or "sans adresse",
            "actions": len(r.actions),
            "indicateurs": len(r.indicateurs),
        }
        if reminded is not None:
            row["relance_le"] = formats.day(reminded.get(r.porteur_code))
        rows.append(row)
    return rows
