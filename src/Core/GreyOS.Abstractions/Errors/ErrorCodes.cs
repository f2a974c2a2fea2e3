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

    /// <summary>The write would take the owner past their storage quota (live files and trash count): free space or empty the trash.</summary>
    public const string QuotaExceeded = "quota_exceeded";

    /// <summary>No such version of the file.</summary>
    public const string VersionNotFound = "version_not_found";

    /// <summary>No such item in the caller's trash.</summary>
    public const string TrashItemNotFound = "trash_item_not_found";

    /// <summary>No such share on the path for that user, group or app.</summary>
    public const string ShareNotFound = "share_not_found";

    /// <summary>No such public link (or it was revoked).</summary>
    public const string LinkNotFound = "link_not_found";

    /// <summary>The public link has expired.</summary>
    public const string LinkExpired = "link_expired";

    /// <summary>The public link needs its password (missing or wrong).</summary>
    public const string LinkPassword = "link_password";

    /// <summary>No mount with that name.</summary>
    public const string MountNotFound = "mount_not_found";

    /// <summary>A mount with that name exists already.</summary>
    public const string MountExists = "mount_exists";

    /// <summary>No such resumable upload (or not the caller's, or it expired or was cancelled).</summary>
    public const string UploadNotFound = "upload_not_found";

    /// <summary>A part of a resumable upload was sent for another offset than the one the node holds: ask for the offset (HEAD) and resume from there.</summary>
    public const string UploadOffsetMismatch = "upload_offset_mismatch";

    /// <summary>A resumable upload cannot complete yet: not all of its declared bytes have arrived.</summary>
    public const string UploadIncomplete = "upload_incomplete";

    /// <summary>Another request is writing to this resumable upload right now: wait a moment and ask for the offset.</summary>
    public const string UploadBusy = "upload_busy";

    /// <summary>The caller has the most open resumable uploads allowed: complete or cancel one first.</summary>
    public const string TooManyUploads = "too_many_uploads";

    /// <summary>No such app password (or not the caller's).</summary>
    public const string AppPasswordNotFound = "app_password_not_found";

    /// <summary>The user has the most live app passwords allowed: revoke one first.</summary>
    public const string AppPasswordLimit = "app_password_limit";

    /// <summary>The resource is locked (WebDAV) and the request did not submit a lock token the caller holds.</summary>
    public const string Locked = "locked";

    /// <summary>No such lock, or not the caller's, or it does not cover the resource.</summary>
    public const string LockNotFound = "lock_not_found";

    /// <summary>The user holds the most WebDAV locks allowed: unlock some first.</summary>
    public const string LockLimit = "lock_limit";

    /// <summary>Too many or too large WebDAV dead properties on one resource.</summary>
    public const string PropertyLimit = "property_limit";
}
