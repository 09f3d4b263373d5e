using Microsoft.Extensions.Options;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Assets;

/// <summary>The Qlik tenant this deployment backs up. One deployment serves one tenant.</summary>
public interface ITenantContext
{
    string TenantId { get; }
}

public sealed class TenantContext(IOptions<QlikOptions> options) : ITenantContext
{
    public string TenantId => options.Value.EffectiveTenantId;
}
