namespace GreyOS.Abstractions.Errors;

/// <summary>The class of an expected failure; the HTTP layer maps each kind to one status code.</summary>
public enum ErrorKind
{
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    TooManyRequests,
    Unavailable,

    /// <summary>A precondition of the request (e.g. <c>If-Match</c>) does not hold.</summary>
    PreconditionFailed,

    /// <summary>The request would exceed a storage quota.</summary>
    InsufficientStorage,

    /// <summary>The request body is larger than allowed.</summary>
    TooLarge,
}
