"""PDF and Excel documents in the Ministry's forms (reportlab, openpyxl).

Renderers only: they take facts gathered by `services` and return bytes.
"""
