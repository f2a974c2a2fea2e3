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

    /// <summary>A user with this name already exists.</summary>
    public const string UserExists = "user_exists";

    /// <summary>No such user.</summary>
    public const string UserNotFound = "user_not_found";

    /// <summary>A group with this name already exists.</summary>
    public const string GroupExists = "group_exists";

    /// <summary>No such group.</summary>
    public const string GroupNotFound = "group_not_found";

    /// <summary>Adding this member would make a group contain itself.</summary>
    public const string GroupCycle = "group_cycle";

    /// <summary>No such role.</summary>
    public const string RoleNotFound = "role_not_found";

    /// <summary>Built-in roles (admin, user, guest) cannot be changed or deleted.</summary>
    public const string RoleBuiltIn = "role_built_in";

    /// <summary>The change would leave the node without an active administrator.</summary>
    public const string LastAdmin = "last_admin";

    /// <summary>The action needs a recent proof of the credential: step up (POST /api/v1/auth/step-up) and retry.</summary>
    public const string StepUpRequired = "step_up_required";

    /// <summary>Too many failed logins for this name: wait for the Retry-After delay.</summary>
    public const string LoginThrottled = "login_throttled";

    /// <summary>The request signature is missing a part, stale, replayed, or does not verify.</summary>
    public const string InvalidSignature = "invalid_signature";

    /// <summary>The CSRF token is missing or wrong (browser sessions, unsafe methods).</summary>
    public const string CsrfInvalid = "csrf_invalid";

    /// <summary>No such device (or not the caller's).</summary>
    public const string DeviceNotFound = "device_not_found";

    /// <summary>This key is already registered as a device.</summary>
    public const string DeviceExists = "device_exists";

    /// <summary>No such session (or not the caller's).</summary>
    public const string SessionNotFound = "session_not_found";

    /// <summary>No file or folder at the path (or its parent folder is missing).</summary>
    public const string FileNotFound = "file_not_found";

    /// <summary>Something already exists at the path.</summary>
    public const string FileExists = "file_exists";

    /// <summary>The path (or a parent) names a file where a folder is needed.</summary>
    public const string NotAFolder = "not_a_folder";

    /// <summary>The path names a folder where a file is needed.</summary>
    public const string NotAFile = "not_a_file";

    /// <summary>The folder has entries: delete them first or delete recursively.</summary>
    public const string FolderNotEmpty = "folder_not_empty";

    /// <summary>The file changed since it was read (If-Match / ETag differs): read it again and retry.</summary>
    public const string EtagMismatch = "etag_mismatch";

    /// <summary>The content is larger than allowed (limit or quota at write time).</summary>
    public const string ContentTooLarge = "content_too_large";

    /// <summary>The content ended before, or ran past, its declared length (a truncated or oversized upload).</summary>
    public const string ContentLengthMismatch = "content_length_mismatch";

    /// <summary>The path or name is not valid: relative, a <c>.</c> or <c>..</c> segment, a forbidden character or escape, or over a limit.</summary>
    public const string InvalidPath = "invalid_path";
}
