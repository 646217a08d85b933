"""Retrieval: the search-engine interface and its backends, Scout's query language, the passage vector store
and the search service that CLI, UI and API share.

Data flows one way: indexer/index writes pages from the store into an engine and the vector store;
search_app and `scout search` read them through `retrieval.service`.
"""
