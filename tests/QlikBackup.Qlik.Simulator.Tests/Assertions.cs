using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace QlikBackup.Qlik.Simulator.Tests;

internal static class QlikAssert
{
    /// <summary>Asserts the status and Qlik's error shape {"errors":[{code,title,detail,status}]}.</summary>
    public static async Task<JsonObject> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        var body = await SimulatorFixture.ReadJson(response);
        var error = Assert.IsType<JsonObject>(Assert.Single(body["errors"]!.AsArray()));
        Assert.False(string.IsNullOrEmpty(error["code"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(error["title"]?.GetValue<string>()));
        Assert.Equal(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), error["status"]?.GetValue<string>());
        return error;
    }

    /// <summary>Follows links.next from <paramref name="firstUrl"/> and returns all items and the number of pages.</summary>
    public static async Task<(List<JsonObject> Items, int Pages)> AllPagesAsync(HttpClient client, string firstUrl, string listProperty = "data")
    {
        var items = new List<JsonObject>();
        var pages = 0;
        string? url = firstUrl;
        while (url is not null)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await SimulatorFixture.ReadJson(response);
            items.AddRange(body[listProperty]!.AsArray().Select(x => x!.AsObject()));
            pages++;
            url = body["links"]?["next"]?["href"]?.GetValue<string>();
            Assert.True(pages < 1000, "pagination does not terminate");
        }
        return (items, pages);
    }
}
