"""Tables of the agent service (API keys, conversations, drafts). Owned by the service component."""
