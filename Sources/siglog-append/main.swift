print("siglog-append: not yet implemented")
