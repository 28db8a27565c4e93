"""The layer catalog and its storage: Layer, Style, importers and the feature/coverage engines."""
