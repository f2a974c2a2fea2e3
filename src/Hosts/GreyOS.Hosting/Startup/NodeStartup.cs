using Microsoft.Extensions.DependencyInjection;
using GreyOS.Abstractions.Node;

namespace GreyOS.Hosting.Startup;

/// <summary>Runs the node's start-up steps in order before the host starts listening.</summary>
public static class NodeStartup
{
    /// <summary>Runs every <see cref="INodeInitializer"/> by ascending order.</summary>
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        foreach (var step in services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        services.GetRequiredService<NodeInfo>().MarkReady();
    }
}
