using System.Net;

namespace GreyOS.Client;

/// <summary>
/// The node answered a request with an error status. <see cref="Code"/> is the stable,
/// machine-readable error code from the RFC 9457 problem body (branch on it, never on
/// <see cref="Exception.Message"/>); it is null when the body was not a GreyOS problem
/// (for example an HTML page from a proxy).
/// </summary>
public sealed class GreyOSApiException : Exception
{
    public GreyOSApiException()
        : this(HttpStatusCode.InternalServerError, code: null, detail: null, title: null, traceId: null)
    {
    }

    public GreyOSApiException(string message)
        : base(message)
    {
        StatusCode = HttpStatusCode.InternalServerError;
    }

    public GreyOSApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = HttpStatusCode.InternalServerError;
    }

    public GreyOSApiException(HttpStatusCode statusCode, string? code, string? detail, string? title, string? traceId, Exception? innerException = null)
        : base(Describe(statusCode, code, detail, title), innerException)
    {
        StatusCode = statusCode;
        Code = code;
        Detail = detail;
        Title = title;
        TraceId = traceId;
    }

    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The stable error code (<c>setup_code_invalid</c>, <c>invalid_credentials</c> …), or null when the body carried none.</summary>
    public string? Code { get; }

    /// <summary>The human-readable explanation the node gave, if any.</summary>
    public string? Detail { get; }

    /// <summary>The problem's title (a short summary of the status), if any.</summary>
    public string? Title { get; }

    /// <summary>The id that finds this request in the node's logs, if any.</summary>
    public string? TraceId { get; }

    /// <summary>The best one-line explanation: the detail, else the title, else the HTTP status.</summary>
    public string Explanation => Describe(StatusCode, code: null, Detail, Title);

    private static string Describe(HttpStatusCode status, string? code, string? detail, string? title)
    {
        var text = !string.IsNullOrWhiteSpace(detail) ? detail
            : !string.IsNullOrWhiteSpace(title) ? title
            : $"the node answered HTTP {(int)status} {status}";
        return code is null ? text : $"{text} ({code})";
    }
}
