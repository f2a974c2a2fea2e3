namespace GreyOS.Abstractions.Errors;

/// <summary>
/// The stable error codes of GreyOS. A code, once published, keeps its meaning forever; clients
/// branch on it. They appear as <c>code</c> in HTTP ProblemDetails bodies.
/// </summary>
public static class ErrorCodes
{
    /// <summary>The request is malformed (bad JSON, missing or out-of-range field).</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>No route matches the request.</summary>
    public const string NotFound = "not_found";

    /// <summary>The route exists but not for this HTTP method.</summary>
    public const string MethodNotAllowed = "method_not_allowed";

    /// <summary>The request has no valid session.</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>The principal lacks the permission.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>Too many requests from this client; retry after the indicated delay.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>An unexpected server fault; the trace id in the body identifies it in the logs.</summary>
    public const string InternalError = "internal_error";

    /// <summary>The node is starting or stopping.</summary>
    public const string NotReady = "not_ready";

    /// <summary>The setup code is wrong, already used, or setup is already complete.</summary>
    public const string SetupCodeInvalid = "setup_code_invalid";

    /// <summary>The password does not meet the password policy.</summary>
    public const string PasswordPolicy = "password_policy";

    /// <summary>The user name or password is wrong (deliberately not saying which).</summary>
    public const string InvalidCredentials = "invalid_credentials";

    /// <summary>The module is not valid WebAssembly, imports unknown functions, or has no entry point.</summary>
    public const string InvalidModule = "invalid_module";

    /// <summary>No module with this hash is known to the node: upload it first.</summary>
    public const string ModuleNotFound = "module_not_found";

    /// <summary>A limit in the request is out of range.</summary>
    public const string LimitOutOfRange = "limit_out_of_range";

    /// <summary>No process with this PID (or not visible to the caller).</summary>
    public const string ProcessNotFound = "process_not_found";

    /// <summary>Too many processes for this user or node.</summary>
    public const string ProcessQuota = "process_quota";
}
