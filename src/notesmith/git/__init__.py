"""The git edge: one runner for every git command, staged content, the repository, the hook."""
