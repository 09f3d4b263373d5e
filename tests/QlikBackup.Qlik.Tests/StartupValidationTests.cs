using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace QlikBackup.Qlik.Tests;

/// <summary>AddQlikClient validates the "Qlik" section when the host starts, naming the key to fix.</summary>
public sealed class StartupValidationTests
{
    private static async Task<OptionsValidationException?> StartAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddQlikClient(builder.Configuration);
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
            await host.StopAsync();
            return null;
        }
        catch (OptionsValidationException e)
        {
            return e;
        }
    }

    [Fact]
    public async Task Missing_TenantUrl_is_one_error_naming_Qlik_TenantUrl()
    {
        var e = await StartAsync(new() { ["Qlik:ApiKey"] = "k" });

        Assert.NotNull(e);
        var failure = Assert.Single(e.Failures);
        Assert.Contains("Qlik:TenantUrl", failure);
    }

    [Fact]
    public async Task Missing_credentials_name_the_api_key_and_the_oauth_pair()
    {
        var e = await StartAsync(new() { ["Qlik:TenantUrl"] = "https://acme.eu.qlikcloud.com" });

        var failure = Assert.Single(e!.Failures);
        Assert.Contains("Qlik:ApiKey", failure);
        Assert.Contains("Qlik:OAuthClientId", failure);
        Assert.Contains("Qlik:OAuthClientSecret", failure);
    }

    [Fact]
    public async Task Half_an_oauth_pair_names_the_missing_half()
    {
        var e = await StartAsync(new() { ["Qlik:TenantUrl"] = "https://acme.eu.qlikcloud.com", ["Qlik:OAuthClientId"] = "id" });

        Assert.Contains("Qlik:OAuthClientSecret is required", Assert.Single(e!.Failures));
    }

    [Theory]
    [InlineData("http://acme.eu.qlikcloud.com", "https")]
    [InlineData("acme.eu.qlikcloud.com", "absolute")]
    public async Task TenantUrl_must_be_https_unless_loopback(string url, string expected)
    {
        var e = await StartAsync(new() { ["Qlik:TenantUrl"] = url, ["Qlik:ApiKey"] = "k" });

        var failure = Assert.Single(e!.Failures);
        Assert.Contains("Qlik:TenantUrl", failure);
        Assert.Contains(expected, failure);
    }

    [Fact]
    public async Task MaxConcurrentRequests_out_of_range_is_named()
    {
        var e = await StartAsync(new() { ["Qlik:TenantUrl"] = "https://acme.eu.qlikcloud.com", ["Qlik:ApiKey"] = "k", ["Qlik:MaxConcurrentRequests"] = "0" });

        Assert.Contains("Qlik:MaxConcurrentRequests", Assert.Single(e!.Failures));
    }

    [Fact]
    public void Resolving_the_client_without_a_host_reports_the_same_error()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQlikClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Qlik:ApiKey"] = "k" }).Build());
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<QlikBackup.Qlik.Contracts.IQlikRestClient>());

        Assert.Contains("Qlik:TenantUrl", Assert.Single(e.Failures));
    }

    [Theory]
    [InlineData("https://acme.eu.qlikcloud.com")]
    [InlineData("http://127.0.0.1:5005/")]
    public async Task Valid_configuration_starts(string url)
    {
        Assert.Null(await StartAsync(new() { ["Qlik:TenantUrl"] = url, ["Qlik:ApiKey"] = "k" }));
    }
}
