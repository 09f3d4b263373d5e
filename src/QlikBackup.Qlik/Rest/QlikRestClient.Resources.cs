using System.Text.Json;
using System.Text.Json.Nodes;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Rest;

public sealed partial class QlikRestClient
{
    public IAsyncEnumerable<QlikResource> ListAsync(QlikResourceKind kind, CancellationToken ct = default)
    {
        var d = QlikResourceDescriptor.For(kind);
        var query = new List<string>();
        if (d.Paged) query.Add($"limit={PageSize}");
        if (d.ListQuery is not null) query.Add(d.ListQuery);
        var path = $"{Api}{d.Path}" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        return Map(PageAsync(path, d.ListMember, ct), e => ToResource(kind, e), ct);
    }

    public async Task<QlikResource?> GetAsync(QlikResourceKind kind, string id, CancellationToken ct = default) =>
        await GetOrNullAsync(ItemPath(kind, id), ct).ConfigureAwait(false) is { } e ? ToResource(kind, e) : null;

    public Task<QlikResource> CreateAsync(QlikResourceKind kind, JsonElement body, CancellationToken ct = default) => CreateAsync(kind, body, null, ct);

    public Task<QlikResource> CreateAsAsync(QlikResourceKind kind, JsonElement body, string asUserId, CancellationToken ct = default)
        => CreateAsync(kind, body, asUserId, ct);

    private async Task<QlikResource> CreateAsync(QlikResourceKind kind, JsonElement body, string? asUserId, CancellationToken ct)
    {
        var d = QlikResourceDescriptor.For(kind);
        if (d.CreateIsMultipart)
            throw new NotSupportedException($"{kind} is created from its archive: use {nameof(UploadThemeAsync)}.");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}{d.Path}") { Content = JsonBody(JsonNode.Parse(body.GetRawText())!) };
        if (asUserId is not null) request.Options.Set(QlikRequestOptions.ActAsUserId, asUserId);
        return ToResource(kind, await SendForJsonAsync(request, ct).ConfigureAwait(false));
    }

    public Task ChangeOwnerAsync(QlikResourceKind kind, string id, string ownerId, CancellationToken ct = default) => kind switch
    {
        // Both take the new owner as "userId" (reference §5).
        QlikResourceKind.Automation or QlikResourceKind.AutomationConnection =>
            SendJsonAsync(HttpMethod.Post, $"{ItemPath(kind, id)}/actions/change-owner", Obj(("userId", ownerId)), ct),
        _ => throw new NotSupportedException($"Qlik has no change-owner action for {kind}."),
    };

    public async Task<QlikResource> ReplaceAsync(QlikResourceKind kind, string id, JsonElement body, CancellationToken ct = default)
    {
        var d = QlikResourceDescriptor.For(kind);
        var path = ItemPath(kind, id);
        switch (d.Replace)
        {
            case ReplaceMode.Put:
                return ToResource(kind, await SendJsonAsync(HttpMethod.Put, path, JsonNode.Parse(body.GetRawText()), ct).ConfigureAwait(false));
            case ReplaceMode.PutNoContent:
                await SendJsonAsync(HttpMethod.Put, path, JsonNode.Parse(body.GetRawText()), ct).ConfigureAwait(false);
                break;
            case ReplaceMode.JsonPatch:
                var ops = PatchOps(d, body);
                if (ops.Count > 0)
                {
                    var precondition = kind == QlikResourceKind.IdentityProvider ? await IdpOptionsHashAsync(path, ct).ConfigureAwait(false) : null;
                    await SendJsonAsync(HttpMethod.Patch, path, ops, ct,
                        r => { if (precondition is not null) r.Headers.TryAddWithoutValidation("QLIK-IDP-POPTS-MATCH", precondition); }).ConfigureAwait(false);
                }
                break;
            case ReplaceMode.MultipartPatch:
                using (var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = ThemeMultipart(body, null, null) })
                    await SendForJsonAsync(request, ct).ConfigureAwait(false);
                break;
        }
        // Answers without the resource (204, or a list): read it back so callers get the stored state.
        return await GetAsync(kind, id, ct).ConfigureAwait(false)
            ?? throw new QlikApiException(404, [new QlikError("NOT-FOUND", $"{kind} {id} disappeared right after it was updated", null, 404)]);
    }

    public Task DeleteAsync(QlikResourceKind kind, string id, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Delete, ItemPath(kind, id), null, ct);

    private static string ItemPath(QlikResourceKind kind, string id) => $"{Api}{QlikResourceDescriptor.For(kind).Path}/{Esc(id)}";

    /// <summary>One JSON Patch <c>replace</c> per patchable member the body carries; read-only members (ids, dates) are left out.</summary>
    private static JsonArray PatchOps(QlikResourceDescriptor d, JsonElement body)
    {
        var ops = new JsonArray();
        if (body.ValueKind != JsonValueKind.Object) return ops;
        foreach (var patchPath in d.PatchPaths)
        {
            if (body.TryGetProperty(patchPath.TrimStart('/'), out var value))
                ops.Add(new JsonObject { ["op"] = "replace", ["path"] = patchPath, ["value"] = JsonNode.Parse(value.GetRawText()) });
        }
        return ops;
    }

    /// <summary>Identity-provider PATCH must echo the QLIK-IDP-POPTS header of the current configuration.</summary>
    private async Task<string?> IdpOptionsHashAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await QlikErrors.ToExceptionAsync(response, ct).ConfigureAwait(false);
        return response.Headers.TryGetValues("QLIK-IDP-POPTS", out var values) ? values.FirstOrDefault() : null;
    }

    private static QlikResource ToResource(QlikResourceKind kind, JsonElement e)
    {
        var d = QlikResourceDescriptor.For(kind);
        return new QlikResource(
            Required(e, kind.ToString(), d.IdMembers),
            QlikJson.Str(e, d.NameMembers),
            QlikJson.Str(e, d.SpaceMembers),
            QlikJson.Str(e, d.OwnerMembers),
            QlikJson.Date(e, QlikResourceDescriptor.UpdatedMembers),
            e);
    }
}
