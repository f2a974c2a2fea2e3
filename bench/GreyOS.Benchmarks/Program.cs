using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/GreyOS.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/GreyOS.Benchmarks -- --filter '*Startup*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
