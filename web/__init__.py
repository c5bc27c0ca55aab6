"""HTTP routes served beside Streamlit's pages by the same process (serve.py, `st.App`).

Thin, like a page: each route reads the request, calls one function of the data layer and turns
its answer (or its French error) into a response. Routes never import `ui` nor `app_pages`, and
nothing of the front imports them (import-linter). A route that reads the base opens its own
short connection and closes it before it answers; none holds a transaction across network I/O.
"""
