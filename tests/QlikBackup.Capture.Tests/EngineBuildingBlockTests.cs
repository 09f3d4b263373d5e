using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QlikBackup.Core.Capture;
using QlikBackup.Core.Capture.Webhooks;
using QlikBackup.Core.Retention;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Capture.Tests;

public sealed class EngineBuildingBlockTests
{
    [Fact]
    public void Canonical_json_does_not_depend_on_property_order_and_keeps_numbers_as_written()
    {
        byte[] a = CanonicalJson.Serialize(JsonDocument.Parse("""{ "b": 1.50, "a": { "y": [3, 2, {"d": true, "c": null}], "x": "é" } }""").RootElement);
        byte[] b = CanonicalJson.Serialize(JsonDocument.Parse("""{"a":{"x":"é","y":[3,2,{"c":null,"d":true}]},"b":1.50}""").RootElement);
        Assert.Equal(a, b);
        Assert.Equal("""{"a":{"x":"é","y":[3,2,{"c":null,"d":true}]},"b":1.50}""", Encoding.UTF8.GetString(a));
    }

    [Fact]
    public void Canonical_json_leaves_out_run_time_members_by_name_or_path()
    {
        JsonElement app = JsonDocument.Parse("""{"attributes":{"id":"1","modifiedDate":"x","name":"n"},"modifiedDate":"kept","links":{}}""").RootElement;
        string json = Encoding.UTF8.GetString(CanonicalJson.Serialize(app, new HashSet<string> { "attributes.modifiedDate", "links" }));
        Assert.Equal("""{"attributes":{"id":"1","name":"n"},"modifiedDate":"kept"}""", json);
    }

    [Theory]
    [InlineData(null, EngineObjectClass.GenericObject, "abc")]
    [InlineData("user-1", EngineObjectClass.Bookmark, "bm/with/slash")]
    [InlineData(null, EngineObjectClass.Variable, "v1")]
    public void Object_part_names_round_trip(string? owner, EngineObjectClass cls, string qId)
    {
        string name = owner is null ? CapturePartNames.Object(cls, qId) : CapturePartNames.PrivateObject(owner, cls, qId);
        Assert.True(CapturePartNames.TryParseObject(name, out string? o, out EngineObjectClass c, out string q));
        Assert.Equal((owner, cls, qId), (o, c, q));
    }

    [Theory]
    [InlineData("qvf")]
    [InlineData("object/NoSuchClass/x")]
    [InlineData("object/GenericObject/")]
    [InlineData("private/user-1")]
    public void Other_part_names_are_not_objects(string name) => Assert.False(CapturePartNames.TryParseObject(name, out _, out _, out _));

    [Theory]
    [InlineData("Capture:MaxParallelPartsPerAsset", "0", "Capture:MaxParallelPartsPerAsset must be between 1 and 64")]
    [InlineData("Capture:MaxParallelAssetsPerSpace", "500", "Capture:MaxParallelAssetsPerSpace must be between 1 and 64")]
    [InlineData("Capture:ListingCacheDuration", "02:00:00", "Capture:ListingCacheDuration")]
    [InlineData("Webhooks:Secret", "short", "Webhooks:Secret must be at least 16 characters")]
    [InlineData("Webhooks:MaxEventAge", "00:00:00", "Webhooks:MaxEventAge")]
    [InlineData("Retention:T2:KeepDailyDays", "-1", "Retention:T2:KeepDailyDays must be between 0 and 36500")]
    [InlineData("Retention:SweepGracePeriod", "-00:01:00", "Retention:SweepGracePeriod")]
    [InlineData("Retention:SweepGracePeriod", "00:10:00", "Retention:SweepGracePeriod (00:10:00) must be longer than Storage:PackDedupWindow (00:30:00)")]
    public void Bad_settings_fail_validation_with_a_message_naming_the_setting(string key, string value, string message)
    {
        using ServiceProvider sp = Build(new Dictionary<string, string?> { [key] = value });
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() =>
        {
            _ = sp.GetRequiredService<IOptions<CaptureOptions>>().Value;
            _ = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
            _ = sp.GetRequiredService<IOptions<RetentionOptions>>().Value;
        });
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Settings_bind_from_their_sections()
    {
        using ServiceProvider sp = Build(new Dictionary<string, string?>
        {
            ["Capture:DefaultTier"] = "T2", ["Capture:TenantConfigTier"] = "T1", ["Capture:MaxParallelAssetsPerSpace"] = "4",
            ["Retention:T1:KeepAllDays"] = "3", ["Webhooks:MaxEventAge"] = "02:00:00",
        });
        CaptureOptions capture = sp.GetRequiredService<IOptions<CaptureOptions>>().Value;
        Assert.Equal((Core.Assets.Tier.T2, Core.Assets.Tier.T1, 4), (capture.DefaultTier, capture.TenantConfigTier, capture.MaxParallelAssetsPerSpace));
        RetentionOptions retention = sp.GetRequiredService<IOptions<RetentionOptions>>().Value;
        Assert.Equal((3, 30, 90, 365), (retention.T1.KeepAllDays, retention.T1.KeepHourlyDays, retention.T1.KeepDailyDays, retention.T1.KeepMonthlyDays));
        Assert.Equal(TimeSpan.FromHours(2), sp.GetRequiredService<IOptions<WebhookOptions>>().Value.MaxEventAge);
    }

    static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddCaptureEngine(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }
}
