"""The public web storefront (issue 17): an ASGI app (Starlette, Jinja2 templates, served
by uvicorn) over core services only: no SQL and no business rules here. This first part
lets the public browse: what is on, each performance's prices and its seats, live."""
