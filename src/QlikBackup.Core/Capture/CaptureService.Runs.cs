using Microsoft.Extensions.Logging;
using QlikBackup.Core.Assets;
using QlikBackup.Qlik.Contracts;

namespace QlikBackup.Core.Capture;

public sealed partial class CaptureService
{
    /// <summary>
    /// How long before the run's read a change must have been stamped for the read to vouch for it: an event of the last moments
    /// may not be listed yet (and the API's interval is in whole milliseconds). A change closer to the read (or after it)
    /// searches its own window.
    /// </summary>
    static readonly TimeSpan AuditSettle = TimeSpan.FromSeconds(2);

    /// <summary>The run (or single capture) the current call belongs to: it scopes listings and picks where attribution comes from.</summary>
    static readonly AsyncLocal<Scope?> CurrentScope = new();

    /// <summary>A run, or one capture outside a run (its own listing scope, dropped when it finishes).</summary>
    sealed record Scope(string Key, CaptureRunContext? Run);

    /// <summary>Makes <paramref name="run"/> the scope of what follows; outside a run, a scope of its own that ends with the call.</summary>
    IDisposable EnterScope(CaptureRunContext? run)
    {
        Scope? outer = CurrentScope.Value;
        var scope = run is not null ? new Scope("run:" + run.RunId, run) : new Scope("one:" + Guid.NewGuid().ToString("N"), null);
        CurrentScope.Value = scope;
        return new ScopeExit(() =>
        {
            CurrentScope.Value = outer;
            if (run is null) cache.Drop(scope.Key);
        });
    }

    sealed class ScopeExit(Action exit) : IDisposable
    {
        public void Dispose() => exit();
    }

    /// <summary>The key listings are kept under: the current run's, else the current single capture's, else none shared.</summary>
    static string ListingScope => CurrentScope.Value?.Key ?? "none";

    public async Task<CaptureRunContext> BeginRunAsync(Tier tier, string runId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        DateTimeOffset to = clock.GetUtcNow();
        DateTimeOffset? cursor = await audits.GetCursorAsync(TenantId, tier, ct);
        // Events up to AuditSkew older than the cursor are read again: one that reached the log late is not lost.
        DateTimeOffset from = cursor is { } c ? c - AuditSkew : to - Options.AttributionLookback;
        var newest = new Dictionary<string, RunAttribution>(StringComparer.Ordinal);
        DateTimeOffset? newestEvent = null;
        int events = 0;
        try
        {
            await foreach (QlikAuditEvent e in rest.ListAuditsAsync(from, to, null, ct))
            {
                events++;
                if (newestEvent is null || e.EventTime > newestEvent) newestEvent = e.EventTime;
                if (e.EventTime < from || e.EventTime > to || IsReadOnly(e.EventType)) continue;
                foreach (string id in ConcernedIds(e))
                {
                    if (!newest.TryGetValue(id, out RunAttribution? best) || e.EventTime > best.At)
                        newest[id] = new RunAttribution(e.UserId, e.EventTime, e.ClientId ?? e.Source);
                }
            }
        }
        catch (QlikApiException ex) when (ex.Status is 400 or 403)
        {
            // As for a single capture: a principal without audit access still gets its backups, without attribution.
            log.LogWarning("Audit events could not be read for the {Tier} run's attribution ({Status}).", tier, ex.Status);
            return new CaptureRunContext(runId, new RunAudits(from, to - AuditSettle, null, 0, Readable: false));
        }

        await audits.WriteAsync(TenantId, runId, newest, ct);
        log.LogInformation("{Tier} run {RunId}: {Events} audit events read once ({From:o} to {To:o}), {Assets} assets with changes",
            tier, runId, events, from, to, newest.Count);
        return new CaptureRunContext(runId, new RunAudits(from, to - AuditSettle, newestEvent, events));
    }

    public async Task EndRunAsync(Tier tier, CaptureRunContext run, bool advanceCursor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Audits is { Readable: true } read)
        {
            // Nothing read at all (a quiet tenant): the read's end, so the next read still overlaps it by AuditSkew.
            if (advanceCursor) await audits.AdvanceCursorAsync(TenantId, tier, read.NewestEventAt ?? read.To, ct);
            await audits.DeleteAsync(TenantId, run.RunId, ct);
        }

