"""The tickets through which a page asks the server to set or clear the HttpOnly login cookie:
single use, 60 seconds, one winner among threads, bounded memory."""

from __future__ import annotations

import threading

import pytest

from ptlcd_data.access import tickets

TOKEN = "a" * 43 + ".1234567890." + "b" * 43


def test_a_ticket_is_redeemed_once_with_what_it_asks():
    ticket = tickets.issue(tickets.OPEN, TOKEN, 3600, now=100.0)
    assert tickets.is_ticket_shaped(ticket) and TOKEN not in ticket
    found = tickets.redeem(ticket, now=101.0)
    assert found is not None
    assert (found.action, found.token, found.max_age) == (tickets.OPEN, TOKEN, 3600)
    assert tickets.redeem(ticket, now=101.0) is None  # used


def test_a_ticket_expires_after_a_minute():
    ticket = tickets.issue(tickets.CLOSE, now=100.0)
    assert tickets.redeem(ticket, now=100.0 + tickets.TICKET_SECONDS) is None
    kept = tickets.issue(tickets.FORGET, TOKEN, now=100.0)
    assert tickets.redeem(kept, now=100.0 + tickets.TICKET_SECONDS - 1) is not None


@pytest.mark.parametrize("value", ["", "x" * 42, "x" * 44, "x" * 42 + ";", "A" * 43])
def test_anything_else_than_an_issued_ticket_is_refused(value):
    assert tickets.redeem(value) is None


def test_a_ticket_must_say_what_it_does():
    with pytest.raises(ValueError):
        tickets.issue("supprimer")
    with pytest.raises(ValueError):
        tickets.issue(tickets.OPEN)  # a login's ticket carries its token


def test_among_threads_redeeming_one_ticket_only_one_wins():
    ticket = tickets.issue(tickets.OPEN, TOKEN, 60)
    wins: list[object] = []
    start = threading.Barrier(8)

    def redeem() -> None:
        start.wait()
        found = tickets.redeem(ticket)
        if found is not None:
            wins.append(found)

    threads = [threading.Thread(target=redeem) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1


def test_unredeemed_tickets_do_not_pile_up(monkeypatch):
    monkeypatch.setattr(tickets, "_pending", {})
    monkeypatch.setattr(tickets, "MAX_PENDING", 5)
    first = tickets.issue(tickets.CLOSE, now=0.0)
    for _ in range(5):
        tickets.issue(tickets.CLOSE, now=1.0)
    assert len(tickets._pending) == 5
    assert tickets.redeem(first, now=1.0) is None  # the oldest went first
    tickets.issue(tickets.CLOSE, now=1.0 + tickets.TICKET_SECONDS)  # the expired ones go
    assert len(tickets._pending) == 1
