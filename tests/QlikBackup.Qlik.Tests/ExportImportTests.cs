using System.Security.Cryptography;
using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Simulator.Model;
using QlikBackup.Qlik.Tests.Support;
using Xunit;

namespace QlikBackup.Qlik.Tests;

/// <summary>QVF export streams the temp content (resuming with Range after a reset); import streams the body.</summary>
public sealed class ExportImportTests
{
    private const int PayloadBytes = 600_000;

    private static async Task<QlikApp> CreateAppWithDataAsync(ClientHarness h, string name, string? spaceId = null)
    {
        var app = await h.Client.CreateAppAsync(name, "exported in tests", spaceId);
        var payload = RandomNumberGenerator.GetBytes(PayloadBytes);
        h.Simulator.Tenant.UpdateAppDocument(app.Id, new SimulatedActor(h.Simulator.AdminUserId), (_, doc) =>
        {
            doc.DataPayload = payload;
            doc.Script = "LOAD * INLINE [a\n1];";
            return 0;
        });
        return app;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, int bufferSize = 16 * 1024)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, bufferSize);
            return copy.ToArray();
        }
    }

    [Fact]
    public async Task Export_then_import_into_another_space_round_trips_byte_identical()
    {
        await using var h = await ClientHarness.StartAsync();
        var target = await h.Client.CreateSpaceAsync("restore-target", "shared", null);
        var app = await CreateAppWithDataAsync(h, "sales");

        var qvf = await ReadAllAsync(await h.Client.ExportAppAsync(app.Id));
        // Same name: the title is inside the file, so a rename would (rightly) change the bytes.
        var imported = await h.Client.ImportAppAsync(new MemoryStream(qvf), target.Id, "sales");
        var again = await ReadAllAsync(await h.Client.ExportAppAsync(imported.Id));

        Assert.True(qvf.Length > PayloadBytes);
        Assert.NotEqual(app.Id, imported.Id);
        Assert.Equal("sales", imported.Name);
        var inTarget = new List<string>();
        await foreach (var item in h.Client.ListItemsAsync("app", target.Id)) inTarget.Add(item.ResourceId);
        Assert.Equal([imported.Id], inTarget);
        Assert.Equal(SHA256.HashData(qvf), SHA256.HashData(again));
        var export = Assert.Single(h.Log.Matching("POST", $"/api/v1/apps/{app.Id}/export"));
        Assert.Equal($"/api/v1/apps/{app.Id}/export?NoData=false", export.PathAndQuery);
        var import = Assert.Single(h.Log.Matching("POST", "/api/v1/apps/import"));
        Assert.Contains($"spaceId={target.Id}", import.PathAndQuery);
        Assert.Contains("name=sales", import.PathAndQuery);
    }

    [Fact]
    public async Task Connection_reset_mid_download_resumes_with_Range_and_yields_the_identical_file()
    {
        await using var h = await ClientHarness.StartAsync();
        var app = await CreateAppWithDataAsync(h, "big");
        var clean = await ReadAllAsync(await h.Client.ExportAppAsync(app.Id));
        h.Log.Clear();

        h.Simulator.Faults.ResetNextDownloadAfter(200_000);
        var resumed = await ReadAllAsync(await h.Client.ExportAppAsync(app.Id));

        Assert.Equal(clean.Length, resumed.Length);
        Assert.Equal(SHA256.HashData(clean), SHA256.HashData(resumed));
        var downloads = h.Log.Matching("GET", "/api/v1/temp-contents/").ToList();
        Assert.Equal(2, downloads.Count);
        Assert.Null(downloads[0].Range);
        Assert.Equal(200, downloads[0].Status);
        Assert.Equal(206, downloads[1].Status);
        // Resumed exactly where the broken body stopped: nothing read twice, nothing skipped.
        var resumeFrom = long.Parse(downloads[1].Range!.Replace("bytes=", "").TrimEnd('-'));
        Assert.InRange(resumeFrom, 1, 200_000);
    }

    [Fact]
    public async Task Export_request_is_repeated_after_a_server_error_because_it_only_writes_a_temp_file()
    {
        await using var h = await ClientHarness.StartAsync();
        var app = await CreateAppWithDataAsync(h, "retried");
        h.Simulator.Faults.FailNext(1, 503, $"/api/v1/apps/{app.Id}/export");

        var qvf = await ReadAllAsync(await h.Client.ExportAppAsync(app.Id));

        Assert.True(qvf.Length > PayloadBytes);
        Assert.Equal([503, 201], h.Log.Matching("POST", $"/api/v1/apps/{app.Id}/export").Select(r => r.Status));
    }

    [Fact]
    public async Task Export_with_NoData_is_smaller_and_omits_the_data_model()
    {
        await using var h = await ClientHarness.StartAsync();
        var app = await CreateAppWithDataAsync(h, "lean");

        var withData = await ReadAllAsync(await h.Client.ExportAppAsync(app.Id));
        var noData = await ReadAllAsync(await h.Client.ExportAppAsync(app.Id, noData: true));

        Assert.True(noData.Length < withData.Length - PayloadBytes / 2, $"{noData.Length} vs {withData.Length}");
        Assert.Single(h.Log.Requests, r => r.PathAndQuery == $"/api/v1/apps/{app.Id}/export?NoData=true");
    }

    [Fact]
    public async Task Import_streams_from_a_non_seekable_source()
    {
        await using var h = await ClientHarness.StartAsync();
        var app = await CreateAppWithDataAsync(h, "piped");
        var qvf = await ReadAllAsync(await h.Client.ExportAppAsync(app.Id));

        var imported = await h.Client.ImportAppAsync(new ForwardOnlyStream(qvf), null, null);

        Assert.Equal("piped", imported.Name); // name comes from the file when none is given
        Assert.Equal(SHA256.HashData(qvf), SHA256.HashData(await ReadAllAsync(await h.Client.ExportAppAsync(imported.Id))));
    }

    [Fact]
    public async Task Import_from_a_non_seekable_stream_that_knows_its_length_sends_Content_Length_not_chunks()
    {
        await using var h = await ClientHarness.StartAsync();
        var app = await CreateAppWithDataAsync(h, "decrypted");
        var qvf = await ReadAllAsync(await h.Client.ExportAppAsync(app.Id));

        // As a restore's decrypting stream: forward only, but its length is known from the stored descriptor.
        var imported = await h.Client.ImportAppAsync(new ForwardOnlyStream(qvf, knownLength: true), null, null);

        Assert.Equal(qvf.Length, Assert.Single(h.Log.Matching("POST", "/api/v1/apps/import")).ContentLength);
        Assert.Equal(SHA256.HashData(qvf), SHA256.HashData(await ReadAllAsync(await h.Client.ExportAppAsync(imported.Id))));
    }

    [Fact]
    public async Task Export_of_an_unknown_app_throws_QlikApiException_404()
    {
        await using var h = await ClientHarness.StartAsync();

        var e = await Assert.ThrowsAsync<QlikApiException>(() => h.Client.ExportAppAsync("no-such-app"));

        Assert.Equal(404, e.Status);
        Assert.False(string.IsNullOrEmpty(e.Code));
    }

    /// <summary>Like a pipe or a network body: readable once, cannot seek, unknown length unless <paramref name="knownLength"/>.</summary>
    private sealed class ForwardOnlyStream(byte[] data, bool knownLength = false) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => knownLength ? data.Length : throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
