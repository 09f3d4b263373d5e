using Microsoft.DurableTask;
using QlikBackup.Functions.Activities;
using QlikBackup.Functions.Orchestrators;

namespace QlikBackup.Functions;

/// <summary>Every orchestrator and activity of the app, for hosts other than Azure Functions (local host, tests).</summary>
public static class QlikBackupTasks
{
    public static void Register(DurableTaskRegistry registry)
    {
        registry.AddOrchestrator<CaptureTierOrchestrator>();
        registry.AddOrchestrator<CaptureSpaceOrchestrator>();
        registry.AddOrchestrator<CaptureLaneOrchestrator>();
        registry.AddOrchestrator<CaptureAssetOrchestrator>();
        registry.AddOrchestrator<RestoreOrchestrator>();
        registry.AddOrchestrator<RetentionOrchestrator>();
        registry.AddOrchestrator<VerifyOrchestrator>();
        registry.AddOrchestrator<DrillOrchestrator>();
        registry.AddOrchestrator<DrillCleanUpOrchestrator>();
        registry.AddActivity<ListSpacesForTier>();
        registry.AddActivity<ListSpaceAssets>();
        registry.AddActivity<FindUnchangedAssets>();
        registry.AddActivity<BeginCaptureRun>();
        registry.AddActivity<EndCaptureRun>();
        registry.AddActivity<CaptureAssets>();
        registry.AddActivity<CaptureAsset>();
        registry.AddActivity<RecordCaptureFailure>();
        registry.AddActivity<MarkDeletedAssets>();
        registry.AddActivity<RecordCaptureRun>();
        registry.AddActivity<SendAlert>();
        registry.AddActivity<PrepareRestore>();
        registry.AddActivity<ExecuteRestoreBatch>();
        registry.AddActivity<DiscardRestore>();
        registry.AddActivity<CompleteRestore>();
        registry.AddActivity<PruneRecoveryPoints>();
        registry.AddActivity<ListVerifyTargets>();
        registry.AddActivity<VerifyRecoveryPoints>();
        registry.AddActivity<SelectDrillAssets>();
        registry.AddActivity<RunDrillAsset>();
        registry.AddActivity<CleanupDrill>();
        registry.AddActivity<RecordDrillReport>();
        registry.AddActivity<LoadDrillCleanUp>();
        registry.AddActivity<RecordDrillCleanUp>();
    }
}
