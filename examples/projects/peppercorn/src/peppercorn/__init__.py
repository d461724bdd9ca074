"""A stand-in for peppercorn: turn submitted form fields into a dict."""

__version__ = "0.6"


def parse(fields):
    """Turn an iterable of (name, value) pairs into a dict.

    A name seen more than once maps to the list of its values, in order.
    """
    values = {}
    for name, value in fields:
        values.setdefault(name, []).append(value)
    return {name: seen[0] if len(seen) == 1 else seen for name, seen in values.items()}
