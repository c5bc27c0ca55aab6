"""The acting user of this browser session.

Until accounts and login exist (access-control issue), the visitor is a guest whose role is
`saisie` when recording is enabled (PTLCD_ALLOW_RECORDING) and `lecture` otherwise. Pages pass
`current_user()` to every writing function, which checks the role at the moment of writing.
"""

from __future__ import annotations

from ptlcd_data.auth import User
from ui import data


def current_user() -> User:
    role = "saisie" if data.settings().allow_recording else "lecture"
    return User("invite", "Invité", role)
