def add_one(number):
    """Return number + 1."""
    return number + 1
