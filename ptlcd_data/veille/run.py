"""`notify run`: the one job a scheduler starts, every hour. Idempotent: a second run the same
day sends nothing more.

In order, for the open campaign:
1. fetch the replies from the mailbox (the function is passed in by the command line: `veille`
   does not import `courriels`, its sibling; no IMAP host set: said, and the run goes on);
2. send the reminders due today (`reminders`), each step once per porteur;
3. send the weekly digest to the coordinators when due (`digest`, `records`).
It returns French lines saying what it did; every send is recorded and journaled. `dry_run` says
what it would do and sends, writes and fetches nothing. With no SMTP server set, reminders and
digests are written as .eml files (beside the base, in `courriels/`) and recorded as such.

The base is opened to read, closed before any server is contacted, then opened briefly to record
each message (as `campaign remind` does). Two runs never overlap: a lock file beside the base
makes the second one stop at once, saying so (cron does not wait for the previous hour's run).
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ptlcd_data import formats, store
from ptlcd_data.access import auth, contacts
from ptlcd_data.access.auth import User
from ptlcd_data.campagnes import campaigns, mail, notices
from ptlcd_data.errors import PtlcdError
from ptlcd_data.settings import Settings
from ptlcd_data.veille import digest, records, reminders

# The mailbox intake: (settings, campaign id or None) → French lines of what it did.
Fetch = Callable[[Settings, int | None], list[str]]
NO_MAILBOX = "Boîte aux lettres non réglée (PTLCD_IMAP_HOST) : aucun retour relevé."


@dataclass
class Report:
    """What a run did, in French, and whether anything failed (the command's exit code)."""

    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def say(self, line: str) -> None:
        self.lines.append(line)

    def fail(self, line: str) -> None:
        self.lines.append(line)
        self.failed = True


def lock_path(settings: Settings) -> Path:
    return settings.db_path.with_name(settings.db_path.name + ".notify.lock")


@contextmanager
def exclusive(settings: Settings) -> Iterator[bool]:
    """True while this process holds the run's lock; False when another run holds it."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run(
    settings: Settings,
    today: date,
    *,
    user: User,
    fetch: Fetch | None,
    dry_run: bool = False,
) -> Report:
    """One run of the scheduled job for `today` (admin rights: `user` records what is sent)."""
    auth.require(user, "admin")
    report = Report()
    report.say(f"notify run du {formats.day(today)}" + (" (simulation)" if dry_run else "") + ".")
    if dry_run:
        _steps(settings, today, user, fetch, report, dry_run=True)
        report.say("Simulation : rien n'a été envoyé ni écrit.")
        return report
    with exclusive(settings) as mine:
        if not mine:
            report.say(
                "Une autre exécution de notify run est en cours : rien n'a été fait cette fois."
            )
            return report
        _steps(settings, today, user, fetch, report, dry_run=False)
    return report


def _steps(
    settings: Settings,
    today: date,
    user: User,
    fetch: Fetch | None,
    report: Report,
    *,
    dry_run: bool,
) -> None:
    with store.connect(settings.db_path) as conn:
        ongoing = campaigns.current(conn)
    _fetch(settings, fetch, ongoing.id if ongoing else None, report, dry_run=dry_run)
    _reminders(settings, today, user, report, dry_run=dry_run)
    _digest(settings, today, user, report, dry_run=dry_run)
    if not mail.smtp_configured(settings) and not dry_run:
        report.say(
            "Aucun serveur d'envoi réglé (PTLCD_SMTP_HOST) : rien ne part, chaque message est "
            f"écrit en .eml dans {notices.outbox_dir(settings)}, à envoyer depuis une messagerie."
        )


def _fetch(
    settings: Settings,
    fetch: Fetch | None,
    campaign_id: int | None,
    report: Report,
    *,
    dry_run: bool,
) -> None:
    if not settings.imap_host.strip():
        report.say(NO_MAILBOX)
    elif fetch is None:
        report.say(
            "Relève de la boîte aux lettres indisponible dans cette version : aucun retour relevé."
        )
    elif dry_run:
        report.say("Simulation : la boîte aux lettres n'est pas relevée.")
    else:
        try:
            report.lines.extend(fetch(settings, campaign_id))
        except PtlcdError as exc:  # the reminders and the digest still go
            report.fail(f"Relève de la boîte aux lettres : {exc.title} : {exc.message}")


def _reminders(
    settings: Settings, today: date, user: User, report: Report, *, dry_run: bool
) -> None:
    with store.connect(settings.db_path) as conn:  # closed before the server is contacted
        todo = reminders.due(conn, settings, today, attach=not dry_run)
    report.say(todo.status_line(today))
    if not todo.todo:
        return
    if dry_run:
        report.lines.extend(reminders.dry_lines(todo))
        return
    try:
        lines, ok = reminders.send(settings, user, todo, today)
    except PtlcdError as exc:
        report.fail(f"Relances non envoyées : {exc.message}")
        return
    report.lines.extend(lines)
    if not ok:
        report.failed = True


def _digest(settings: Settings, today: date, user: User, report: Report, *, dry_run: bool) -> None:
    with store.connect(settings.db_path) as conn:  # closed before the server is contacted
        try:
            everyone = contacts.recipients(conn, settings.roles_file)
        except PtlcdError as exc:
            report.fail(f"Récapitulatif : {exc.message}")
            return
        done = records.settled_this_week(conn, today)
        wanted = [r for r in everyone if r.recap]
        todo = [r for r in wanted if r.login not in done]
        if not todo:
            report.say(_no_digest_line(everyone, wanted, today))
            return
        content = digest.gather(conn, user, today)
    if dry_run:
        report.say(
            "Simulation : récapitulatif hebdomadaire à "
            + ", ".join(f"{r.login} ({r.email})" for r in todo)
            + "."
        )
        return
    text = digest.body(content, settings.app_url)
    subject = digest.subject(content)
    outbox = notices.outbox_dir(settings)
    for recipient in todo:
        notice = notices.Notice(recipient.login, recipient.email, subject, text)
        try:
            (envoi,) = notices.deliver([notice], settings, outbox)
        except PtlcdError as exc:
            report.fail(f"Récapitulatif non envoyé : {exc.message}")
            return
        with store.connect(settings.db_path) as conn:
            records.record_digest(
                conn,
                user,
                today,
                recipient.login,
                envoi.destinataire,
                records.STATUTS[envoi.statut],
                envoi.detail,
            )
        report.say(f"Récapitulatif à {recipient.login} : {envoi.detail}")
        if envoi.statut == "echec":
            report.failed = True


def _no_digest_line(
    everyone: list[contacts.Recipient], wanted: list[contacts.Recipient], today: date
) -> str:
    if not everyone:
        return (
            "Récapitulatif : aucun compte saisie ou administration n'a d'adresse électronique "
            "(user set LOGIN --email ADRESSE)."
        )
    if not wanted:
        return "Récapitulatif : tous les comptes concernés l'ont désactivé."
    start = records.week_start(today)
    return (
        f"Récapitulatif de la semaine du {formats.day(start)} déjà envoyé ; le prochain le "
        f"{formats.day(start + timedelta(days=7))}."
    )
