using QlikBackup.Qlik.Contracts;
using QlikBackup.Qlik.Rest;
using QlikBackup.Qlik.Tests.Support;
using Xunit;

namespace QlikBackup.Qlik.Tests;

/// <summary>Qlik error bodies become <see cref="QlikApiException"/> with their fields; a missing single resource reads as null.</summary>
public sealed class ErrorMappingTests
{
    [Fact]
    public async Task Missing_single_resources_read_as_null()
    {
        await using var h = await ClientHarness.StartAsync();

        Assert.Null(await h.Client.GetSpaceAsync("000000000000000000000000"));
        Assert.Null(await h.Client.GetAppAsync("00000000-0000-0000-0000-000000000000"));
        Assert.Null(await h.Client.GetAsync(QlikResourceKind.Webhook, "no-such-webhook"));
        Assert.Null(await h.Client.GetAsync(QlikResourceKind.User, "no-such-user"));
        Assert.All(h.Log.Requests, r => Assert.Equal(404, r.Status));
    }

    [Fact]
    public async Task Conflict_carries_code_title_and_detail()
    {
        await using var h = await ClientHarness.StartAsync();
        await h.Client.CreateSpaceAsync("unique-name", "shared", null);

        var e = await Assert.ThrowsAsync<QlikApiException>(() => h.Client.CreateSpaceAsync("unique-name", "shared", null));

        Assert.Equal(409, e.Status);
        var error = Assert.Single(e.Errors);
        Assert.False(string.IsNullOrEmpty(error.Code));
        Assert.False(string.IsNullOrEmpty(error.Title));
        Assert.Contains("unique-name", error.Detail);
        Assert.Equal(409, error.Status);
        Assert.Equal(error.Code, e.Code);
        Assert.Contains("409", e.Message);
    }

    [Fact]
    public async Task Bad_request_carries_the_service_detail()
    {
        await using var h = await ClientHarness.StartAsync();

        var e = await Assert.ThrowsAsync<QlikApiException>(() => h.Client.CreateSpaceAsync("typed", "no-such-type", null));

        Assert.Equal(400, e.Status);
        Assert.False(string.IsNullOrEmpty(e.Errors[0].Title));
        Assert.Contains("type", e.Errors[0].Detail);
    }

    [Fact]
    public async Task Deleting_a_space_that_holds_apps_is_refused_with_412()
    {
        await using var h = await ClientHarness.StartAsync();
        var space = await h.Client.CreateSpaceAsync("not-empty", "shared", null);
        await h.Client.CreateAppAsync("resident", null, space.Id);

        var e = await Assert.ThrowsAsync<QlikApiException>(() => h.Client.DeleteSpaceAsync(space.Id));

        Assert.Equal(412, e.Status);
        Assert.NotNull(await h.Client.GetSpaceAsync(space.Id));
    }

    [Fact]
    public async Task Missing_credentials_are_answered_401_and_mapped()
    {
        await using var h = await ClientHarness.StartAsync(settings: new Dictionary<string, string?> { ["Qlik:ApiKey"] = "not-a-key" });

        var e = await Assert.ThrowsAsync<QlikApiException>(async () => { await foreach (var _ in h.Client.ListSpacesAsync()) { } });

        Assert.Equal(401, e.Status);
        Assert.Single(h.Log.Requests); // 401 is not retried
    }

    // Parsing of the other shapes Qlik's services use (no server needed).

    [Fact]
    public void Theme_style_error_without_errors_array_is_parsed()
    {
        var e = QlikErrors.Parse(410, """{"title":"Theme is deleted","status":410,"meta":{"resourceName":"t1"}}""", "Gone");

        Assert.Equal(410, e.Status);
        Assert.Equal("Theme is deleted", e.Errors[0].Title);
        Assert.Equal(410, e.Errors[0].Status);
    }

    [Fact]
    public void Several_errors_status_as_string_and_traceId_are_kept()
    {
        var e = QlikErrors.Parse(400,
            """{"errors":[{"code":"DC-1","title":"Bad name","detail":"empty","status":"400"},{"code":42,"title":"Second"}],"traceId":"abc123"}""", "Bad Request");

        Assert.Equal(2, e.Errors.Count);
        Assert.Equal(new QlikError("DC-1", "Bad name", "empty", 400), e.Errors[0]);
        Assert.Equal("42", e.Errors[1].Code);
        Assert.Equal("abc123", e.TraceId);
    }

    [Fact]
    public void Non_json_error_body_keeps_the_text_as_detail()
    {
        var e = QlikErrors.Parse(502, "<html>Bad gateway</html>", "Bad Gateway");

        Assert.Equal("HTTP-502", e.Code);
        Assert.Equal("Bad Gateway", e.Errors[0].Title);
        Assert.Equal("<html>Bad gateway</html>", e.Errors[0].Detail);
    }
}
