#!/usr/bin/env python3
"""A real SMTP server for the tests of relais-mail (tests/smtp.rs).

Listens on 127.0.0.1:PORT with aiosmtpd, accepts every message and writes
each one into DIR as NNN.eml (the DATA as received) and NNN.json (the
envelope: MAIL FROM, RCPT TO, HELO name). Prints READY once it accepts
connections, and stops when its standard input closes, so that it never
outlives the test that started it.

Needs aiosmtpd:  python3 -m pip install aiosmtpd
"""
import json
import os
import sys

try:
    from aiosmtpd.controller import Controller
except ImportError:
    sys.stderr.write(
        "aiosmtpd is not installed for %s: run `%s -m pip install aiosmtpd`\n"
        % (sys.executable, sys.executable)
    )
    sys.exit(3)


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, "%03d" % self.count)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "helo": session.host_name,
        }
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        # Written under a temporary name then renamed: a reader never sees
        # half a message.
        for suffix, data in ((".eml", content), (".json", json.dumps(meta).encode())):
            with open(base + suffix + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + suffix + ".tmp", base + suffix)
        return "250 2.0.0 Ok: queued as %03d" % self.count


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: smtp_sink.py PORT DIR\n")
        sys.exit(2)
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("READY", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
