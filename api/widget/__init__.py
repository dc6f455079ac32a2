"""The debtor self-service widget, split by concern.

* ``auth``: the signed widget token (never an API key), rate limits, loading the debtor's file.
* ``schemas``: the public view models and the strict input models.
* ``service``: what each action does (shaped like ``agent.conversations``): reads, row changes, tasks,
  audit events, messages from the catalogue (``prompts/ui/widget.yaml``) checked by the guard.
* ``errors``: validation problems rewritten field by field in the debtor's language.
* ``edge``: the ASGI middleware (bounded bodies, scoped CORS, CSP frame-ancestors).

The router (``api.routers.widget``) only binds HTTP to these.
"""
