using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using QlikBackup.Functions.Api;

namespace QlikBackup.LocalHost;

/// <summary>
/// Generates the OpenAPI 3.1 document from the route table (Microsoft.AspNetCore.OpenApi): each mapped route carries
/// its <see cref="ApiRoute"/> (body, answer, query). The generated document is served at /openapi/v1.json; the
/// committed docs/openapi.json, which both hosts serve at /api/openapi.json, must equal it (OpenApiDocumentTests).
/// </summary>
public static class ApiDescription
{
    public const string GeneratedPath = "/openapi/v1.json";

    public static void AddApiDescription(this IServiceCollection services)
    {
        // The schemas follow the API's JSON: camelCase names, enums as their names.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddOpenApi(o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "QlikBackup HTTP API",
                    Version = "1",
                    Description = "Backup and recovery of a Qlik Cloud tenant. Send the function key in the x-functions-key header. "
                        + "Errors are RFC 9457 problem documents whose 'field' names what to fix.",
                };
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    ["functionKey"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "x-functions-key" },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("functionKey", document)] = [] }];
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                ApiRoute? route = context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiRoute>().FirstOrDefault();
                if (route is null)
                {
                    return Task.CompletedTask;
                }

                operation.OperationId = route.OperationId;
                operation.Summary = route.Summary;
                if (route.Anonymous)
                {
                    operation.Security = [];
                }

                foreach (string name in route.RouteParameters)
                {
                    operation.Parameters ??= [];
                    if (!operation.Parameters.Any(p => p.Name == name && p.In == ParameterLocation.Path))
                    {
                        operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = Schema(null) });
                    }
                }

                if (route.Query.Count > 0)
                {
                    operation.Parameters ??= [];
                    foreach (ApiQueryParameter q in route.Query)
                    {
                        operation.Parameters.Add(new OpenApiParameter
                        {
                            Name = q.Name, In = ParameterLocation.Query, Description = q.Description, Required = q.Required, Schema = Schema(q.Type),
                        });
                    }
                }

                if (route.Method is "POST")
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = Operations.IdempotencyHeader, In = ParameterLocation.Header,
                        Description = "A retried POST with the same key answers the operation the first one started.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
                    });
                }

                return Task.CompletedTask;
            });
        });
    }

    /// <summary>Describes a mapped route for the generator.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder endpoint, ApiRoute route)
    {
        // Tagged by area (the template's first segment); the default tag, the entry assembly's name, differs between hosts.
        endpoint.WithName(route.OperationId).WithMetadata(route).WithTags(route.Template.Split('/')[0]);
        if (route.Body is not null)
        {
            endpoint.Accepts(route.Body, "application/json");
        }

        bool page = route.MediaType != "application/json";
        endpoint.Produces(route.Success, page ? typeof(string) : route.Returns, page || route.Returns is not null ? route.MediaType : null);
        endpoint.ProducesProblem(StatusCodes.Status400BadRequest);
        if (route.RouteParameters.Count > 0 || route.Method is "POST")
        {
            endpoint.ProducesProblem(StatusCodes.Status404NotFound);
        }

        foreach (int status in route.Problems)
        {
            endpoint.ProducesProblem(status);
        }

        if (route.Anonymous)
        {
            endpoint.ProducesProblem(StatusCodes.Status401Unauthorized);
        }

        return endpoint;
    }

    static OpenApiSchema Schema(Type? type)
    {
        if (type is { IsEnum: true })
        {
            return new OpenApiSchema { Type = JsonSchemaType.String, Enum = Enum.GetNames(type).Select(n => (JsonNode)JsonValue.Create(n)).ToList() };
        }

        return type == typeof(int) ? new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" }
            : type == typeof(DateTimeOffset) ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" }
            : new OpenApiSchema { Type = JsonSchemaType.String };
    }

    /// <summary>A document as committed: indented, stable line endings, so a diff shows what changed.</summary>
    public static string Normalize(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).ReplaceLineEndings("\n") + "\n";
}
