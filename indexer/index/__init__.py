"""Index stage: analysed pages from the store → the search engine and the passage vector store.

Entry point: `indexer.index.build.build_index`. Searching is retrieval.service's (shared by CLI, UI and API).
"""
