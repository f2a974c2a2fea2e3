using System.Net.Http.Json;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Web.E2ETests;

internal static class NodeHealth
{
    /// <summary>Reads /api/v1/health over real HTTP, beside the browser.</summary>
    public static async Task<HealthResponse> GetAsync(TestNode node, CancellationToken cancellationToken)
    {
        var health = await node.Http.GetFromJsonAsync("/api/v1/health", ProtocolJsonContext.Default.HealthResponse, cancellationToken);
        Assert.NotNull(health);
        return health;
    }
}
