"""Domain errors. Library code raises these; the CLI and the app translate them at the edge."""


class RagError(Exception):
    """Base of every error a user can act on; the message says what to do."""


class InputError(RagError, ValueError):
    """Bad input from a person: an empty question, an unsupported file, an unknown reference."""


class IndexMismatchError(RagError):
    """The index on disk cannot serve this configuration (other embedder, other corpus, old format)."""


class LoaderError(RagError):
    """A file could not be read or parsed; names the file and the reason."""


class LimitError(LoaderError):
    """A file is over a configured limit (characters, unzipped size); names the file, the limit and its
    setting. Like any LoaderError it fails that file only."""


class BudgetError(RagError):
    """A change to the knowledge base ran past its time budget and was abandoned; nothing was changed."""


class BusyError(RagError):
    """Another process kept the knowledge base locked for longer than this one would wait."""


class StoreError(RagError):
    """The search store (a Milvus server or Milvus Lite) could not be reached or failed a request; the
    message names its URI and collection (never the token) and what to check."""
