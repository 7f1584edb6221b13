"""Blueprints, one per domain; `BLUEPRINTS` lists them in the order they are registered."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    from api.routes import analyze, handshake, ip, meta, page, plots, setops, subnet, tcp

    return [
        meta.bp,
        ip.bp,
        subnet.bp,
        setops.bp,
        tcp.bp,
        analyze.bp,
        handshake.bp,
        plots.bp,
        page.bp,
    ]
