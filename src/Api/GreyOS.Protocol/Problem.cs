namespace GreyOS.Protocol;

/// <summary>
/// An RFC 9457 problem details body as GreyOS sends it: <c>code</c> is the stable machine-readable
/// error code (see <c>docs/errors.md</c>), <c>traceId</c> finds the request in the node's logs.
/// </summary>
public sealed record ProblemResponse(string? Type, string? Title, int? Status, string? Detail, string? Code, string? TraceId);
