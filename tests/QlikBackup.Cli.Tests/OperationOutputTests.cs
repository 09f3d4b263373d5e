using System.Text.Json;
using QlikBackup.Cli.Api;
using QlikBackup.Cli.Rendering;
using Spectre.Console;
using Xunit;

namespace QlikBackup.Cli.Tests;

/// <summary>
/// Operation outputs are serialized by Durable Task's data converter, not the API's JSON options: property names may be
/// PascalCase and enums numbers. The CLI must still read them.
/// </summary>
public sealed class OperationOutputTests
{
    static OperationStatus Operation(string outputJson) => new(
        "op-9", "RestoreOrchestrator", "Completed", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(90),
        JsonDocument.Parse(outputJson).RootElement, null);

    static string Render(OperationStatus op)
    {
        var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        OperationRenderer.Render(console, op);
        return writer.ToString();
    }

    [Fact]
    public void A_pascal_case_restore_outcome_that_failed_is_read_as_failed()
    {
        OperationStatus op = Operation("""
            {"Plan":{"RestoreId":"r1","Actions":[{"Id":"a1","Kind":1}],"ReconfigurationChecklist":["Re-enter credentials"]},
             "Result":{"RestoreId":"r1","Succeeded":false,"Done":[],"IdMap":{},"RestoredAssetId":null,"Error":"Qlik answered 409"},
             "Duration":"00:01:30"}
            """);

        Assert.False(OperationRenderer.Succeeded(op));
        string text = Render(op);
        Assert.Contains("failed", text);
        Assert.Contains("Qlik answered 409", text);
        Assert.Contains("0 of 1", text);
        Assert.Contains("1m 30s", text);
        Assert.Contains("[ ] Re-enter credentials", text);
    }

    [Fact]
    public void A_tier_capture_with_numeric_enums_renders_its_totals()
    {
        OperationStatus op = Operation("""
            {"Tier":1,"Spaces":[{"Space":{"SpaceId":"s1","SpaceName":"Finance","Tier":1},"Assets":2,
              "Summary":{"Captured":1,"Unchanged":0,"Deleted":0,"Failed":1,"Bytes":10,"NewBytes":10},
              "Failures":[{"Asset":{"Kind":1,"Id":"app-9"},"Error":"timeout"}]}],
             "Summary":{"Captured":1,"Unchanged":0,"Deleted":0,"Failed":1,"Bytes":10,"NewBytes":10}}
            """);

        Assert.True(OperationRenderer.Succeeded(op));
        string text = Render(op);
        Assert.Contains("Finance", text);
        Assert.Contains("1 captured, 0 unchanged, 0 deleted, 1 failed", text);
        Assert.Contains("failed: app-9: timeout", text);
    }
}
