"""Plumbing shared by every part of neuronlab: validation, names, text, files, optional extras."""
