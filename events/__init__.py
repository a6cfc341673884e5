"""Turn news articles into a published, versioned dataset of dated events."""

__version__ = "0.1.0"

#: bump when extraction output can change for the same input; invalidates caches
EXTRACTOR_VERSION = "0.2.0"

#: year-less dates of an article with no publication date and no year anywhere in it are placed in the
#: latest year up to this one that fits (a weekday given with the date picks the matching year), so a
#: build stays deterministic for a given extractor version
REFERENCE_YEAR = 2026
