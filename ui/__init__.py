"""Streamlit-side glue: cached access to the data layer, shared widgets, chart builders.

Pages import from here; the data layer (`ptlcd_data`) never imports Streamlit.
"""
