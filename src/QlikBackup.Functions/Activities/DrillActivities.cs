using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using QlikBackup.Core.Drill;

namespace QlikBackup.Functions.Activities;

public sealed record SelectDrillInput(string DrillId, DrillRequest Request);

/// <summary>Chooses the recovery points of a drill.</summary>
public sealed class SelectDrillAssets(IDrillService drills) : TaskActivity<SelectDrillInput, DrillSelection>
{
    [Function(nameof(SelectDrillAssets))]
    public static Task<DrillSelection> Run([ActivityTrigger] SelectDrillInput input, FunctionContext context)
        => FunctionActivity.RunAsync<SelectDrillAssets, SelectDrillInput, DrillSelection>(context, input);

    public override Task<DrillSelection> RunAsync(TaskActivityContext context, SelectDrillInput input) => drills.SelectAsync(input.DrillId, input.Request);
}

/// <summary>Restores one point into the drill space and checks it (a space: with every app restored in it).</summary>
public sealed class RunDrillAsset(IDrillService drills) : TaskActivity<DrillAssetInput, IReadOnlyList<DrillAssetOutcome>>
{
    [Function(nameof(RunDrillAsset))]
    public static Task<IReadOnlyList<DrillAssetOutcome>> Run([ActivityTrigger] DrillAssetInput input, FunctionContext context)
        => FunctionActivity.RunAsync<RunDrillAsset, DrillAssetInput, IReadOnlyList<DrillAssetOutcome>>(context, input);

    public override Task<IReadOnlyList<DrillAssetOutcome>> RunAsync(TaskActivityContext context, DrillAssetInput input) => drills.RunAssetAsync(input);
}

/// <summary>Deletes the drill's spaces; after a Tenant drill, what it added to the standby.</summary>
public sealed class CleanupDrill(IDrillService drills) : TaskActivity<DrillSelection, DrillCleanup>
{
    [Function(nameof(CleanupDrill))]
    public static Task<DrillCleanup> Run([ActivityTrigger] DrillSelection input, FunctionContext context)
        => FunctionActivity.RunAsync<CleanupDrill, DrillSelection, DrillCleanup>(context, input);

    public override Task<DrillCleanup> RunAsync(TaskActivityContext context, DrillSelection input) => drills.CleanupAsync(input);
}

/// <summary>Stores the report and raises the drill's alerts.</summary>
public sealed class RecordDrillReport(IDrillService drills) : TaskActivity<DrillReport, bool>
{
    [Function(nameof(RecordDrillReport))]
    public static Task<bool> Run([ActivityTrigger] DrillReport input, FunctionContext context)
        => FunctionActivity.RunAsync<RecordDrillReport, DrillReport, bool>(context, input);

    public override async Task<bool> RunAsync(TaskActivityContext context, DrillReport input)
    {
        await drills.RecordAsync(input);
        return true;
    }
}

/// <summary>The selection a finished Tenant drill's clean-up is run again with (from its stored report).</summary>
public sealed class LoadDrillCleanUp(IDrillService drills) : TaskActivity<string, DrillSelection>
{
    [Function(nameof(LoadDrillCleanUp))]
    public static Task<DrillSelection> Run([ActivityTrigger] string input, FunctionContext context)
        => FunctionActivity.RunAsync<LoadDrillCleanUp, string, DrillSelection>(context, input);

    public override Task<DrillSelection> RunAsync(TaskActivityContext context, string input) => drills.CleanUpSelectionAsync(input);
}

/// <summary>Stores a clean-up run beside the drill's report and alerts on anything left behind.</summary>
public sealed class RecordDrillCleanUp(IDrillService drills) : TaskActivity<DrillCleanUpRun, bool>
{
    [Function(nameof(RecordDrillCleanUp))]
    public static Task<bool> Run([ActivityTrigger] DrillCleanUpRun input, FunctionContext context)
        => FunctionActivity.RunAsync<RecordDrillCleanUp, DrillCleanUpRun, bool>(context, input);

    public override async Task<bool> RunAsync(TaskActivityContext context, DrillCleanUpRun input)
    {
        await drills.RecordCleanUpAsync(input);
        return true;
    }
}
