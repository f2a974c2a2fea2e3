namespace GreyOS.Abstractions.Errors;

/// <summary>An expected failure, returned as a value. <see cref="Code"/> is stable and machine-readable.</summary>
public sealed record GreyError(ErrorKind Kind, string Code, string Message)
{
    /// <summary>For <see cref="ErrorKind.TooManyRequests"/>: how long to wait before retrying (HTTP <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static GreyError Invalid(string code, string message) => new(ErrorKind.Invalid, code, message);

    public static GreyError Unauthenticated(string code, string message) => new(ErrorKind.Unauthenticated, code, message);

    public static GreyError Forbidden(string code, string message) => new(ErrorKind.Forbidden, code, message);

    public static GreyError NotFound(string code, string message) => new(ErrorKind.NotFound, code, message);

    public static GreyError Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);

    public static GreyError TooManyRequests(string code, string message) => new(ErrorKind.TooManyRequests, code, message);

    public static GreyError PreconditionFailed(string code, string message) => new(ErrorKind.PreconditionFailed, code, message);

    public static GreyError InsufficientStorage(string code, string message) => new(ErrorKind.InsufficientStorage, code, message);

    public static GreyError TooLarge(string code, string message) => new(ErrorKind.TooLarge, code, message);
}
