using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Qlik.Rest;

public sealed partial class QlikRestClient
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    public async Task<QlikApp?> GetAppAsync(string appId, CancellationToken ct = default) =>
        await GetOrNullAsync($"{Api}apps/{Esc(appId)}", ct).ConfigureAwait(false) is { } e ? ToApp(e) : null;

    public async Task<QlikApp> CreateAppAsync(string name, string? description, string? spaceId, CancellationToken ct = default) =>
        ToApp(await SendJsonAsync(HttpMethod.Post, $"{Api}apps",
            Obj(("attributes", Obj(("name", name), ("description", description), ("spaceId", spaceId)))), ct).ConfigureAwait(false));

    public async Task<QlikApp> UpdateAppAsync(string appId, string name, string? description, CancellationToken ct = default) =>
        ToApp(await SendJsonAsync(HttpMethod.Put, $"{Api}apps/{Esc(appId)}",
            Obj(("attributes", Obj(("name", name), ("description", description)))), ct).ConfigureAwait(false));

    public Task DeleteAppAsync(string appId, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Delete, $"{Api}apps/{Esc(appId)}", null, ct);

    public async Task<Stream> ExportAppAsync(string appId, bool noData = false, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}apps/{Esc(appId)}/export?NoData={(noData ? "true" : "false")}");
        // Exporting only writes a temporary file, so repeating it after a 5xx is harmless.
        request.Options.Set(QlikRequestOptions.SafeToRetry, true);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await QlikErrors.ToExceptionAsync(response, ct).ConfigureAwait(false);
        var location = response.Headers.Location
            ?? throw new QlikApiException((int)response.StatusCode, [new QlikError("INVALID-RESPONSE", "App export answered without a Location header", null, (int)response.StatusCode)]);
        var tempContentPath = ToTenantPath(location.OriginalString, new Uri(_http.BaseAddress!, request.RequestUri!));
        _logger.LogDebug("App {AppId} exported to {TempContent}", appId, tempContentPath);
        return await TempContentDownloadStream.OpenAsync(_http, tempContentPath, _options, ct).ConfigureAwait(false);
    }

    public async Task<QlikApp> ImportAppAsync(Stream qvf, string? spaceId, string? name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(qvf);
        var query = new List<string>();
        if (spaceId is not null) query.Add($"spaceId={Uri.EscapeDataString(spaceId)}");
        if (name is not null) query.Add($"name={Uri.EscapeDataString(name)}");
        var path = $"{Api}apps/import" + (query.Count > 0 ? "?" + string.Join('&', query) : "");

        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        // Streamed from the caller's stream, never buffered; a seekable stream is rewound if a 429 makes us resend.
        var content = new StreamContent(qvf, 81920);
        content.Headers.ContentType = OctetStream;
        // A stream that knows its length without seeking (a decrypting restore stream) is sent with Content-Length, not
        // chunked: the receiver can then take the file in one buffer of its size.
        if (!qvf.CanSeek && KnownLength(qvf) is { } length) content.Headers.ContentLength = length;
        request.Content = content;
        request.Options.Set(QlikRequestOptions.LongRunning, true);
        if (!qvf.CanSeek) request.Options.Set(QlikRequestOptions.SingleShot, true);
        return ToApp(await SendForJsonAsync(request, ct).ConfigureAwait(false));
    }

    static long? KnownLength(Stream stream)
    {
        try
        {
            return stream.Length;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    public async Task<QlikApp> CopyAppAsync(string appId, string name, string? spaceId, CancellationToken ct = default) =>
        ToApp(await SendJsonAsync(HttpMethod.Post, $"{Api}apps/{Esc(appId)}/copy",
            Obj(("attributes", Obj(("name", name), ("spaceId", spaceId)))), ct).ConfigureAwait(false));

    public async Task<QlikApp> PublishAppAsync(string appId, string managedSpaceId, string? name = null, string? originAppId = null, bool moveApp = false,
        CancellationToken ct = default) =>
        ToApp(await SendJsonAsync(HttpMethod.Post, $"{Api}apps/{Esc(appId)}/publish",
            Obj(("spaceId", managedSpaceId), ("data", "source"), ("attributes", name is null ? null : Obj(("name", name))),
                ("originAppId", originAppId), ("moveApp", moveApp ? true : null)), ct).ConfigureAwait(false));

    public async Task<QlikApp> RepublishAppAsync(string appId, string targetAppId, bool checkOriginAppId = true, CancellationToken ct = default) =>
        ToApp(await SendJsonAsync(HttpMethod.Put, $"{Api}apps/{Esc(appId)}/publish",
            Obj(("targetId", targetAppId), ("data", "source"), ("checkOriginAppId", checkOriginAppId ? null : false)), ct).ConfigureAwait(false));

    public async Task<QlikApp?> RestoreDeletedAppAsync(string appId, CancellationToken ct = default)
    {
        // The analytics service lives beside /api/v1, not under it.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/analytics/apps/{Esc(appId)}/actions/restore");
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return ToApp(await ReadJsonAsync(response, ct).ConfigureAwait(false));
    }

    /// <summary>PUT /apps/{id}/space; <c>"personal"</c> moves the app out of its space (DELETE /apps/{id}/space).</summary>
    public Task MoveAppToSpaceAsync(string appId, string spaceId, CancellationToken ct = default) =>
        string.Equals(spaceId, "personal", StringComparison.OrdinalIgnoreCase)
            ? SendJsonAsync(HttpMethod.Delete, $"{Api}apps/{Esc(appId)}/space", null, ct)
            : SendJsonAsync(HttpMethod.Put, $"{Api}apps/{Esc(appId)}/space", Obj(("spaceId", spaceId)), ct);

    public Task ChangeAppOwnerAsync(string appId, string ownerId, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Put, $"{Api}apps/{Esc(appId)}/owner", Obj(("ownerId", ownerId)), ct);

    public Task ChangeAppObjectOwnerAsync(string appId, string objectId, string ownerId, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, $"{Api}apps/{Esc(appId)}/objects/{Esc(objectId)}/actions/change-owner", Obj(("ownerId", ownerId)), ct);

    // ---------------------------------------------------------------- themes (zip archives)

    public async Task<Stream> DownloadThemeAsync(string themeId, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Api}themes/{Esc(themeId)}/file");
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response) throw await QlikErrors.ToExceptionAsync(response, ct).ConfigureAwait(false);
        }
        return new ResponseStream(response, await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
    }

    public async Task<QlikResource> UploadThemeAsync(Stream zip, string fileName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(zip);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}themes") { Content = ThemeMultipart(null, zip, fileName) };
        if (!zip.CanSeek) request.Options.Set(QlikRequestOptions.SingleShot, true);
        return ToResource(QlikResourceKind.Theme, await SendForJsonAsync(request, ct).ConfigureAwait(false));
    }

    /// <summary>multipart/form-data with the parts the themes API names: <c>data</c> (JSON) and <c>file</c> (the zip).</summary>
    private static MultipartFormDataContent ThemeMultipart(JsonElement? data, Stream? zip, string? fileName)
    {
        var form = new MultipartFormDataContent();
        if (data is { } d)
        {
            var json = new StringContent(d.GetRawText());
            json.Headers.ContentType = JsonMediaType;
            form.Add(json, "data");
        }
        if (zip is not null)
        {
            var file = new StreamContent(zip, 81920);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            form.Add(file, "file", fileName ?? "theme.zip");
        }
        return form;
    }

    private static QlikApp ToApp(JsonElement e)
    {
        // App endpoints answer {attributes:{...}, privileges, create}; Raw keeps the whole answer.
        var a = QlikJson.Obj(e, "attributes");
        if (a.ValueKind != JsonValueKind.Object) a = e;
        return new QlikApp(
            Required(a, "app", "id"), QlikJson.Str(a, "name") ?? "", QlikJson.Str(a, "description"), QlikJson.Str(a, "spaceId"),
            QlikJson.Str(a, "ownerId"), QlikJson.Bool(a, "published"), QlikJson.Date(a, "publishTime"), QlikJson.Str(a, "originAppId"),
            QlikJson.Date(a, "modifiedDate"), QlikJson.Date(a, "lastReloadTime"), e);
    }
}

/// <summary>A response body that disposes its response when the caller is done with it.</summary>
internal sealed class ResponseStream(HttpResponseMessage response, Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.ReadAsync(buffer, offset, count, ct);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            response.Dispose();
        }
        base.Dispose(disposing);
    }
}
