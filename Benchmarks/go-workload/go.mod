module schedscope.benchmarks/goworkload

go 1.27
