using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QlikBackup.Core;

namespace QlikBackup.LocalHost.Tests;

/// <summary>The composition root the Function app uses refuses to start on a bad setting, naming it.</summary>
public sealed class StartupValidationTests
{
    static Dictionary<string, string?> Good() => new()
    {
        ["Qlik:TenantUrl"] = "https://tenant.eu.qlikcloud.com",
        ["Qlik:ApiKey"] = "key",
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["Crypto:KeyProvider"] = "Local",
        ["Crypto:LocalKey"] = Convert.ToBase64String(new byte[32]),
    };

    static async Task<Exception?> StartAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddQlikBackup(builder.Configuration);
        using IHost host = builder.Build();
        try
        {
            await host.StartAsync();
            await host.StopAsync();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    [Fact]
    public async Task Good_settings_start()
    {
        Assert.Null(await StartAsync(Good()));
    }

    [Theory]
    [InlineData("Drill:Standby:TenantUrl", "ftp://standby.example", "Drill:Standby:TenantUrl must be an absolute https://")]
    [InlineData("Drill:Standby:TenantUrl", "https://TENANT.eu.qlikcloud.com", "Drill:Standby:TenantUrl must name another tenant than Qlik:TenantUrl")]
    [InlineData("Drill:Standby:ApiKey", null, "Drill:Standby:ApiKey")]
    [InlineData("Drill:Standby:OAuthClientSecret", "secret-without-its-client", "Drill:Standby:OAuthClientId is required")]
    public async Task A_bad_standby_tenant_setting_stops_startup_naming_it(string key, string? value, string named)
    {
        var settings = Good();
        settings["Drill:Standby:TenantUrl"] = "https://standby.us.qlikcloud.com";
        settings["Drill:Standby:ApiKey"] = "standby-key";
        settings[key] = value;

        Exception? error = await StartAsync(settings);

        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(named, validation.Message);
        Assert.Single(validation.Failures);
    }

    [Fact]
    public async Task A_standby_credential_without_its_tenant_url_stops_startup_naming_the_url()
    {
        var settings = Good();
        settings["Drill:Standby:ApiKey"] = "standby-key";

        var validation = Assert.IsType<OptionsValidationException>(await StartAsync(settings));

        Assert.Contains("Drill:Standby:TenantUrl is required", validation.Message);
        Assert.Single(validation.Failures);
    }

    [Fact]
    public async Task Good_settings_with_a_standby_tenant_start()
    {
        var settings = Good();
        settings["Drill:Standby:TenantUrl"] = "https://standby.us.qlikcloud.com";
        settings["Drill:Standby:OAuthClientId"] = "client";
        settings["Drill:Standby:OAuthClientSecret"] = "secret";

        Assert.Null(await StartAsync(settings));
    }

    [Theory]
    [InlineData("Qlik:TenantUrl", null, "Qlik:TenantUrl")]
    [InlineData("Storage:ConnectionString", "this is not a connection string", "Storage:ConnectionString")]
    [InlineData("Crypto:KeyProvider", "Vaultish", "Crypto:KeyProvider")]
    [InlineData("Rto:T1", "-00:05:00", "Rto:T1")]
    [InlineData("Drill:SampleSize", "0", "Drill:SampleSize")]
    [InlineData("Rto:Tenant", "00:00:00", "Rto:Tenant")]
    [InlineData("Drill:ScheduledScope", "Tenant", "Drill:ScheduledScope")]
    public async Task A_bad_setting_stops_startup_with_one_message_naming_it(string key, string? value, string named)
    {
        var settings = Good();
        settings[key] = value;

        Exception? error = await StartAsync(settings);

        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(named, validation.Message);
        Assert.Single(validation.Failures);
    }
}
