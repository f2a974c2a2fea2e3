using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Runtime;
using GreyOS.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GreyOS.Runtime.Wasmtime.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public void AddWasmtimeRuntime_Resolved_OneRuntimeThatLoadsModules()
    {
        using var temp = new TempDirectory();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(new DataDirectory(temp.Path))
            .AddWasmtimeRuntime();

        using (var provider = services.BuildServiceProvider())
        {
            var runtime = provider.GetRequiredService<IWasmRuntime>();

            Assert.Same(runtime, provider.GetRequiredService<IWasmRuntime>());
            Assert.True(runtime.LoadModule(RuntimeTests.Wasm(Wat.Returns)).IsSuccess);
        }

        Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "modules"), "*.wasm"));
    }
}
