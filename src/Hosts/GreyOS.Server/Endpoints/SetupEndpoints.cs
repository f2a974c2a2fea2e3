using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Protocol;
using GreyOS.Server.Http;

namespace GreyOS.Server.Endpoints;

internal static class SetupEndpoints
{
    public static RouteGroupBuilder MapSetupEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/setup", async Task<Results<Ok<SetupResponse>, ProblemHttpResult>> (SetupRequest? request, IAdminSetup setup, CancellationToken cancellationToken) =>
            {
                if (request is null || string.IsNullOrEmpty(request.Code) || request.Password is null)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "send {\"code\": \"…\", \"password\": \"…\"}");
                }

                var result = await setup.CompleteAsync(request.Code, request.Password, cancellationToken).ConfigureAwait(false);
                return result.IsSuccess
                    ? TypedResults.Ok(new SetupResponse(result.Value))
                    : result.Error.ToResult();
            })
            .AllowAnonymous()
            .RequireRateLimiting(GreyOSHttpExtensions.CredentialsPolicy)
            .WithName("CompleteSetup")
            .WithSummary("Spends the one-time setup code printed at first boot to set the administrator's password.");
        return api;
    }
}
