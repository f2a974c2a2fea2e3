using GreyOS.Abstractions.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GreyOS.Runtime.Wasmtime;

public static class WasmtimeRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Wasmtime WebAssembly runtime as the node's <see cref="IWasmRuntime"/> (a singleton
    /// owning one engine; disposed with the container). Needs a <c>DataDirectory</c> and logging.
    /// </summary>
    public static IServiceCollection AddWasmtimeRuntime(this IServiceCollection services)
    {
        services.TryAddSingleton<WasmtimeRuntime>();
        services.TryAddSingleton<IWasmRuntime>(sp => sp.GetRequiredService<WasmtimeRuntime>());
        return services;
    }
}
