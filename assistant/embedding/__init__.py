"""The encoder protocol, the real EmbeddingGemma encoder, and the model store."""
