"""Ways into the assistant from other toolkits: llama-index (reader, retriever, query engine)
and the optional LLM rephrasing step. Nothing here is imported on the plain query path."""
