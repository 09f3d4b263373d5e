using System.Net;
using System.Text;

namespace QlikBackup.Core.Drill;

/// <summary>The drill report as one self-contained HTML page, for auditors.</summary>
public static class DrillReportHtml
{
    public static string Render(DrillReport r)
    {
        static string E(object? s) => WebUtility.HtmlEncode(s?.ToString() ?? "");
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drill ").Append(E(r.DrillId)).Append("</title>")
         .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}")
         .Append(".pass{color:#070}.fail{color:#b00}</style></head><body>");
        h.Append("<h1 class=\"").Append(r.Passed ? "pass" : "fail").Append("\">").Append(r.Passed ? "PASSED" : "FAILED").Append(": ").Append(E(r.Headline)).Append("</h1>");
        h.Append("<p>Drill ").Append(E(r.DrillId)).Append(" of tenant ").Append(E(r.TenantId)).Append(", scope ").Append(E(r.Request.Scope))
         .Append(r.Request.Scope == DrillScope.Tenant ? ", into the standby tenant" : $", tier {E(r.Tier)}").Append(r.Seed is null ? "" : $", seed {r.Seed}").Append(", started ").Append(E(r.StartedAt.ToString("u")))
         .Append(", finished ").Append(E(r.FinishedAt.ToString("u"))).Append(", requested by ").Append(E(r.Request.Operator)).Append(".</p>");
        if (r.Error is not null) h.Append("<p class=\"fail\">").Append(E(r.Error)).Append("</p>");
        h.Append("<table><tr><th>asset</th><th>recovery point</th><th>time</th><th>result</th><th>differences</th><th>reconfiguration checklist</th></tr>");
        foreach (var a in r.Assets)
        {
            h.Append("<tr><td>").Append(E($"{a.Asset.Kind} '{a.Asset.Name}' ({a.Asset.AssetId})")).Append("</td><td>").Append(E(a.Asset.PointId))
             .Append("<br>").Append(E(a.Asset.PointCapturedAt.ToString("u"))).Append("</td><td>").Append(E($"{a.Duration.TotalSeconds:0.0} s"))
             .Append("</td><td class=\"").Append(a.Result == DrillAssetResult.Equal ? "pass" : "fail").Append("\">").Append(E(a.Result));
            if (a.Fidelity is { } f) h.Append("<br>").Append(f.ObjectsEqual).Append(" of ").Append(f.Objects).Append(" objects equal");
            if (a.Error is not null) h.Append("<br>").Append(E(a.Error));
            h.Append("</td><td><ul>");
            foreach (var d in a.Fidelity?.Differences ?? []) h.Append("<li>").Append(E($"{d.Object} / {d.Attribute}: expected {d.Expected ?? "(absent)"}, found {d.Actual ?? "(absent)"}")).Append("</li>");
            h.Append("</ul></td><td><ul>");
            foreach (var c in a.Checklist) h.Append("<li>").Append(E(c)).Append("</li>");
            h.Append("</ul></td></tr>");
        }
        h.Append("</table><p>Not checked by design: ").Append(E(string.Join("; ", r.NotChecked))).Append("</p><h2>Clean-up</h2><ul>");
        if (r.Cleanup.Kept is { } kept) h.Append("<li>").Append(E(kept)).Append("</li>");
        foreach (var x in r.Cleanup.Removed) h.Append("<li>removed ").Append(E(x)).Append("</li>");
        foreach (var x in r.Cleanup.LeftBehind) h.Append("<li class=\"fail\">left behind ").Append(E(x)).Append("</li>");
        h.Append("</ul>");
        foreach (var run in r.CleanUps ?? [])
        {
            h.Append("<h2 class=\"").Append(run.Passed ? "pass" : "fail").Append("\">Clean-up run again ").Append(E(run.OperationId)).Append("</h2><p>By ").Append(E(run.Operator))
             .Append(", started ").Append(E(run.StartedAt.ToString("u"))).Append(", finished ").Append(E(run.FinishedAt.ToString("u"))).Append(": ").Append(E(run.Cleanup.Summary)).Append(".</p><ul>");
            foreach (var x in run.Cleanup.Removed) h.Append("<li>removed ").Append(E(x)).Append("</li>");
            foreach (var x in run.Cleanup.LeftBehind) h.Append("<li class=\"fail\">left behind ").Append(E(x)).Append("</li>");
            h.Append("</ul>");
        }
        h.Append("</body></html>");
        return h.ToString();
    }
}
