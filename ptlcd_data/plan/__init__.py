"""The plan itself, in dated versions: loading it from its data files, its calendar texts, and questions about its shape at a date."""
