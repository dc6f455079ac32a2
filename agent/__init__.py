"""Amiable: a guarded, retrieval-grounded assistant for amicable debt recovery."""

__version__ = "0.1.0"
