"""The HTTP edge: FastAPI routers, dependencies and the mapping of errors to statuses."""
