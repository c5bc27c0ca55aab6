"""The plan itself: loading it from its data files, its calendar texts, and questions about its shape."""
