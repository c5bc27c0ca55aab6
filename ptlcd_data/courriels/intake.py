"""Fetching the replies: each new message of the mailbox read once, its campaign workbooks made
dépôts à valider, an automatic reply sent, the message filed under PTLCD.

`fetch_replies` reads the folder (PTLCD_IMAP_FOLDER), message by message, oldest first:

1. its headers (never its body when it is over the size limit): a Message-ID already recorded
   (`recus`) is only filed where it belongs, nothing is made nor sent again;
2. its attachments, read without the base (`incoming`): a workbook is recognised by its hidden
   stamp, whatever its name;
3. in the base, briefly: the message recorded `en_cours`, each campaign workbook verified for
   the stamped porteur (`imports.verify`, the campaign checks of `campagnes.returns`) and made a
   dépôt à valider (`depots.records.submit_check`, origin « courriel », the sender kept), then
   the message recorded with its dépôts and its reply;
4. the reply sent (`campagnes.notices`), the base closed, then its result recorded;
5. the message moved to PTLCD<sep>traites, or PTLCD<sep>a_examiner when it could not be read
   (a damaged file, a workbook of a closed campaign, a limit passed), the reason kept.

A run cut anywhere is picked up by the next: a message not yet filed is looked at again, a
dépôt already made is adopted (`recus.adopted`), a reply not yet sent is sent. Nothing is
ever deleted from the mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

import ptlcd_data.campagnes.returns  # noqa: F401 - plugs the campaign workbook checks in
from ptlcd_data import formats, store
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns, mail, notices
from ptlcd_data.classeurs.problems import format_problem
from ptlcd_data.classeurs.reader import FileRefused
from ptlcd_data.courriels import imap, incoming, recus, replies
from ptlcd_data.courriels.incoming import Incoming, Piece
from ptlcd_data.courriels.replies import Outcome
from ptlcd_data.depots import queries as depot_queries
from ptlcd_data.depots import records as depot_records
from ptlcd_data.errors import ImapError, InputError, PtlcdError, SmtpError
from ptlcd_data.imports import verify
from ptlcd_data.plan import porteurs as plan_porteurs
from ptlcd_data.settings import Settings
from ptlcd_data.store import Connection

# A run reads at most this many messages: the rest waits for the next run (`notify run` is
# meant to run every hour), so that one run never holds the mailbox for long.
MAX_MESSAGES_PER_RUN = 100
NOT_SET = "Boîte aux lettres non réglée (PTLCD_IMAP_HOST) : aucun retour relevé."


@dataclass(frozen=True)
class Report:
    """What a run did: one French line per message, and the counts."""

    lines: list[str]
    messages: int = 0  # messages looked at in the folder
    depots: int = 0  # dépôts à valider made
    refuses: int = 0  # campaign workbooks refused (errors to correct, said in the reply)
    a_examiner: int = 0  # messages set aside for the team
    deja_vus: int = 0  # messages already read by an earlier run (only filed)
    reponses: int = 0  # automatic replies sent or written
    ok: bool = True  # False: the run stopped short (the last line says why)

    def summary(self) -> str:
        """« 3 messages relevés : 1 dépôt à valider, 1 classeur refusé, … »."""
        parts = [
            formats.count(self.depots, "dépôt à valider", "dépôts à valider"),
            formats.count(self.refuses, "classeur refusé", "classeurs refusés"),
            formats.count(self.a_examiner, "message à examiner", "messages à examiner"),
            formats.count(self.deja_vus, "déjà relevé", "déjà relevés"),
            formats.count(self.reponses, "réponse envoyée", "réponses envoyées"),
        ]
        head = formats.count(self.messages, "message relevé", "messages relevés")
        return f"{head} : {', '.join(parts)}."


@dataclass
class _Run:
    settings: Settings
    campagne_id: int | None
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("messages", "depots", "refuses", "a_examiner", "deja_vus", "reponses"), 0
        )
    )
    ok: bool = True
    smtp_down: str | None = None  # why replies wait for the next run

    def report(self) -> Report:
        return Report(list(self.lines), ok=self.ok, **self.counts)


def fetch_replies(settings: Settings, campagne_id: int | None = None) -> Report:
    """Read the new messages of the mailbox (see the module's docstring). With `campagne_id`,
    only that campaign's workbooks are accepted (it must exist and be open).

    The base is opened only between talks with the servers. Raises ImapError (French, naming
    the server) when the mailbox cannot be reached or refuses the login: nothing has changed.
    A server lost mid-way ends the run: the report says what was done (`ok` False), and the
    next run goes on from there."""
    if not imap.configured(settings):
        return Report([NOT_SET])
    with store.connect(settings.db_path) as conn:
        _check_campaign(conn, campagne_id)
    run = _Run(settings, campagne_id)
    with imap.open_mailbox(settings) as box:  # ImapError here: nothing changed
        folders = box.ensure_folders()
        uids = box.uids()
        read = 0
        try:
            for n, uid in enumerate(uids):
                if read == MAX_MESSAGES_PER_RUN:
                    uids = uids[n:]
                    break
                read += _one(run, box, uid, folders)
            else:
                uids = []
        except ImapError as exc:
            run.ok = False
            run.lines.append(f"Relevé interrompu : {exc.message} Le prochain relevé reprendra.")
        if uids and run.ok:
            left = len(uids)
            run.lines.append(
                f"{formats.count(left, 'message attend', 'messages attendent')} le prochain "
                f"relevé ({MAX_MESSAGES_PER_RUN} au plus par relevé)."
            )
    _send_pending(run)
    return run.report()


def _check_campaign(conn: Connection, campagne_id: int | None) -> None:
    if campagne_id is None:
        return
    campaign = campaigns.get(conn, campagne_id)
    if not campaign.is_open:
        raise InputError(
            f"La campagne « {campaign.label} » est close : ses classeurs ne sont plus acceptés. "
            "Relevez la boîte sans numéro pour la campagne en cours."
        )


def _one(run: _Run, box: imap.Mailbox, uid: int, folders: tuple[str, str]) -> bool:
    """Read, record, answer and file one message; False when it was not ours to read."""
    settings = run.settings
    got = box.headers(uid)
    if got is None:  # gone meanwhile (another program filed it)
        return False
    size, header = got
    message = incoming.from_headers(header, size, settings)
    if incoming.is_own(message, settings):
        # The application's own notices to the team (a porteur's message, a digest) go to this
        # mailbox too: they are for people to read, left where they are.
        return False
    run.counts["messages"] += 1
    with store.connect(settings.db_path) as conn:
        seen = recus.find(conn, message.message_id)
    if seen is not None and seen.statut != recus.EN_COURS:
        _file_again(run, box, uid, message, seen, folders)
        return True
    if size > incoming.message_max_bytes(settings):
        message = incoming.too_large(message, settings)
    else:
        raw = box.message(uid)
        if raw is None:
            return False
        message_id = message.message_id
        message = incoming.parse(raw, size, settings)
        message.message_id = message_id  # as the headers named it, run after run
    pieces = (
        [] if message.refusal else [incoming.read_piece(a, settings) for a in message.attachments]
    )
    done = _record(run, message, pieces)
    if done is None:  # another run is reading it right now
        return False
    outcomes, aside, statut = done
    replied = _send(run, message.message_id)
    folder = folders[0] if statut == recus.TRAITE else folders[1]
    box.move(uid, folder)
    run.lines.append(replies.line(message, outcomes, aside, folder) + replied)
    return True


def _file_again(
    run: _Run,
    box: imap.Mailbox,
    uid: int,
    message: Incoming,
    seen: recus.Recu,
    folders: tuple[str, str],
) -> None:
    """A message already read (the same Message-ID, or a run cut before filing it): filed."""
    folder = folders[0] if seen.statut == recus.TRAITE else folders[1]
    box.move(uid, folder)
    run.counts["deja_vus"] += 1
    depots = ", ".join(f"n° {n}" for n in seen.depot_ids)
    made = f" (dépôt {depots})" if depots else ""
    run.lines.append(
        f"Message de {message.sender or 'expéditeur inconnu'} déjà relevé le "
        f"{formats.timestamp(seen.releve_le)}{made} : rien de nouveau → {folder}."
    )


def _record(
    run: _Run, message: Incoming, pieces: list[Piece]
) -> tuple[list[Outcome], str | None, str] | None:
    """In the base: the message recorded, its workbooks made dépôts, its reply written."""
    with store.connect(run.settings.db_path) as conn:
        found = recus.find(conn, message.message_id)
        if found is None:
            releve_le = datetime.now()
            try:
                recus.start(conn, message, releve_le)
            except duckdb.ConstraintException:
                return None
        else:
            releve_le = found.releve_le
        outcomes = [_workbook(run, conn, piece, message, releve_le) for piece in pieces]
        unread = [o for o in outcomes if o.kind == replies.A_EXAMINER]
        aside = message.refusal or (
            "; ".join(f"« {o.filename} » : {o.note}" for o in unread) if unread else None
        )
        statut = recus.A_EXAMINER if aside else recus.TRAITE
        reply = (
            None
            if message.automatic
            else recus.Reply(
                message.message_id,
                message.reply_to or None,
                replies.subject(message),
                replies.body(message, outcomes, message.refusal),
            )
        )
        recus.finish(
            conn,
            message.message_id,
            statut,
            depot_ids=[o.depot_id for o in outcomes if o.depot_id is not None],
            detail="\n".join(replies.attachment_text(o) for o in outcomes) or None,
            motif=aside,
            reply=reply,
            why_no_reply=f"pas de réponse automatique : {message.automatic}",
            now=datetime.now(),
        )
    counts = run.counts
    counts["depots"] += sum(o.kind == replies.DEPOT for o in outcomes)
    counts["refuses"] += sum(o.kind == replies.REFUSE for o in outcomes)
    counts["a_examiner"] += statut == recus.A_EXAMINER
    return outcomes, aside, statut


def _workbook(
    run: _Run, conn: Connection, piece: Piece, message: Incoming, releve_le: datetime
) -> Outcome:
    """One attachment: a campaign workbook verified for its stamped porteur and made a dépôt."""
    if piece.kind == "autre":
        return Outcome(piece.filename, replies.AUTRE, note=piece.note)
    if piece.kind == "illisible" or piece.stamp is None or piece.book is None:
        return Outcome(piece.filename, replies.A_EXAMINER, note=piece.note)
    code, sender = piece.stamp.porteur_code, message.sender
    label = plan_porteurs.porteur_labels(conn).get(code)
    porteur = f"{label} ({code})" if label else code
    unknown = not (sender and depot_queries.sender_known(conn, code, sender))
    made = recus.adopted(conn, sender, piece.sha256, code, releve_le)
    if made is not None:
        return Outcome(piece.filename, replies.DEPOT, porteur, made, unknown_sender=unknown)
    user = User(
        login=f"courriel {sender or '(sans adresse)'}",
        nom=sender or "expéditeur inconnu",
        role="porteur",
        porteurs=(code,),
    )
    try:
        check = verify.check_book(
            conn, piece.book, piece.filename, piece.sha256, user=user, campagne_id=run.campagne_id
        )
    except FileRefused as exc:  # a closed or other campaign, an unknown porteur
        return Outcome(piece.filename, replies.A_EXAMINER, porteur, note=exc.message)
    if not check.ok:
        found = [format_problem(p) for p in check.errors.to_dict("records")]
        return Outcome(piece.filename, replies.REFUSE, porteur, problems=found)
    try:
        depot_id = depot_records.submit_check(
            conn,
            user,
            check,
            origine="courriel",
            expediteur=sender or None,
            now=releve_le,
            # Anyone can write a porteur's code in a stamp: from an unknown address, the dépôt
            # waits beside the porteur's own, never replacing it.
            supersede=not unknown,
        )
    except PtlcdError as exc:  # nothing to record, out of the porteur's scope
        return Outcome(piece.filename, replies.REFUSE, porteur, note=exc.message)
    return Outcome(piece.filename, replies.DEPOT, porteur, depot_id, unknown_sender=unknown)


def _send(run: _Run, message_id: str) -> str:
    """Send the recorded reply of one message (the base closed meanwhile); what to add to its
    line. A server that cannot be reached leaves every reply for the next run."""
    with store.connect(run.settings.db_path) as conn:
        waiting = [r for r in recus.pending_replies(conn) if r.message_id == message_id]
    if not waiting:
        return " Pas de réponse automatique (message automatique)."
    return f" Réponse : {_deliver(run, waiting[0])}"


def _deliver(run: _Run, reply: recus.Reply) -> str:
    """Send one reply and record what became of it; said in French."""
    if run.smtp_down is not None:
        return f"en attente. {run.smtp_down}"
    notice = notices.Notice(
        reply.to or "expéditeur",
        reply.to,
        reply.subject,
        reply.body,
        in_reply_to=reply.message_id,
    )
    try:
        (envoi,) = notices.deliver([notice], run.settings, notices.outbox_dir(run.settings))
    except SmtpError as exc:
        run.smtp_down = f"{exc.message} Elle partira au prochain relevé."
        run.ok = False
        return f"en attente. {run.smtp_down}"
    with store.connect(run.settings.db_path) as conn:
        recus.record_reply(conn, reply.message_id, envoi, datetime.now())
    run.counts["reponses"] += envoi.statut in ("envoye", "fichier_eml")
    return _said(envoi)


def _said(envoi: mail.Envoi) -> str:
    if envoi.statut == "envoye":
        return f"accusé envoyé à {envoi.destinataire}."
    return envoi.detail


def _send_pending(run: _Run) -> None:
    """The replies of earlier runs still waiting (a server down, a run cut short)."""
    with store.connect(run.settings.db_path) as conn:
        waiting = recus.pending_replies(conn)
    for reply in waiting:
        if run.smtp_down is not None:
            break
        said = _deliver(run, reply)
        run.lines.append(f"Réponse restée en attente ({reply.to or 'sans adresse'}) : {said}")
