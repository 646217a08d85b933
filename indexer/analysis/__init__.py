"""Analysis stage: what a page says (text, language, applications, TRL, role, regulatory status, duplicates).

Entry points: `indexer.analysis.process.process_pending` (the store's queue of new or changed bodies) and
`indexer.analysis.analyser.TextAnalyser` (one text). Modules import their heavy dependencies themselves,
so importing this package stays cheap.
"""
