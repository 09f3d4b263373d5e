namespace QlikBackup.Core.Alerts;

/// <summary>Where alerts go. Bound from the "Alerts" section.</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>The Logic App's HTTP trigger URL (with its SAS signature). Empty: alerts are only logged.</summary>
    public Uri? LogicAppUrl { get; set; }
}
