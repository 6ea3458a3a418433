"""Reviewing in the browser: `review serve` and its page.

Built on review/ (the round, its frozen sources, the comments store, the register) and on
redline/ (a round's paper, exported to build its HTML edition): the round's HTML edition
(edition.py), what a reviewer may send (comments.py), what keeps the server safe
(guard.py), its grouped writes to the comments store (writes.py), the Starlette
application (app.py) and uvicorn (serve.py). The page's own code is `static/review.js`,
small and dependency-free.
"""
