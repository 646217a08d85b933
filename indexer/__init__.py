"""The indexer: two stages over the store.

- `indexer.analysis`: pages' bodies → main text, language, sentences, application tags with evidence, TRL with
  its cue, role, regulatory status, organisation and country, near-duplicates (written back to the store);
- `indexer.index`: analysed pages → the full-text index and the vector index, and searching them.
"""
