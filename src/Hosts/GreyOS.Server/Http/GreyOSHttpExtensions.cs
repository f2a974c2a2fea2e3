using System.Threading.RateLimiting;
using GreyOS.Abstractions.Errors;
using Microsoft.AspNetCore.Authorization;

namespace GreyOS.Server.Http;

/// <summary>The node's HTTP policies: errors, authentication (deny by default), rate limits, headers.</summary>
internal static partial class GreyOSHttpExtensions
{
    /// <summary>The rate-limit policy of credential endpoints (setup, login): per client address.</summary>
    public const string CredentialsPolicy = "credentials";

    public static IServiceCollection AddGreyOSHttp(this IServiceCollection services, int credentialRequestsPerMinute)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        services.AddSingleton(new FailedCredentialLimiter(credentialRequestsPerMinute));
        services.AddAuthentication(GreyOSAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, GreyOSAuthentication>(GreyOSAuthentication.SchemeName, null);

        // Deny by default: every endpoint needs a session unless it says AllowAnonymous; endpoints
        // name the permission they need on top (RequirePermission).
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(GreyOSAuthentication.SchemeName).RequireAuthenticatedUser().Build());

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(CredentialsPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = credentialRequestsPerMinute,
                    TokensPerPeriod = Math.Max(1, credentialRequestsPerMinute / 6),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(10),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : TimeSpan.FromSeconds(10);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Problems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, $"too many attempts; retry in {Math.Ceiling(retryAfter.TotalSeconds)} s")
                    .ExecuteAsync(context.HttpContext).ConfigureAwait(false);
            };
        });
        return services;
    }

    public static WebApplication UseGreyOSHttp(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
            return next(context);
        });
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }
}
