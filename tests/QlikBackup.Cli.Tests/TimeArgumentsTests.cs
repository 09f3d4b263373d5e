using QlikBackup.Cli.Api;
using QlikBackup.Cli.Commands;
using Xunit;

namespace QlikBackup.Cli.Tests;

public sealed class TimeArgumentsTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-27T10:00:00", "2026-11-27T10:00:00+00:00")]
    [InlineData("2026-11-27T10:00:00+01:00", "2026-11-27T09:00:00+00:00")]
    [InlineData("30m", "2026-11-27T11:30:00+00:00")]
    [InlineData("2h", "2026-11-27T10:00:00+00:00")]
    [InlineData("1d", "2026-11-26T12:00:00+00:00")]
    [InlineData("now", "2026-11-27T12:00:00+00:00")]
    public void Times_are_utc_unless_an_offset_is_given_and_ages_count_back_from_now(string text, string expected)
    {
        Assert.True(TimeArguments.TryParseTime(text, Now, out DateTimeOffset value));
        Assert.Equal(DateTimeOffset.Parse(expected), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("3", 3)]
    [InlineData("00:01:00", 60)]
    public void Durations_accept_units_bare_seconds_and_timespans(string text, double seconds)
    {
        Assert.True(TimeArguments.TryParseDuration(text, out TimeSpan value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("-5m")]
    public void Nonsense_durations_are_rejected(string text) => Assert.False(TimeArguments.TryParseDuration(text, out _));

    [Theory]
    [InlineData("https://qlikbackup.azurewebsites.net", "https://qlikbackup.azurewebsites.net/")]
    [InlineData("https://qlikbackup.azurewebsites.net/api/", "https://qlikbackup.azurewebsites.net/")]
    [InlineData("http://127.0.0.1:5123/api", "http://127.0.0.1:5123/")]
    [InlineData("https://gateway.example.com/qlikbackup/", "https://gateway.example.com/qlikbackup/")]
    public void Base_urls_accept_the_site_root_or_its_api_path(string url, string expected)
    {
        Assert.True(ApiClientFactory.TryNormalize(url, out Uri uri));
        Assert.Equal(expected, uri.ToString());
    }

    [Theory]
    [InlineData("ftp://host")]
    [InlineData("not a url")]
    public void Other_urls_are_rejected(string url) => Assert.False(ApiClientFactory.TryNormalize(url, out _));
}
