"""The annual summary: one typed model per year, and its renderers (page data, PDF, XLSX, charts)."""
