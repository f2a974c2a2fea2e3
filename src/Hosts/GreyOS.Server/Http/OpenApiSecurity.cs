using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GreyOS.Server.Http;

/// <summary>Publishes each operation's access rule in the OpenAPI document (the auth walk test reads it).</summary>
internal static class OpenApiSecurity
{
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Extensions["x-greyos-anonymous"] = new JsonNodeExtension(JsonValue.Create(true));
        }

        if (metadata.OfType<RequiredPermission>().LastOrDefault() is { } permission)
        {
            operation.Extensions["x-greyos-permission"] = new JsonNodeExtension(JsonValue.Create(permission.Name));
        }

        if (metadata.OfType<RequiresStepUp>().Any())
        {
            operation.Extensions["x-greyos-step-up"] = new JsonNodeExtension(JsonValue.Create(true));
        }

        return Task.CompletedTask;
    }
}
