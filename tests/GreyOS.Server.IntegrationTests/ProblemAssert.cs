using System.Net;
using System.Net.Http.Json;
using GreyOS.Protocol;

namespace GreyOS.Server.IntegrationTests;

internal static class ProblemAssert
{
    /// <summary>Asserts an RFC 9457 problem response with the given status and stable code; returns it.</summary>
    public static async Task<ProblemResponse> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ProblemResponse);
        Assert.NotNull(problem);
        Assert.Equal(code, problem.Code);
        Assert.Equal((int)status, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.TraceId));
        return problem;
    }
}
