using System.Text.RegularExpressions;
using QlikBackup.Core.Drill;
using Xunit;

namespace QlikBackup.Infra.Tests;

/// <summary>
/// The RTO objectives a drill is measured against are the same in the code's defaults, the Bicep parameters' defaults and
/// the documentation: T1 30 min, T2 4 h, T3 one business day (taken as 24 h), a whole-tenant drill one business day.
/// </summary>
public sealed class RtoObjectiveTests
{
    static readonly Dictionary<string, TimeSpan> Documented = new()
    {
        ["T1"] = TimeSpan.FromMinutes(30), ["T2"] = TimeSpan.FromHours(4), ["T3"] = TimeSpan.FromDays(1), ["Tenant"] = TimeSpan.FromDays(1),
    };

    [Fact]
    public void The_code_defaults_are_the_documented_objectives()
    {
        var rto = new RtoOptions();
        Assert.Equal(Documented, new Dictionary<string, TimeSpan> { ["T1"] = rto.T1, ["T2"] = rto.T2, ["T3"] = rto.T3, ["Tenant"] = rto.Tenant });
    }

    [Fact]
    public void The_Bicep_defaults_and_the_deployment_document_give_the_same_objectives()
    {
        string bicep = File.ReadAllText(Repo.MainBicep);
        foreach (var (tier, objective) in Documented)
        {
            var param = Regex.Match(bicep, $@"param rto{tier} string = '([^']+)'");
            Assert.True(param.Success, $"infra/main.bicep has no param rto{tier}");
            Assert.Equal(objective, TimeSpan.Parse(param.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        string deployment = File.ReadAllText(Repo.PathOf("docs", "deployment.md"));
        Assert.Contains("| `RTO_T1`, `RTO_T2`, `RTO_T3` | `Rto__T1`… | `00:30:00`, `04:00:00`, `1.00:00:00` |", deployment, StringComparison.Ordinal);
        Assert.Contains("| `RTO_TENANT` | `Rto__Tenant` | `1.00:00:00` |", deployment, StringComparison.Ordinal);
        Assert.Contains("RTO objectives (30 min, 4 h, 1 day; 1 day for a whole-tenant drill)", File.ReadAllText(Repo.PathOf("README.md")), StringComparison.Ordinal);
    }
}
