"""Anonymous teacher surveys: the evaluation's second question (issue 16)."""
