module schedscope.fixtures

go 1.27
