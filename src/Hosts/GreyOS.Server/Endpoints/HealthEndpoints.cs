using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Hosting;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

internal static class HealthEndpoints
{
    public static RouteGroupBuilder MapHealthEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/health", (NodeInfo node, IInstanceIdentity identity, IAdminSetup setup) =>
                TypedResults.Ok(new HealthResponse("ok", NodeInfo.Version, identity.Did, node.StartedAt, Math.Round(node.Uptime.TotalSeconds, 3), setup.IssuedCode is not null)))
            .AllowAnonymous()
            .WithName("GetHealth")
            .WithSummary("Liveness: status, version, instance DID and uptime.");

        api.MapGet("/ready", Results<Ok<ReadyResponse>, ProblemHttpResult> (NodeInfo node) =>
                node.IsReady
                    ? TypedResults.Ok(new ReadyResponse("ready"))
                    : Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.NotReady, "the node is starting or stopping"))
            .AllowAnonymous()
            .WithName("GetReady")
            .WithSummary("Readiness: 200 when the node serves requests, 503 while starting or stopping.");
        return api;
    }
}
