"""Vérifier then Publier: reading a spreadsheet, checking its sheets, previewing, publishing batches."""
