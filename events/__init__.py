"""Turn news articles into a published, versioned dataset of dated events."""

__version__ = "0.1.0"

#: bump when extraction output can change for the same input; invalidates caches
EXTRACTOR_VERSION = "0.1.0"
