"""Domain exceptions raised by the core; adapters map them to exit codes and problem+json."""


class NetutilError(Exception):
    """Base of every error the core raises on purpose."""


class InvalidInput(NetutilError, ValueError):
    """The input breaks a rule; the message names what is wrong and where."""


class LimitExceeded(NetutilError):
    """A request would pass a documented cap (batch length, events, simulated time, ...)."""


#: Longest input quoted whole in an error message; longer input is shown by its start and length.
SHOWN_WHOLE = 48


def shown(value: object) -> str:
    """`value` as an error message quotes it: its `repr` when short, else the `repr` of its first
    characters and its length, so that a pasted megabyte never comes back as a megabyte."""
    if isinstance(value, str | bytes) and len(value) > SHOWN_WHOLE:
        unit = "characters" if isinstance(value, str) else "bytes"
        return f"{value[:20]!r}... ({len(value)} {unit})"
    return repr(value)
