"""Network helpers for the web app that must stay import-light (``app.py --help`` uses them)."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str | None) -> bool:
    """True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1."""
    host = (host or "").strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
