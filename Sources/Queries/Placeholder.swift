// Filled in by the query issue.
