namespace QlikBackup.Core.Alerts;

public enum AlertKind { CaptureFailed, RpoBreached, DrillFailed, VerifyFailed }

/// <summary>What the Logic App receives. <see cref="Reference"/> points back to the run (orchestration instance id).</summary>
public sealed record Alert(AlertKind Kind, string Title, string Detail, string? Reference = null)
{
    public string Severity => Kind == AlertKind.CaptureFailed ? "warning" : "error";
}

public interface IAlertSink
{
    Task SendAsync(Alert alert, CancellationToken ct = default);
}
