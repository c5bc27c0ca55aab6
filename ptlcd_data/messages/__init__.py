"""The conversation of each action between its porteur and the coordinators."""
