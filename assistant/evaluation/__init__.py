"""Gold-set evaluation: metrics as a flat dict, the report and the gate."""
