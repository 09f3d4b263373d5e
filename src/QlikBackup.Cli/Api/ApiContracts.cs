using System.Text.Json;
using System.Text.Json.Serialization;

namespace QlikBackup.Cli.Api;

// The CLI's own view of the HTTP API's JSON. It does not reference QlikBackup.Core on purpose: the tool must keep
// working against a deployment of another version, so every field is optional and enum values are kept as text
// (an unknown kind or status is shown, not rejected). The tests serialize Core's records to prove the shapes match.

/// <summary>RFC 9457 problem details, as every handler answers errors.</summary>
public sealed record ProblemDetails(int? Status, string? Title, string? Detail);

/// <summary>202 answer of every call that starts a Durable operation.</summary>
public sealed record OperationAccepted(string Id, string? Name, string? StatusUri);

/// <summary>A row of GET /api/drills.</summary>
public sealed record DrillSummary(string DrillId, DateTimeOffset StartedAt, string Scope, string Tier, bool Passed, string Headline);

public sealed record OperationStatus(
    string Id, string? Name, string? Status, DateTimeOffset? CreatedAt, DateTimeOffset? LastUpdatedAt, JsonElement? Output, string? Failure)
{
    /// <summary>Durable runtime statuses after which the operation never changes again.</summary>
    public bool IsFinished => Status is "Completed" or "Failed" or "Terminated" or "Canceled";

    public bool Succeeded => Status == "Completed";
}

public sealed record RecoveryPoint(
    string PointId, string? Kind, string? AssetId, string? Name, string? SpaceId, string? SpaceName, string? OwnerId, string? Tier,
    DateTimeOffset? CapturedAt, DateTimeOffset? SourceModifiedAt, string? Status, long Size, long NewBytes,
    string? ChangedBy, DateTimeOffset? ChangedAt, string? ChangedFromClient, string? Error, string? RestoredAsId = null);

public sealed record CaptureSummary(int Captured, int Unchanged, int Deleted, int Failed, long Bytes, long NewBytes);

public sealed record CaptureRun(string? Tier, string? RunId, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Spaces, CaptureSummary? Summary);

/// <summary><see cref="HasSpaces"/> false: no space is in the tier, so it has nothing to capture (an older API omits it: true).</summary>
public sealed record TierStatus(string? Tier, TimeSpan? Objective, CaptureRun? LastRun, CaptureRun? LastCleanRun, bool RpoBreached, TimeSpan? Age, bool HasSpaces = true);

public sealed record PromoteResult(string? ProductionAppId, string? Method, IReadOnlyList<string>? Changes);

public sealed record SpaceTiers(string? DefaultTier, IReadOnlyDictionary<string, string>? Spaces);

/// <summary><see cref="Restored"/>: deleted apps and spaces whose history continues under a new id (an older API omits it).</summary>
public sealed record StatusReport(IReadOnlyList<TierStatus>? Tiers, bool RpoBreached, IReadOnlyList<RestoredAsset>? Restored = null);

/// <summary>A deleted app or space that a restore brought back under <see cref="RestoredAsId"/>.</summary>
public sealed record RestoredAsset(string? Kind, string AssetId, string? Name, string RestoredAsId, DateTimeOffset? RestoredAt);

public sealed record SpaceStatus(
    string? SpaceId, string? Name, string? Type, string? Tier, TimeSpan? Objective, DateTimeOffset? ProtectedAt, string? NewestPointId, TimeSpan? Age, bool RpoBreached);

public sealed record SpaceStatusReport(DateTimeOffset Now, IReadOnlyList<SpaceStatus>? Spaces);

/// <summary>The body of POST /api/restores (mirrors Core's RestoreRequest; nulls are left out).</summary>
public sealed record RestoreRequest
{
    public string Scope { get; init; } = "App";
    public string? PointId { get; init; }
    public string? Kind { get; init; }
    public string? AssetId { get; init; }
    public DateTimeOffset? IncidentTime { get; init; }
    public string? ObjectId { get; init; }
    public IReadOnlyList<string>? Kinds { get; init; }
    public string Target { get; init; } = "InPlace";
    public string? TargetSpaceId { get; init; }
    public string? TargetSpaceName { get; init; }
    public bool CreateTargetSpace { get; init; }
    public bool DryRun { get; init; }
    public bool RemoveObjectsAddedSincePoint { get; init; } = true;
    // Core declares it `required`: a body without it is rejected as malformed, so the CLI always sends it.
    public string Operator { get; init; } = "";
}

