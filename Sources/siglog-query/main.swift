print("siglog-query: not yet implemented")
