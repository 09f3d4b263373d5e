using Xunit;

namespace QlikBackup.Infra.Tests;

// Options shapes the app may grow into; the scanner must see through each of them.
public sealed class SampleCaptureOptions
{
    public const string Section = "Capture";
    public string DefaultTier { get; set; } = "T3";
    public int MaxParallelAssetsPerSpace { get; set; }
    public TimeSpan? Timeout { get; init; }
    public string Computed => DefaultTier + "!";
    public List<string> ExcludedSpaces { get; set; } = [];
}

public sealed class SampleTierRetention
{
    public int KeepAllDays { get; set; }
    public int KeepDailyDays { get; set; }
}

public sealed class SampleRetentionOptions
{
    public const string Section = "Retention";
    public Dictionary<string, SampleTierRetention> Tiers { get; } = [];
}

public sealed class SampleRetentionByTierOptions : Dictionary<string, SampleTierRetention>
{
    public const string Section = "RetentionByTier";
}

public sealed class SampleQlikOptions
{
    public const string Section = "Qlik";
    public SampleOAuth OAuth { get; } = new();
}

public sealed class SampleOAuth
{
    public string ClientId { get; set; } = "";
    public SampleOAuth? Fallback { get; set; }
}

public sealed class SampleNotOptionsBecauseNoSection
{
    public string Ignored { get; set; } = "";
}

public sealed class SampleWithoutSectionOptions
{
    public string Ignored { get; set; } = "";
}

[AttributeUsage(AttributeTargets.Parameter)]
public sealed class SampleTimerTriggerAttribute(string schedule) : Attribute
{
    public string Schedule { get; } = schedule;
}

public static class SampleFunctions
{
    public static void Run([SampleTimerTrigger("%CaptureT1Schedule%")] object timer) { }
}

public sealed class SettingRequirementsTests
{
    private static List<string> Keys(Type type) => SettingRequirements.FromOptionsType(type).Select(r => r.Key).ToList();

    [Fact]
    public void Flat_options_yield_section_and_settable_properties_only()
    {
        Assert.Equal(
            ["Capture__DefaultTier", "Capture__MaxParallelAssetsPerSpace", "Capture__Timeout", "Capture__ExcludedSpaces"],
            Keys(typeof(SampleCaptureOptions)));
    }

    [Fact]
    public void Nested_options_are_recursed_without_looping_on_self_reference()
    {
        Assert.Equal(["Qlik__OAuth__ClientId"], Keys(typeof(SampleQlikOptions)));
    }

    [Fact]
    public void Classes_without_a_section_constant_are_not_options()
    {
        Assert.Empty(Keys(typeof(SampleWithoutSectionOptions)));
        Assert.Empty(Keys(typeof(SampleNotOptionsBecauseNoSection)));
    }

    [Fact]
    public void Timer_schedules_in_binding_expressions_are_settings()
    {
        var requirement = Assert.Single(SettingRequirements.FromBindingExpressions(typeof(SampleFunctions)));
        Assert.Equal("CaptureT1Schedule", requirement.Key);
    }

    [Fact]
    public void A_missing_flat_setting_is_reported_and_an_excepted_one_is_not()
    {
        var requirements = SettingRequirements.FromOptionsType(typeof(SampleCaptureOptions));
        string[] settings = ["Capture__DefaultTier", "Capture__Timeout", "Capture__ExcludedSpaces__0"];

        var unmet = SettingRequirements.Unmet(requirements, settings, ["Capture__MaxParallelAssetsPerSpace"]).ToList();
        Assert.Empty(unmet);

        unmet = SettingRequirements.Unmet(requirements, settings, []).ToList();
        Assert.StartsWith("Capture__MaxParallelAssetsPerSpace ", Assert.Single(unmet));
    }

    [Fact]
    public void Dictionary_entries_must_each_be_complete()
    {
        var requirements = SettingRequirements.FromOptionsType(typeof(SampleRetentionOptions)).ToList();

        Assert.Single(SettingRequirements.Unmet(requirements, [], []));
        Assert.Empty(SettingRequirements.Unmet(requirements,
            ["Retention__Tiers__T1__KeepAllDays", "Retention__Tiers__T1__KeepDailyDays"], []));
        var unmet = Assert.Single(SettingRequirements.Unmet(requirements,
            ["Retention__Tiers__T1__KeepAllDays", "Retention__Tiers__T1__KeepDailyDays", "Retention__Tiers__T2__KeepAllDays"], []));
        Assert.StartsWith("Retention__Tiers__T2__KeepDailyDays ", unmet);
    }

    [Fact]
    public void An_options_class_that_is_itself_a_dictionary_is_keyed_by_its_section()
    {
        var requirements = SettingRequirements.FromOptionsType(typeof(SampleRetentionByTierOptions)).ToList();

        Assert.Empty(SettingRequirements.Unmet(requirements,
            ["RetentionByTier__T3__KeepAllDays", "RetentionByTier__T3__KeepDailyDays"], []));
        Assert.StartsWith("RetentionByTier__T3__KeepDailyDays ", Assert.Single(SettingRequirements.Unmet(requirements,
            ["RetentionByTier__T3__KeepAllDays"], [])));
    }

    [Fact]
    public void Host_json_binding_expressions_are_found()
    {
        Assert.Equal(["DurableTaskHubName", "Foo__Bar"],
            SettingRequirements.BindingExpressionNames("""{ "hubName": "%DurableTaskHubName%", "x": "%Foo:Bar%" }"""));
    }
}
