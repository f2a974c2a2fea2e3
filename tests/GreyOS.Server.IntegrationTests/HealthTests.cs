using System.Net;
using System.Net.Http.Json;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_FreshNode_ReportsOkVersionAndInstanceDid()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        var health = await node.Http.GetFromJsonAsync("/api/v1/health", ProtocolJsonContext.Default.HealthResponse, TestContext.Current.CancellationToken);

        Assert.NotNull(health);
        Assert.Equal("ok", health.Status);
        Assert.StartsWith("did:key:z6Mk", health.Instance, StringComparison.Ordinal);
        Assert.Equal(node.InstanceDid, health.Instance);
        Assert.True(health.SetupPending);
    }

    [Fact]
    public async Task Ready_StartedNode_Returns200()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        var response = await node.Http.GetAsync("/api/v1/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
