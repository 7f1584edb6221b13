"""Domain exceptions raised by the core; adapters map them to exit codes and problem+json."""


class NetutilError(Exception):
    """Base of every error the core raises on purpose."""


class InvalidInput(NetutilError, ValueError):
    """The input breaks a rule; the message names what is wrong and where."""


class LimitExceeded(NetutilError):
    """A request would pass a documented cap (batch length, events, simulated time, ...)."""
