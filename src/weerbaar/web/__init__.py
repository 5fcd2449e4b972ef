"""The web app and REST API: pages for people, ``/api/v1`` for machines.

Both are thin: they authenticate, parse, call a service with the signed-in user's
subject (so need-to-know is enforced below them, in one place), and render.
"""
