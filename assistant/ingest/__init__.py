"""Files to records: loaders, normalisation, the 公文 parser, departments."""
