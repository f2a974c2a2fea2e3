using System.Globalization;
using System.Security.Claims;
using GreyOS.Abstractions.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;

namespace GreyOS.Server.Http;

/// <summary>Endpoint metadata: the permission an endpoint needs (also published in OpenAPI as <c>x-greyos-permission</c>).</summary>
internal sealed record RequiredPermission(string Name);

/// <summary>Endpoint metadata: the endpoint needs a fresh credential proof (step-up).</summary>
internal sealed record RequiresStepUp;

/// <summary>Endpoint metadata: accept request bodies up to this size (read before the endpoint when a signature covers content-digest).</summary>
internal sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

internal sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;

/// <summary>Grants a <see cref="PermissionRequirement"/> when the session's permissions include it (<c>*</c> and <c>family.*</c> count).</summary>
internal sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (context.User.Has(requirement.Permission))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The signed-in caller, read from the claims <see cref="GreyOSAuthentication"/> sets.</summary>
internal static class Caller
{
    public static string UserId(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    public static string SessionId(this ClaimsPrincipal user) => user.FindFirstValue(GreyOSAuthentication.SessionIdClaim)!;

    public static string? DeviceId(this ClaimsPrincipal user) => user.FindFirstValue(GreyOSAuthentication.DeviceClaim);

    public static IReadOnlyList<string> Permissions(this ClaimsPrincipal user) =>
        user.FindAll(GreyOSAuthentication.PermissionClaim).Select(c => c.Value).Order(StringComparer.Ordinal).ToList();

    public static bool Has(this ClaimsPrincipal user, string permission) =>
        GreyOS.Abstractions.Identity.Permissions.Grants(user.FindAll(GreyOSAuthentication.PermissionClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal), permission);

    public static DateTimeOffset FreshUntil(this ClaimsPrincipal user) => Millis(user, GreyOSAuthentication.FreshUntilClaim);

    public static DateTimeOffset ExpiresAt(this ClaimsPrincipal user) => Millis(user, GreyOSAuthentication.ExpiresClaim);

    private static DateTimeOffset Millis(ClaimsPrincipal user, string claim) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(user.FindFirstValue(claim) ?? "0", CultureInfo.InvariantCulture));
}

internal static class AuthorizationConventions
{
    /// <summary>The endpoint needs <paramref name="permission"/> (403 <c>forbidden</c> without it).</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .RequireAuthorization(new AuthorizationPolicyBuilder(GreyOSAuthentication.SchemeName).RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)).Build())
            .WithMetadata(new RequiredPermission(permission));

    /// <summary>The endpoint needs a recent credential proof: 403 <c>step_up_required</c> otherwise.</summary>
    public static TBuilder RequireStepUp<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiresStepUp()).AddEndpointFilter(static async (context, next) =>
        {
            var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
            return context.HttpContext.User.FreshUntil() < time.GetUtcNow() ? StepUpRequired() : await next(context).ConfigureAwait(false);
        });

    /// <summary>Problem for an action that needs step-up.</summary>
    public static IResult StepUpRequired() =>
        Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.StepUpRequired, "this action needs a fresh proof: POST /api/v1/auth/step-up (greyos login refreshes it) and retry");
}
