"""Email to patrons through the SMTP server in `[mail]`: one message, optional attachments.

The only module that talks SMTP. A send that fails (no server configured, the server
down, the recipient refused) raises MailError with what went wrong; callers record the
failure and carry on: an order never depends on its email having gone.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from core.config import MailConfig
from core.errors import BoxOfficeError


class MailError(BoxOfficeError):
    code = "mail_failed"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


def compose(config: MailConfig, to: str, subject: str, text: str,
            attachments: Sequence[Attachment] = ()) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or None)
    message.set_content(text)
    for item in attachments:
        main, _, sub = item.mime_type.partition("/")
        message.add_attachment(item.content, maintype=main, subtype=sub,
                               filename=item.filename)
    return message


def send(config: MailConfig, to: str, subject: str, text: str,
         attachments: Sequence[Attachment] = ()) -> None:
    """Send one message. Raises MailError `mail_off` when no server is configured,
    `mail_failed` when the server cannot be reached or refuses it."""
    if not config.host:
        raise MailError("no mail server is configured ([mail] host)", code="mail_off")
    message = compose(config, to, subject, text, attachments)
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds) as smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.username:
                smtp.login(config.username, config.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"the mail server {config.host}:{config.port} did not take the "
                        f"message to {to}: {exc}") from exc
