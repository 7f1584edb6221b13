"""Placeholder: replaced by the module that implements these commands."""


def register(sub) -> None:
    pass
