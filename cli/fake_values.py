"""Plausible leaf values (names, emails, words, dates) for generated test records.

Field names steer the choice (`email`, `name`, `city`, `url`…) so records look like data a
person would recognise; everything is drawn from the caller's seeded `random.Random`.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")
CITIES = ("Lisbon", "Oslo", "Nairobi", "Osaka", "Lima", "Montreal", "Tallinn", "Perth")
COUNTRIES = ("PT", "NO", "KE", "JP", "PE", "CA", "EE", "AU")
WORDS = ("amber", "basalt", "cedar", "delta", "ember", "fjord", "granite", "harbor", "iris")
EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def uuid_text(rng: random.Random) -> str:
    """A random (version 4) UUID drawn from `rng`."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def timestamp(rng: random.Random) -> dt.datetime:
    """A UTC instant within about five years of 2020, whole milliseconds."""
    offset = dt.timedelta(milliseconds=rng.randrange(0, 5 * 365 * 24 * 3600 * 1000))
    return EPOCH + offset


def email(rng: random.Random) -> str:
    """first.last@example.com."""
    return f"{rng.choice(FIRST_NAMES).lower()}.{rng.choice(LAST_NAMES).lower()}@example.com"


def text_for(field: str, rng: random.Random) -> str:
    """A string that suits a field called `field`."""
    name = field.lower()
    if "email" in name:
        return email(rng)
    if name in ("id", "uuid", "guid") or name.endswith(("_id", "id")):
        return uuid_text(rng)
    if "first" in name:
        return rng.choice(FIRST_NAMES)
    if "last" in name or "surname" in name:
        return rng.choice(LAST_NAMES)
    if "name" in name:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if "city" in name:
        return rng.choice(CITIES)
    if "country" in name:
        return rng.choice(COUNTRIES)
    if "url" in name or "uri" in name or "link" in name:
        return f"https://example.com/{rng.choice(WORDS)}/{rng.randrange(1000)}"
    if "phone" in name:
        return f"+1-555-{rng.randrange(1000, 10000)}"
    return f"{rng.choice(WORDS)}-{rng.randrange(1000)}"


def fit_length(text: str, minimum: int, maximum: int | None, rng: random.Random) -> str:
    """`text` padded or cut to lie within [minimum, maximum] characters."""
    while len(text) < minimum:
        text += rng.choice(WORDS)
    if maximum is not None and len(text) > maximum:
        text = text[:maximum]
    return text
