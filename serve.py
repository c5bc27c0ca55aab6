"""The server: Streamlit's pages (app.py) and the routes beside them, in one process.

`streamlit run serve.py` (scripts/run.sh) finds the `st.App` below and serves it with uvicorn:
Streamlit's own routes and websocket, plus the project's routes (web/routes.py). Every browser
session still runs app.py, as before; AppTest runs app.py alone.
"""

import streamlit as st

from web import routes

app = st.App("app.py", routes=routes.ROUTES, middleware=routes.MIDDLEWARE)
