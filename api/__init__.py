"""HTTP service: FastAPI app factory, routers per resource, problem+json errors."""
