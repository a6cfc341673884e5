"""Turn news articles into a published, versioned dataset of dated events."""

import datetime as _dt

__version__ = "0.1.0"

#: bump when extraction output can change for the same input; invalidates caches
EXTRACTOR_VERSION = "0.2.0"

#: year-less dates of an article with no publication date and no year anywhere in it are placed in the
#: latest year that fits (a weekday given with the date picks the matching year) without passing this day,
#: so a build stays deterministic for a given extractor version and never dates an event in the future of it
REFERENCE_DATE = _dt.date(2026, 11, 23)
REFERENCE_YEAR = REFERENCE_DATE.year
