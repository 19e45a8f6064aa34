"""Tokenizer, BM25, dense store, fusion and the hybrid retriever, with the index lifecycle."""