        cache.Drop("run:" + run.RunId);
    }

    /// <summary>
    /// Who made the change a new point records. In a run whose audit read covers the change, from that read (no Qlik call);
    /// and, for a change Qlik's modified date puts after the read's <see cref="RunAudits.To"/>, from the run's top-up read
    /// (see <see cref="TopUpAsync"/>). Otherwise the asset's own window is searched, as a single capture does: outside a run,
    /// when the run's read failed, and when the window starts before the read and the read holds no event of the asset.
    /// </summary>
    /// <param name="modified">Qlik's modified date of the captured content (null when Qlik gives none).</param>
    async Task<Attribution> AttributeAsync(string assetId, DateTimeOffset since, DateTimeOffset until, DateTimeOffset? modified, CancellationToken ct)
    {
        if (CurrentScope.Value?.Run is { Audits: { } read } run)
        {
            if (!read.Readable) return Attribution.None;
            IReadOnlyDictionary<string, RunAttribution> newest = await RunAttributionsAsync(run, ct);
            RunAttribution? best = newest.TryGetValue(assetId, out RunAttribution? a) && a.At > since && a.At <= until ? a : null;
            if (modified is { } m && m > read.To)
            {
                // Changed after the run's read (or in its last moments): the events since then, read once for all such changes.
                RunAttribution? later = await TopUpAsync(run, read, m, assetId, since, until, ct);
                if (later is not null && (best is null || later.At > best.At)) best = later;
            }

            if (best is not null) return new Attribution(best.UserId, best.At, best.Client);
            // The reads cover (From, until]: nothing of the asset in there, and nothing older is needed.
            if (since >= read.From) return Attribution.None;
        }

        return await AttributeFromWindowAsync(assetId, since, until, ct);
    }

    /// <summary>
    /// Change events listed after a run's read, kept per process and run (dropped with the run's listings): every change event
    /// of each asset, so a window's newest is exact. Read again only when a capture needs a later change than it covers.
    /// </summary>
    sealed class RunTopUp(DateTimeOffset readTo)
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        /// <summary>Events were read up to here.</summary>
        public DateTimeOffset ReadTo { get; set; } = readTo;
        /// <summary>Changes stamped up to here are in <see cref="Events"/> (a moment before <see cref="ReadTo"/>).</summary>
        public DateTimeOffset Covered { get; set; } = readTo - AuditSettle;
        public Dictionary<string, List<RunAttribution>> Events { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// The newest change event of the asset in (since, until] among the events listed after the run's read, reading them
    /// (once for all of the run's captures in this process, from where the last top-up ended) when the change at
    /// <paramref name="modified"/> is not covered yet. A top-up covers every change made before it began: it waits
    /// <see cref="AuditSettle"/> first, so their events are listed.
    /// </summary>
    async Task<RunAttribution?> TopUpAsync(
        CaptureRunContext run, RunAudits read, DateTimeOffset modified, string assetId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct)
    {
        RunTopUp topUp = await cache.GetAsync("run:" + run.RunId, "audit-top-up", ListingLifetime,
            _ => Task.FromResult(new RunTopUp(read.To + AuditSettle)), ct);
        await topUp.Gate.WaitAsync(ct);
        try
        {
            if (topUp.Covered < modified)
            {
                // Cover every change made so far, not only this one: the run's other captures of later changes then need no read.
                DateTimeOffset now = clock.GetUtcNow();
                TimeSpan wait = (modified > now ? modified : now) + AuditSettle - now;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, ct);
                DateTimeOffset to = clock.GetUtcNow();
                await foreach (QlikAuditEvent e in rest.ListAuditsAsync(topUp.ReadTo - AuditSettle, to, null, ct))
                {
                    if (IsReadOnly(e.EventType)) continue;
                    foreach (string id in ConcernedIds(e))
                    {
                        if (!topUp.Events.TryGetValue(id, out List<RunAttribution>? list)) topUp.Events[id] = list = [];
                        if (!list.Any(x => x.At == e.EventTime && x.UserId == e.UserId)) list.Add(new RunAttribution(e.UserId, e.EventTime, e.ClientId ?? e.Source));
                    }
                }

                topUp.ReadTo = to;
                topUp.Covered = to - AuditSettle;
            }

            return topUp.Events.TryGetValue(assetId, out List<RunAttribution>? events)
                ? events.Where(x => x.At > since && x.At <= until).MaxBy(x => x.At)
                : null;
        }
        catch (QlikApiException ex) when (ex.Status is 400 or 403)
        {
            return null;
        }
        finally
        {
            topUp.Gate.Release();
        }
    }

    /// <summary>The run's attribution rows, read once per process and run.</summary>
    Task<IReadOnlyDictionary<string, RunAttribution>> RunAttributionsAsync(CaptureRunContext run, CancellationToken ct)
        => cache.GetAsync("run:" + run.RunId, "attribution", ListingLifetime, c => audits.ReadAsync(TenantId, run.RunId, c), ct);

    static IEnumerable<string> ConcernedIds(QlikAuditEvent e)
    {
        if (!string.IsNullOrEmpty(e.TopLevelResourceId)) yield return e.TopLevelResourceId;
        if (e.Raw.ValueKind == System.Text.Json.JsonValueKind.Object && e.Raw.TryGetProperty("data", out System.Text.Json.JsonElement data)
            && JsonMembers.Str(data, "id") is { Length: > 0 } id && id != e.TopLevelResourceId)
        {
            yield return id;
        }
    }
}
