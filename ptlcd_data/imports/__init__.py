"""Vérifier then Publier: recognising and checking the sheets of a file, previewing, publishing batches; campaign checks plug in (`hooks`)."""