public sealed record RestoreAction(
    string? Id, string? Kind, string? AssetKind, string? AssetId, string? Name, string? ObjectId, string? Description,
    string? PointId, string? Part, string? Step);

public sealed record RestoreTarget(
    string? PointId, string? Kind, string? AssetId, string? Name, string? TargetAssetId, string? TargetSpaceId,
    string? TargetSpaceActionId, bool Validation, bool Isolated = false, string? TargetSpace = null);

public sealed record PointAttribution(string? PointId, DateTimeOffset? CapturedAt, string? ChangedBy, DateTimeOffset? ChangedAt, string? ChangedFromClient);

public sealed record RestorePlan(
    string? RestoreId,
    RestoreRequest? Request,
    IReadOnlyList<RecoveryPoint>? Points,
    IReadOnlyList<RestoreAction>? Actions,
    IReadOnlyList<string>? ReconfigurationChecklist,
    IReadOnlyList<string>? Warnings,
    IReadOnlyList<RestoreTarget>? Targets,
    IReadOnlyList<PointAttribution>? Attributions,
    DateTimeOffset? CreatedAt,
    string? Summary);

public sealed record RestoreResult(
    string? RestoreId, bool Succeeded, IReadOnlyList<RestoreAction>? Done, IReadOnlyDictionary<string, string>? IdMap, string? RestoredAssetId, string? Error);

/// <summary>Output of a restore operation: the plan it followed and, unless it was a dry run, the result.</summary>
public sealed record RestoreOutcome(RestorePlan? Plan, RestoreResult? Result, TimeSpan? Duration);

/// <summary>Output of a tier backup (CaptureRunResult) or a one-asset backup (AssetCaptureResult): both are read leniently.</summary>
public sealed record CaptureOutput(
    string? Tier, IReadOnlyList<SpaceCaptureResult>? Spaces, CaptureSummary? Summary,
    JsonElement? Asset, string? Outcome, string? PointId, long Size, long NewBytes, int ObjectCount, string? Error);

public sealed record SpaceCaptureTarget(string? SpaceId, string? SpaceName, string? Tier);

public sealed record CaptureFailure(JsonElement? Asset, string? Error);

public sealed record SpaceCaptureResult(SpaceCaptureTarget? Space, int Assets, CaptureSummary? Summary, IReadOnlyList<CaptureFailure>? Failures);

public sealed record JsonChange(string? Path, string? Old, string? New);

public sealed record PartDiff(string? Part, IReadOnlyList<JsonChange>? Changes);

public sealed record DiffLine(string? Kind, int? OldLine, int? NewLine, string? Text);

public sealed record ScriptDiff(int Added, int Removed, IReadOnlyList<DiffLine>? Lines);

public sealed record RestoreComparison(
    string? Left, string? Right, IReadOnlyList<string>? Added, IReadOnlyList<string>? Removed, IReadOnlyList<PartDiff>? Changed, int Unchanged, ScriptDiff? Script);

/// <summary>JSON conventions: the API's (camelCase, enums as strings), read case-insensitively and tolerantly.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Create();

    static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        // Durable outputs may carry enums as numbers: read any scalar into the text fields.
        options.Converters.Add(new ScalarAsStringConverter());
        return options;
    }

    /// <summary>Indented copy of a JSON text for --json output; non-JSON text is returned unchanged.</summary>
    public static string Pretty(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return "{}";
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    sealed class ScalarAsStringConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.TryGetInt64(out long n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : reader.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            JsonTokenType.Null => null,
            _ => JsonDocument.ParseValue(ref reader).RootElement.GetRawText(),
        };

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
