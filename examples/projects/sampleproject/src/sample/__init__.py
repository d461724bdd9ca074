"""A stand-in for PyPA's sampleproject: one entry point and one dependency."""

import peppercorn

from .simple import add_one

__all__ = ["add_one", "main"]


def main():
    """The `sample` console script."""
    fields = peppercorn.parse([("project", "sampleproject"), ("answer", str(add_one(41)))])
    print("Call your main application code here")
    print(f"sample: {fields['project']} runs, add_one(41) = {fields['answer']}, "
          f"peppercorn {peppercorn.__version__} imported from {peppercorn.__file__}")
    return 0
