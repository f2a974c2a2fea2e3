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
}
