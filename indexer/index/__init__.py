"""Index stage: analysed pages from the store → the Whoosh full-text index and the vector index; search over both.

Entry points: `indexer.index.fulltext.build_index` and `indexer.index.fulltext.search`.
"""
