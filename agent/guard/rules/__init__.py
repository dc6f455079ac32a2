"""One module per rule family; see agent.guard.registry for the family -> class table."""
