using System.Diagnostics;
using GreyOS.Abstractions.Errors;

namespace GreyOS.Server.Http;

/// <summary>
/// The one place where errors become HTTP: every error response is an RFC 9457 ProblemDetails body
/// carrying a stable <c>code</c> and the request's <c>traceId</c>.
/// </summary>
internal static class Problems
{
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ErrorKind.InsufficientStorage => StatusCodes.Status507InsufficientStorage,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The default code of a status when the failure did not name a more precise one.</summary>
    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge or StatusCodes.Status415UnsupportedMediaType => ErrorCodes.InvalidRequest,
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthenticated,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.NotReady,
        _ => ErrorCodes.InternalError,
    };

    /// <summary>An error value as an HTTP result, with <c>Retry-After</c> when the error says how long to wait.</summary>
    public static ProblemHttpResult ToResult(this GreyError error, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(context);
        if (error.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(Math.Max(1, wait.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return error.ToResult();
    }

    /// <summary>An error value as an HTTP result.</summary>
    public static ProblemHttpResult ToResult(this GreyError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Create(StatusOf(error.Kind), error.Code, error.Message);
    }

    public static ProblemHttpResult Create(int status, string code, string detail) => TypedResults.Problem(
        statusCode: status,
        detail: detail,
        extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>Fills <c>code</c> and <c>traceId</c> on every ProblemDetails the node writes.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Extensions.TryAdd("code", CodeOf(status));
        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        if (context.Exception is BadHttpRequestException bad && problem.Detail is null)
        {
            problem.Detail = bad.Message;
        }

        problem.Detail ??= status switch
        {
            StatusCodes.Status401Unauthorized => "a valid session is required: log in (greyos login) — requests are signed with your device key, browsers use the session cookie; the session may have expired or been revoked",
            StatusCodes.Status403Forbidden => "the signed-in user lacks the permission for this request",
            StatusCodes.Status404NotFound => "no such resource",
            StatusCodes.Status405MethodNotAllowed => "the resource does not support this HTTP method",
            StatusCodes.Status413PayloadTooLarge => "the request body is too large",
            _ => null,
        };
    }
}
