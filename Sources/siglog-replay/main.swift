print("siglog-replay: not yet implemented")
