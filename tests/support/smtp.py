"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), keeping what it receives."""

from __future__ import annotations

import email
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage, Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.gate_server import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed: Message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """(inbox, port) of a running SMTP server, stopped afterwards."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
