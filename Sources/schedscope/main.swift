print("schedscope")
