namespace QlikBackup.Core.Alerts;

public enum AlertKind { CaptureFailed, RpoBreached, DrillFailed, RtoBreached, RtoResolved, VerifyFailed }

/// <summary>What the Logic App receives. <see cref="Reference"/> points back to the run (orchestration instance id).</summary>
public sealed record Alert(AlertKind Kind, string Title, string Detail, string? Reference = null)
{
    public string Severity => Kind switch { AlertKind.CaptureFailed => "warning", AlertKind.RtoResolved => "info", _ => "error" };
}

public interface IAlertSink
{
    Task SendAsync(Alert alert, CancellationToken ct = default);
}
