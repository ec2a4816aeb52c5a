"""The provider manifest: models, loading, cache, and the bundled copy."""
