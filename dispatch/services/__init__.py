"""Use cases: what the CLI and the API ask of the domain and the store."""
