"""The ``amiable`` command line."""
