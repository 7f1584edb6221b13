"""Text renderers: they take a result's JSON dict (never the core object), so a result fetched
from the API draws exactly like a local one. No core logic lives here."""
