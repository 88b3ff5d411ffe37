"""Time the mail path: notices -> mails written (in each reader's language) -> handed to
a real SMTP server (aiosmtpd in this process), as the worker does it.

Builds the demo in a throwaway SQLite file (or uses --url), files --tickets reports as
the demo teacher with jobs off (so only the notices are written, as in a request), then
times the worker's two sweeps: writing the mails of every notice, and sending every mail.

    python benchmarks/mail.py --tickets 300

Run it from the project root with the project's virtualenv; it is not part of make test.
"""

import argparse
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Counter:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a new SQLite file with the demo)")
    parser.add_argument("--tickets", type=int, default=300)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="campus-mail-bench-")
    os.environ["CAMPUS_DATABASE_URL"] = args.url or f"sqlite:///{tmp}/bench.db"
    os.environ.setdefault("CAMPUS_ENV", "development")

    from aiosmtpd.controller import Controller
    from sqlalchemy import func, select

    from campus import create_app
    from campus.demo import seed_demo
    from campus.extensions import db
    from campus.mail.notices import notify_due
    from campus.mail.sending import send_due
    from campus.models import Mail, User
    from campus.tickets.filing import report_ticket
    from campus.unit_of_work import work

    counter, port = Counter(), free_port()
    server = Controller(counter, hostname="127.0.0.1", port=port)
    server.start()
    app = create_app()
    app.config.update(
        JOBS="off",
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        BASE_URL="https://campus.example",
    )
    with app.app_context():
        db.create_all()
        with work():
            seed_demo()
        from sqlalchemy import update

        from campus.models import TicketEvent

        with work():
            db.session.execute(update(TicketEvent).values(mailed=True))
        teacher = db.session.scalar(select(User).where(User.email == "teacher@demo.test"))
        started = time.perf_counter()
        for n in range(args.tickets):
            with work():
                report_ticket(
                    teacher,
                    title=f"Beamer {n} zeigt kein Bild",
                    description="Kein Signal über HDMI.",
                    category="projector_display",
                    impact="blocking",
                )
        filed = time.perf_counter() - started
        started = time.perf_counter()
        written = notify_due(limit=args.tickets * 2)
        notifying = time.perf_counter() - started
        started = time.perf_counter()
        sent, waiting = send_due(limit=written + 10)
        sending = time.perf_counter() - started
        total = db.session.scalar(select(func.count(Mail.id)))
    server.stop()
    print(
        f"filed {args.tickets} reports with their notices: {filed / args.tickets * 1000:.1f} ms each"
    )
    print(f"wrote {written} mails ({total} in the outbox): {written / notifying:.0f} mails/s")
    print(f"sent {sent} mails to SMTP ({waiting} not yet, {counter.received} received): "
          f"{sent / sending:.0f} mails/s")  # fmt: skip


if __name__ == "__main__":
    main()
