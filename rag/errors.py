"""Domain errors. Library code raises these; the CLI and the app translate them at the edge."""


class RagError(Exception):
    """Base of every error a user can act on; the message says what to do."""


class InputError(RagError, ValueError):
    """Bad input from a person: an empty question, an unsupported file, an unknown reference."""


class IndexMismatchError(RagError):
    """The index on disk cannot serve this configuration (other embedder, other corpus, old format)."""


class LoaderError(RagError):
    """A file could not be read or parsed; names the file and the reason."""
